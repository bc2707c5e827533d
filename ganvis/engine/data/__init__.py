"""Data sets: built-in MNIST-5k (and its binarised variant), IDX, npz and HDF5 arrays.

Every loader validates what it reads and raises DataError naming the file and the problem.
Sizes claimed by a file's header are checked against a cap and against the bytes actually
present before anything that large is allocated.
"""

from __future__ import annotations

import dataclasses
import gzip
import lzma
import math
import tokenize
import zipfile
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

import h5py
import numpy as np
import torch

from ganvis.engine.errors import DataError
from ganvis.resources import resource

BUILTIN = ("mnist5k", "mnist5k-binary")
MAX_PIXEL_BYTES = 2**31  # 2 GiB of 8-bit pixels: about 2.7 million 28x28 images
MIN_SIDE, MAX_SIDE = 4, 256
MAX_CLASSES = 1000
_CHUNK = 1 << 24
H5_ERRORS = (OSError, RuntimeError, KeyError, ValueError, TypeError)
IMAGE_KEYS = ("images", "x", "x_train", "X", "data", "imgs")
LABEL_KEYS = ("labels", "y", "y_train", "Y", "targets", "label")


@dataclass(frozen=True)
class Dataset:
    """Grey images scaled to [-1, 1] (float32, N x H x W) and optional integer labels."""

    name: str
    images: np.ndarray
    labels: np.ndarray | None
    binary: bool = False
    source: str = ""

    @property
    def size(self) -> int:
        return int(self.images.shape[0])

    @property
    def image_shape(self) -> tuple[int, int]:
        return int(self.images.shape[1]), int(self.images.shape[2])

    @property
    def num_classes(self) -> int:
        return 0 if self.labels is None else int(self.labels.max()) + 1

    def shard(self, rank: int, world: int) -> Dataset:
        """Every world-th image from the rank-th: one process's part of the data."""
        if world <= 1:
            return self
        labels = None if self.labels is None else self.labels[rank::world]
        return dataclasses.replace(self, images=self.images[rank::world], labels=labels)

    def binarized(self) -> Dataset:
        """Pixels thresholded at mid-grey: exactly -1 or +1 (0 or 1 in [0, 1] terms)."""
        imgs = np.where(self.images > 0.0, 1.0, -1.0).astype(np.float32)
        imgs.flags.writeable = False
        return Dataset(f"{self.name}-binary", imgs, self.labels, True, self.source)


def load_dataset(spec: str) -> Dataset:
    """Load `mnist5k`, `mnist5k-binary`, `idx:PATH`, `npz:FILE`, `h5:FILE` or a bare file path."""
    if spec == "mnist5k":
        return _builtin()
    if spec == "mnist5k-binary":
        return _builtin().binarized()
    kind, sep, rest = spec.partition(":")
    if sep and kind in ("idx", "npz", "h5", "hdf5"):
        path = Path(rest).expanduser()
    else:
        kind, path = "", Path(spec).expanduser()
        if not path.exists():
            raise DataError(f"{spec}: no such data set; use mnist5k, mnist5k-binary, "
                            "idx:DIR, npz:FILE or h5:FILE")
    if not path.exists():
        raise DataError(f"{path}: no such file or folder")
    if not kind:
        kind = _guess_kind(path)
    loader = {"idx": load_idx, "npz": load_npz, "h5": load_h5, "hdf5": load_h5}[kind]
    return loader(path)


def _guess_kind(path: Path) -> str:
    name = path.name.lower()
    if path.is_dir() or "idx" in name:
        return "idx"
    if name.endswith(".npz"):
        return "npz"
    if name.endswith((".h5", ".hdf5", ".he5")):
        return "h5"
    raise DataError(f"{path}: unknown data format; expected IDX, .npz or HDF5 (.h5)")


@lru_cache(maxsize=1)
def _builtin() -> Dataset:
    path = resource("datasets", "mnist5k.h5")
    ds = load_h5(path)
    return Dataset("mnist5k", ds.images, ds.labels, False, "built-in")


# --- IDX (the MNIST file format) ------------------------------------------------------------


