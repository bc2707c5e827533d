"""Autoencoder runs: a plain AE, the adversarial AE and the supervised (style x digit) AAE.

Each AAE step has Makhzani et al.'s two phases. Reconstruction: the encoder and decoder
minimise reconstruction error. Regularisation: the latent discriminator D learns to tell
prior samples (real) from the encoder's codes (fake), then the encoder, as D's generator,
learns to fool it, which pulls the codes onto the prior. The adversary only ever sees the
continuous codes, which is why this works on discrete (binary) images too.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from ganvis.engine.config import RunConfig
from ganvis.engine.data import Dataset
from ganvis.engine.errors import ConfigError
from ganvis.engine.latent.priors import sample_prior
from ganvis.engine.nets.autoencoder import recon_from_logits
from ganvis.engine.runs.base import Run
from ganvis.engine.runs.losses import d_loss, g_loss

CODES = 1000  # labelled images whose codes the latent scatter shows
RECON = 16  # images shown above their reconstructions
STYLES = 6  # rows of the style x digit grid


class AAERun(Run):
    GENERATOR = "decoder"

    def __init__(self, config: RunConfig, dataset: Dataset | None = None) -> None:
        self.adversarial = config.model != "ae"
        self.SERIES = {"recon_loss": "r"}
        if self.adversarial:
            self.SERIES.update({"d_loss": "d", "g_loss": "g", "d_real": "d", "d_fake": "d"})
        super().__init__(config, dataset)
        self.supervised = config.model == "saae"
        probe = torch.Generator().manual_seed(config.seed + 4)
        n = min(CODES, self.data.n)
        self.code_idx = torch.randperm(self.data.n, generator=probe)[:n].to(self.device)
        self.prior_probe = sample_prior(config.prior, n, config.latent_dim, probe).to(self.device)

    @classmethod
    def check_data(cls, config: RunConfig, dataset: Dataset) -> int:
        if config.model != "saae":
            return 0
        if dataset.labels is None:
            raise ConfigError(f"saae: the decoder is told each image's digit, but {dataset.name} "
                              "has no labels; use a labelled data set, or --model aae")
        return dataset.num_classes

    @property
    def encoder(self) -> torch.nn.Module:
        return self.nets["encoder"]

    @property
    def decoder(self) -> torch.nn.Module:
        return self.nets["decoder"]

    def image_updates(self) -> int:
        return self.g_steps

    def images_per_step(self) -> int:
        return self.config.batch_size

    def make_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        c = self.config
        ae = [*self.encoder.parameters(), *self.decoder.parameters()]
        opts = {"autoencoder": torch.optim.Adam(ae, lr=c.lr_g, betas=c.betas_g)}
        if self.config.model != "ae":
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
        enc, dec = self.train_nets["encoder"], self.train_nets["decoder"]
        loss = recon_from_logits(dec(enc(x), y, logits=True), x, self.bernoulli)
        opt = self.opts["autoencoder"]
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        self._add("recon_loss", loss)
        self._acc_n["r"] += 1

    def _d_update(self, x: torch.Tensor, y: torch.Tensor | None) -> None:
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
        self._add_d(loss, real_logits, fake_logits)
        self._acc_n["d"] += 1
        self.d_steps += 1

    def _g_update(self, x: torch.Tensor, y: torch.Tensor | None) -> None:
        D = self.nets["D"]
        D.requires_grad_(False)
        loss = g_loss(D(self.train_nets["encoder"](x), y), self.config.loss)
        opt = self.opts["encoder"]
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        D.requires_grad_(True)
        self._add("g_loss", loss)
        self._acc_n["g"] += 1

    def train_steps(self, n: int = 1) -> None:
        """n steps: reconstruction, then (adversarial families) k D updates and one encoder
        update against D."""
        def one() -> None:
            x, y = self._batch()
            self._reconstruct(x, y)
            if self.adversarial:
                for i in range(self.config.k_disc):
                    self._d_update(*((x, y) if i == 0 else self._batch()))
                self._g_update(x, y)
            self.g_steps += 1
        self._timed(one, n)

    def _need_adversary(self) -> None:
        if not self.adversarial:
            raise ConfigError("a plain autoencoder has no discriminator: use Step, or train "
                              "an aae")

    def step_d(self, n: int = 1) -> None:
        """n latent-discriminator updates only."""
        self._need_adversary()
        self._timed(lambda: self._d_update(*self._batch()), n)

    def step_g(self, n: int = 1) -> None:
        """n encoder updates against D only (the regularisation phase's generator step)."""
        self._need_adversary()
        self._timed(lambda: self._g_update(*self._batch()), n)

    # --- looking at it -------------------------------------------------------------------

    def grid_digits(self) -> torch.Tensor | None:
        if not self.supervised:
            return None
        return torch.arange(10, device=self.device).repeat(STYLES)

    @torch.no_grad()
    def observe(self) -> dict[str, Any]:
        if self.supervised:  # rows: styles; columns: digits 0-9
            z = self.grid_z[:STYLES].repeat_interleave(10, dim=0)
            grid, cols = self.generate(z, self.grid_digits()), 10
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
        extra = {
            "recon_inputs": _host(x.squeeze(1)), "recon_outputs": _host(recon),
            "codes": _host(codes), "prior_samples": _host(self.prior_probe),
            "code_labels": (None if labels is None
                            else labels[self.code_idx].cpu().numpy().astype(np.int64)),
        }
        return {"grid": grid, "real_probs": real_p, "fake_probs": fake_p, "extra": extra,
                "grid_cols": cols}

    @torch.no_grad()
    def encode(self, images: np.ndarray) -> np.ndarray:
        """Codes (styles, for saae) of host images (n, H, W) in [-1, 1]."""
        x = torch.tensor(np.array(images, np.float32)).unsqueeze(1).to(self.device)
        return self.encoder(x).float().cpu().numpy()


def _host(t: torch.Tensor) -> np.ndarray:
    a = t.detach().float().cpu().numpy()
    a.flags.writeable = False
    return a
