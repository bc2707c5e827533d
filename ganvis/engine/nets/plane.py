"""The 2-D GAN's networks: an MLP generator z -> point and an MLP discriminator that judges
`pack` points at once (PacGAN; pack 1 is the plain GAN's D)."""

from __future__ import annotations

import torch
from torch import nn


class PointGenerator(nn.Module):
    """z -> `depth` ReLU layers of `width` units -> (x, y)."""

    def __init__(self, latent_dim: int, width: int, depth: int) -> None:
        super().__init__()
        dims = [latent_dim] + [width] * depth
        layers: list[nn.Module] = []
        for a, b in zip(dims[:-1], dims[1:]):
            layers += [nn.Linear(a, b), nn.ReLU()]
        layers.append(nn.Linear(dims[-1], 2))
        self.net = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z)


class PointDiscriminator(nn.Module):
    """`pack` points (concatenated) -> `depth` LeakyReLU(0.2) layers of `width` -> one logit.
    A batch of n points is judged as n / pack packs of consecutive points."""

    def __init__(self, width: int, depth: int, pack: int = 1) -> None:
        super().__init__()
        self.pack = pack
        dims = [2 * pack] + [width] * depth
        layers: list[nn.Module] = []
        for a, b in zip(dims[:-1], dims[1:]):
            layers += [nn.Linear(a, b), nn.LeakyReLU(0.2)]
        layers.append(nn.Linear(dims[-1], 1))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x.reshape(-1, 2 * self.pack)).view(-1)

    def single(self, x: torch.Tensor) -> torch.Tensor:
        """Logits of single points: each point as a pack of `pack` copies of itself (with
        pack 1, simply D(x)); what the views draw as D's surface."""
        return self.net(x.repeat(1, self.pack)).view(-1)
