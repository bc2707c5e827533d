"""The DCGAN's networks (Radford et al. 2015): a dense projection and transposed convolutions
up to the image, strided convolutions down to one logit."""

from __future__ import annotations

import torch
from torch import nn


class DCGANGenerator(nn.Module):
    """z -> dense projection to 2w x H/4 x W/4 -> batch norm -> two stride-2 transposed convs
    -> tanh."""

    def __init__(self, latent_dim: int, width: int, shape: tuple[int, int]) -> None:
        super().__init__()
        h, w = shape[0] // 4, shape[1] // 4
        self.net = nn.Sequential(
            nn.Linear(latent_dim, 2 * width * h * w, bias=False),
            nn.BatchNorm1d(2 * width * h * w),
            nn.ReLU(),
            nn.Unflatten(1, (2 * width, h, w)),
            nn.ConvTranspose2d(2 * width, width, 4, 2, 1, bias=False),
            nn.BatchNorm2d(width),
            nn.ReLU(),
            nn.ConvTranspose2d(width, 1, 4, 2, 1),
            nn.Tanh(),
        )
        dcgan_init(self)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z)


class DCGANDiscriminator(nn.Module):
    """x -> two stride-2 convs with LeakyReLU(0.2) -> one logit (sigmoid applied for display).

    As in Radford et al., batch norm follows every conv but the first. It keeps no running
    statistics: D always normalises the batch it is shown (a real batch or a fake batch, as in
    training), so the D(x) the views plot is the D(x) the game is played with.
    """

    def __init__(self, width: int, shape: tuple[int, int]) -> None:
        super().__init__()
        h, w = shape[0] // 4, shape[1] // 4
        self.net = nn.Sequential(
            nn.Conv2d(1, width, 4, 2, 1),
            nn.LeakyReLU(0.2),
            nn.Conv2d(width, 2 * width, 4, 2, 1, bias=False),
            nn.BatchNorm2d(2 * width, track_running_stats=False),
            nn.LeakyReLU(0.2),
            nn.Flatten(),
            nn.Linear(2 * width * h * w, 1),
        )
        dcgan_init(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x).view(-1)


def dcgan_init(module: nn.Module) -> None:
    """Radford et al.: weights from N(0, 0.02); batch-norm scales from N(1, 0.02)."""
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            nn.init.normal_(m.weight, 0.0, 0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, (nn.BatchNorm1d, nn.BatchNorm2d)):
            nn.init.normal_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)
