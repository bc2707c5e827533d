"""The GAN game on images: generator G against discriminator D (the gan and dcgan families).

One *step* is Goodfellow et al.'s Algorithm 1: k discriminator updates, then one generator
update. D's loss is binary cross-entropy with real = 1 and fake = 0; G's is the minimax or
the non-saturating loss (losses.py).
"""

from __future__ import annotations

import torch

from ganvis.engine.config import COMMON_SETTINGS
from ganvis.engine.family import Phase, Players
from ganvis.engine.nets.layers import frozen_norm_stats
from ganvis.engine.runs.augment import augment
from ganvis.engine.runs.average import average_into, decay_at
from ganvis.engine.runs.base import Run
from ganvis.engine.runs.losses import d_loss, g_loss
from ganvis.engine.runs.snapshot import Observation

GAN_SERIES = {"d_loss": "d", "g_loss": "g", "d_real": "d", "d_fake": "d"}
GAN_SETTINGS = COMMON_SETTINGS | {"loss", "k_disc", "lr_d", "betas_d"}
SHOWN = 16  # augmented real images a snapshot carries (what D is shown)
IMAGE_GAN_SETTINGS = GAN_SETTINGS | {"g_ema", "augment"}
IMAGE_PLAYERS = Players(real="real images", fake="generated G(z)", real_short="real",
                        fake_short="fake", real_mean="D(x) on real", fake_mean="D(G(z)) on fake")
GAN_PHASES = (
    Phase("train_steps", "Step", "One step: k discriminator updates, then one generator update"),
    Phase("step_d", "Step D", "One discriminator update; G stays put"),
    Phase("step_g", "Step G", "One generator update; D stays put"),
)


class GANRun(Run):
    """The GAN game: generator G against discriminator D on images."""

    @property
    def G(self) -> torch.nn.Module:  # noqa: N802 (the paper's name)
        return self.nets["G"]

    @property
    def D(self) -> torch.nn.Module:  # noqa: N802
        return self.nets["D"]

    def make_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        c = self.config
        return {"G": torch.optim.Adam(self.G.parameters(), lr=c.lr_g, betas=c.betas_g),
                "D": torch.optim.Adam(self.D.parameters(), lr=c.lr_d, betas=c.betas_d)}

    def train_steps(self, n: int = 1) -> None:
        """n full steps: k discriminator updates, then one generator update, each."""
        def one() -> None:
            for i in range(self.config.k_disc):
                last = i == self.config.k_disc - 1
                with torch.set_grad_enabled(last):  # the last fake batch also trains G
                    fake = self.train_nets["G"](self._z())
                self._d_update(fake)
            self._g_update(fake)
        self._timed(one, n)

    def step_d(self, n: int = 1) -> None:
        """n discriminator updates only (G frozen, batch-norm statistics included)."""
        def one() -> None:
            with torch.no_grad(), frozen_norm_stats(self.G):
                fake = self.G(self._z())
            self._d_update(fake)
        self._timed(one, n)

    def step_g(self, n: int = 1) -> None:
        """n generator updates only (D frozen)."""
        self._timed(lambda: self._g_update(self.train_nets["G"](self._z())), n)

    def shown(self, x: torch.Tensor, gen: torch.Generator | None = None) -> torch.Tensor:
        """What D is shown of the images x: x itself, or x augmented (DiffAugment)."""
        return augment(x, self.config.augment, gen or self.gen)

    def _d_update(self, fake: torch.Tensor) -> None:
        real = self.train_data.batch(self.config.batch_size, self.gen)
        D = self.train_nets["D"]
        real_logits, fake_logits = D(self.shown(real)), D(self.shown(fake.detach()))
        loss = d_loss(real_logits, fake_logits)
        opt = self.opts["D"]
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        self.acc.add_d(loss, real_logits, fake_logits)
        self.d_steps += 1

    def _g_update(self, fake: torch.Tensor) -> None:
        # Gradients flow through D to G; D's weights stay put (its plain module: no DDP sync).
        self.D.requires_grad_(False)
        loss = g_loss(self.D(self.shown(fake)), self.config.loss)
        opt = self.opts["G"]
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        self.D.requires_grad_(True)
        self.acc.add("g_loss", loss)
        self.g_steps += 1
        if "G_ema" in self.nets:
            average_into(self.nets["G_ema"], self.G, decay_at(self.config.g_ema, self.g_steps))

    @torch.no_grad()
    def observe(self) -> Observation:
        """The grid, and D's verdicts on the probes as D is shown them: augmented, when the run
        augments, by transforms drawn afresh for each step (the same at a step, however often
        one looks)."""
        grid = self.generate(self.grid_z)
        self.G.eval()
        self.D.eval()  # no dropout in what the views show
        look = torch.Generator(self.device).manual_seed(self.config.seed + 5 + self.step)
        try:
            real = self.shown(self.probe_real, look)
            fake = self.shown(self.G(self.probe_z), look)
            real_p = torch.sigmoid(self.D(real)).float().cpu().numpy()
            fake_p = torch.sigmoid(self.D(fake)).float().cpu().numpy()
        finally:
            self.G.train()
            self.D.train()
        shown = None
        if self.config.augment != "off":
            shown = real[:SHOWN].squeeze(1).float().cpu().numpy()
        return Observation(grid, real_p, fake_p, shown_real=shown)
