"""What LiveMetrics (images) and PlaneMetrics (the 2-D game) share: a series of measurements,
one row each, taken every `every` steps at most and within a share `budget` of the training
time (due when the training time since the last measurement is at least (1 - budget) / budget
times what it cost), and carried in a run's state."""

from __future__ import annotations

import math


class PacedSeries:
    def __init__(self, keys: tuple[str, ...], every: int, budget: float) -> None:
        self.keys, self.every, self.budget = keys, every, budget
        self.history: dict[str, list[float]] = {k: [] for k in keys}
        self.last_step = 0
        self.last_cost = 0.0
        self.train_mark = 0.0  # training seconds at the last measurement

    @property
    def latest(self) -> dict[str, float]:
        if not self.history["step"]:
            return {}
        return {k: v[-1] for k, v in self.history.items() if v}

    def due(self, step: int, elapsed: float) -> bool:
        if not self.enabled or step - self.last_step < self.every or step == 0:
            return False
        spent = elapsed - self.train_mark
        return spent >= self.last_cost * (1 - self.budget) / self.budget

    def _append(self, row: dict[str, float], cost: float, elapsed: float) -> None:
        """Add a measurement's row (NaN where it has no value) and restart the pacing."""
        for k in self.keys:
            self.history[k].append(float(row.get(k, math.nan)))
        self.last_step, self.last_cost, self.train_mark = int(row["step"]), cost, elapsed

    def state(self) -> dict:
        """The measurements and when the next is due (part of a run's state)."""
        return {"history": {k: list(v) for k, v in self.history.items()},
                "last_step": self.last_step, "last_cost": self.last_cost,
                "train_mark": self.train_mark, "enabled": self.enabled, "note": self.note}

    def load_state(self, state: dict) -> None:
        """Continue the series of a reopened or rebuilt run (a run file keeps the history
        only: the next measurement is then due `every` steps after the last one; a rebuilt
        run also keeps whether measuring was switched off, and why)."""
        history = state.get("history", {})
        n = len(history.get("step", []))
        self.history = {k: list(history.get(k) or [math.nan] * n) for k in self.keys}
        self.last_step = int(state.get("last_step", self.history["step"][-1] if n else 0))
        self.last_cost = float(state.get("last_cost", 0.0))
        self.train_mark = float(state.get("train_mark", 0.0))
        self.enabled = bool(state.get("enabled", self.enabled))
        self.note = str(state.get("note", self.note))