def load_idx(path: Path) -> Dataset:
    """An IDX images file (labels found beside it), or a folder holding one set of them."""
    path = Path(path)
    images_path = _find_idx_images(path) if path.is_dir() else path
    labels_path = _labels_beside(images_path)
    images = _read_idx(images_path, ndim=3)
    labels = None
    if labels_path is not None:
        labels = _read_idx(labels_path, ndim=1)
        if len(labels) != len(images):
            raise DataError(
                f"{labels_path}: {len(labels)} labels but {images_path.name} holds "
                f"{len(images)} images; they must match"
            )
    return _make(images_path.name.split("-images")[0] or images_path.name,
                 images, labels, str(images_path))


def _find_idx_images(folder: Path) -> Path:
    found = sorted(p for p in folder.iterdir() if "images-idx3-ubyte" in p.name)
    if not found:
        raise DataError(f"{folder}: no '*-images-idx3-ubyte[.gz]' file in this folder")
    train = [p for p in found if p.name.startswith("train")]
    if len(found) > 1 and len(train) != 1:
        names = ", ".join(p.name for p in found)
        raise DataError(f"{folder}: several image files ({names}); name one with idx:FILE")
    return train[0] if len(found) > 1 else found[0]


def _labels_beside(images_path: Path) -> Path | None:
    name = images_path.name
    if "images-idx3-ubyte" not in name:
        return None
    stem = name.replace("images-idx3-ubyte", "labels-idx1-ubyte")
    for cand in (stem, stem.removesuffix(".gz"), stem + ".gz"):
        p = images_path.with_name(cand)
        if p.exists():
            return p
    return None


def _read_idx(path: Path, ndim: int) -> np.ndarray:
    opener = gzip.open if path.name.endswith(".gz") else open
    try:
        with opener(path, "rb") as f:
            head = f.read(4 + 4 * ndim)
            if len(head) < 4 + 4 * ndim:
                raise DataError(f"{path}: truncated IDX header ({len(head)} bytes)")
            zero, dtype_code, dims_found = head[0:2], head[2], head[3]
            if zero != b"\0\0" or dtype_code != 0x08 or dims_found != ndim:
                kind = "images (magic 2051)" if ndim == 3 else "labels (magic 2049)"
                magic = int.from_bytes(head[:4], "big")
                raise DataError(f"{path}: wrong magic number {magic}; expected 8-bit IDX {kind}")
            dims = [int.from_bytes(head[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim)]
            if ndim == 3:
                _check_image_dims(path, dims[0], dims[1], dims[2])
            elif dims[0] < 1 or dims[0] > MAX_PIXEL_BYTES // 16:
                raise DataError(f"{path}: header claims {dims[0]} labels; that is not plausible")
            data = _read_exact(f, math.prod(dims), path)
            if f.read(1):
                raise DataError(f"{path}: more data than the header's {dims} describe")
    except (OSError, EOFError, gzip.BadGzipFile, zlib.error) as e:
        raise DataError(f"{path}: cannot read ({e})") from None
    return np.frombuffer(data, dtype=np.uint8).reshape(dims)


def _read_exact(f: BinaryIO, n: int, path: Path) -> bytes:
    """Read n bytes in chunks, so memory grows only with data that is really there."""
    buf = bytearray()
    while len(buf) < n:
        chunk = f.read(min(_CHUNK, n - len(buf)))
        if not chunk:
            raise DataError(f"{path}: truncated: header promises {n} bytes, file holds {len(buf)}")
        buf += chunk
    return bytes(buf)


def _check_image_dims(path: Path | str, n: int, h: int, w: int) -> None:
    if not (MIN_SIDE <= h <= MAX_SIDE and MIN_SIDE <= w <= MAX_SIDE):
        raise DataError(f"{path}: images of {h}x{w} pixels; ganvis takes {MIN_SIDE} to {MAX_SIDE}")
    if n < 1:
        raise DataError(f"{path}: holds no images")
    if n * h * w > MAX_PIXEL_BYTES:
        raise DataError(
            f"{path}: header claims {n} images of {h}x{w} ({n * h * w / 2**30:.1f} GiB of pixels); "
            f"ganvis loads at most {MAX_PIXEL_BYTES / 2**30:.0f} GiB"
        )


# --- npz (read without np.load, so no pickle and no header-sized allocation) ----------------


def load_npz(path: Path) -> Dataset:
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as zf:
            members = {i.filename.removesuffix(".npy"): i for i in zf.infolist()
                       if i.filename.endswith(".npy")}
            if not members:
                raise DataError(f"{path}: no arrays in this .npz file")
            ikey, lkey = _pick_keys(path, members, lambda k: _npy_header(zf, members[k], path))
            images = _read_npy(zf, members[ikey], path)
            labels = _read_npy(zf, members[lkey], path) if lkey else None
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, zlib.error, lzma.LZMAError,
            NotImplementedError, RuntimeError) as e:  # the last two: unknown method, encrypted
        raise DataError(f"{path}: not a readable .npz file ({e})") from None
    return _make(path.stem, images, labels, str(path))


