"""Nearest neighbours in pixel space, for any image data set (the user's own, labelled or not):
no classifier is needed, so these figures exist where FCD and coverage cannot."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from ganvis.engine.data import load_dataset
from ganvis.engine.errors import ConfigError

NN_BLOCK = 65536      # training images per pixel-distance block
NN_REAL_WORK = 2 * 10**9  # multiply-adds the typical real-to-real distance may cost
NN_REAL_MAX, NN_REAL_MIN = 200, 20  # images it is measured on: at most, and at least


@dataclass(frozen=True)
class PixelReference:
    """Any image data set, for nearest neighbours in pixel space (no classifier needed)."""

    images: np.ndarray       # (N, H, W) float32 in [-1, 1], the data set's own (read-only)
    sq: np.ndarray           # (N,) their squared norms
    nn_real: float | None    # mean distance of a training image to its nearest other one
    nn_measured: int         # how many images that mean rests on (0: too costly, not measured)


def pixel_reference(spec: str) -> PixelReference:
    """The pixel reference of data set `spec` (any load_dataset spec), cached while its file
    is unchanged."""
    try:
        st = Path(spec.partition(":")[2] or spec).expanduser().stat()
        stamp = (st.st_mtime_ns, st.st_size)
    except OSError:
        stamp = None
    return _pixel_reference(spec, stamp)


@lru_cache(maxsize=1)
def _pixel_reference(spec: str, stamp: tuple[int, int] | None) -> PixelReference:
    images = load_dataset(spec).images
    flat = images.reshape(len(images), -1)
    sq = np.einsum("ij,ij->i", flat, flat)
    # The typical real-to-real distance, on as many images as NN_REAL_WORK multiply-adds allow
    # (200 for MNIST-sized sets, all of a small one); too few on a huge set: not measured.
    n, d = flat.shape
    q = min(NN_REAL_MAX, n, NN_REAL_WORK // (n * d))
    if n < 2 or q < min(NN_REAL_MIN, n):
        return PixelReference(images, sq, None, 0)
    pick = np.random.default_rng(0).choice(n, q, replace=False)
    best = np.full(q, np.inf, np.float32)
    for i in range(0, n, NN_BLOCK):  # (q, NN_BLOCK) at a time: no copy of the data set
        d2 = _pixel_d2(flat[pick], flat[i:i + NN_BLOCK], sq[i:i + NN_BLOCK])
        own = (pick >= i) & (pick < i + NN_BLOCK)
        d2[own, pick[own] - i] = np.inf  # an image is not its own neighbour
        best = np.minimum(best, d2.min(1))
    return PixelReference(images, sq, float(np.sqrt(np.clip(best, 0.0, None)).mean()), q)


def nearest_pixels(image: np.ndarray, k: int, ref: PixelReference) -> dict:
    """The k training images nearest to one image (H, W) in [-1, 1] in pixel space, as
    `pixel`: [(index, distance)], with `held_out_nn` the typical real-to-real distance (None
    when not measured) and `measured`, how many images that rests on."""
    x = np.asarray(image, np.float32)
    if x.shape != ref.images.shape[1:]:
        raise ConfigError(f"a sample of {x.shape[0]}x{x.shape[1]} pixels cannot be compared "
                          f"with training images of {ref.images.shape[1]}x"
                          f"{ref.images.shape[2]}")
    if not np.isfinite(x).all():
        raise ConfigError("the sample holds NaN or infinite values (did the model diverge?)")
    flat = ref.images.reshape(len(ref.images), -1)
    d = np.sqrt(np.clip(_pixel_d2(x.reshape(1, -1), flat, ref.sq)[0], 0.0, None))
    order = np.argsort(d)[:k]
    return {"pixel": [(int(i), float(d[i])) for i in order], "held_out_nn": ref.nn_real,
            "measured": ref.nn_measured}


def _pixel_d2(a: np.ndarray, flat: np.ndarray, sq: np.ndarray) -> np.ndarray:
    """Squared distances (len(a), len(flat)): |a|^2 + |b|^2 - 2 a.b, one matrix product."""
    return np.einsum("ij,ij->i", a, a)[:, None] + sq - 2.0 * (a @ flat.T)
