"""A run as TensorBoard event files: loss curves, mean D(x), quality metrics, D(x) histograms
and sample grids, written from what the training loop already hands out (history rows and
snapshots: host data), so logging adds no device syncs and no work between them. Pictures
and histograms are written at most every IMAGE_EVERY seconds (each grid is a PNG of ~100 KB).

Logging never stops training: the first error writing the events (the folder deleted, the
disk full) turns logging off and is kept in `failed` for the caller to report.

Uses torch's SummaryWriter, which needs the tensorboard package (`pip install
'ganvis[tensorboard]'`).
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np

from ganvis.engine.config import RunConfig
from ganvis.engine.errors import GanvisError
from ganvis.engine.files.images import scatter, tile
from ganvis.engine.runs.snapshot import Snapshot

NEEDS = "TensorBoard logging needs the tensorboard package (pip install 'ganvis[tensorboard]')"
BINS = np.linspace(0.0, 1.0, 51)  # D(x) histograms: 50 bins over [0, 1]
NOT_SERIES = {"step", "d_steps", "elapsed"}
IMAGE_EVERY = 10.0  # seconds between sample grids (and histograms) in the events


class TensorBoardLog:
    def __init__(self, logdir: str | Path, config: RunConfig) -> None:
        try:
            from torch.utils.tensorboard import SummaryWriter
        except ImportError:
            raise GanvisError(NEEDS) from None
        logdir = Path(logdir)
        if logdir.exists() and not logdir.is_dir():
            raise GanvisError(f"{logdir}: is a file; TensorBoard writes into a folder")
        try:
            self.writer = SummaryWriter(str(logdir))
        except OSError as e:
            raise GanvisError(f"{logdir}: cannot write TensorBoard events ({e})") from None
        self.failed = ""  # why logging stopped ('' while it goes on)
        self._metrics_step = self._row_step = self._picture_step = -1
        self._picture_at = -math.inf
        self._guarded(self.writer.add_text, "config", f"    {config.to_json()}", 0)

    def _guarded(self, write, *args, **kwargs) -> None:
        if self.failed:
            return
        try:
            write(*args, **kwargs)
        except Exception as e:  # noqa: BLE001  any error of the writer: stop logging, not training
            self.failed = f"TensorBoard logging stopped: {type(e).__name__}: {str(e)[:160]}"

    def row(self, row: dict) -> None:
        """A history row (the loop's on_row): each series' mean since the last row."""
        self._guarded(self._row, row)

    def snapshot(self, snap: Snapshot) -> None:
        """A snapshot (the loop's on_snapshot): its losses, histograms, picture, metrics."""
        self._guarded(self._snapshot, snap)

    def _row(self, row: dict) -> None:
        step = int(row["step"])
        for key, v in row.items():
            if key not in NOT_SERIES and math.isfinite(v):
                self.writer.add_scalar(f"losses/{key}", v, step)
        self._row_step = step

    def _snapshot(self, snap: Snapshot) -> None:
        if snap.step > self._row_step:  # its losses are a row of their own
            self._row({"step": snap.step, **snap.losses})
        w = self.writer
        self._metrics(snap)
        now = time.monotonic()
        if snap.step <= self._picture_step or now - self._picture_at < IMAGE_EVERY:
            return
        self._picture_step, self._picture_at = snap.step, now
        if len(snap.real_probs):
            w.add_histogram("D(x)/real", snap.real_probs, snap.step, bins=BINS)
            w.add_histogram("D(x)/fake", snap.fake_probs, snap.step, bins=BINS)
        if snap.grid.ndim == 3 and len(snap.grid):
            w.add_image("samples", tile(snap.grid, cols=snap.grid_cols), snap.step,
                        dataformats="HW")
        elif snap.plane is not None:
            w.add_image("points (G's samples)", scatter(snap.plane.fake, snap.plane.bounds,
                                                        size=256), snap.step, dataformats="HW")

    def _metrics(self, snap: Snapshot) -> None:
        w = self.writer
        m = snap.metrics
        if m and m.get("step", -1) > self._metrics_step:
            self._metrics_step = int(m["step"])
            for key, v in m.items():
                if key != "step" and math.isfinite(v):
                    w.add_scalar(f"quality/{key}", v, self._metrics_step)

    def close(self, final: Snapshot | None = None) -> None:
        """Write the final snapshot (its picture too, however recent the last) and close."""
        if final is not None:
            self._picture_at = -math.inf
            self.snapshot(final)
        try:
            self.writer.close()
        except Exception as e:  # noqa: BLE001
            self.failed = self.failed or f"TensorBoard logging: closing failed: {e}"
