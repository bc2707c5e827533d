"""Writing run files: a run's whole state (weights, optimiser state, counters, random stream,
history, metrics, timeline, D(x) waterfall) and its last grid, atomically.

The HDF5 file is built in memory and then written with plain file I/O: a disk that fills up
mid-write is then an OSError like any other (h5py, failing to flush at close, left its file
open and the process crashed at exit), and the old file stays whole."""

from __future__ import annotations

import datetime as _dt
import io
from pathlib import Path

import h5py
import numpy as np

import ganvis
from ganvis.engine.errors import ModelFileError
from ganvis.engine.files.atomic import atomic_write_bytes
from ganvis.engine.runs.base import Run
from ganvis.engine.runs.state import RunState
from ganvis.engine.store.runfile import FORMAT, FORMAT_VERSION


def save_run(run: Run, path: str | Path, *, optimizer: bool = True) -> Path:
    """Write the whole run atomically. optimizer=False leaves out Adam's state (`optim/`): a
    smaller file that still loads and trains on, its optimisers starting afresh."""
    path = Path(path)
    try:  # a state that cannot be gathered is a save that fails, in one line
        state = run.state()
    except (ValueError, TypeError, OverflowError) as e:
        raise ModelFileError(f"{path}: cannot write ({str(e)[:200]})") from None
    weights = {net: {k: v.detach().cpu().numpy() for k, v in sd.items()}
               for net, sd in state.nets.items()}
    for net, sd in weights.items():
        for name, a in sd.items():
            if a.dtype.kind == "f" and not np.isfinite(a).all():
                raise ModelFileError(f"not saved: {net} weight {name} is not finite (the run "
                                     "diverged); roll back or restart with a lower learning rate")
    grid = run.observe().grid
    buf = io.BytesIO()
    try:
        with h5py.File(buf, "w") as f:
            _write_attrs(f, run, state)
            for net, sd in weights.items():
                g = f.create_group(f"weights/{net}")
                for name, a in sd.items():
                    g.create_dataset(name, data=a)
            for net, sd in (state.optimizers.items() if optimizer else ()):
                for i, st in sd["state"].items():
                    for name, t in st.items():
                        f.create_dataset(f"optim/{net}/{i}/{name}", data=t.detach().cpu().numpy())
            record = state.record
            for group, series in (("history", record.history),
                                  ("metrics", record.metrics["history"])):
                h = f.create_group(group)
                for k, v in series.items():
                    h.create_dataset(k, data=np.asarray(v, np.float64))
            f.create_dataset("samples/grid", data=grid, compression="gzip")
            steps, grids = record.timeline
            if len(steps):
                f.create_dataset("timeline/steps", data=steps)
                f.create_dataset("timeline/grids", data=grids, compression="gzip",
                                 chunks=(1, *grids.shape[1:]))
            steps, real, fake = record.waterfall
            if len(steps):  # nothing for a family without an adversary
                for name, data in (("steps", steps), ("real", real), ("fake", fake)):
                    f.create_dataset(f"waterfall/{name}", data=data)
            f.create_dataset("samples/grid_z", data=run.grid_z.cpu().numpy())
            device_type, rng_state = state.rng
            rng = f.create_dataset("rng/train", data=rng_state.numpy())
            rng.attrs["device_type"] = device_type
        atomic_write_bytes(path, buf.getvalue())
    except (OSError, RuntimeError, ValueError, TypeError, OverflowError) as e:
        # a value HDF5 cannot store: ValueError, TypeError or OverflowError; a full disk:
        # OSError, and atomic_write_bytes has removed its temporary file
        why = e.strerror if isinstance(e, OSError) and e.strerror else str(e)[:200]
        raise ModelFileError(f"{path}: cannot write ({why})") from None
    return path


def _write_attrs(f: h5py.File, run: Run, state: RunState) -> None:
    a = f.attrs
    a["format"] = FORMAT
    a["format_version"] = FORMAT_VERSION
    a["ganvis_version"] = ganvis.__version__
    a["config"] = run.config.to_json()
    a["sample_shape"] = np.asarray(run.dataset.sample_shape, np.int64)
    if run.family.data.name == "images":  # what files of earlier versions hold
        a["image_shape"] = np.asarray(run.dataset.sample_shape, np.int64)
    a["step"], a["d_steps"], a["g_steps"] = state.step, state.d_steps, state.g_steps
    a["images_seen"] = state.images_seen
    a["elapsed"] = float(state.elapsed)
    a["created"] = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    a["data_name"] = run.dataset.name
    a["num_classes"] = run.num_classes
    a["bernoulli"] = bool(run.bernoulli)
