"""The linear baseline an autoencoder has to beat: PCA with as many components as the
autoencoder has code dimensions, fit on the training images, reconstructing the same inputs.

Fit once per run, on the training thread, from at most MAX_FIT images (fewer for large images:
about FIT_VALUES pixel values in all) by a randomised SVD of their centred pixels (Halko et
al.; its top axes match an exact SVD's to display precision): about 0.1 s for 28 x 28 digits
on a 2-core CPU, and bounded in time and memory for the largest images a run takes.
"""

from __future__ import annotations

import torch

MAX_FIT = 2_000  # images the axes are fit on, at most (a fixed random subset)
FIT_VALUES = 50_000_000  # pixel values the fit holds at once, at most (200 MB as float32)


class PcaBaseline:
    """The top-k principal axes of `images` (n, ...) in [-1, 1], and their mean."""

    def __init__(self, images: torch.Tensor, k: int, seed: int = 0) -> None:
        n, pixels = len(images), images[0].numel()
        m = max(1, min(n, MAX_FIT, FIT_VALUES // pixels))
        gen = torch.Generator().manual_seed(seed)
        pick = torch.randperm(n, generator=gen)[:m].sort().values
        x = images[pick.to(images.device)].reshape(m, -1).float().cpu()
        self.mean = x.mean(0)
        xc = x - self.mean
        q = min(k + 16, m, pixels)
        with torch.random.fork_rng(devices=[]):  # the global generator is left as it was
            torch.manual_seed(seed)
            _, s, v = torch.svd_lowrank(xc, q=q, niter=6)
        self.k = min(k, q)
        self.axes = v[:, :self.k]  # (pixels, k), the largest first
        total = float((xc.double() ** 2).sum())
        self.explained = float((s[:self.k].double() ** 2).sum()) / total if total else 1.0

    def reconstruct(self, images: torch.Tensor) -> torch.Tensor:
        """Each image projected onto the k axes and back (clipped to the pixel range), on the
        CPU, shaped as given."""
        x = images.reshape(len(images), -1).float().cpu()
        rec = (x - self.mean) @ self.axes @ self.axes.T + self.mean
        return rec.clamp(-1, 1).reshape(images.shape)
