"""The linear baseline an autoencoder has to beat: PCA with as many components as the
autoencoder has code dimensions, fit on the training images, reconstructing the same inputs.

Fit once per run (the covariance of at most MAX_FIT images, 784 x 784, and its eigenvectors:
under a second on a 2-core CPU), then each snapshot projects a handful of images.
"""

from __future__ import annotations

import torch

MAX_FIT = 10_000  # images the components are fit on, at most (a fixed random subset)


class PcaBaseline:
    """The top-k principal axes of `images` (n, ...) in [-1, 1], and their mean."""

    def __init__(self, images: torch.Tensor, k: int, seed: int = 0) -> None:
        n = len(images)
        if n > MAX_FIT:
            gen = torch.Generator().manual_seed(seed)
            images = images[torch.randperm(n, generator=gen)[:MAX_FIT].to(images.device)]
        x = images.reshape(len(images), -1).float().cpu()
        self.mean = x.mean(0, dtype=torch.float64)
        xc = x - self.mean.float()
        # float32 throughout: double eigh of 784 x 784 takes seconds on a small CPU, float32
        # a tenth of that, and the top axes come out the same to display precision
        values, vectors = torch.linalg.eigh(xc.T @ xc / len(x))  # ascending
        values, vectors = values.double(), vectors.double()
        self.k = min(k, x.shape[1])
        self.axes = vectors[:, -self.k:].flip(1)  # (pixels, k), the largest first
        total = float(values.clamp(min=0).sum())
        self.explained = float(values[-self.k:].clamp(min=0).sum()) / total if total else 1.0

    def reconstruct(self, images: torch.Tensor) -> torch.Tensor:
        """Each image projected onto the k axes and back (clipped to the pixel range), on the
        CPU, shaped as given."""
        x = images.reshape(len(images), -1).double().cpu()
        rec = (x - self.mean) @ self.axes @ self.axes.T + self.mean
        return rec.clamp(-1, 1).float().reshape(images.shape)
