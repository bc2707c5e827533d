"""Run and model files: HDF5 with a format version, the config as JSON, weights as data sets.

Layout (format_version 1; see the README for the full description):
  attrs    format="ganvis-run", format_version, ganvis_version, config (JSON), image_shape,
           step, d_steps, g_steps, elapsed, created, data_name
  attrs    num_classes (digits a conditional decoder takes), bernoulli (its pixel model)
  weights/<net>/<name>                    state_dict tensors (float32; int64 counters); nets
                                          G, D (GANs) or encoder, decoder, D (autoencoders)
  optim/<opt>/<i>/<name>                  Adam state per parameter index (optional)
  history/<column>                        float64 series, one value per snapshot
  metrics/<column>                        float64 series, one value per quality measurement
                                          (step, fcd, coverage, class_kl, score, ...)
  samples/grid, samples/grid_z            the last sample grid and its fixed codes
  timeline/steps, timeline/grids          every snapshot's grid (uint8, N x n x H x W)
  rng/train                               the training random generator's state (optional)
Everything read is checked; nothing is unpickled; writes are atomic.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import torch
from torch import nn

import ganvis
from ganvis.engine.config import RunConfig
from ganvis.engine.data import H5_ERRORS, MAX_CLASSES, MAX_SIDE, MIN_SIDE, Dataset
from ganvis.engine.errors import ConfigError, GanvisError, ModelFileError
from ganvis.engine.files.atomic import atomic_path
from ganvis.engine.latent.sampler import Sampler
from ganvis.engine.nets.gan import build_nets, check_size
from ganvis.engine.quality.live import KEYS as METRIC_KEYS
from ganvis.engine.runs.base import HISTORY_KEYS, Run, reseed, run_class
from ganvis.engine.runs.timeline import MAX_FRAMES

FORMAT = "ganvis-run"
FORMAT_VERSION = 1
MAX_HISTORY = 10_000_000
MAX_GRID = 4096


# --- writing ---------------------------------------------------------------------------------


def save_run(run: Run, path: str | Path, *, optimizer: bool = True) -> Path:
    """Write the whole run (weights, optimiser state, history, last grid) atomically.
    optimizer=False leaves out Adam's state (`optim/`): a smaller file that still loads and
    trains on, its optimisers starting afresh."""
    path = Path(path)
    weights = {name: _host_state(net) for name, net in run.nets.items()}
    for net, state in weights.items():
        for name, a in state.items():
            if a.dtype.kind == "f" and not np.isfinite(a).all():
                raise ModelFileError(f"not saved: {net} weight {name} is not finite (the run "
                                     "diverged); roll back or restart with a lower learning rate")
    grid = run.observe()["grid"]
    try:
        with atomic_path(path) as tmp, h5py.File(tmp, "w") as f:
            _write_attrs(f, run)
            for net, state in weights.items():
                g = f.create_group(f"weights/{net}")
                for name, a in state.items():
                    g.create_dataset(name, data=a)
            for net, opt in (run.opts.items() if optimizer else ()):
                for i, st in opt.state_dict()["state"].items():
                    for name, t in st.items():
                        f.create_dataset(f"optim/{net}/{i}/{name}", data=t.detach().cpu().numpy())
            for group, series in (("history", run.history), ("metrics", run.live.history)):
                h = f.create_group(group)
                for k, v in series.items():
                    h.create_dataset(k, data=np.asarray(v, np.float64))
            f.create_dataset("samples/grid", data=grid, compression="gzip")
            steps, grids = run.timeline.arrays()
            if len(steps):
                f.create_dataset("timeline/steps", data=steps)
                f.create_dataset("timeline/grids", data=grids, compression="gzip",
                                 chunks=(1, *grids.shape[1:]))
            f.create_dataset("samples/grid_z", data=run.grid_z.cpu().numpy())
            rng = f.create_dataset("rng/train", data=run.gen.get_state().numpy())
            rng.attrs["device_type"] = run.device.type
    except OSError as e:
        raise ModelFileError(f"{path}: cannot write ({e})") from None
    return path


def _write_attrs(f: h5py.File, run: Run) -> None:
    a = f.attrs
    a["format"] = FORMAT
    a["format_version"] = FORMAT_VERSION
    a["ganvis_version"] = ganvis.__version__
    a["config"] = run.config.to_json()
    a["image_shape"] = np.asarray(run.dataset.image_shape, np.int64)
    a["step"], a["d_steps"], a["g_steps"] = run.step, run.d_steps, run.g_steps
    a["elapsed"] = float(run.elapsed)
    a["created"] = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    a["data_name"] = run.dataset.name
    a["num_classes"] = run.num_classes
    a["bernoulli"] = bool(run.bernoulli)


def _host_state(module: nn.Module) -> dict[str, np.ndarray]:
    return {k: v.detach().cpu().numpy() for k, v in module.state_dict().items()}


# --- reading ---------------------------------------------------------------------------------


class RunFile:
    """A validated view of a run file's header; open it with `with RunFile(path) as rf:`."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        if not self.path.is_file():
            raise ModelFileError(f"{self.path}: no such model file")
        try:
            self.f = h5py.File(self.path, "r")
        except OSError as e:
            raise ModelFileError(f"{self.path}: not a readable HDF5 model file ({e})") from None
        try:
            self._read_header()
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
        if _text(a.get("format")) != FORMAT:
            raise self._fail("not a ganvis model file (no 'format' = 'ganvis-run' attribute)")
        version = a.get("format_version")
        if not isinstance(version, (int, np.integer)) or version < 1:
            raise self._fail(f"bad format_version {version!r}")
        if version > FORMAT_VERSION:
            raise self._fail(f"written in format version {int(version)} by a newer ganvis; "
                             f"this one reads up to {FORMAT_VERSION}: upgrade ganvis to open it")
        try:
            self.config = RunConfig.from_json(_text(a.get("config")))
        except ConfigError as e:
            raise self._fail(f"invalid config: {e}") from None
        shape = np.asarray(a.get("image_shape", []))
        if shape.shape != (2,) or not all(MIN_SIDE <= int(s) <= MAX_SIDE for s in shape):
            raise self._fail(f"bad image_shape {shape.tolist()}")
        self.shape = (int(shape[0]), int(shape[1]))
        self.counters = {}
        for k in ("step", "d_steps", "g_steps"):
            v = a.get(k, 0)
            if not isinstance(v, (int, np.integer)) or v < 0:
                raise self._fail(f"bad counter {k}={v!r}")
            self.counters[k] = int(v)
        elapsed = float(a.get("elapsed", 0.0))
        self.counters["elapsed"] = elapsed if math.isfinite(elapsed) and elapsed >= 0 else 0.0
        self.data_name = _text(a.get("data_name")) or self.config.data
        classes = a.get("num_classes", 0)
        if not isinstance(classes, (int, np.integer)) or not 0 <= classes <= MAX_CLASSES:
            raise self._fail(f"bad num_classes {classes!r}")
        self.num_classes = int(classes)
        if self.config.model == "saae" and self.num_classes < 1:
            raise self._fail("a saae model needs num_classes >= 1")
        self.bernoulli = bool(a.get("bernoulli", False))
        try:
            check_size(self.config, self.shape, self.num_classes)
        except ConfigError as e:
            raise self._fail(str(e)) from None

    def build(self) -> dict[str, nn.Module]:
        """Fresh networks of the file's family and sizes (weights not loaded yet)."""
        return build_nets(self.config, self.shape, self.num_classes, self.bernoulli)

    def load_weights(self, net: str, module: nn.Module) -> None:
        """Fill `module` from weights/<net>, checking names, shapes, dtypes and finiteness."""
        group = self.f.get(f"weights/{net}")
        if not isinstance(group, h5py.Group):
            raise self._fail(f"weights/{net} is missing")
        expected = module.state_dict()
        names = {k: k for k in group.keys()}  # name in the module -> name in the file
        if net == "decoder" and names and all(k.startswith("net.") for k in names):
            if self.num_classes:
                raise self._fail("this saae was made by an earlier ganvis whose decoder was "
                                 "built differently; train it again")
            # Earlier decoders were one Sequential (Linear, ReLU, Linear, ...): net.2i -> layers.i
            names = {f"layers.{int(k.split('.')[1]) // 2}.{k.split('.', 2)[2]}": k
                     for k in names}
        if set(names) != set(expected):
            missing = sorted(set(expected) - set(names))
            extra = sorted(set(names) - set(expected))
            raise self._fail(f"weights/{net} do not match a {self.config.model} "
                             f"(missing: {missing[:3]}, unexpected: {extra[:3]})")
        state = {name: self._tensor(group[names[name]], f"weights/{net}/{names[name]}", ref)
                 for name, ref in expected.items()}
        module.load_state_dict(state)

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
        try:
            return ds[()]
        except (OSError, ValueError, TypeError) as e:
            raise self._fail(f"{where} cannot be read (truncated or corrupt file: {e})") from None

    def load_optimizer(self, net: str, opt: torch.optim.Optimizer) -> bool:
        """Restore Adam's moments when present and consistent; False when the file has none."""
        group = self.f.get(f"optim/{net}")
        if group is None:
            return False
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
        opt.load_state_dict({"state": state, "param_groups": sd["param_groups"]})
        return True

    def history(self, name: str = "history") -> dict[str, list[float]]:
        """The training history, or (name="metrics") the quality measurements."""
        keys = HISTORY_KEYS if name == "history" else METRIC_KEYS
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
            if not out["fcd"] or not out["coverage"]:
                raise self._fail("metrics: a measurement needs at least step, fcd and coverage")
            if not all(math.isfinite(v) for v in out["step"] + out["coverage"]):
                raise self._fail("metrics: step and coverage must be finite numbers")
        return out

    def grid(self) -> np.ndarray | None:
        ds = self.f.get("samples/grid")
        if ds is None:
            return None
        if not isinstance(ds, h5py.Dataset) or ds.ndim != 3 or tuple(ds.shape[1:]) != self.shape \
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
        if steps.ndim != 1 or steps.dtype.kind not in "iu" or steps.shape[0] > 2 * MAX_FRAMES:
            raise self._fail(f"timeline/steps must be at most {2 * MAX_FRAMES} whole numbers")
        if grids.ndim != 4 or grids.dtype != np.uint8 or grids.shape[0] != steps.shape[0] \
                or grids.shape[1] > MAX_GRID or tuple(grids.shape[2:]) != self.shape:
            raise self._fail("timeline/grids must be one uint8 n x H x W grid per step")
        return (self._read(steps, "timeline/steps").astype(np.int64),
                self._read(grids, "timeline/grids"))

    def rng_state(self) -> tuple[str, torch.Tensor] | None:
        ds = self.f.get("rng/train")
        if not isinstance(ds, h5py.Dataset) or ds.dtype != np.uint8 or ds.ndim != 1 \
                or ds.shape[0] > 1 << 16:
            return None
        return _text(ds.attrs.get("device_type")), torch.from_numpy(self._read(ds, "rng/train"))


