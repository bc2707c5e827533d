"""Runs side by side: a run file's record read for comparison (config, counters, history and
quality measurements, no networks built), the settings in which runs differ, and one
long-format CSV of every run's series."""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ganvis.engine.config import RunConfig
from ganvis.engine.family import family
from ganvis.engine.files.atomic import atomic_path
from ganvis.engine.store.runfile import RunFile, reading

CSV_COLUMNS = ("run", "series", "step", "value")
# The settings a comparison shows, in this order (RunConfig fields; model and data have their
# own columns), with the table's words for them.
SETTINGS = {"lr_g": "lr G", "lr_d": "lr D", "betas_g": "betas G", "betas_d": "betas D",
            "batch_size": "batch", "latent_dim": "latent dim", "k_disc": "k (D steps)",
            "loss": "loss", "prior": "prior", "likelihood": "likelihood", "width": "width",
            "depth": "depth", "pack": "pack", "g_ema": "G EMA", "augment": "augment",
            "seed": "seed",
            "metrics_every": "metrics every", "device": "device", "extra": "extra"}
NOT_USED = "—"  # a setting that means nothing for the run's family


def _frozen(values: Iterable[float]) -> np.ndarray:
    a = np.array(list(values), dtype=np.float64)
    a.flags.writeable = False
    return a


def _series(columns: Mapping[str, Sequence[float]]) -> dict[str, np.ndarray]:
    """The columns that hold anything but NaN, as read-only arrays; {} without steps."""
    if not len(columns.get("step") or []):
        return {}
    n = len(columns["step"])
    out = {}
    for k, v in columns.items():
        if not isinstance(v, (list, tuple, np.ndarray)) or len(v) != n:
            continue  # not a series of this table (a live history's notes, say)
        a = _frozen(v)
        if not np.isnan(a).all():
            out[k] = a
    return out


@dataclass(frozen=True)
class RunView:
    """One run's record as a comparison shows it; read-only."""

    name: str  # what the run is called in tables and the CSV (its file name, say)
    config: RunConfig
    data_name: str = ""  # the data set it trained on ("" : the config's)
    step: int = 0
    elapsed: float = 0.0  # seconds of training (0: not known)
    images_seen: int = 0  # (0: not known)
    source: str = ""  # the file it came from, resolved ("" for a run in memory)
    history: Mapping[str, np.ndarray] = field(default_factory=dict)  # step, d_loss, ...
    metrics: Mapping[str, np.ndarray] = field(default_factory=dict)  # step, fcd, ...

    @property
    def title(self) -> str:
        """The model family's name for people."""
        return family(self.config.model).title

    @property
    def data(self) -> str:
        return self.data_name or str(self.config.data)

    def setting(self, key: str) -> str:
        """The setting `key` in words ("—" where it means nothing for this family)."""
        if key != "extra" and key not in family(self.config.model).settings:
            return NOT_USED
        return _words(self.config.to_dict().get(key))


def _words(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    if isinstance(v, (list, tuple)):
        return ", ".join(_words(x) for x in v)
    if isinstance(v, dict):
        return ", ".join(f"{k}={_words(x)}" for k, x in sorted(v.items())) or "none"
    return str(v)


def read_run(path: str | Path) -> RunView:
    """A run file's record for comparison (no networks built). A missing, damaged or
    foreign file raises ModelFileError with one line naming the file."""
    path = Path(path)
    with reading(path), RunFile(path) as rf:
        history, metrics, c = rf.history(), rf.history("metrics"), rf.counters
        data_name, config = rf.data_name, rf.config
    return RunView(name=path.name, config=config, data_name=data_name, step=c["step"],
                   elapsed=c["elapsed"], images_seen=c["images_seen"],
                   source=str(path.resolve()), history=_series(history),
                   metrics=_series(metrics))


def live_run(name: str, config: RunConfig, history: Mapping[str, Sequence[float]],
             metrics: Mapping[str, Sequence[float]] | None = None, elapsed: float = 0.0,
             images_seen: int = 0) -> RunView:
    """A run in memory (the app's current one) as a comparison shows it. `history` holds the
    series (step, d_loss, ...) and may hold "metrics" itself, as a loaded record does."""
    if metrics is None:
        metrics = history.get("metrics") or {}
    series = _series(history)
    steps = series.get("step")
    step = int(steps[-1]) if steps is not None else 0
    return RunView(name=name, config=config, step=step, elapsed=float(elapsed),
                   images_seen=int(images_seen), history=series, metrics=_series(metrics))


def differing(runs: Sequence[RunView]) -> list[str]:
    """The settings (SETTINGS keys) to show for `runs`: every one that means something for a
    single run, else those whose words differ between runs."""
    if len(runs) == 1:
        return [k for k in SETTINGS if runs[0].setting(k) != NOT_USED]
    return [k for k in SETTINGS if len({r.setting(k) for r in runs}) > 1]


def rows(run: RunView) -> Iterable[tuple[str, str, float, float]]:
    """(run, series, step, value) for every finite value of the run's series."""
    for table in (run.history, run.metrics):
        steps = table.get("step")
        if steps is None:
            continue
        for key, values in table.items():
            if key == "step":
                continue
            for s, v in zip(steps, values):
                if math.isfinite(v) and math.isfinite(s):
                    yield run.name, key, s, v


def write_csv(runs: Sequence[RunView], path: str | Path) -> Path:
    """One long-format CSV (run, series, step, value) of every run's history and quality
    measurements, written atomically; values keep their full precision."""
    with atomic_path(path) as tmp, open(tmp, "w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(CSV_COLUMNS)
        for run in runs:
            for name, key, s, v in rows(run):
                out.writerow((name, key, int(s) if s == int(s) else repr(float(s)),
                              repr(float(v))))
    return Path(path)
