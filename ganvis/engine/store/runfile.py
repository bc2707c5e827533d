"""Reading run files: a validated view of one file's header, weights, optimiser state and
random stream, and (records.py) its history, metrics, grids, timeline and waterfall. Everything
read is checked (names, shapes, dtypes, sizes, finiteness, format version); nothing is
unpickled."""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import torch
from torch import nn

from ganvis.engine.config import RunConfig
from ganvis.engine.data import H5_ERRORS, MAX_CLASSES, MAX_SIDE, MIN_SIDE
from ganvis.engine.errors import ConfigError, GanvisError, ModelFileError
from ganvis.engine.family import family
from ganvis.engine.files.h5guard import UnsafeFile, check_dataset, check_links
from ganvis.engine.nets.size import build_nets, check_size
from ganvis.engine.runs.state import RunRecord, RunState
from ganvis.engine.store.records import RecordReader

FORMAT = "ganvis-run"
FORMAT_VERSION = 1
MIN_BUDGET = 256 * 2**20
# Settings added after files were first written: a file without one trained without it (not
# with what is the default today).
BEFORE = {"g_ema": 0.0, "augment": "off"}
MAX_COUNTER = 2**53  # steps and images: far past any run, and what a save can write back


class RunFile(RecordReader):
    """A validated view of a run file's header; open it with `with RunFile(path) as rf:`."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise ModelFileError(f"{self.path}: no such model file")
        # what this file's data sets may declare in all: a run is mostly weights and a few
        # uint8 grids, so more than 100 times the file's size is a bomb
        self.budget = max(100 * self.path.stat().st_size, MIN_BUDGET)
        try:
            self.f = h5py.File(self.path, "r")
        except OSError as e:
            raise ModelFileError(f"{self.path}: not a readable HDF5 model file ({e})") from None
        try:
            check_links(self.f)
            self._read_header()
        except UnsafeFile as e:
            self.f.close()
            raise self._fail(f"refused: {e}") from None
        except BaseException:
            self.f.close()
            raise

    def __enter__(self) -> RunFile:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.f.close()

    def _fail(self, what: str) -> ModelFileError:
        return ModelFileError(f"{self.path}: {what}")

    def _read_header(self) -> None:
        a = self.f.attrs
        if text(a.get("format")) != FORMAT:
            raise self._fail("not a ganvis model file (no 'format' = 'ganvis-run' attribute)")
        version = a.get("format_version")
        if not isinstance(version, (int, np.integer)) or version < 1:
            raise self._fail(f"bad format_version {version!r}")
        if version > FORMAT_VERSION:
            raise self._fail(f"written in format version {int(version)} by a newer ganvis; "
                             f"this one reads up to {FORMAT_VERSION}: upgrade ganvis to open it")
        try:
            self.config = RunConfig.from_json(text(a.get("config")), absent=BEFORE)
        except ConfigError as e:
            raise self._fail(f"invalid config: {e}") from None
        self.family = family(self.config.model)
        self.shape = self._shape(a)
        self.counters = {}
        for k in ("step", "d_steps", "g_steps"):
            v = a.get(k, 0)
            if not isinstance(v, (int, np.integer)) or not 0 <= v <= MAX_COUNTER:
                raise self._fail(f"bad counter {k}={v!r} (0 to {MAX_COUNTER:,})")
            self.counters[k] = int(v)
        seen = a.get("images_seen", None)  # absent from files of earlier versions
        if seen is not None and (not isinstance(seen, (int, np.integer))
                                 or not 0 <= seen <= MAX_COUNTER):
            raise self._fail(f"bad counter images_seen={seen!r}")
        self.counters["images_seen"] = int(seen) if seen is not None else \
            self.family.images_seen(self.counters, self.config.batch_size)
        elapsed = float(a.get("elapsed", 0.0))
        self.counters["elapsed"] = elapsed if math.isfinite(elapsed) and elapsed >= 0 else 0.0
        self.data_name = text(a.get("data_name")) or self.config.data
        classes = a.get("num_classes", 0)
        if not isinstance(classes, (int, np.integer)) or not 0 <= classes <= MAX_CLASSES:
            raise self._fail(f"bad num_classes {classes!r}")
        self.num_classes = int(classes)
        if self.family.conditional and self.num_classes < 1:
            raise self._fail(f"a {self.config.model} model needs num_classes >= 1")
        self.bernoulli = bool(a.get("bernoulli", False))
        try:
            check_size(self.config, self.shape, self.num_classes)
        except ConfigError as e:
            raise self._fail(str(e)) from None

    def _shape(self, a) -> tuple[int, ...]:
        """One sample's shape: (H, W) for images (the image_shape of earlier files), (2,) for
        points."""
        if self.family.data.name == "points":
            shape = np.asarray(a.get("sample_shape", []))
            if shape.tolist() != [2]:
                raise self._fail(f"bad sample_shape {shape.tolist()}: points have 2 coordinates")
            return (2,)
        shape = np.asarray(a.get("sample_shape", a.get("image_shape", [])))
        if shape.shape != (2,) or shape.dtype.kind not in "iuf" \
                or not all(math.isfinite(s) and s == int(s) and MIN_SIDE <= s <= MAX_SIDE
                           for s in shape.tolist()):
            raise self._fail(f"bad image_shape (sample_shape) {str(shape.tolist())[:80]}: "
                             f"two whole numbers from {MIN_SIDE} to {MAX_SIDE}")
        return (int(shape[0]), int(shape[1]))

    def build(self) -> dict[str, nn.Module]:
        """Fresh networks of the file's family and sizes (weights not loaded yet)."""
        return build_nets(self.config, self.shape, self.num_classes, self.bernoulli)

    def weights(self, net: str, module: nn.Module) -> dict[str, torch.Tensor]:
        """weights/<net> as a state dict for `module`, checking names, shapes, dtypes and
        finiteness against the module's own."""
        group = self.f.get(f"weights/{net}")
        if not isinstance(group, h5py.Group):
            raise self._fail(f"weights/{net} is missing")
        expected = module.state_dict()
        in_file = list(group.keys())
        try:  # name in the module -> name in the file (a net may read an older layout)
            names = module.file_names(in_file) if hasattr(module, "file_names") else \
                {k: k for k in in_file}
        except ValueError as e:
            raise self._fail(str(e)) from None
        if set(names) != set(expected):
            missing = sorted(set(expected) - set(names))
            extra = sorted(set(names) - set(expected))
            raise self._fail(f"weights/{net} do not match a {self.config.model} "
                             f"(missing: {missing[:3]}, unexpected: {extra[:3]})")
        return {name: self._tensor(group[names[name]], f"weights/{net}/{names[name]}", ref)
                for name, ref in expected.items()}

    def _tensor(self, ds: Any, where: str, ref: torch.Tensor) -> torch.Tensor:
        if not isinstance(ds, h5py.Dataset) or tuple(ds.shape) != tuple(ref.shape):
            got = getattr(ds, "shape", type(ds).__name__)
            raise self._fail(f"{where} has shape {got}, expected {tuple(ref.shape)}")
        want = ref.cpu().numpy().dtype
        if ds.dtype != want:
            raise self._fail(f"{where} has dtype {ds.dtype}, expected {want}")
        a = self._read(ds, where)
        if a.dtype.kind == "f" and not np.isfinite(a).all():
            raise self._fail(f"{where} holds NaN or infinite values")
        return torch.from_numpy(np.array(a))

    def _read(self, ds: h5py.Dataset, where: str) -> np.ndarray:
        """The data set's data, once it has shown that it holds what it declares, in this
        file, within its size."""
        try:
            check_dataset(ds)
        except UnsafeFile as e:
            raise self._fail(f"refused: {e}") from None
        self.budget -= ds.size * ds.dtype.itemsize
        if self.budget < 0:
            raise self._fail(f"refused: {where} takes the data the file declares past 100 "
                             "times its size (a decompression bomb?)")
        try:
            return ds[()]
        except (OSError, ValueError, TypeError) as e:
            raise self._fail(f"{where} cannot be read (truncated or corrupt file: {e})") from None

    def optimizer(self, net: str, opt: torch.optim.Optimizer) -> dict | None:
        """Adam's moments for `opt` as a state dict, checked against its parameters; None
        when the file has none (the optimiser then starts afresh)."""
        group = self.f.get(f"optim/{net}")
        if group is None:
            return None
        sd = opt.state_dict()
        params = [p for g in opt.param_groups for p in g["params"]]
        state = {}
        for key in group.keys():
            if not key.isdigit() or int(key) >= len(params):
                raise self._fail(f"optim/{net}/{key}: no such parameter")
            p = params[int(key)]
            refs = {"step": torch.zeros(()), "exp_avg": p.detach(), "exp_avg_sq": p.detach()}
            sub = group[key]
            if not isinstance(sub, h5py.Group) or set(sub.keys()) != set(refs):
                raise self._fail(f"optim/{net}/{key}: expected step, exp_avg and exp_avg_sq")
            state[int(key)] = {n: self._tensor(sub[n], f"optim/{net}/{key}/{n}", r.cpu())
                               for n, r in refs.items()}
        return {"state": state, "param_groups": sd["param_groups"]}

    def state(self, nets: dict[str, nn.Module], opts: dict[str, torch.optim.Optimizer]
              ) -> RunState:
        """The run state the file holds, checked against a run's networks and optimisers."""
        c = self.counters
        record = RunRecord(history=self.history(), metrics={"history": self.history("metrics")},
                           timeline=self.timeline(), waterfall=self.waterfall())
        return RunState(
            d_steps=c["d_steps"], g_steps=c["g_steps"], elapsed=c["elapsed"],
            images_seen=c["images_seen"],
            nets={k: self.weights(k, m) for k, m in nets.items()},
            optimizers={k: sd for k, opt in opts.items()
                        if (sd := self.optimizer(k, opt)) is not None},
            rng=self.rng_state(), record=record)

    def rng_state(self) -> tuple[str, torch.Tensor] | None:
        ds = self.f.get("rng/train")
        if not isinstance(ds, h5py.Dataset) or ds.dtype != np.uint8 or ds.ndim != 1 \
                or ds.shape[0] > 1 << 16:
            return None
        return text(ds.attrs.get("device_type")), torch.from_numpy(self._read(ds, "rng/train"))


@contextlib.contextmanager
def reading(path: str | Path) -> Iterator[None]:
    """h5py reports a damaged file with OSError, RuntimeError, KeyError, ValueError or
    TypeError from deep inside; a user gets one ModelFileError naming the file."""
    try:
        yield
    except GanvisError:
        raise
    except (*H5_ERRORS, OverflowError, RecursionError) as e:
        raise ModelFileError(f"{path}: damaged or unreadable model file "
                             f"({str(e)[:200]})") from None


def text(v: Any) -> str:
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    return v if isinstance(v, str) else ""
