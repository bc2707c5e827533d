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
# Pillow guesses a file's format from its bytes; only these decoders are let near user files
FORMATS = ["PNG", "JPEG", "BMP", "GIF", "WEBP", "TIFF", "PPM"]
MAX_FILES = 1_000_000
MAX_DECODE_PIXELS = 40_000_000  # a picture's header may claim more; such a picture is skipped
MAX_FILE_BYTES = 256 * 2**20  # some decoders read the whole file before its header is checked
DEFAULT_SIZE = 28


def load_folder(path: Path, size: int = DEFAULT_SIZE) -> Dataset:
    path = Path(path)
    if not path.is_dir():
        raise DataError(f"{path}: not a folder (images:DIR reads a folder of pictures)")
    if not MIN_SIDE <= size <= MAX_SIDE:
        raise DataError(f"image size {size}: ganvis takes {MIN_SIDE} to {MAX_SIDE}")
    entries = _entries(path)
    classes = sorted(e.name for e in entries if e.is_dir(follow_symlinks=False)
                     and not e.name.startswith((".", "__")))
    classes = [c for c in classes if any(_pictures(path / c)[0])]
    if len(classes) > MAX_CLASSES:
        raise DataError(f"{path}: {len(classes)} class folders; ganvis takes at most "
                        f"{MAX_CLASSES}")
    loose, links = _pictures(path)
    if classes:
        files = []
        for i, c in enumerate(classes):
            found, more_links = _pictures(path / c)
            files += [(f, i) for f in sorted(found)]
            links += more_links
    else:
        files = [(f, -1) for f in sorted(loose)]
    if not files:
        raise DataError(f"{path}: no pictures ({', '.join(SUFFIXES)}) in it or in its "
                        "subfolders" + (f" ({links} links, not followed)" if links else ""))
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
    labels = labels[:kept]
    if classes:  # classes whose pictures were all unreadable are not classes
        present = np.unique(labels)
        labels = np.searchsorted(present, labels)
        classes = [classes[i] for i in present]
    ds = make(path.name or str(path), images[:kept], labels if classes else None, str(path))
    what = f"{len(classes)} classes from its subfolders" if classes else "no labels"
    note = (f"read {kept:,} pictures from {path} ({what}), made grey and fitted to {size} x "
            f"{size} (shorter side scaled, centre kept)")
    if skipped:
        note += "; skipped " + ", ".join(f"{n} {why}" for why, n in skipped.items())
    if links:
        note += f"; {links} links not followed"
    if classes and loose:
        note += f"; {len(loose)} pictures outside the class folders left out"
    return dataclasses.replace(ds, note=note)


def _entries(folder: Path) -> list[os.DirEntry]:
    try:
        with os.scandir(folder) as it:
            return list(it)
    except OSError as e:
        raise DataError(f"{folder}: cannot list it ({e.strerror or e})") from None


def _pictures(folder: Path) -> tuple[list[Path], int]:
    """Regular files with a picture's suffix, and how many links there were (links are not
    followed: nothing outside the folder is read)."""
    found, links = [], 0
    for e in _entries(folder):
        if not e.name.lower().endswith(SUFFIXES):
            continue
        if e.is_symlink():
            links += 1
        elif e.is_file(follow_symlinks=False):
            found.append(Path(e.path))
    return found, links


def _read(path: Path, size: int) -> tuple[np.ndarray | None, str]:
    """One picture, grey and size x size; or None and why it was skipped."""
    try:
        if path.stat().st_size > MAX_FILE_BYTES:
            return None, "too large"
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path, formats=FORMATS) as im:  # reads the header only
                w, h = im.size
                if w < 1 or h < 1 or w * h > MAX_DECODE_PIXELS:
                    return None, "too large"
                im.draft("L", (size, size))  # JPEG: decode at a fraction of the size
                grey = im.convert("L")
                fitted = ImageOps.fit(grey, (size, size), Image.Resampling.LANCZOS)
                return np.asarray(fitted, np.uint8), ""
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return None, "too large"
    except Exception:  # noqa: BLE001  a decoder's error on a broken file, whatever its kind
        return None, "unreadable"
