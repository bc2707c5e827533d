"""The D(x) waterfall's record: at each snapshot, the histograms of D's verdicts on the real
and on the fake probe batch (quality/game.py's prob_hist).

A pair of rows is 2 x BINS float32 shares (320 bytes). Past MAX_ROWS the waterfall keeps every
other row (always the first and the newest), like the timeline, so a long run's record stays
small in memory and in its file and still spans the whole run.
"""

from __future__ import annotations

import numpy as np

from ganvis.engine.quality.game import BINS, prob_hist

MAX_ROWS = 400

Rows = tuple[np.ndarray, np.ndarray, np.ndarray]  # steps (N,) int64, real and fake (N, BINS)


def empty_rows() -> Rows:
    return (np.zeros(0, np.int64), np.zeros((0, BINS), np.float32),
            np.zeros((0, BINS), np.float32))


class Waterfall:
    def __init__(self) -> None:
        self.steps: list[int] = []
        self.real: list[np.ndarray] = []
        self.fake: list[np.ndarray] = []

    def __len__(self) -> int:
        return len(self.steps)

    def add(self, step: int, real_probs: np.ndarray, fake_probs: np.ndarray) -> None:
        """Keep a snapshot's two histograms. A family without an adversary has no verdicts:
        nothing is kept. A second snapshot at the same step replaces the first; one at an
        earlier step (after a rollback) drops the rows past it, so steps always increase."""
        if not len(real_probs) or not len(fake_probs):
            return
        while self.steps and self.steps[-1] >= step:
            self.steps.pop(), self.real.pop(), self.fake.pop()
        self.steps.append(int(step))
        self.real.append(prob_hist(real_probs).astype(np.float32))
        self.fake.append(prob_hist(fake_probs).astype(np.float32))
        if len(self.steps) > MAX_ROWS:
            keep = list(range(0, len(self.steps) - 1, 2)) + [len(self.steps) - 1]
            self.steps = [self.steps[i] for i in keep]
            self.real = [self.real[i] for i in keep]
            self.fake = [self.fake[i] for i in keep]

    def arrays(self) -> Rows:
        """(steps (N,) int64, real rows (N, BINS) float32, fake rows (N, BINS) float32)."""
        if not self.steps:
            return empty_rows()
        return (np.asarray(self.steps, np.int64), np.stack(self.real), np.stack(self.fake))

    def restore(self, steps: np.ndarray, real: np.ndarray, fake: np.ndarray) -> None:
        self.steps = [int(s) for s in steps]
        self.real = [np.array(r, np.float32) for r in real]
        self.fake = [np.array(f, np.float32) for f in fake]


def check_rows(steps: np.ndarray, real: np.ndarray, fake: np.ndarray) -> str | None:
    """What is wrong with stored rows (None when nothing is): steps must increase, rows be
    BINS shares each, one pair a step."""
    n = len(steps)
    if real.shape != (n, BINS) or fake.shape != (n, BINS):
        return f"needs one real and one fake row of {BINS} bins per step"
    if n and (steps[0] < 0 or (np.diff(steps) <= 0).any()):
        return "steps must increase"
    for rows in (real, fake):
        if not np.isfinite(rows).all() or (rows < 0).any() or (rows > 1).any():
            return "rows must be shares from 0 to 1"
    return None