def _npy_header(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path):
    with zf.open(info) as fp:
        return _parse_npy_header(fp, info, path)[:2]


def _parse_npy_header(fp: BinaryIO, info: zipfile.ZipInfo, path: Path):
    version = np.lib.format.read_magic(fp)
    if version not in ((1, 0), (2, 0), (3, 0)):
        raise DataError(f"{path}: array {info.filename} has unsupported .npy version {version}")
    read = (np.lib.format.read_array_header_1_0 if version == (1, 0)
            else np.lib.format.read_array_header_2_0)
    try:
        shape, fortran, dtype = read(fp)
    except (ValueError, TypeError, SyntaxError, tokenize.TokenError, MemoryError) as e:
        # numpy parses the header as a Python literal; a damaged one fails in many ways
        raise DataError(f"{path}: array {info.filename} has a damaged header ({e})") from None
    if dtype.hasobject or dtype.kind not in "uifb":
        raise DataError(f"{path}: array {info.filename} has dtype {dtype}; need numbers "
                        "(Python objects are never unpickled)")
    return shape, dtype, fortran


def _read_npy(zf: zipfile.ZipFile, info: zipfile.ZipInfo, path: Path) -> np.ndarray:
    with zf.open(info) as fp:
        shape, dtype, fortran = _parse_npy_header(fp, info, path)
        nbytes = math.prod(shape) * dtype.itemsize
        if nbytes > MAX_PIXEL_BYTES * 4 or nbytes > info.file_size:
            raise DataError(f"{path}: array {info.filename} claims shape {shape} ({nbytes} bytes) "
                            f"but the archive holds {info.file_size} bytes for it")
        data = _read_exact(fp, nbytes, path)
    return np.frombuffer(data, dtype=dtype).reshape(shape, order="F" if fortran else "C")


# --- HDF5 arrays ---------------------------------------------------------------------------


def load_h5(path: Path) -> Dataset:
    path = Path(path)
    try:
        with h5py.File(path, "r") as f:
            arrays = {k: v for k, v in f.items() if isinstance(v, h5py.Dataset)}
            if not arrays:
                raise DataError(f"{path}: no data sets at the top level of this HDF5 file")
            ikey, lkey = _pick_keys(path, arrays, lambda k: (arrays[k].shape, arrays[k].dtype))
            images = _read_h5_array(arrays[ikey], path)
            labels = _read_h5_array(arrays[lkey], path) if lkey else None
    except H5_ERRORS as e:  # what h5py raises on a damaged file
        raise DataError(f"{path}: not a readable HDF5 file ({e})") from None
    return _make(path.stem, images, labels, str(path))


def _read_h5_array(ds: h5py.Dataset, path: Path) -> np.ndarray:
    if ds.dtype.kind not in "uifb":
        raise DataError(f"{path}: data set {ds.name} has dtype {ds.dtype}; need numbers")
    nbytes = math.prod(ds.shape or ()) * ds.dtype.itemsize
    if nbytes > MAX_PIXEL_BYTES * 4:
        raise DataError(f"{path}: data set {ds.name} claims shape {ds.shape}; too large to load")
    return ds[()]


# --- shared: choosing arrays, checking and scaling them ------------------------------------


