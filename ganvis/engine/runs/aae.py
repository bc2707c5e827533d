"""Autoencoder runs: the plain AE, the adversarial AE and the supervised (style x digit) AAE.

Each step has Makhzani et al.'s two phases. Reconstruction: the encoder and decoder minimise
reconstruction error. Regularisation (adversarial families): the latent discriminator D
learns to tell prior samples (real) from the encoder's codes (fake), then the encoder, as D's
generator, learns to fool it, which pulls the codes onto the prior. The adversary only ever
sees the continuous codes, which is why this works on discrete (binary) images too.
"""

from __future__ import annotations

import numpy as np
import torch

from ganvis.engine.config import COMMON_SETTINGS, RunConfig
from ganvis.engine.data import Dataset
from ganvis.engine.errors import ConfigError
from ganvis.engine.family import Phase, Players, family
from ganvis.engine.latent.priors import sample_prior
from ganvis.engine.nets.autoencoder import recon_from_logits
from ganvis.engine.quality.pca import PcaBaseline
from ganvis.engine.runs.average import average_into, average_name, decay_at
from ganvis.engine.runs.base import Run
from ganvis.engine.runs.losses import d_loss, g_loss
from ganvis.engine.runs.snapshot import AutoencoderPart, Observation

CODES = 1000  # labelled images whose codes the latent scatter shows
RECON = 16  # images shown above their reconstructions
STYLES = 6  # rows of the style x digit grid

RECON_SERIES = {"recon_loss": "r"}
AAE_SERIES = {**RECON_SERIES, "d_loss": "d", "g_loss": "g", "d_real": "d", "d_fake": "d"}
AE_SETTINGS = COMMON_SETTINGS | {"depth", "likelihood", "g_ema"}
AAE_SETTINGS = AE_SETTINGS | {"loss", "k_disc", "lr_d", "betas_d"}
CODE_PLAYERS = Players(real="prior samples z ~ p(z)", fake="encoder codes f(x)",
                       real_short="prior samples", fake_short="codes",
                       real_mean="D(z) on prior samples", fake_mean="D(f(x)) on codes")
AE_PHASES = (Phase("train_steps", "Step", "One reconstruction step"),)
AAE_PHASES = (
    Phase("train_steps", "Step", "One step: reconstruction, then k latent-discriminator "
          "updates and one encoder update against it"),
    Phase("step_d", "Step D", "One latent-discriminator update: prior samples against "
          "codes; the autoencoder stays put"),
    Phase("step_g", "Step G", "One encoder update against D (the regularisation phase's "
          "generator step); D stays put"),
)


