"""Arrays in .npz files (read without np.load: no pickle, no allocation sized by a header) and
in HDF5 files (top-level data sets)."""

from __future__ import annotations

import lzma
import math
import tokenize
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

import h5py
import numpy as np

from ganvis.engine.data.dataset import (
    H5_ERRORS,
    MAX_INFLATE,
    MAX_PIXEL_BYTES,
    Dataset,
    make,
    pick_keys,
    read_exact,
)
from ganvis.engine.errors import DataError
from ganvis.engine.files.h5guard import UnsafeFile, check_dataset, check_links

# --- npz (read without np.load, so no pickle and no header-sized allocation) ----------------


def load_npz(path: Path) -> Dataset:
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as zf:
            members = {i.filename.removesuffix(".npy"): i for i in zf.infolist()
                       if i.filename.endswith(".npy")}
            if not members:
                raise DataError(f"{path}: no arrays in this .npz file")
            ikey, lkey = pick_keys(path, members, lambda k: _npy_header(zf, members[k], path))
            images = _read_npy(zf, members[ikey], path)
            labels = _read_npy(zf, members[lkey], path) if lkey else None
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error, lzma.LZMAError,
            NotImplementedError, RuntimeError) as e:  # the last two: unknown method, encrypted
        raise DataError(f"{path}: not a readable .npz file ({e})") from None
    return make(path.stem, images, labels, str(path))


def _npy_header(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path):
    with zf.open(info) as fp:
        return _parse_npy_header(fp, info.filename, path)[:2]


def _parse_npy_header(fp: BinaryIO, name: str, path: Path):
    try:
        version = np.lib.format.read_magic(fp)
    except ValueError as e:
        raise DataError(f"{path}: {name} is not a .npy array ({e})") from None
    if version not in ((1, 0), (2, 0), (3, 0)):
        raise DataError(f"{path}: array {name} has unsupported .npy version {version}")
    read = (np.lib.format.read_array_header_1_0 if version == (1, 0)
            else np.lib.format.read_array_header_2_0)
    try:
        shape, fortran, dtype = read(fp)
    except (ValueError, TypeError, SyntaxError, tokenize.TokenError, MemoryError) as e:
        # numpy parses the header as a Python literal; a damaged one fails in many ways
        raise DataError(f"{path}: array {name} has a damaged header ({e})") from None
    if dtype.hasobject or dtype.kind not in "uifb":
        raise DataError(f"{path}: array {name} has dtype {dtype}; need numbers "
                        "(Python objects are never unpickled)")
    return shape, dtype, fortran


def _read_npy(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> np.ndarray:
    available = info.file_size  # what the archive declares: bounded by what it stores
    if info.compress_type != zipfile.ZIP_STORED:
        available = min(available, info.compress_size * MAX_INFLATE)
    with zf.open(info) as fp:
        return read_npy_member(fp, available, path, info.filename)


def read_npy_member(fp: BinaryIO, available: int, path: Path, name: str,
                    check: Callable[[tuple[int, ...], np.dtype], None] | None = None
                    ) -> np.ndarray:
    """One .npy array from `fp`, which holds `available` bytes: its header is checked against
    that (and by `check(shape, dtype)`, which raises DataError) before anything of the claimed
    size is allocated; nothing is unpickled."""
    shape, dtype, fortran = _parse_npy_header(fp, name, path)
    if check is not None:
        check(shape, dtype)
    nbytes = math.prod(shape) * dtype.itemsize
    if nbytes > MAX_PIXEL_BYTES * 4 or nbytes > available:
        raise DataError(f"{path}: array {name} claims shape {shape} ({nbytes} bytes) "
                        f"but the file holds at most {available} bytes for it (compressed "
                        f"data may inflate at most {MAX_INFLATE} times)")
    data = read_exact(fp, nbytes, path)
    return np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran else "C")


# --- HDF5 arrays ---------------------------------------------------------------------------

# What ganvis's own HDF5 files say they are (store/runfile.py writes FORMAT = "ganvis-run";
# the store imports this package, so the name is repeated here rather than imported).
RUN_FORMAT = "ganvis-run"


def refuse_ganvis_file(path: str | Path) -> None:
    """Raise DataError at once if `path` is a file ganvis wrote (a model file, the judge
    classifier) rather than a data set: its arrays are weights and sample grids, not data."""
    path = Path(path)
    try:
        if not (path.is_file() and h5py.is_hdf5(path)):
            return
        with h5py.File(path, "r") as f:
            fmt = f.attrs.get("format")
    except H5_ERRORS:
        return  # not readable as HDF5: the loader says what is wrong with it
    fmt = fmt.decode("utf-8", "replace") if isinstance(fmt, bytes) else fmt
    if fmt == RUN_FORMAT:
        raise DataError(f"{path} is a ganvis model file, not a data set: open it with "
                        f"File > Open model (or go on training it: ganvis train --resume {path})")
    if isinstance(fmt, str) and fmt.startswith("ganvis-"):
        raise DataError(f"{path} is a file of ganvis's own ({fmt}), not a data set")


def load_h5(path: Path) -> Dataset:
    path = Path(path)
    try:
        with h5py.File(path, "r") as f:
            check_links(f)
            arrays = {k: v for k, v in f.items() if isinstance(v, h5py.Dataset)}
            if not arrays:
                raise DataError(f"{path}: no data sets at the top level of this HDF5 file")
            ikey, lkey = pick_keys(path, arrays, lambda k: (arrays[k].shape, arrays[k].dtype))
            images = _read_h5_array(arrays[ikey], path)
            labels = _read_h5_array(arrays[lkey], path) if lkey else None
    except UnsafeFile as e:
        raise DataError(f"{path}: refused: {e}") from None
    except H5_ERRORS as e:  # what h5py raises on a damaged file
        raise DataError(f"{path}: not a readable HDF5 file ({e})") from None
    return make(path.stem, images, labels, str(path))


def _read_h5_array(ds: h5py.Dataset, path: Path) -> np.ndarray:
    if ds.dtype.kind not in "uifb":
        raise DataError(f"{path}: data set {ds.name} has dtype {ds.dtype}; need numbers")
    nbytes = math.prod(ds.shape or ()) * ds.dtype.itemsize
    if nbytes > MAX_PIXEL_BYTES * 4:
        raise DataError(f"{path}: data set {ds.name} claims shape {ds.shape}; too large to load")
    check_dataset(ds)
    return ds[()]
