"""A folder of pictures (PNG, JPEG, ...) as a data set, read with Pillow.

The common ImageFolder layout: one subfolder per class gives labels (classes in name order);
pictures directly in the folder, with no class folders, give a data set without labels. Each
picture is turned grey and fitted to size x size (the shorter side scaled, the centre cut out).
Broken or hostile files are skipped and counted, never trusted: a picture's size is read from
its header and checked before anything is decoded, symbolic links are not followed, and the
number of files and of pixels kept is bounded.
"""

from __future__ import annotations

import dataclasses
import os
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from ganvis.engine.data.dataset import (
    MAX_CLASSES,
    MAX_PIXEL_BYTES,
    MAX_SIDE,
    MIN_SIDE,
    Dataset,
    make,
)
from ganvis.engine.errors import DataError

SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff", ".pgm", ".ppm")
MAX_FILES = 1_000_000
MAX_DECODE_PIXELS = 40_000_000  # a picture's header may claim more; such a picture is skipped
DEFAULT_SIZE = 28


def load_folder(path: Path, size: int = DEFAULT_SIZE) -> Dataset:
    path = Path(path)
    if not path.is_dir():
        raise DataError(f"{path}: not a folder (images:DIR reads a folder of pictures)")
    if not MIN_SIDE <= size <= MAX_SIDE:
        raise DataError(f"image size {size}: ganvis takes {MIN_SIDE} to {MAX_SIDE}")
    classes = sorted(e.name for e in _entries(path) if e.is_dir(follow_symlinks=False))
    classes = [c for c in classes if any(_pictures(path / c))]
    if len(classes) > MAX_CLASSES:
        raise DataError(f"{path}: {len(classes)} class folders; ganvis takes at most "
                        f"{MAX_CLASSES}")
    if classes:
        files = [(f, i) for i, c in enumerate(classes) for f in sorted(_pictures(path / c))]
    else:
        files = [(f, -1) for f in sorted(_pictures(path))]
    if not files:
        raise DataError(f"{path}: no pictures ({', '.join(SUFFIXES)}) in it or in its "
                        "subfolders")
    cap = min(MAX_FILES, MAX_PIXEL_BYTES // (size * size))
    if len(files) > cap:
        raise DataError(f"{path}: {len(files):,} pictures; ganvis takes at most {cap:,} at "
                        f"{size} x {size}")
    images = np.empty((len(files), size, size), np.uint8)
    labels = np.empty(len(files), np.int64)
    kept, skipped = 0, {}
    for f, label in files:
        picture, why = _read(f, size)
        if picture is None:
            skipped[why] = skipped.get(why, 0) + 1
            continue
        images[kept], labels[kept] = picture, label
        kept += 1
    if not kept:
        reasons = ", ".join(f"{n} {why}" for why, n in skipped.items())
        raise DataError(f"{path}: none of its {len(files)} pictures could be read ({reasons})")
    ds = make(path.name or str(path), images[:kept], labels[:kept] if classes else None,
              str(path))
    what = f"{len(classes)} classes from its subfolders" if classes else "no labels"
    note = (f"read {kept:,} pictures from {path} ({what}), made grey and fitted to {size} x "
            f"{size} (shorter side scaled, centre kept)")
    if skipped:
        note += "; skipped " + ", ".join(f"{n} {why}" for why, n in skipped.items())
    return dataclasses.replace(ds, note=note)


def _entries(folder: Path) -> list[os.DirEntry]:
    try:
        with os.scandir(folder) as it:
            return list(it)
    except OSError as e:
        raise DataError(f"{folder}: cannot list it ({e.strerror or e})") from None


def _pictures(folder: Path):
    """Regular files with a picture's suffix (links are not followed out of the folder)."""
    for e in _entries(folder):
        if e.is_file(follow_symlinks=False) and e.name.lower().endswith(SUFFIXES):
            yield Path(e.path)


def _read(path: Path, size: int) -> tuple[np.ndarray | None, str]:
    """One picture, grey and size x size; or None and why it was skipped."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as im:  # reads the header only
                w, h = im.size
                if w < 1 or h < 1 or w * h > MAX_DECODE_PIXELS:
                    return None, "too large"
                im.draft("L", (size, size))  # JPEG: decode at a fraction of the size
                grey = im.convert("L")
                fitted = ImageOps.fit(grey, (size, size), Image.Resampling.LANCZOS)
                return np.asarray(fitted, np.uint8), ""
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None, "too large"
    except (OSError, ValueError, SyntaxError, EOFError, MemoryError, Image.UnidentifiedImageError):
        return None, "unreadable"
