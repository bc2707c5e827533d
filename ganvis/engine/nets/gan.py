"""Networks: the MLP GAN (Goodfellow et al.) and the DCGAN generator/discriminator pair."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch
from torch import nn

from ganvis.engine.config import RunConfig
from ganvis.engine.errors import ConfigError


class SeededDropout(nn.Module):
    """Dropout that draws its masks from a given generator (the run's), not the global one,
    so a run is reproducible from its seed and a resumed run continues the same stream."""

    def __init__(self, p: float) -> None:
        super().__init__()
        self.p = p
        self.generator: torch.Generator | None = None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0:
            return x
        keep = torch.rand(x.shape, device=x.device, generator=self.generator) >= self.p
        return x * keep / (1.0 - self.p)


@contextlib.contextmanager
def frozen_norm_stats(module: nn.Module) -> Iterator[None]:
    """Batch norm still normalises with batch statistics, but its running averages (what
    eval mode uses) stay exactly as they are: a D-only update must leave G untouched."""
    norms = [m for m in module.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)
             and m.track_running_stats]
    saved = [(m.momentum, m.num_batches_tracked.clone()) for m in norms]
    for m in norms:
        m.momentum = 0.0
    try:
        yield
    finally:
        for m, (momentum, count) in zip(norms, saved):
            m.momentum = momentum
            m.num_batches_tracked.copy_(count)


def use_generator(module: nn.Module, gen: torch.Generator) -> None:
    for m in module.modules():
        if isinstance(m, SeededDropout):
            m.generator = gen


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


def prefer_channels_last(nets: dict[str, nn.Module]) -> None:
    """Convolutional networks keep their 4-D weights (and so their activations) channels-last:
    on a 2-core x86 CPU that trained DCGAN 1.28 times as fast at batch 1024 and about 1.1
    times at batch 64 (docs/SPEED.md); the results are the same up to float rounding."""
    for net in nets.values():
        if any(isinstance(m, nn.Conv2d | nn.ConvTranspose2d) for m in net.modules()):
            net.to(memory_format=torch.channels_last)


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


def build_gan(config: RunConfig, shape: tuple[int, int]) -> tuple[nn.Module, nn.Module]:
    """The generator and discriminator a config describes, for images of `shape`."""
    if config.model == "gan":
        return (MLPGenerator(config.latent_dim, config.width, config.depth, shape),
                MLPDiscriminator(config.width, config.depth, shape))
    if config.model == "dcgan":
        if shape[0] % 4 or shape[1] % 4:
            raise ConfigError(f"dcgan: image sides must be multiples of 4, got "
                              f"{shape[0]}x{shape[1]}; use --model gan for these images")
        return (DCGANGenerator(config.latent_dim, config.width, shape),
                DCGANDiscriminator(config.width, shape))
    raise ConfigError(f"model: {config.model!r} is not a GAN family")


MAX_PARAMS = 200_000_000


def build_nets(config: RunConfig, shape: tuple[int, int], num_classes: int = 0,
               bernoulli: bool = False) -> dict[str, nn.Module]:
    """The networks of a config's family, by name (the names run files store them under)."""
    if config.model in ("gan", "dcgan"):
        G, D = build_gan(config, shape)
        return {"G": G, "D": D}
    from ganvis.engine.nets.autoencoder import build_autoencoder

    return build_autoencoder(config, shape, num_classes, bernoulli)


def count_params(config: RunConfig, shape: tuple[int, int], num_classes: int = 0) -> int:
    """Parameters of a config's networks, counted on the meta device (no memory used)."""
    with torch.device("meta"):
        nets = build_nets(config, shape, num_classes)
        return sum(p.numel() for m in nets.values() for p in m.parameters())


def check_size(config: RunConfig, shape: tuple[int, int], num_classes: int = 0) -> None:
    n = count_params(config, shape, num_classes)
    if n > MAX_PARAMS:
        raise ConfigError(f"{config.model} with width {config.width} has {n / 1e6:.0f}M "
                          f"parameters; ganvis builds at most {MAX_PARAMS / 1e6:.0f}M "
                          "(lower --width or --depth)")
