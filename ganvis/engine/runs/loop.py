"""The one training loop: steps a run and, between steps, calls its hooks.

`ganvis train`, the app's worker, the benchmarks and the distributed path all train through
a TrainingLoop. Between steps it asks should_stop(), calls on_step, and, paced by wall time,
takes a snapshot (on_snapshot) or records a history row (on_row). Without on_snapshot it only
steps. Snapshots are spaced so that taking them (and whatever else they cost the training
thread, extra_cost: the app's redraw) stays within a small share of the training time.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from ganvis.engine.runs.base import Run
from ganvis.engine.runs.snapshot import Snapshot


@dataclass(frozen=True)
class Pacing:
    """When to snapshot and when to record a history row, in seconds of wall time."""

    every: float = 0.4  # between snapshots, at least
    budget: float = 0.03  # ... and more when a snapshot costs more than this share of it
    most: float = 2.0  # ... but never more than this
    rows: float | None = 0.4  # a history row this often between snapshots (None: only with them)
    frames: bool = False  # time snapshots start to start (a frame rate), not end to start

    def interval(self, cost: float) -> float:
        """Seconds until the next snapshot, given what the last one cost: timed start to start,
        a snapshot takes at most `budget` of the interval; end to start, of cost + interval."""
        wait = cost / self.budget if self.frames else cost * (1 - self.budget) / self.budget
        return min(self.most, max(self.every, wait))


# `ganvis train`: a snapshot (for the progress line's losses) every 2 s, no rows between.
CLI_PACING = Pacing(every=2.0, most=2.0, rows=None)


def _never() -> bool:
    return False


def _free() -> float:
    return 0.0


@dataclass
class Hooks:
    """What the loop calls. Each runs on the training thread; keep them cheap and host-side
    (on_step runs after every step: Python counters only, never a device sync)."""

    on_step: Callable[[], None] | None = None
    on_row: Callable[[dict], None] | None = None
    on_snapshot: Callable[[Snapshot], None] | None = None
    should_stop: Callable[[], bool] = _never
    extra_cost: Callable[[], float] = _free  # seconds a snapshot costs beyond taking it


class TrainingLoop:
    def __init__(self, run: Run, hooks: Hooks | None = None,
                 pacing: Pacing | None = None) -> None:
        self.run = run
        self.hooks = hooks or Hooks()
        self.pacing = pacing or Pacing()
        self.interval = self.pacing.every
        self._snapped = self._recorded = time.perf_counter()

    def train(self, steps: int | None = None) -> int:
        """Step until `steps` full steps are done (None: no limit) or should_stop() says so;
        returns the steps done. Errors (divergence, out of memory) propagate."""
        hooks, run = self.hooks, self.run
        done = 0
        while (steps is None or done < steps) and not hooks.should_stop():
            run.train_steps(1)
            done += 1
            if hooks.on_step is not None:
                hooks.on_step()
            if hooks.on_snapshot is not None:
                self._paced()
        return done

    def _paced(self) -> None:
        now = time.perf_counter()
        if now - self._snapped >= self.interval:
            self.snapshot()
            cost = time.perf_counter() - now
            if self.pacing.frames:
                self._snapped = now
            self.interval = self.pacing.interval(cost + self.hooks.extra_cost())
        elif self.pacing.rows is not None and now - self._recorded >= self.pacing.rows:
            self.record()

    def record(self) -> dict:
        """Close the accumulation window: a history row, handed to on_row."""
        row = self.run.record()
        self._recorded = time.perf_counter()
        if self.hooks.on_row is not None:
            self.hooks.on_row(row)
        return row

    def snapshot(self) -> Snapshot:
        """Take a snapshot now (also between trainings: after a manual step, say), hand it
        to on_snapshot and start the pacing clock again."""
        snap = self.run.snapshot()
        self._snapped = self._recorded = time.perf_counter()
        if self.hooks.on_snapshot is not None:
            self.hooks.on_snapshot(snap)
        return snap