@contextlib.contextmanager
def _reading(path: str | Path) -> Iterator[None]:
    """h5py reports a damaged file with OSError, RuntimeError, KeyError, ValueError or
    TypeError from deep inside; a user gets one ModelFileError naming the file."""
    try:
        yield
    except GanvisError:
        raise
    except H5_ERRORS as e:
        raise ModelFileError(f"{path}: damaged or unreadable model file ({e})") from None


def load_sampler(path: str | Path, device: str = "cpu") -> Sampler:
    """A generator ready to sample (no data set needed): for `ganvis sample` and exploring."""
    with _reading(path), RunFile(path) as rf:
        key = run_class(rf.config.model).GENERATOR
        nets = rf.build()
        rf.load_weights(key, nets[key])
        encoder = nets.get("encoder")
        if encoder is not None:
            rf.load_weights("encoder", encoder)
        return Sampler(nets[key], rf.config, rf.shape, step=rf.counters["step"], device=device,
                       num_classes=rf.num_classes, encoder=encoder)


def load_style(path: str | Path, index: int, dataset: Dataset | None = None):
    """The encoder's code (for a saae: the style) of image `index` of the model's data set."""
    from ganvis.engine.data import load_dataset

    sampler = load_sampler(path)
    if sampler.encoder is None:
        raise ModelFileError(f"{path}: a {sampler.config.model} has no encoder to take a style "
                             "from")
    ds = dataset if dataset is not None else load_dataset(sampler.config.data)
    if not 0 <= index < ds.size:
        raise GanvisError(f"image {index}: {ds.name} holds images 0 to {ds.size - 1}")
    return sampler.encode(np.array(ds.images[index:index + 1]))[0]


