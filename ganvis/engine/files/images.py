"""Image grids: tiling a batch of images into one picture, captioning it, and writing it as
PNG (with Pillow; no Qt)."""

from __future__ import annotations

import io
import math
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ganvis.engine.files.atomic import atomic_write_bytes


def to_uint8(images: np.ndarray) -> np.ndarray:
    """[-1, 1] floats -> 0..255 bytes (values outside are clipped)."""
    return np.clip(np.rint((np.asarray(images, np.float32) + 1.0) * 127.5), 0, 255).astype(np.uint8)


def tile(images: np.ndarray, cols: int | None = None, pad: int = 2, scale: int = 1,
         background: int = 0) -> np.ndarray:
    """(n, H, W) images in [-1, 1] (or uint8) -> one uint8 picture, `cols` wide,
    nearest-neighbour `scale`."""
    images = images if images.dtype == np.uint8 else to_uint8(images)
    n, h, w = images.shape
    cols = cols or max(1, math.ceil(math.sqrt(n)))
    rows = max(1, math.ceil(n / cols))
    if scale > 1:
        images = images.repeat(scale, axis=1).repeat(scale, axis=2)
        h, w = h * scale, w * scale
    out = np.full((rows * h + (rows + 1) * pad, cols * w + (cols + 1) * pad), background, np.uint8)
    for i in range(n):
        r, c = divmod(i, cols)
        y, x = pad + r * (h + pad), pad + c * (w + pad)
        out[y:y + h, x:x + w] = images[i]
    return out


def png_bytes(pixels: np.ndarray) -> bytes:
    """Encode an 8-bit grey (H, W) or RGB (H, W, 3) array as PNG."""
    a = np.ascontiguousarray(pixels, dtype=np.uint8)
    if not (a.ndim == 2 or (a.ndim == 3 and a.shape[2] == 3)):
        raise ValueError(f"PNG needs an (H, W) or (H, W, 3) array, got {a.shape}")
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, "PNG", compress_level=9)
    return buf.getvalue()


def caption(pixels: np.ndarray, text: str, background: int = 40, ink: int = 230) -> np.ndarray:
    """A grey picture (H, W) with a band above it that says `text` (e.g. "step 1,200")."""
    h, w = pixels.shape
    size = int(np.clip(w // 14, 11, 28))
    band = Image.new("L", (w, size + size // 2), background)
    ImageDraw.Draw(band).text((max(2, size // 3), size // 4), text, fill=ink,
                              font=ImageFont.load_default(size=size))
    return np.concatenate([np.asarray(band, np.uint8), np.asarray(pixels, np.uint8)])


def save_grid(path: str | Path, images: np.ndarray, cols: int | None = None,
              scale: int = 2, pad: int = 2) -> Path:
    """Tile `images` and write them atomically as a PNG file."""
    return atomic_write_bytes(path, png_bytes(tile(images, cols=cols, pad=pad, scale=scale)))



def scatter(points: np.ndarray, bounds: tuple[float, float, float, float] | None = None,
            size: int = 512, background: int = 24) -> np.ndarray:
    """Points (n, 2) drawn as soft 3x3 dots on a size x size grey picture (y up); denser
    places are brighter. bounds (x0, x1, y0, y1) default to the points' own, padded."""
    p = np.asarray(points, np.float64)
    if bounds is None:
        lo, hi = p.min(0), p.max(0)
        c, half = (lo + hi) / 2, max(float((hi - lo).max()) / 2 * 1.15, 1e-6)
        bounds = (c[0] - half, c[0] + half, c[1] - half, c[1] + half)
    x0, x1, y0, y1 = bounds
    col = np.round((p[:, 0] - x0) / (x1 - x0) * (size - 1)).astype(np.int64)
    row = np.round((y1 - p[:, 1]) / (y1 - y0) * (size - 1)).astype(np.int64)
    ink = np.zeros((size + 2, size + 2))
    on = (col >= 0) & (col < size) & (row >= 0) & (row < size)
    for dr, dc, w in ((0, 0, 1.0), (-1, 0, 0.5), (1, 0, 0.5), (0, -1, 0.5), (0, 1, 0.5)):
        np.add.at(ink, (row[on] + 1 + dr, col[on] + 1 + dc), w)
    ink = ink[1:-1, 1:-1]
    level = np.log1p(ink) / max(np.log1p(ink).max(), 1e-9)
    return np.clip(background + level * (255 - background), 0, 255).astype(np.uint8)


def save_points(path: str | Path, points: np.ndarray) -> Path:
    """Points (n, 2) as .npy (a plain float32 array), .csv (x,y lines) or a .png scatter,
    by the file's suffix; written atomically."""
    path = Path(path)
    p = np.asarray(points, np.float32)
    suffix = path.suffix.lower()
    if suffix == ".npy":
        buf = io.BytesIO()
        np.save(buf, p, allow_pickle=False)
        data = buf.getvalue()
    elif suffix == ".csv":
        data = ("x,y\n" + "".join(f"{x:.7g},{y:.7g}\n" for x, y in p)).encode()
    else:
        data = png_bytes(scatter(p))
    return atomic_write_bytes(path, data)
