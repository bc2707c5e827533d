"""GAN losses on discriminator logits: the paper's minimax game and the non-saturating variant.

With D(x) = sigmoid(logit), log D = -softplus(-logit) and log(1 - D) = -softplus(logit).
The discriminator loss sums the real and the fake term, so at equilibrium (D = 1/2
everywhere) it equals log 4 and V(D, G) = -log 4.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ganvis.engine.quality.game import LOG4

EQUILIBRIUM_D_LOSS = LOG4  # D = 1/2 everywhere


def d_loss(real_logits: torch.Tensor, fake_logits: torch.Tensor) -> torch.Tensor:
    """-E[log D(x)] - E[log(1 - D(G(z)))]: binary cross-entropy with real = 1, fake = 0."""
    return F.softplus(-real_logits).mean() + F.softplus(fake_logits).mean()


def g_loss(fake_logits: torch.Tensor, kind: str) -> torch.Tensor:
    """minimax: E[log(1 - D(G(z)))] (saturates early); nonsat: -E[log D(G(z))]."""
    if kind == "minimax":
        return -F.softplus(fake_logits).mean()
    if kind == "nonsat":
        return F.softplus(-fake_logits).mean()
    raise ValueError(f"unknown generator loss {kind!r}")