def load_run(path: str | Path, dataset: Dataset | None = None, device: str | None = None,
             batch_size: int | None = None) -> Run:
    """Reopen a run to continue training it (on its own data set unless one is given,
    optionally on another device or with another batch size)."""
    with _reading(path), RunFile(path) as rf:
        changes = {k: v for k, v in (("device", device), ("batch_size", batch_size)) if v}
        config = rf.config.replace(**changes)
    run = Run(config, dataset)
    with _reading(path), RunFile(path) as rf:
        if run.dataset.image_shape != rf.shape:
            raise ModelFileError(f"{path}: the model makes {rf.shape[0]}x{rf.shape[1]} images but "
                                 f"{run.dataset.name} holds {run.dataset.image_shape}")
        if run.num_classes != rf.num_classes:
            raise ModelFileError(f"{path}: the model knows {rf.num_classes} digits but "
                                 f"{run.dataset.name} has {run.num_classes}")
        for net, module in run.nets.items():
            rf.load_weights(net, module)
        for net, opt in run.opts.items():
            rf.load_optimizer(net, opt)
        run.d_steps, run.g_steps = rf.counters["d_steps"], rf.counters["g_steps"]
        run.elapsed = rf.counters["elapsed"]
        stored = rf.history()
        length = max((len(v) for v in stored.values()), default=0)
        run.history = {k: stored.get(k) or [float("nan")] * length for k in run.history_keys()}
        run._mark = (run.images_seen, run.elapsed)
        run.live.restore(rf.history("metrics"))
        run.timeline.restore(*rf.timeline())
        rng = rf.rng_state()
    try:
        if rng is None or rng[0] != run.device.type:
            raise RuntimeError("no state for this device type")
        run.gen.set_state(rng[1])
    except RuntimeError:  # another device kind: a fresh, still reproducible stream
        reseed(run)
    return run


def _text(v: Any) -> str:
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    return v if isinstance(v, str) else ""
