"""A frozen, eval-mode copy of a generator that turns latent codes into images.

The app's sliders and the exports use a Sampler, never the model being trained, so sampling
never races the training thread and always sees a consistent set of weights.
"""

from __future__ import annotations

import copy

import numpy as np
import torch
from torch import nn

from ganvis.engine.config import RunConfig
from ganvis.engine.latent.priors import sample_prior


class Sampler:
    def __init__(self, generator: nn.Module, config: RunConfig, shape: tuple[int, int],
                 step: int = 0, device: str | torch.device = "cpu", num_classes: int = 0,
                 encoder: nn.Module | None = None) -> None:
        self.config = config
        self.num_classes = num_classes  # > 0: the generator also takes a digit per code
        self.shape = shape
        self.step = step
        self.device = torch.device(device)
        self.G = copy.deepcopy(generator).to(self.device).eval().requires_grad_(False)
        # Autoencoders: a frozen copy of the encoder too, to take the style of an image.
        self.encoder = None if encoder is None else \
            copy.deepcopy(encoder).to(self.device).eval().requires_grad_(False)

    @property
    def latent_dim(self) -> int:
        return self.config.latent_dim

    def z(self, n: int, seed: int) -> np.ndarray:
        """n codes from the run's prior; the same seed gives the same codes on every machine."""
        gen = torch.Generator().manual_seed(int(seed))
        return sample_prior(self.config.prior, n, self.latent_dim, gen).numpy()

    @property
    def conditional(self) -> bool:
        return self.num_classes > 0

    def default_digits(self, n: int) -> np.ndarray:
        """0, 1, ..., 9, 0, 1, ...: what a conditional generator draws when not told."""
        return np.arange(n) % max(self.num_classes, 1)

    def __call__(self, z: np.ndarray | torch.Tensor,
                 digits: np.ndarray | None = None) -> np.ndarray:
        """Images (n, H, W) in [-1, 1] for codes z (n, latent_dim) (and digits, if the
        generator takes them; left out, they cycle through 0..9)."""
        zt = torch.as_tensor(np.asarray(z, np.float32)).reshape(-1, self.latent_dim)
        args = [zt.to(self.device)]
        if self.conditional:
            d = self.default_digits(len(zt)) if digits is None else np.asarray(digits)
            if d.shape != (len(zt),) or d.min() < 0 or d.max() >= self.num_classes:
                raise ValueError(f"need one digit in 0..{self.num_classes - 1} per code")
            args.append(torch.as_tensor(d, dtype=torch.long, device=self.device))
        with torch.inference_mode():
            return self.G(*args).squeeze(1).float().cpu().numpy()

    def encode(self, images: np.ndarray) -> np.ndarray:
        """Codes (for a saae: styles) of images (n, H, W) in [-1, 1]."""
        if self.encoder is None:
            raise ValueError(f"a {self.config.model} has no encoder")
        x = torch.tensor(np.array(images, np.float32)).reshape(-1, 1, *self.shape)
        with torch.inference_mode():
            return self.encoder(x.to(self.device)).float().cpu().numpy()

    def sample(self, n: int, seed: int, digits: np.ndarray | None = None) -> np.ndarray:
        return self(self.z(n, seed), digits)
