"""Pieces the networks share: seeded dropout, batch norm with frozen statistics, the memory
layout convolutional networks train in."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch
from torch import nn


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


def prefer_channels_last(nets: dict[str, nn.Module]) -> None:
    """Convolutional networks keep their 4-D weights (and so their activations) channels-last:
    on a 2-core x86 CPU that trained DCGAN 1.28 times as fast at batch 1024 and about 1.1
    times at batch 64 (docs/SPEED.md); the results are the same up to float rounding."""
    for net in nets.values():
        if any(isinstance(m, nn.Conv2d | nn.ConvTranspose2d) for m in net.modules()):
            net.to(memory_format=torch.channels_last)