def _pick_keys(path, arrays: dict, header) -> tuple[str, str | None]:
    """The images array and the labels array (if any) of a container, by name or by shape."""
    ikey = next((k for k in IMAGE_KEYS if k in arrays), None)
    if ikey is None:
        multi = [k for k in arrays if len(header(k)[0]) >= 2]
        if len(multi) != 1:
            raise DataError(f"{path}: cannot tell which array holds the images; name it 'images' "
                            f"(found: {', '.join(sorted(arrays)) or 'nothing'})")
        ikey = multi[0]
    lkey = next((k for k in LABEL_KEYS if k in arrays), None)
    return ikey, lkey


def _make(name: str, images: np.ndarray, labels: np.ndarray | None, source: str) -> Dataset:
    images = _as_images(images, source)
    if labels is not None:
        labels = _as_labels(labels, len(images), source)
    images.flags.writeable = False
    return Dataset(name, images, labels, False, source)


def _as_images(a: np.ndarray, source: str) -> np.ndarray:
    if a.ndim == 4 and a.shape[1] == 1:
        a = a[:, 0]
    elif a.ndim == 4 and a.shape[3] == 1:
        a = a[..., 0]
    if a.ndim == 2:
        side = math.isqrt(a.shape[1])
        if side * side != a.shape[1]:
            raise DataError(f"{source}: images of {a.shape[1]} values are not square; "
                            "store them as N x H x W")
        a = a.reshape(a.shape[0], side, side)
    if a.ndim != 3:
        raise DataError(f"{source}: images array has shape {a.shape}; expected N x H x W "
                        "(or N x H*W, N x 1 x H x W) grey images")
    _check_image_dims(source, *a.shape)
    if a.dtype == np.uint8:
        return (a.astype(np.float32) / 127.5 - 1.0)
    if a.dtype == np.bool_:
        return np.where(a, 1.0, -1.0).astype(np.float32)
    integral = a.dtype.kind in "ui"
    a = a.astype(np.float32)
    if not np.isfinite(a).all():
        raise DataError(f"{source}: images contain NaN or infinite values")
    lo, hi = float(a.min()), float(a.max())
    if integral or hi > 1.0:
        if lo < 0 or hi > 255:
            raise DataError(f"{source}: pixel values span {lo:g}..{hi:g}; expected 0..255, "
                            "0..1 or -1..1")
        return a / 127.5 - 1.0
    if lo >= 0:
        return a * 2.0 - 1.0
    if lo >= -1.0:
        return a
    raise DataError(f"{source}: pixel values span {lo:g}..{hi:g}; expected 0..255, 0..1 or -1..1")


def _as_labels(y: np.ndarray, n: int, source: str) -> np.ndarray:
    y = np.asarray(y).reshape(-1) if y.ndim == 2 and 1 in y.shape else np.asarray(y)
    if y.ndim != 1 or len(y) != n:
        raise DataError(f"{source}: {y.shape} labels for {n} images; need one label per image")
    if y.dtype.kind == "f":
        if not np.isfinite(y).all() or (y != np.round(y)).any():
            raise DataError(f"{source}: labels must be whole numbers")
    elif y.dtype.kind not in "uib":
        raise DataError(f"{source}: labels have dtype {y.dtype}; need whole numbers")
    y = y.astype(np.int64)
    if y.min() < 0 or y.max() >= MAX_CLASSES:
        raise DataError(f"{source}: labels span {y.min()}..{y.max()}; "
                        f"expected 0..{MAX_CLASSES - 1}")
    y.flags.writeable = False
    return y


class DeviceData:
    """A data set resident on the training device; batches are drawn by index there."""

    def __init__(self, dataset: Dataset, device: torch.device) -> None:
        self.dataset = dataset
        self.device = device
        self.images = torch.from_numpy(np.array(dataset.images)).unsqueeze(1).to(device)
        self.labels = (None if dataset.labels is None
                       else torch.from_numpy(np.array(dataset.labels)).to(device))
        self.n = dataset.size

    def indices(self, batch: int, gen: torch.Generator) -> torch.Tensor:
        return torch.randint(self.n, (batch,), device=self.device, generator=gen)

    def batch(self, batch: int, gen: torch.Generator) -> torch.Tensor:
        return self.images[self.indices(batch, gen)]
