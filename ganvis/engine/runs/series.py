"""A family's series (losses, mean verdicts) summed on the training device between history rows:
the steps never wait for the host; a row costs one host sync."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import torch

D_SERIES = ("d_loss", "d_real", "d_fake")  # what every discriminator update adds


class Accumulator:
    """`series` maps each series to the kind of update that adds it (d, g or r); a series'
    mean is its sum over the updates of its kind since the last reset."""

    def __init__(self, series: Mapping[str, str], device: torch.device,
                 watch: Callable[[torch.Tensor], None]) -> None:
        self.series = dict(series)
        self.watch = watch  # every value added is watched for NaN (the run's guard)
        self.sums = torch.zeros(len(series), device=device)
        self.slots = {k: i for i, k in enumerate(series)}  # each series' place in sums
        self.d_slots = torch.tensor([self.slots.get(k, 0) for k in D_SERIES],
                                    device=device)  # add_d's places (a plain AE has none)
        self.counts = {"d": 0, "g": 0, "r": 0}

    def add(self, name: str, value: torch.Tensor) -> None:
        """One update's value of a series (no host sync)."""
        self.sums[self.slots[name]] += value.detach()
        self.watch(value)
        self.counts[self.series[name]] += 1

    def add_d(self, loss: torch.Tensor, real_logits: torch.Tensor,
              fake_logits: torch.Tensor) -> None:
        """A discriminator update: its loss and its mean D(real) and D(fake) in one
        accumulation, a few kernels instead of a dozen (on a CPU they cost as much as a small
        layer)."""
        with torch.no_grad():
            values = torch.stack((loss.detach(), torch.sigmoid(real_logits).mean(),
                                  torch.sigmoid(fake_logits).mean()))
            self.sums.index_add_(0, self.d_slots, values)
            self.watch(values)
        self.counts["d"] += 1

    def means(self) -> tuple[dict[str, float], bool]:
        """Each series' mean since the last reset (NaN where its kind had no update), and
        whether anything was updated at all; then starts afresh. One host sync."""
        sums = dict(zip(self.series, self.sums.cpu().tolist()))
        counts = self.counts
        means = {k: sums[k] / counts[kind] if counts[kind] else math.nan
                 for k, kind in self.series.items()}
        updated = any(counts.values())
        self.reset()
        return means, updated

    def reset(self) -> None:
        self.sums.zero_()
        self.counts = {"d": 0, "g": 0, "r": 0}
