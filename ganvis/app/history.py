"""The GUI-side record of a run: the series the curves plot and the waterfall's histogram rows."""

from __future__ import annotations

import numpy as np

from ganvis.app.theme import FAKE, REAL
from ganvis.engine.runs.snapshot import SERIES_LABELS
from ganvis.engine.runs.timeline import Timeline
from ganvis.engine.runs.waterfall import Waterfall

SERIES = ("step", *SERIES_LABELS)  # every series any family records


class RunHistory:
    def __init__(self) -> None:
        self.clear()

    def clear(self) -> None:
        self.series: dict[str, list[float]] = {k: [] for k in SERIES}
        self.metrics: dict[str, list[float]] = {}
        self.metrics_note = ""
        self.timeline = Timeline()
        self.grid_cols = 8
        self.rows = Waterfall()  # the waterfall's histograms, bounded as the engine's

    @property
    def hist_steps(self) -> list[int]:
        return self.rows.steps

    def load(self, history: dict) -> None:
        """Start from a run's stored record: its series, plus "metrics", "timeline" and
        "waterfall" where it has them (a file of an earlier version has no waterfall)."""
        self.clear()
        n = len(history.get("step", []))
        for k in SERIES:
            self.series[k] = list(history.get(k) or [float("nan")] * n)
        timeline = history.get("timeline")
        if timeline is not None and len(timeline[0]):
            self.timeline.restore(*timeline)
        waterfall = history.get("waterfall")
        if waterfall is not None and len(waterfall[0]):
            self.rows.restore(*waterfall)
        metrics = history.get("metrics") or {}
        if metrics.get("step"):
            self.metrics = {k: list(v) for k, v in metrics.items() if len(v)}

    def add_row(self, row: dict) -> bool:
        """Append a history row (step and the loss means) if it is new and holds any loss;
        returns whether it did."""
        nan = float("nan")
        values = {k: row.get(k, nan) for k in SERIES}
        fresh = not self.series["step"] or values["step"] > self.series["step"][-1]
        # a row of G's loss alone (a manual Step G) waits: the curves join it to the next
        if not fresh or not any(np.isfinite(values[k]) for k in ("d_loss", "recon_loss")):
            return False
        for k in SERIES:
            self.series[k].append(float(values[k]))
        return True

    def add(self, snap) -> None:
        self.add_row({"step": snap.step, **snap.losses})
        self.rows.add(snap.step, snap.real_probs, snap.fake_probs)  # a step seen again: replaced
        self.metrics_note = snap.metrics_note
        if snap.grid.ndim == 3:  # image grids (points have the theory lab)
            self.timeline.add(snap.step, snap.grid)
        self.grid_cols = snap.grid_cols
        metrics = snap.metrics
        if metrics and (not self.metrics.get("step") or metrics["step"] > self.metrics["step"][-1]):
            for k, v in metrics.items():
                self.metrics.setdefault(k, []).append(float(v))

    def array(self, key: str) -> np.ndarray:
        return np.asarray(self.series.get(key, []), dtype=np.float64)

    def waterfall(self, rows: int = 240) -> tuple[np.ndarray, float, float] | None:
        """An RGB image (rows x BINS x 3): time runs down the steps, real in blue, fake in
        orange; returned with the first and last step it spans."""
        if len(self.hist_steps) < 2:
            return None
        steps = np.asarray(self.hist_steps, dtype=np.float64)
        grid = np.linspace(steps[0], steps[-1], rows)
        idx = np.clip(np.searchsorted(steps, grid, side="right") - 1, 0, len(steps) - 1)
        real = _smooth(np.asarray(self.rows.real, np.float64))[idx]
        fake = _smooth(np.asarray(self.rows.fake, np.float64))[idx]
        # Each row scaled to its own peak, square-rooted so thin tails stay visible.
        peak = np.maximum(np.maximum(real.max(1), fake.max(1)), 1e-9)[:, None]
        r, f = np.sqrt(real / peak)[..., None], np.sqrt(fake / peak)[..., None]
        img = r * np.array(REAL) + f * np.array(FAKE)
        return np.clip(img, 0, 255).astype(np.uint8), float(steps[0]), float(steps[-1])


def _smooth(rows: np.ndarray, width: int = 3) -> np.ndarray:
    """Average each histogram row with its neighbours in time: one 256-image batch is noisy."""
    if len(rows) < width:
        return rows
    pad = width // 2
    padded = np.concatenate([rows[:1].repeat(pad, 0), rows, rows[-1:].repeat(pad, 0)])
    c = np.cumsum(np.concatenate([np.zeros_like(rows[:1]), padded]), axis=0)
    return (c[width:] - c[:-width]) / width
