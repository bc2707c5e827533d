"""Files built on purpose to break a reader, and the ganvis command each one is fed to.

Each case writes its files into a folder and returns the command line (ganvis's arguments)
and a few words the one-line refusal must contain. The classes: sizes declared but never
written, decompression bombs, data that lives in other files, attributes of the wrong kind.
tests/test_hostile.py runs every case in-process; scripts/hostile_campaign.py runs them as
processes under a memory cap and a timeout and reports peak memory.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import struct
import zipfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import h5py
import numpy as np

SECRET = b"-----BEGIN PRIVATE KEY----- not for sharing -----END PRIVATE KEY-----\n"


@dataclass(frozen=True)
class Case:
    name: str
    kind: str  # the class of fault
    build: Callable[[Path, Path], list[str]]  # (folder, a valid run file) -> ganvis argv
    says: str  # words the refusal must contain
    status: int = 1  # 1: refused; 2: a usage error (argparse)


def base_run(folder: Path) -> Path:
    """A small valid run file (an MLP GAN, 2 steps) to damage."""
    from ganvis.engine import RunConfig, new_run
    from ganvis.engine.store import save_run

    run = new_run(RunConfig(model="gan", width=16, depth=1, batch_size=8, device="cpu",
                            metrics_every=0))
    run.train_steps(2)
    run.snapshot()
    return save_run(run, folder / "base.h5")


def _copy(base: Path, folder: Path, name: str) -> Path:
    out = folder / name
    shutil.copyfile(base, out)
    return out


def _replace(f: h5py.File, name: str, **kwargs) -> h5py.Dataset:
    del f[name]
    return f.create_dataset(name, **kwargs)


def _first_weight(f: h5py.File) -> str:
    """The largest weight of the net that samples come from (the averaged G, when kept)."""
    group = "weights/G_ema" if "weights/G_ema" in f else "weights/G"
    names: list[str] = []
    f[group].visit(lambda n: names.append(n) if isinstance(f[group][n], h5py.Dataset) else None)
    return f"{group}/" + sorted(names, key=lambda n: f[group][n].size)[-1]


# --- 1. sizes declared but never written -------------------------------------------------


def history_never_written(folder, base):
    p = _copy(base, folder, "history.h5")
    with h5py.File(p, "r+") as f:
        _replace(f, "history/step", shape=(10_000_000,), dtype="f8")
    return ["info", str(p)]


def chunked_history_never_written(folder, base):
    p = _copy(base, folder, "chunked.h5")
    with h5py.File(p, "r+") as f:
        _replace(f, "history/d_loss", shape=(10_000_000,), dtype="f8", chunks=(4096,),
                 compression="gzip")
    return ["info", str(p)]


def timeline_never_written(folder, base):
    p = _copy(base, folder, "timeline.h5")
    with h5py.File(p, "r+") as f:
        _replace(f, "timeline/steps", data=np.arange(1000, dtype=np.int64))
        _replace(f, "timeline/grids", shape=(1000, 4096, 28, 28), dtype="u1",
                 chunks=(1, 64, 28, 28))
    return ["train", "--resume", str(p), "--steps", "1", "--out", str(folder / "o.h5")]


def data_never_written(folder, base):
    p = folder / "data.h5"
    with h5py.File(p, "w") as f:
        f.create_dataset("images", shape=(1_000_000, 28, 28), dtype="u1", chunks=(100, 28, 28))
    return ["train", "--data", f"h5:{p}", "--steps", "1", "--out", str(folder / "o.h5")]


# --- 2. decompression bombs -------------------------------------------------------------------


def _zeros(f, n: int) -> None:
    """n zero bytes, written a megabyte at a time (they compress about 1,000 times)."""
    zero = bytes(1 << 20)
    for _ in range(n >> 20):
        f.write(zero)
    f.write(bytes(n % (1 << 20)))


def npz_bomb(folder, base):
    p = folder / "bomb.npz"
    n = 60_000
    header = np.lib.format.header_data_from_array_1_0(np.zeros((1, 28, 28), np.uint8))
    header["shape"] = (n, 28, 28)
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf, \
            zf.open("images.npy", "w", force_zip64=True) as fp:
        np.lib.format.write_array_header_1_0(fp, header)
        _zeros(fp, n * 784)
    return ["train", "--data", f"npz:{p}", "--steps", "1", "--out", str(folder / "o.h5")]


def gz_idx_bomb(folder, base):
    p = folder / "train-images-idx3-ubyte.gz"
    n = 60_000
    with gzip.open(p, "wb", compresslevel=9) as f:
        f.write(struct.pack(">IIII", 0x803, n, 28, 28))
        _zeros(f, n * 784)
    return ["train", "--data", f"idx:{p}", "--steps", "1", "--out", str(folder / "o.h5")]


def h5_chunk_bomb(folder, base):
    p = _copy(base, folder, "chunkbomb.h5")
    with h5py.File(p, "r+") as f:
        name = _first_weight(f)
        shape = f[name].shape
        ds = _replace(f, name, shape=shape, dtype="f4", chunks=shape, compression="gzip")
        z = zlib.compressobj(9)
        stream = b"".join(z.compress(bytes(1 << 24)) for _ in range(64)) + z.flush()
        ds.id.write_direct_chunk((0,) * len(shape), stream)  # 1 GiB of zeros, inflated
    return ["sample", str(p), "--out", str(folder / "s.png")]


def h5_gzip_thrice(folder, base):
    p = _copy(base, folder, "thrice.h5")
    with h5py.File(p, "r+") as f:
        name = _first_weight(f)
        shape = f[name].shape
        dcpl = h5py.h5p.create(h5py.h5p.DATASET_CREATE)
        dcpl.set_chunk(shape)
        for _ in range(3):  # HDF5 accepts gzip more than once; the guard checks one layer
            dcpl.set_deflate(9)
        del f[name]
        space = h5py.h5s.create_simple(shape)
        dsid = h5py.h5d.create(f.id, name.encode(), h5py.h5t.IEEE_F32LE, space, dcpl=dcpl)
        stream = zlib.compress(zlib.compress(zlib.compress(bytes(1 << 26), 9), 9), 9)
        dsid.write_direct_chunk((0,) * len(shape), stream)
    return ["sample", str(p), "--out", str(folder / "s.png")]


def h5_huge_chunk(folder, base):
    p = _copy(base, folder, "hugechunk.h5")
    with h5py.File(p, "r+") as f:
        name = _first_weight(f)
        shape = f[name].shape
        _replace(f, name, shape=shape, maxshape=(None,) * len(shape), dtype="f4",
                 chunks=(1 << 24,) if len(shape) == 1 else (4096, 4096),
                 compression="gzip", data=np.zeros(shape, np.float32))
    return ["sample", str(p), "--out", str(folder / "s.png")]


def timeline_of_zeros(folder, base):
    p = _copy(base, folder, "zeros.h5")
    with h5py.File(p, "r+") as f:
        if "timeline" in f:
            del f["timeline"]
        f.create_dataset("timeline/steps", data=np.arange(100, dtype=np.int64))
        g = f.create_dataset("timeline/grids", shape=(100, 4096, 28, 28), dtype="u1",
                             chunks=(1, 4096, 28, 28), compression="gzip", compression_opts=9)
        for i in range(100):  # every chunk really stored, each 3 MB of zeros in a few KB
            g[i] = 0
    return ["train", "--resume", str(p), "--steps", "1", "--out", str(folder / "o.h5")]


# --- 3. data that lives in other files --------------------------------------------------------


def external_storage(folder, base):
    secret = folder / "id_rsa"
    secret.write_bytes(SECRET * 2000)
    p = _copy(base, folder, "external.h5")
    with h5py.File(p, "r+") as f:
        name = _first_weight(f)
        ds = f[name]
        shape, n = ds.shape, ds.size * 4
        _replace(f, name, shape=shape, dtype="f4", external=[(str(secret), 0, n)])
    return ["sample", str(p), "--out", str(folder / "s.png")]


def external_data_set(folder, base):
    secret = folder / "private.bin"
    secret.write_bytes(SECRET * 20000)
    p = folder / "external-data.h5"
    with h5py.File(p, "w") as f:
        f.create_dataset("images", shape=(1000, 28, 28), dtype="u1",
                         external=[(str(secret), 0, 784_000)])
    return ["train", "--data", f"h5:{p}", "--steps", "1", "--out", str(folder / "o.h5")]


def external_link(folder, base):
    other = _copy(base, folder, "other.h5")
    p = _copy(base, folder, "link.h5")
    with h5py.File(p, "r+") as f:
        del f["samples/grid"]
        f["samples/grid"] = h5py.ExternalLink(str(other), "/samples/grid")
    return ["info", str(p)]


def virtual_data_set(folder, base):
    other = _copy(base, folder, "source.h5")
    p = _copy(base, folder, "virtual.h5")
    with h5py.File(p, "r+") as f:
        name = _first_weight(f)
        shape = f[name].shape
        layout = h5py.VirtualLayout(shape=shape, dtype="f4")
        layout[...] = h5py.VirtualSource(str(other), name, shape=shape)
        del f[name]
        f.create_virtual_dataset(name, layout)
    return ["sample", str(p), "--out", str(folder / "s.png")]


# --- 4. attributes of the wrong kind -----------------------------------------------------------


def _attr_case(filename: str, set_attr: Callable[[h5py.File], None], command: str = "info"):
    def build(folder, base):
        p = _copy(base, folder, filename)
        with h5py.File(p, "r+") as f:
            set_attr(f)
        if command == "info":
            return ["info", str(p)]
        if command == "sample":
            return ["sample", str(p), "--out", str(folder / "s.png")]
        if command == "eval":
            return ["eval", str(p), "--n", "64"]
        return ["train", "--resume", str(p), "--steps", "1", "--out", str(folder / "o.h5")]
    return build


def _config_with(f: h5py.File, key: str, value_json: str) -> None:
    config = json.loads(f.attrs["config"])
    text = json.dumps(config)
    f.attrs["config"] = text.replace(f'"{key}": {json.dumps(config[key])}',
                                     f'"{key}": {value_json}')


def _nested(f):
    f.attrs["config"] = "[" * 100_000 + "]" * 100_000


def _huge_number(f):
    _config_with(f, "width", "9" * 5000)


def _nan_shape(f):
    f.attrs["sample_shape"] = np.array([np.nan, np.inf])


def _text_elapsed(f):
    f.attrs["elapsed"] = "a long time"


def _text_step(f):
    f.attrs["step"] = "12"


def _huge_counter(f):
    f.attrs["g_steps"] = np.uint64(2**63 + 5)  # readable, but no int64 attribute holds it


def _metrics_missing(f):
    g = f.require_group("metrics")
    for k in list(g):
        del g[k]
    g.create_dataset("step", data=np.array([1.0, 2.0]))


CASES = [
    Case("history declared, never written", "sizes declared", history_never_written,
         "declares"),
    Case("chunked history, no chunks", "sizes declared", chunked_history_never_written,
         "chunks"),
    Case("timeline of 1,000 x 4,096 grids, no data", "sizes declared",
         timeline_never_written, "chunks"),
    Case("a data set of a million images, no data", "sizes declared", data_never_written,
         "chunks"),
    Case(".npz member: 47 MB of pixels from 46 KB", "decompression bomb", npz_bomb,
         "inflate"),
    Case("gzip IDX: 47 MB of pixels from 46 KB", "decompression bomb", gz_idx_bomb,
         "inflate"),
    Case("gzip chunk of a weight inflating to 1 GiB", "decompression bomb", h5_chunk_bomb,
         "chunk"),
    Case("gzip three times over one weight's chunk", "decompression bomb", h5_gzip_thrice,
         "filters"),
    Case("a 64 MB chunk for a small weight", "decompression bomb", h5_huge_chunk, "chunks of"),
    Case("a timeline of 321 MB of zeros in a small file", "decompression bomb",
         timeline_of_zeros, "100 times its size"),
    Case("a weight stored in another file", "external data", external_storage,
         "external storage"),
    Case("a data set stored in another file", "external data", external_data_set,
         "external storage"),
    Case("an external link", "external data", external_link, "link to elsewhere"),
    Case("a virtual data set", "external data", virtual_data_set, "virtual"),
    Case("config JSON nested 100,000 deep (info)", "wrong attributes",
         _attr_case("nested.h5", _nested), "config"),
    Case("config JSON nested 100,000 deep (train)", "wrong attributes",
         _attr_case("nested2.h5", _nested, "train"), "config"),
    Case("a 5,000-digit width (sample)", "wrong attributes",
         _attr_case("digits.h5", _huge_number, "sample"), "config"),
    Case("image_shape NaN and infinite (eval)", "wrong attributes",
         _attr_case("nan.h5", _nan_shape, "eval"), "image_shape"),
    Case("elapsed as text (info)", "wrong attributes",
         _attr_case("elapsed.h5", _text_elapsed, "info"), "elapsed"),
    Case("step as text (train)", "wrong attributes",
         _attr_case("step.h5", _text_step, "train"), "step"),
    Case("a step counter past int64 (train --resume)", "lost at the save",
         _attr_case("counter.h5", _huge_counter, "train"), "bad counter"),
    Case("metrics without their columns (info)", "wrong attributes",
         _attr_case("metrics.h5", _metrics_missing, "info"), "metrics"),
]


# --- the command line at its edges (for the campaign; tests/test_hostile.py has its own) -----

TRAIN = ["train", "--model", "gan", "--width", "16", "--depth", "1", "--batch-size", "8",
         "--metrics-every", "0", "--quiet", "--steps", "100000"]


def _fifo(folder, base):
    os.mkfifo(folder / "fifo")
    return [*TRAIN, "--out", str(folder / "fifo")]


def _out_is_data(folder, base):
    data = folder / "mine.npz"
    np.savez(data, images=np.zeros((20, 28, 28), np.uint8))
    return [*TRAIN, "--data", f"npz:{data}", "--out", str(data)]


CLI_CASES = [
    Case("--out /dev/null", "files replaced", lambda f, b: [*TRAIN, "--out", "/dev/null"],
         "not a regular file"),
    Case("--out a FIFO", "files replaced", _fifo, "not a regular file"),
    Case("--out the --data file", "files replaced", _out_is_data, "also the data set"),
    Case("--out x --grid x", "files replaced",
         lambda f, b: [*TRAIN, "--out", str(f / "x"), "--grid", str(f / "x")], "also the run"),
    Case("--out an existing folder", "lost at the save",
         lambda f, b: [*TRAIN, "--out", str(f)], "is a folder"),
    Case("--out a 250-byte name", "lost at the save",
         lambda f, b: [*TRAIN, "--out", str(f / ("n" * 246 + ".h5"))], "too long"),
    Case("--seed 10**20", "unbounded values", lambda f, b: [*TRAIN, "--seed", str(10**20)],
         "from 0 to", 2),
    Case("sample --scale 10,000,000", "unbounded values",
         lambda f, b: ["sample", str(b), "--scale", "10000000"], "from 1 to 16", 2),
    Case("sample --cols 10,000,000", "unbounded values",
         lambda f, b: ["sample", str(b), "--cols", "10000000"], "1,024", 2),
    Case("sample --n 10,000,000", "unbounded values",
         lambda f, b: ["sample", str(b), "--n", "10000000"], "1,000,000", 2),
    Case("sample --out a folder", "unbounded values",
         lambda f, b: ["sample", str(b), "--out", str(f)], "is a folder"),
    Case("info with a 300-character name", "unbounded values",
         lambda f, b: ["info", "x" * 300 + ".h5"], "error:"),
]
