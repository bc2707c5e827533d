"""A run's state: everything that must survive a save, a rollback or a rebuild, in one place.

Run.state() takes it and Run.load_state() puts it back; the divergence guard keeps one in
memory, Run.rebuild carries one to a run with another batch size or device, and the run file
stores one. Nothing else copies a run's fields.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field, replace

import numpy as np
import torch

from ganvis.engine.runs.waterfall import Rows, empty_rows


@dataclass(frozen=True)
class RunRecord:
    """What a run has recorded: the history rows, the quality measurements (with the live
    metrics' schedule), the timeline of sample grids and the D(x) waterfall's rows."""

    history: dict[str, list[float]]
    metrics: dict  # LiveMetrics.state(): {"history": {...}, "last_step", "last_cost", ...}
    timeline: tuple[np.ndarray, np.ndarray]  # (steps, grids) as Timeline.arrays()
    waterfall: Rows = field(default_factory=empty_rows)  # as Waterfall.arrays()


@dataclass(frozen=True)
class RunState:
    """Counters, weights, optimiser state and the training random stream (and optionally the
    record). `optimizers` maps a name to a state_dict, or leaves it out: a missing optimiser
    starts afresh. `rng` is (device type, generator state), or None for a fresh stream."""

    d_steps: int
    g_steps: int
    elapsed: float
    images_seen: int
    nets: dict[str, dict[str, torch.Tensor]]
    optimizers: dict[str, dict]
    rng: tuple[str, torch.Tensor] | None
    record: RunRecord | None = None

    @property
    def step(self) -> int:
        return self.g_steps  # a step is a generator update in every family

    def copied(self) -> RunState:
        """A deep copy whose tensors share nothing with the run's (what the guard keeps)."""
        return replace(self, nets={k: {n: t.detach().clone() for n, t in sd.items()}
                                   for k, sd in self.nets.items()},
                       optimizers=copy.deepcopy(self.optimizers),
                       rng=None if self.rng is None else (self.rng[0], self.rng[1].clone()),
                       record=copy.deepcopy(self.record))
