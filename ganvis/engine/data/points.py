"""2-D point sets for the theory lab: built-in mixtures of Gaussians whose density is known
exactly, and the user's own points (.csv, .npy or .npz holding N x 2 numbers).

ring8 and grid25 are the synthetic sets of the VEEGAN and PacGAN experiments, with the
parameters of PacGAN's public code: 8 Gaussians of standard deviation 0.01 evenly on the unit
circle; 25 Gaussians of standard deviation 0.05 at (-4, -2, 0, 2, 4)^2. Their components are
the modes the VEEGAN protocol counts. The teaching sets (gaussian, moons, spiral, line) are
mixtures of many Gaussians along a curve: sampling them and their density are exact alike.
"""

from __future__ import annotations

import csv
import math
import zipfile
from array import array
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch

from ganvis.engine.data.arrays import read_npy_member, refuse_ganvis_file
from ganvis.engine.errors import DataError

TRAIN_POINTS = 100_000  # a built-in set's training sample (PacGAN's num_sample)
MAX_POINTS = 5_000_000
MAX_FILE_BYTES = 512 * 2**20  # refuse larger points files unread
MAX_COORD = 1e6
POINT_SETS = {
    "ring8": "8 Gaussians on a circle (VEEGAN/PacGAN)",
    "grid25": "25 Gaussians on a 5 × 5 grid (VEEGAN/PacGAN)",
    "gaussian": "one Gaussian",
    "moons": "two moons",
    "spiral": "a spiral",
    "line": "a line",
}


@dataclass(frozen=True)
class Mixture:
    """An isotropic Gaussian mixture in the plane: weights w_k, means m_k, deviations s_k."""

    means: np.ndarray  # (K, 2) float64
    stds: np.ndarray  # (K,)
    weights: np.ndarray  # (K,), summing to 1

    def sample(self, n: int, seed: int) -> np.ndarray:
        rng = np.random.default_rng(seed)
        k = rng.choice(len(self.weights), size=n, p=self.weights)
        return self.means[k] + self.stds[k, None] * rng.standard_normal((n, 2))

    def density(self, xy: np.ndarray, blur: float = 0.0) -> np.ndarray:
        """p(x) at points (M, 2); blur > 0 gives p convolved with N(0, blur^2 I) (exactly:
        each component's variance grows by blur^2)."""
        xy = torch.as_tensor(np.asarray(xy, np.float64))
        var = torch.as_tensor(self.stds ** 2 + blur ** 2)
        out = torch.zeros(len(xy), dtype=torch.float64)
        for i in range(0, len(self.weights), 64):  # (M, 64) blocks: bounded memory
            m = torch.as_tensor(self.means[i:i + 64])
            v, w = var[i:i + 64], torch.as_tensor(self.weights[i:i + 64])
            d2 = torch.cdist(xy, m) ** 2
            out += (w / (2 * math.pi * v) * torch.exp(-d2 / (2 * v))).sum(1)
        return out.numpy()


@dataclass(frozen=True)
class PointSet:
    """Points in the plane to train on, with the exact density when it is known."""

    name: str
    points: np.ndarray  # (N, 2) float32
    mixture: Mixture | None = None  # the exact distribution (built-in sets)
    modes: bool = False  # its components are modes to count (ring8, grid25)
    source: str = ""
    labels: None = None
    binary: bool = False
    note: str = ""  # what loading did, in a line (none for points)

    @property
    def size(self) -> int:
        return int(self.points.shape[0])

    @property
    def sample_shape(self) -> tuple[int, ...]:
        return (2,)

    @property
    def num_classes(self) -> int:
        return 0

    def as_tensor(self) -> torch.Tensor:
        return torch.from_numpy(np.array(self.points, np.float32))

    def shard(self, rank: int, world: int) -> PointSet:
        if world <= 1:
            return self
        return PointSet(self.name, self.points[rank::world], self.mixture, self.modes,
                        self.source)

    def bounds(self, pad: float = 0.15) -> tuple[float, float, float, float]:
        """A square (x0, x1, y0, y1) around the data, `pad` of its size beyond each side."""
        lo, hi = np.percentile(self.points, 0.05, axis=0), np.percentile(self.points, 99.95, 0)
        c, half = (lo + hi) / 2, float((hi - lo).max()) / 2 * (1 + pad) or 1.0
        return c[0] - half, c[0] + half, c[1] - half, c[1] + half

    def scale(self) -> float:
        """The finest structure of the data: its smallest component's deviation, or for user
        points Scott's rule bandwidth (N^(-1/6) times their spread)."""
        if self.mixture is not None:
            return float(self.mixture.stds.min())
        return float(self.points.std(0).mean()) * self.size ** (-1 / 6)


def builtin_points(name: str) -> PointSet:
    if name not in POINT_SETS:
        raise DataError(f"{name}: no such point set; built in: {', '.join(POINT_SETS)}, or "
                        "csv:FILE, npy:FILE, npz:FILE")
    return _builtin(name)


@lru_cache(maxsize=8)
def _builtin(name: str) -> PointSet:
    mixture = _mixtures()[name]
    points = mixture.sample(TRAIN_POINTS, seed=2017).astype(np.float32)
    points.flags.writeable = False
    return PointSet(name, points, mixture, modes=name in ("ring8", "grid25"), source="built-in")


