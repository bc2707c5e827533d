"""How well an adversarial autoencoder's codes match its prior, and how well a supervised AAE
keeps style apart from digit."""

from __future__ import annotations

import numpy as np
import torch

from ganvis.engine.latent.priors import sample_prior


def mmd(x: np.ndarray, y: np.ndarray, bandwidth: float | None = None) -> float:
    """Squared maximum mean discrepancy with a Gaussian kernel (unbiased estimate). The
    bandwidth defaults to the median distance in the pooled sample."""
    a = torch.as_tensor(np.asarray(x, np.float64))
    b = torch.as_tensor(np.asarray(y, np.float64))
    pooled = torch.cat([a, b])
    if bandwidth is None:
        d = torch.cdist(pooled, pooled)
        bandwidth = float(d[d > 0].median()) if (d > 0).any() else 1.0

    def k(p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
        return torch.exp(-torch.cdist(p, q) ** 2 / (2 * bandwidth ** 2))

    n, m = len(a), len(b)
    kxx, kyy, kxy = k(a, a), k(b, b), k(a, b)
    xx = (kxx.sum() - kxx.diagonal().sum()) / (n * (n - 1))
    yy = (kyy.sum() - kyy.diagonal().sum()) / (m * (m - 1))
    return float(xx + yy - 2 * kxy.mean())


def prior_match(codes: np.ndarray, prior: str, seed: int = 0) -> dict[str, float]:
    """Per-dimension moments of the codes and their MMD to prior samples, with the floor:
    the MMD between two independent prior samples of the same size."""
    codes = np.asarray(codes, np.float64)
    n, dim = codes.shape
    gen = torch.Generator().manual_seed(seed)
    p1 = sample_prior(prior, n, dim, gen).double().numpy()
    p2 = sample_prior(prior, n, dim, gen).double().numpy()
    bandwidth = float(np.median(np.linalg.norm(p1[:, None] - p2[None], axis=-1)))
    return {
        "code_mean_abs": float(np.abs(codes.mean(0)).mean()),
        "code_var_mean": float(codes.var(0).mean()),
        "code_var_min": float(codes.var(0).min()),
        "code_var_max": float(codes.var(0).max()),
        "mmd": mmd(codes, p1, bandwidth),
        "mmd_floor": mmd(p2, p1, bandwidth),
    }


def style_consistency(encode, decode, images: np.ndarray, num_classes: int = 10) -> dict:
    """Take each image's style, draw all digits in it, re-encode those drawings: how far do
    the re-encoded styles land from the style they were drawn in, relative to how far apart
    the styles of different images are? (0: perfectly kept; 1: no better than a random other
    image's style.)

    `encode(images) -> styles` and `decode(styles, digits) -> images` are the model's."""
    styles = np.asarray(encode(images), np.float64)
    k = len(styles)
    repeated = np.repeat(styles, num_classes, axis=0)
    digits = np.tile(np.arange(num_classes), k)
    again = np.asarray(encode(decode(repeated.astype(np.float32), digits)), np.float64)
    drift = float(np.linalg.norm(again - repeated, axis=1).mean())
    pairwise = np.linalg.norm(styles[:, None] - styles[None], axis=-1)
    spread = float(pairwise[~np.eye(k, dtype=bool)].mean())
    return {"style_drift": drift, "style_spread": spread,
            "style_consistency": drift / spread if spread > 0 else float("nan")}
