"""A data set in memory (grey images in [-1, 1], optional labels), resident on the training
device as DeviceData; and the checks every loader shares: image sizes, pixel ranges, labels,
reading no more than the bytes present."""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import numpy as np
import torch

from ganvis.engine.errors import DataError

MAX_PIXEL_BYTES = 2**31  # 2 GiB of 8-bit pixels: about 2.7 million 28x28 images
MIN_SIDE, MAX_SIDE = 4, 256
MAX_CLASSES = 1000
# Compressed data (gzip IDX, deflated .npz members) may inflate to at most this many times its
# stored size: MNIST-like images compress 3-30 times; a decompression bomb, a thousand.
MAX_INFLATE = 100
CHUNK = 1 << 24  # bytes read at a time: memory grows only with data that is really there
H5_ERRORS = (OSError, RuntimeError, KeyError, ValueError, TypeError)  # h5py on a damaged file
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
    note: str = ""  # what loading did, in a line (an image folder: read, made grey, fitted)

    @property
    def size(self) -> int:
        return int(self.images.shape[0])

    @property
    def image_shape(self) -> tuple[int, int]:
        return int(self.images.shape[1]), int(self.images.shape[2])

    @property
    def sample_shape(self) -> tuple[int, ...]:
        """The shape of one sample: (H, W) here, (2,) for points."""
        return self.image_shape

    def as_tensor(self) -> torch.Tensor:
        """The images as a (N, 1, H, W) float32 tensor (a copy)."""
        return torch.from_numpy(np.array(self.images)).unsqueeze(1)

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
        return Dataset(f"{self.name}-binary", imgs, self.labels, True, self.source, self.note)


def read_exact(f: BinaryIO, n: int, path: Path) -> bytes:
    """Read n bytes in chunks, so memory grows only with data that is really there."""
    buf = bytearray()
    while len(buf) < n:
        chunk = f.read(min(CHUNK, n - len(buf)))
        if not chunk:
            raise DataError(f"{path}: truncated: header promises {n} bytes, file holds {len(buf)}")
        buf += chunk
    return bytes(buf)


def check_image_dims(path: Path | str, n: int, h: int, w: int) -> None:
    if not (MIN_SIDE <= h <= MAX_SIDE and MIN_SIDE <= w <= MAX_SIDE):
        raise DataError(f"{path}: images of {h}x{w} pixels; ganvis takes {MIN_SIDE} to {MAX_SIDE}")
    if n < 1:
        raise DataError(f"{path}: holds no images")
    if n * h * w > MAX_PIXEL_BYTES:
        raise DataError(
            f"{path}: header claims {n} images of {h}x{w} ({n * h * w / 2**30:.1f} GiB of pixels); "
            f"ganvis loads at most {MAX_PIXEL_BYTES / 2**30:.0f} GiB"
        )


def pick_keys(path, arrays: dict, header) -> tuple[str, str | None]:
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


def make(name: str, images: np.ndarray, labels: np.ndarray | None, source: str) -> Dataset:
    images = as_images(images, source)
    if labels is not None:
        labels = as_labels(labels, len(images), source)
    images.flags.writeable = False
    return Dataset(name, images, labels, False, source)


def as_images(a: np.ndarray, source: str) -> np.ndarray:
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
    check_image_dims(source, *a.shape)
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


def as_labels(y: np.ndarray, n: int, source: str) -> np.ndarray:
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
    """A data set resident on the training device; batches are drawn by index there.
    `images` holds the samples: (N, 1, H, W) images, or (N, 2) points."""

    def __init__(self, dataset, device: torch.device) -> None:
        self.dataset = dataset
        self.device = device
        self.images = dataset.as_tensor().to(device)
        self.labels = (None if dataset.labels is None
                       else torch.from_numpy(np.array(dataset.labels)).to(device))
        self.n = dataset.size

    def indices(self, batch: int, gen: torch.Generator) -> torch.Tensor:
        return torch.randint(self.n, (batch,), device=self.device, generator=gen)

    def batch(self, batch: int, gen: torch.Generator) -> torch.Tensor:
        return self.images[self.indices(batch, gen)]