class AAERun(Run):
    """An autoencoder's run; the family says whether it has an adversary (regularisation
    phase) and whether the decoder is told the digit."""

    def __init__(self, config: RunConfig, dataset: Dataset | None = None) -> None:
        super().__init__(config, dataset)
        self.adversarial = self.family.adversarial
        self.supervised = self.family.conditional
        probe = torch.Generator().manual_seed(config.seed + 4)
        n = min(CODES, self.data.n)
        self.code_idx = torch.randperm(self.data.n, generator=probe)[:n].to(self.device)
        self.pca: PcaBaseline | None = None  # the linear baseline at the same code size
        self.prior_probe = sample_prior(config.prior, n, config.latent_dim, probe).to(self.device)

    @classmethod
    def check_data(cls, config: RunConfig, dataset: Dataset) -> int:
        if not family(config.model).conditional:
            return 0
        if dataset.labels is None:
            raise ConfigError(f"{config.model}: the decoder is told each image's digit, but "
                              f"{dataset.name} has no labels; use a labelled data set, or "
                              "--model aae")
        return dataset.num_classes

    @property
    def encoder(self) -> torch.nn.Module:
        return self.nets["encoder"]

    @property
    def decoder(self) -> torch.nn.Module:
        return self.nets["decoder"]

    def make_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        c = self.config
        ae = [*self.encoder.parameters(), *self.decoder.parameters()]
        opts = {"autoencoder": torch.optim.Adam(ae, lr=c.lr_g, betas=c.betas_g)}
        if self.family.adversarial:
            # The regularisation phase (D, and the encoder as its generator) runs at lr_d.
            opts["D"] = torch.optim.Adam(self.nets["D"].parameters(), lr=c.lr_d, betas=c.betas_d)
            opts["encoder"] = torch.optim.Adam(self.encoder.parameters(), lr=c.lr_d,
                                               betas=c.betas_d)
        return opts

    # --- the phases --------------------------------------------------------------------

    def _batch(self) -> tuple[torch.Tensor, torch.Tensor | None]:
        data = self.train_data
        idx = data.indices(self.config.batch_size, self.gen)
        y = data.labels[idx] if self.supervised else None
        return data.images[idx], y

    def _reconstruct(self, x: torch.Tensor, y: torch.Tensor | None) -> None:
        """The reconstruction phase: encoder and decoder minimise reconstruction error."""
        enc, dec = self.train_nets["encoder"], self.train_nets["decoder"]
        loss = recon_from_logits(dec(enc(x), y, logits=True), x, self.bernoulli)
        opt = self.opts["autoencoder"]
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        self.acc.add("recon_loss", loss)
        averaged = self.nets.get(average_name("decoder"))
        if averaged is not None:  # samples come from the average; reconstructions do not
            average_into(averaged, self.decoder, decay_at(self.config.g_ema, self.g_steps + 1))

    def _regularise_d(self, x: torch.Tensor, y: torch.Tensor | None) -> None:
        """Regularisation, D's half: prior samples (real) against the encoder's codes (fake)."""
        D = self.train_nets["D"]
        with torch.no_grad():
            codes = self.encoder(x)
        # saae: prior samples paired with the same digits (z must not depend on the digit).
        real_logits, fake_logits = D(self._z(len(x)), y), D(codes, y)
        loss = d_loss(real_logits, fake_logits)
        opt = self.opts["D"]
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        self.acc.add_d(loss, real_logits, fake_logits)
        self.d_steps += 1

    def _regularise_encoder(self, x: torch.Tensor, y: torch.Tensor | None) -> None:
        """Regularisation, the generator's half: the encoder learns to fool D."""
        D = self.nets["D"]
        D.requires_grad_(False)
        loss = g_loss(D(self.train_nets["encoder"](x), y), self.config.loss)
        opt = self.opts["encoder"]
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        D.requires_grad_(True)
        self.acc.add("g_loss", loss)

    def train_steps(self, n: int = 1) -> None:
        """n steps: reconstruction, then (adversarial families) k D updates and one encoder
        update against D."""
        def one() -> None:
            x, y = self._batch()
            self._reconstruct(x, y)
            if self.adversarial:
                for i in range(self.config.k_disc):
                    self._regularise_d(*((x, y) if i == 0 else self._batch()))
                self._regularise_encoder(x, y)
            self.g_steps += 1
        self._timed(one, n)

    def _need_adversary(self) -> None:
        if not self.adversarial:
            raise ConfigError("a plain autoencoder has no discriminator: use Step, or train "
                              "an aae")

    def step_d(self, n: int = 1) -> None:
        """n latent-discriminator updates only."""
        self._need_adversary()
        self._timed(lambda: self._regularise_d(*self._batch()), n)

    def step_g(self, n: int = 1) -> None:
        """n encoder updates against D only (the regularisation phase's generator step)."""
        self._need_adversary()
        self._timed(lambda: self._regularise_encoder(*self._batch()), n)

    # --- looking at it -------------------------------------------------------------------

    @torch.no_grad()
    def observe(self) -> Observation:
        if self.supervised:  # rows: styles; columns: digits 0-9
            z = self.grid_z[:STYLES].repeat_interleave(10, dim=0)
            digits = torch.arange(10, device=self.device).repeat(STYLES)
            grid, cols = self.generate(z, digits), 10
        else:
            grid, cols = self.generate(self.grid_z), 8
        x = self.probe_real[:RECON]
        y = self.data.labels[self.probe_idx[:RECON]] if self.supervised else None
        recon = self.decoder(self.encoder(x), y).squeeze(1)
        codes = self.encoder(self.data.images[self.code_idx])
        if self.adversarial:
            D = self.nets["D"]
            py = self.data.labels[self.probe_idx] if self.supervised else None
            real_p = torch.sigmoid(D(self.probe_z, py)).cpu().numpy()
            fake_p = torch.sigmoid(D(self.encoder(self.probe_real), py)).cpu().numpy()
        else:
            real_p = fake_p = np.zeros(0, np.float32)
        labels = self.data.labels
        if self.pca is None:  # fit once, on the training thread, at the first look
            self.pca = PcaBaseline(self.data.images, self.config.latent_dim, self.config.seed)
        part = AutoencoderPart(
            recon_inputs=_host(x.squeeze(1)), recon_outputs=_host(recon), codes=_host(codes),
            code_labels=(None if labels is None
                         else labels[self.code_idx].cpu().numpy().astype(np.int64)),
            prior_samples=_host(self.prior_probe),
            pca_outputs=_host(self.pca.reconstruct(x.squeeze(1))),
            pca_explained=self.pca.explained)
        return Observation(grid, real_p, fake_p, grid_cols=cols, autoencoder=part)

    @torch.no_grad()
    def encode(self, images: np.ndarray) -> np.ndarray:
        """Codes (styles, for saae) of host images (n, H, W) in [-1, 1]."""
        x = torch.tensor(np.array(images, np.float32)).unsqueeze(1).to(self.device)
        return self.encoder(x).float().cpu().numpy()


def _host(t: torch.Tensor) -> np.ndarray:
    a = t.detach().float().cpu().numpy()
    a.flags.writeable = False
    return a