def _mixtures() -> dict[str, Mixture]:
    def along(xy: np.ndarray, std: float) -> Mixture:
        k = len(xy)
        return Mixture(np.asarray(xy, np.float64), np.full(k, std), np.full(k, 1.0 / k))

    a = np.arange(8) * 2 * math.pi / 8
    grid = np.array([(i, j) for i in range(-4, 5, 2) for j in range(-4, 5, 2)], np.float64)
    t = np.linspace(0, math.pi, 100)
    moons = np.concatenate([np.stack([np.cos(t), np.sin(t)], 1),
                            np.stack([1 - np.cos(t), 0.5 - np.sin(t)], 1)]) - [0.5, 0.25]
    s = np.linspace(0.25, 1.0, 200) ** 0.5 * 3 * math.pi
    spiral = np.stack([s * np.cos(s), s * np.sin(s)], 1) / (3 * math.pi)
    u = np.linspace(-1, 1, 100)
    return {
        "ring8": along(np.stack([np.cos(a), np.sin(a)], 1), 0.01),
        "grid25": along(grid, 0.05),
        "gaussian": along([[0.5, 0.5]], 0.3),
        "moons": along(moons, 0.05),
        "spiral": along(spiral, 0.03),
        "line": along(np.stack([u, 0.5 * u], 1), 0.02),
    }


def load_points(spec: str) -> PointSet:
    """A built-in set by name, or `csv:FILE`, `npy:FILE`, `npz:FILE` (N x 2 numbers)."""
    kind, sep, rest = spec.partition(":")
    if not sep:
        return builtin_points(spec)
    if kind not in ("csv", "npy", "npz"):
        raise DataError(f"{spec}: points come as csv:FILE, npy:FILE or npz:FILE, or a built-in "
                        f"set ({', '.join(POINT_SETS)})")
    path = Path(rest).expanduser()
    if not path.is_file():
        raise DataError(f"{path}: no such file")
    refuse_ganvis_file(path)
    if path.stat().st_size > MAX_FILE_BYTES:
        raise DataError(f"{path}: {path.stat().st_size / 2**20:.0f} MiB; ganvis reads point "
                        f"files up to {MAX_FILE_BYTES / 2**20:.0f} MiB")
    reader = {"csv": _read_csv, "npy": _read_npy, "npz": _read_npz}[kind]
    points = check_points(reader(path), str(path))
    return PointSet(path.stem, points, source=str(path))


def check_points(a: np.ndarray, source: str) -> np.ndarray:
    """N x 2 finite numbers of a plausible size, as read-only float32."""
    a = np.asarray(a)
    if a.ndim != 2 or a.shape[1] != 2:
        raise DataError(f"{source}: points must be N x 2 (x, y), got shape {a.shape}")
    if a.dtype.kind not in "uif":
        raise DataError(f"{source}: points must be numbers, got {a.dtype}")
    if not 2 <= len(a) <= MAX_POINTS:
        raise DataError(f"{source}: {len(a)} points; ganvis takes 2 to {MAX_POINTS:,}")
    a = a.astype(np.float32)
    if not np.isfinite(a).all():
        raise DataError(f"{source}: the points hold NaN or infinite values")
    if np.abs(a).max() > MAX_COORD:
        raise DataError(f"{source}: coordinates beyond ±{MAX_COORD:g}; rescale the points")
    if (a.max(0) - a.min(0)).min() <= 0:
        raise DataError(f"{source}: the points lie on a horizontal or vertical line; they need "
                        "some spread in both x and y")
    a.flags.writeable = False
    return a


def _read_csv(path: Path) -> np.ndarray:
    """x, y per line, read line by line (an optional header line, # comments)."""
    values, header = array("d"), False
    try:
        with open(path, encoding="utf-8", newline="") as f:
            for i, row in enumerate(csv.reader(f)):
                cells = [c.strip() for c in row if c.strip()]
                if not cells or cells[0].startswith("#"):
                    continue
                try:
                    xy = [float(c) for c in cells]
                except ValueError:
                    if values or header:  # one header line, before the numbers
                        raise DataError(f"{path}: line {i + 1} is not two numbers: "
                                        f"{row[:4]!r}") from None
                    header = True
                    continue
                if len(xy) != 2:
                    raise DataError(f"{path}: line {i + 1} has {len(xy)} values; expected x, y")
                if len(values) >= 2 * MAX_POINTS:
                    raise DataError(f"{path}: more than {MAX_POINTS:,} points")
                values.extend(xy)
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise DataError(f"{path}: cannot read it as comma-separated text ({e})") from None
    return np.frombuffer(values, np.float64).reshape(-1, 2)


def _check_header(path: Path) -> Callable[[tuple[int, ...], np.dtype], None]:
    """Refuse an array that cannot be points from its header alone."""
    def check(shape: tuple[int, ...], dtype: np.dtype) -> None:
        if len(shape) != 2 or shape[1] != 2:
            raise DataError(f"{path}: points must be N x 2 (x, y), got shape {shape}")
        if not 2 <= shape[0] <= MAX_POINTS:
            raise DataError(f"{path}: {shape[0]} points; ganvis takes 2 to {MAX_POINTS:,}")
    return check


def _read_npy(path: Path) -> np.ndarray:
    try:
        with open(path, "rb") as f:
            return read_npy_member(f, path.stat().st_size, path, path.name, _check_header(path))
    except OSError as e:
        raise DataError(f"{path}: cannot read ({e})") from None


def _read_npz(path: Path) -> np.ndarray:
    try:
        with zipfile.ZipFile(path) as zf:
            arrays = [i for i in zf.infolist() if i.filename.endswith(".npy")]
            named = [i for i in arrays if i.filename.removesuffix(".npy") in ("points", "x")]
            pick = named or arrays
            if len(pick) != 1:
                raise DataError(f"{path}: cannot tell which array holds the points; name it "
                                "'points'")
            with zf.open(pick[0]) as fp:
                return read_npy_member(fp, pick[0].file_size, path, pick[0].filename,
                                       _check_header(path))
    except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError,
            NotImplementedError) as e:
        raise DataError(f"{path}: not a readable .npz file ({e})") from None
