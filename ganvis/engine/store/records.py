"""Reading a run file's record: history, metrics, the last grid, the timeline and the D(x)
waterfall, each checked (names, shapes, dtypes, sizes, values) before it is used. RunFile
(runfile.py) reads through these; a file of an earlier version without a part reads it empty."""

from __future__ import annotations

import math
from typing import Any

import h5py
import numpy as np

from ganvis.engine.errors import ModelFileError
from ganvis.engine.quality.game import BINS
from ganvis.engine.runs.base import HISTORY_KEYS
from ganvis.engine.runs.timeline import MAX_FRAMES
from ganvis.engine.runs.waterfall import MAX_ROWS, Rows, check_rows, empty_rows

MAX_HISTORY = 10_000_000
MAX_GRID = 4096


class RecordReader:
    """The record's readers, for RunFile: they use its open file, sample shape and family,
    and its checked, budgeted _read."""

    f: h5py.File
    shape: tuple[int, ...]
    family: Any

    def _fail(self, what: str) -> ModelFileError:
        raise NotImplementedError

    def _read(self, ds: h5py.Dataset, where: str) -> np.ndarray:
        raise NotImplementedError

    def history(self, name: str = "history") -> dict[str, list[float]]:
        """The training history, or (name="metrics") the quality measurements."""
        keys = HISTORY_KEYS if name == "history" else self.family.metric_keys
        out: dict[str, list[float]] = {k: [] for k in keys}
        group = self.f.get(name)
        if group is None:
            return out
        lengths = set()
        for k in keys:
            ds = group.get(k)
            if ds is None:
                continue
            if not isinstance(ds, h5py.Dataset) or ds.ndim != 1 or ds.dtype.kind not in "fiu" \
                    or ds.shape[0] > MAX_HISTORY:
                raise self._fail(f"{name}/{k} must be a 1-D numeric series")
            out[k] = self._read(ds, f"{name}/{k}").astype(np.float64).tolist()
            lengths.add(len(out[k]))
        if len(lengths) > 1:
            raise self._fail(f"{name} series have different lengths")
        if name == "metrics" and out["step"]:
            needed = [k for k in ("fcd", "coverage", "js") if k in keys]
            if not all(out[k] for k in needed):
                raise self._fail(f"metrics: a measurement needs at least step, "
                                 f"{' and '.join(needed)}")
            counts = [k for k in ("step", "coverage") if k in keys]
            if not all(math.isfinite(v) for k in counts for v in out[k]):
                raise self._fail(f"metrics: {' and '.join(counts)} must be finite numbers")
        return out

    def grid(self) -> np.ndarray | None:
        ds = self.f.get("samples/grid")
        if ds is None:
            return None
        if not isinstance(ds, h5py.Dataset) or ds.ndim != len(self.shape) + 1 \
                or tuple(ds.shape[1:]) != self.shape \
                or ds.shape[0] > MAX_GRID or ds.dtype.kind != "f":
            raise self._fail("samples/grid must be n x H x W floats")
        g = self._read(ds, "samples/grid").astype(np.float32)
        if not np.isfinite(g).all():
            raise self._fail("samples/grid holds NaN or infinite values")
        return g

    def timeline(self) -> tuple[np.ndarray, np.ndarray]:
        """(steps (N,), grids (N, n, H, W) uint8); empty when the file has none."""
        group = self.f.get("timeline")
        if group is None:
            return np.zeros(0, np.int64), np.zeros((0, 0, *self.shape), np.uint8)
        steps, grids = group.get("steps"), group.get("grids")
        if not isinstance(steps, h5py.Dataset) or not isinstance(grids, h5py.Dataset):
            raise self._fail("timeline needs both steps and grids")
        if steps.ndim != 1 or steps.dtype.kind not in "iu" or steps.shape[0] > MAX_FRAMES + 1:
            raise self._fail(f"timeline/steps must be at most {MAX_FRAMES + 1} whole numbers")
        if grids.ndim != 4 or grids.dtype != np.uint8 or grids.shape[0] != steps.shape[0] \
                or grids.shape[1] > MAX_GRID or tuple(grids.shape[2:]) != self.shape:
            raise self._fail("timeline/grids must be one uint8 n x H x W grid per step")
        return (self._read(steps, "timeline/steps").astype(np.int64),
                self._read(grids, "timeline/grids"))

    def waterfall(self) -> Rows:
        """(steps (N,), real and fake D(x) histogram rows (N, BINS)); empty when the file has
        none (files of earlier versions, families without an adversary)."""
        group = self.f.get("waterfall")
        if group is None:
            return empty_rows()
        parts = [group.get(k) for k in ("steps", "real", "fake")]
        if not all(isinstance(p, h5py.Dataset) for p in parts):
            raise self._fail("waterfall needs steps, real and fake")
        steps, real, fake = parts
        if steps.ndim != 1 or steps.dtype.kind not in "iu" or steps.shape[0] > MAX_ROWS + 1 \
                or any(r.dtype.kind != "f" or r.shape != (steps.shape[0], BINS)
                       for r in (real, fake)):
            raise self._fail(f"waterfall must be at most {MAX_ROWS + 1} steps, each with a "
                             f"real and a fake row of {BINS} floats")
        rows = (self._read(steps, "waterfall/steps").astype(np.int64),
                self._read(real, "waterfall/real").astype(np.float32),
                self._read(fake, "waterfall/fake").astype(np.float32))
        wrong = check_rows(*rows)
        if wrong:
            raise self._fail(f"waterfall: {wrong}")
        return rows
