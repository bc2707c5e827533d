"""Latent priors p(z): the standard normal N(0, I) and the uniform U(-1, 1)^d."""

from __future__ import annotations

import torch


def sample_prior(kind: str, n: int, dim: int, gen: torch.Generator,
                 device: torch.device | str = "cpu") -> torch.Tensor:
    if kind == "normal":
        return torch.randn(n, dim, generator=gen, device=device)
    if kind == "uniform":
        return torch.rand(n, dim, generator=gen, device=device) * 2.0 - 1.0
    raise ValueError(f"unknown prior {kind!r}")
