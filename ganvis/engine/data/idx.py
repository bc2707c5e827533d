"""IDX files, the format of MNIST, Fashion-MNIST, KMNIST and EMNIST (gzipped or not), with the
labels file found beside the images file."""

from __future__ import annotations

import gzip
import math
import zlib
from pathlib import Path

import numpy as np

from ganvis.engine.data.dataset import (
    MAX_INFLATE,
    MAX_PIXEL_BYTES,
    Dataset,
    check_image_dims,
    make,
    read_exact,
)
from ganvis.engine.errors import DataError


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
    return make(idx_name(images_path), images, labels, str(images_path))


def idx_name(images_path: Path) -> str:
    """'fashion-mnist/train' for fashion-mnist/train-images-idx3-ubyte.gz: the folder says
    which data set (the files are named alike in every one), the file which split."""
    split = images_path.name.split("-images")[0] or images_path.name
    folder = images_path.parent.name
    return f"{folder}/{split}" if folder else split


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
                check_image_dims(path, dims[0], dims[1], dims[2])
            elif dims[0] < 1 or dims[0] > MAX_PIXEL_BYTES // 16:
                raise DataError(f"{path}: header claims {dims[0]} labels; that is not plausible")
            nbytes = math.prod(dims)
            if opener is gzip.open and nbytes > path.stat().st_size * MAX_INFLATE:
                raise DataError(f"{path}: header claims {nbytes:,} bytes from "
                                f"{path.stat().st_size:,} compressed; ganvis inflates at "
                                f"most {MAX_INFLATE} times (a decompression bomb?)")
            data = read_exact(f, nbytes, path)
            if f.read(1):
                raise DataError(f"{path}: more data than the header's {dims} describe")
    except (OSError, EOFError, gzip.BadGzipFile, zlib.error) as e:
        raise DataError(f"{path}: cannot read ({e})") from None
    return np.frombuffer(data, dtype=np.uint8).reshape(dims)
