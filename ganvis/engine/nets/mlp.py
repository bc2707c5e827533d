"""The MLP GAN's networks (Goodfellow et al. 2014): fully connected G and D."""

from __future__ import annotations

import torch
from torch import nn

from ganvis.engine.nets.layers import SeededDropout


class MLPGenerator(nn.Module):
    """z -> `depth` hidden layers of width, 2*width, 4*width ... (batch norm, LeakyReLU)
    -> H*W pixels, tanh."""

    def __init__(self, latent_dim: int, width: int, depth: int, shape: tuple[int, int]) -> None:
        super().__init__()
        self.shape = shape
        dims = [latent_dim] + [width * 2**i for i in range(depth)]
        layers: list[nn.Module] = []
        for a, b in zip(dims[:-1], dims[1:]):
            layers += [nn.Linear(a, b), nn.BatchNorm1d(b), nn.LeakyReLU(0.2)]
        layers += [nn.Linear(dims[-1], shape[0] * shape[1]), nn.Tanh()]
        self.net = nn.Sequential(*layers)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z).view(-1, 1, *self.shape)


class MLPDiscriminator(nn.Module):
    """H*W pixels -> hidden layers of ... 4*width, 2*width, width (LeakyReLU, dropout as in
    Goodfellow et al.) -> one logit."""

    def __init__(self, width: int, depth: int, shape: tuple[int, int],
                 dropout: float = 0.3) -> None:
        super().__init__()
        dims = [shape[0] * shape[1]] + [width * 2**i for i in reversed(range(depth))]
        layers: list[nn.Module] = [nn.Flatten()]
        for a, b in zip(dims[:-1], dims[1:]):
            layers += [nn.Linear(a, b), nn.LeakyReLU(0.2), SeededDropout(dropout)]
        layers.append(nn.Linear(dims[-1], 1))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).view(-1)
