"""Latent priors p(z): N(0, I), the uniform cube U(-1, 1)^d and a mixture of 10 Gaussians.

The mixture (Makhzani et al.'s 2-D example) puts ten Gaussians of standard deviation 0.5
evenly on a circle of radius 4 in the first two dimensions; any further dimensions are N(0, 1).
"""

from __future__ import annotations

import math

import torch

MOG_COMPONENTS = 10
MOG_RADIUS = 4.0
MOG_STD = 0.5


def mog_means(dim: int, device: torch.device | str = "cpu") -> torch.Tensor:
    angles = torch.arange(MOG_COMPONENTS, dtype=torch.float32) * (2 * math.pi / MOG_COMPONENTS)
    means = torch.zeros(MOG_COMPONENTS, dim)
    means[:, 0] = MOG_RADIUS * torch.cos(angles)
    if dim > 1:
        means[:, 1] = MOG_RADIUS * torch.sin(angles)
    return means.to(device)


def sample_prior(kind: str, n: int, dim: int, gen: torch.Generator,
                 device: torch.device | str = "cpu") -> torch.Tensor:
    if kind == "normal":
        return torch.randn(n, dim, generator=gen, device=device)
    if kind == "uniform":
        return torch.rand(n, dim, generator=gen, device=device) * 2.0 - 1.0
    if kind == "mog10":
        comp = torch.randint(MOG_COMPONENTS, (n,), generator=gen, device=device)
        z = torch.randn(n, dim, generator=gen, device=device)
        z[:, :2] *= MOG_STD
        return z + mog_means(dim, device)[comp]
    raise ValueError(f"unknown prior {kind!r}")


def prior_extent(kind: str, dim: int) -> float:
    """How far from 0 the prior's mass reaches along dimension `dim` (0-based), for a
    slider's range: 3 standard deviations of N(0, 1), the cube's edge, or the mixture's ring
    (radius 4) plus 3 of its components' standard deviations in the first two dimensions."""
    if kind == "uniform":
        return 1.0
    if kind == "mog10" and dim < 2:
        return MOG_RADIUS + 3 * MOG_STD
    return 3.0
