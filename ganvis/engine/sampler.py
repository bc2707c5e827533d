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
from ganvis.engine.priors import sample_prior


class Sampler:
    def __init__(self, generator: nn.Module, config: RunConfig, shape: tuple[int, int],
                 step: int = 0, device: str | torch.device = "cpu") -> None:
        self.config = config
        self.shape = shape
        self.step = step
        self.device = torch.device(device)
        self.G = copy.deepcopy(generator).to(self.device).eval().requires_grad_(False)

    @property
    def latent_dim(self) -> int:
        return self.config.latent_dim

    def z(self, n: int, seed: int) -> np.ndarray:
        """n codes from the run's prior; the same seed gives the same codes on every machine."""
        gen = torch.Generator().manual_seed(int(seed))
        return sample_prior(self.config.prior, n, self.latent_dim, gen).numpy()

    def __call__(self, z: np.ndarray | torch.Tensor) -> np.ndarray:
        """Images (n, H, W) in [-1, 1] for codes z (n, latent_dim)."""
        zt = torch.as_tensor(np.asarray(z, np.float32)).reshape(-1, self.latent_dim)
        with torch.inference_mode():
            return self.G(zt.to(self.device)).squeeze(1).float().cpu().numpy()

    def sample(self, n: int, seed: int) -> np.ndarray:
        return self(self.z(n, seed))
