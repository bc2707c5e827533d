"""Divergence guard: notice NaN or infinity without waiting for the device at every step, and
keep a recent good state in memory to roll back to.

Every accumulated loss is also folded into an on-device "all finite" flag. The flag is read
(one host sync) every CHECK_EVERY steps and at every snapshot, so a divergence is caught
within CHECK_EVERY steps. A copy of the whole trainable state (weights, optimiser state,
counters, random stream) is taken every KEEP_EVERY steps while the flag is clean.
"""

from __future__ import annotations

import torch

from ganvis.engine.devices.distributed import all_true
from ganvis.engine.errors import DivergenceError
from ganvis.engine.runs.state import RunState

CHECK_EVERY = 25
KEEP_EVERY = 200


class Guard:
    def __init__(self, device: torch.device) -> None:
        self.ok = torch.ones((), dtype=torch.bool, device=device)
        self.good: RunState | None = None  # the last good state (without the record)
        self.last_check = 0

    def clear(self) -> None:
        """Start afresh (after a rollback): the flag clean, no good state kept yet."""
        self.ok = torch.ones_like(self.ok)
        self.good = None
        self.last_check = 0

    def watch(self, value: torch.Tensor) -> None:
        """Fold a value into the on-device flag (no host sync)."""
        self.ok &= torch.isfinite(value.detach()).all()

    def check(self, run, collective: bool = False) -> None:
        """Read the flag; raise DivergenceError if anything went non-finite, else keep a good
        state when one is due. Weights are checked too (a NaN step may not show in a loss).
        collective: all ranks of a distributed run call this at the same step and agree (a
        NaN on one rank stops them all). Only these set the next check's step, so every rank
        checks at the same steps whatever else (a snapshot) checks in between."""
        if collective:
            self.last_check = run.step
        with torch.no_grad():
            flags = [self.ok] + [torch.isfinite(p).all() for net in run.nets.values()
                                 for p in net.parameters()]
            flag = torch.stack(flags).all()
            healthy = all_true(flag) if collective else bool(flag)  # the one host sync
        if not healthy:
            when = f"between steps {self.good.step} and {run.step}" if self.good else \
                f"before step {run.step}"
            raise DivergenceError(
                f"training diverged {when}: a loss or a weight became NaN or infinite. "
                "Roll back to the last good state (and lower the learning rates), or start "
                "again.", run.step)
        if self.good is None or run.step - self.good.step >= KEEP_EVERY:
            self.keep(run)

    def keep(self, run) -> None:
        """Keep a copy of the run's state now (weights, optimisers, counters, random stream)."""
        self.good = run.state(record=False).copied()

    def due(self, step: int) -> bool:
        return step - self.last_check >= CHECK_EVERY
