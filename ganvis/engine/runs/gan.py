"""The GAN game on images: generator G against discriminator D (the gan and dcgan families).

One *step* is Goodfellow et al.'s Algorithm 1: k discriminator updates, then one generator
update. D's loss is binary cross-entropy with real = 1 and fake = 0; G's is the minimax or
the non-saturating loss (losses.py).
"""

from __future__ import annotations

import copy

import torch

from ganvis.engine.config import COMMON_SETTINGS
from ganvis.engine.family import Phase, Players
from ganvis.engine.nets.layers import frozen_norm_stats
from ganvis.engine.runs.base import Run
from ganvis.engine.runs.losses import d_loss, g_loss
from ganvis.engine.runs.snapshot import Observation

GAN_SERIES = {"d_loss": "d", "g_loss": "g", "d_real": "d", "d_fake": "d"}
GAN_SETTINGS = COMMON_SETTINGS | {"loss", "k_disc", "lr_d", "betas_d"}
IMAGE_PLAYERS = Players(real="real images", fake="generated G(z)", real_short="real",
                        fake_short="fake", real_mean="D(x) on real", fake_mean="D(G(z)) on fake")
GAN_PHASES = (
    Phase("train_steps", "Step", "One step: k discriminator updates, then one generator update"),
    Phase("step_d", "Step D", "One discriminator update; G stays put"),
    Phase("step_g", "Step G", "One generator update; D stays put"),
)


def with_average(nets: dict, config) -> dict:
    """The nets, plus G_ema (a copy of G that averages its weights) when config.g_ema > 0."""
    if config.g_ema:
        nets["G_ema"] = copy.deepcopy(nets["G"]).requires_grad_(False)
    return nets


@torch.no_grad()
def average_into(avg: torch.nn.Module, net: torch.nn.Module, decay: float) -> None:
    """avg <- decay * avg + (1 - decay) * net for the weights; buffers (batch-norm
    statistics) are copied."""
    for a, p in zip(avg.parameters(), net.parameters()):
        a.lerp_(p, 1 - decay)
    for a, b in zip(avg.buffers(), net.buffers()):
        a.copy_(b)


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

    def _d_update(self, fake: torch.Tensor) -> None:
        real = self.train_data.batch(self.config.batch_size, self.gen)
        D = self.train_nets["D"]
        real_logits, fake_logits = D(real), D(fake.detach())
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
        loss = g_loss(self.D(fake), self.config.loss)
        opt = self.opts["G"]
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        self.D.requires_grad_(True)
        self.acc.add("g_loss", loss)
        self.g_steps += 1
        if "G_ema" in self.nets:
            average_into(self.nets["G_ema"], self.G, self.config.g_ema)

    @torch.no_grad()
    def observe(self) -> Observation:
        grid = self.generate(self.grid_z)
        self.G.eval()
        self.D.eval()  # no dropout in what the views show
        try:
            fake = self.G(self.probe_z)
            real_p = torch.sigmoid(self.D(self.probe_real)).float().cpu().numpy()
            fake_p = torch.sigmoid(self.D(fake)).float().cpu().numpy()
        finally:
            self.G.train()
            self.D.train()
        return Observation(grid, real_p, fake_p)
