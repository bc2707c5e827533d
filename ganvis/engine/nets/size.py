"""How big a config's networks are, counted before anything is allocated."""

from __future__ import annotations

import torch

from ganvis.engine.config import RunConfig
from ganvis.engine.errors import ConfigError
from ganvis.engine.family import family

MAX_PARAMS = 200_000_000


def build_nets(config: RunConfig, shape: tuple[int, int], num_classes: int = 0,
               bernoulli: bool = False) -> dict[str, torch.nn.Module]:
    """The networks of a config's family, by name (the names run files store them under)."""
    return family(config.model).build_nets(config, shape, num_classes, bernoulli)


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
