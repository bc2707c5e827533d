"""An exponential moving average of the generator's weights (GAN G, AAE decoder): what samples,
the sliders, the metrics and exports come from when a run keeps one.

After every update of the generator, avg <- decay * avg + (1 - decay) * net. StyleGAN's rule
of thumb sets the decay from a half-life in images: decay = 0.5 ** (batch / half_life). As in
StyleGAN2-ADA, the half-life ramps up: it is at most RAMPUP times the steps taken so far, so in
the first minutes the average follows G closely instead of holding on to its random start.
The averaged copy is saved beside the generator itself; neither replaces the other.
"""

from __future__ import annotations

import copy
import math

import torch

RAMPUP = 0.05  # the half-life is at most this share of the steps so far (StyleGAN2-ADA's)


def average_name(generator: str) -> str:
    """The name the average of `generator` is kept and saved under (G -> G_ema)."""
    return f"{generator}_ema"


def with_average(nets: dict, config, generator: str = "G") -> dict:
    """The nets, plus an averaged copy of the generator when config.g_ema > 0."""
    if config.g_ema:
        nets[average_name(generator)] = copy.deepcopy(nets[generator]).requires_grad_(False)
    return nets


@torch.no_grad()
def average_into(avg: torch.nn.Module, net: torch.nn.Module, decay: float) -> None:
    """avg <- decay * avg + (1 - decay) * net for the weights; buffers (batch-norm
    statistics) are copied."""
    for a, p in zip(avg.parameters(), net.parameters()):
        a.lerp_(p, 1 - decay)
    for a, b in zip(avg.buffers(), net.buffers()):
        a.copy_(b)


def decay_at(decay: float, step: int) -> float:
    """The decay to use at generator step `step` (1, 2, ...): `decay`, or less early on,
    when its half-life (ln 1/2 / ln decay steps) is longer than RAMPUP * step."""
    if decay <= 0.0:
        return 0.0
    half_life = math.log(0.5) / math.log(decay)
    return 0.5 ** (1.0 / max(min(half_life, RAMPUP * step), 1e-9))


def half_life_decay(batch_size: int, half_life_images: float) -> float:
    """The decay whose weight halves after half_life_images images at this batch size."""
    return 0.5 ** (batch_size / half_life_images)
