"""The kinds of data a family trains on: images (MNIST-like) or points in the plane."""

from __future__ import annotations

from ganvis.engine.data import load_dataset
from ganvis.engine.data.points import POINT_SETS, load_points
from ganvis.engine.family import DataKind

IMAGES = DataKind(
    name="images", default="mnist5k",
    builtin={"mnist5k": "MNIST-5k (built in)", "mnist5k-binary": "MNIST-5k, binarised"},
    load=load_dataset,
    file_filter="Data sets (*.npz *.h5 *.hdf5 *idx3-ubyte *idx3-ubyte.gz);;All files (*)",
    specs={".npz": "npz", ".h5": "h5", ".hdf5": "h5", "": "idx"})
POINTS = DataKind(
    name="points", default="ring8",
    builtin={name: f"{name}: {about}" for name, about in POINT_SETS.items()},
    load=load_points,
    file_filter="Points, N x 2 (*.csv *.npy *.npz);;All files (*)",
    specs={".csv": "csv", ".npy": "npy", ".npz": "npz"})
