"""Data sets: built-in MNIST-5k (and its binarised variant), IDX, npz and HDF5 arrays, and
folders of pictures.

Every loader validates what it reads and raises DataError naming the file and the problem.
Sizes claimed by a file's header are checked against a cap and against the bytes actually
present before anything that large is allocated.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from ganvis.engine.data.arrays import load_h5, load_npz, refuse_ganvis_file
from ganvis.engine.data.dataset import (
    H5_ERRORS,
    MAX_CLASSES,
    MAX_PIXEL_BYTES,
    MAX_SIDE,
    MIN_SIDE,
    Dataset,
    DeviceData,
)
from ganvis.engine.data.folder import DEFAULT_SIZE, load_folder
from ganvis.engine.data.idx import load_idx
from ganvis.engine.errors import DataError
from ganvis.resources import resource

BUILTIN = ("mnist5k", "mnist5k-binary")
__all__ = ["BUILTIN", "H5_ERRORS", "MAX_CLASSES", "MAX_PIXEL_BYTES", "MAX_SIDE", "MIN_SIDE",
           "Dataset", "DeviceData", "load_dataset", "load_folder", "load_h5", "load_idx",
           "load_npz", "refuse_ganvis_file"]


def load_dataset(spec: str) -> Dataset:
    """Load `mnist5k`, `mnist5k-binary`, `idx:PATH`, `npz:FILE`, `h5:FILE`, `images:DIR`
    (`imagesN:DIR`: fitted to N x N pixels, not 28) or a bare file path."""
    if spec == "mnist5k":
        return _builtin()
    if spec == "mnist5k-binary":
        return _builtin().binarized()
    kind, sep, rest = spec.partition(":")
    digits = kind[6:]
    if sep and kind.startswith("images") and (not digits or (digits.isascii()
                                                             and digits.isdecimal())):
        if not rest:
            raise DataError("images: name the folder of pictures (images:DIR)")
        return load_folder(Path(rest).expanduser(), int(digits) if digits else DEFAULT_SIZE)
    if sep and kind in ("idx", "npz", "h5", "hdf5"):
        path = Path(rest).expanduser()
    else:
        kind, path = "", Path(spec).expanduser()
        if not path.exists():
            raise DataError(f"{spec}: no such data set; use mnist5k, mnist5k-binary, "
                            "idx:DIR, npz:FILE, h5:FILE or images:DIR")
    if not path.exists():
        raise DataError(f"{path}: no such file or folder")
    refuse_ganvis_file(path)
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
