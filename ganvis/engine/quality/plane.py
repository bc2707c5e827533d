"""The GAN game in the plane, computed where it can be exact.

Densities live on a grid of cells over the data. p_data is known exactly for the built-in sets
(mixtures of Gaussians); for user points it is a kernel density estimate. p_g is a kernel
density estimate of many generator samples: their histogram on the grid, blurred by a
Gaussian of bandwidth h. To compare like with like, p_data is blurred by the same N(0, h^2 I)
(exactly: each component's variance grows by h^2). So every divergence here is *at resolution
h*: between the two distributions as seen through the same Gaussian blur. Blurring never
increases a divergence, so JS_h <= JS, and JS_h -> JS as h -> 0. h is half the finest
structure of the data, or Scott's bandwidth for the samples behind p_g if that is smaller
(ring8: 0.005, grid25: 0.025, gaussian: 0.057).

With these: JS(p_data || p_g) and KL both ways by summing over the cells; the optimal
discriminator D* = p_data / (p_data + p_g) on the grid; and, by the VEEGAN/PacGAN protocol on
2,500 samples, the modes captured and the share of high-quality samples.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F

from ganvis.engine.data.points import PointSet

MIN_CELLS, MAX_CELLS = 128, 640  # cells per side of the integration grid
KDE_SAMPLES = 20_000  # generator samples behind p_g
PROTOCOL_SAMPLES = 2_500  # the VEEGAN/PacGAN protocol's sample size
HQ_SIGMAS = 3.0  # a sample within 3 standard deviations of its nearest mode is high quality
FLOOR = 1e-12  # a cell's smallest probability where a logarithm needs one (KL)


@dataclass(frozen=True)
class PlaneGrid:
    """n x n cells over the square [x0, x1] x [y0, y1]; arrays are indexed [row y, column x]."""

    x0: float
    x1: float
    y0: float
    y1: float
    n: int

    @property
    def cell(self) -> float:
        return (self.x1 - self.x0) / self.n

    @property
    def area(self) -> float:
        """One cell's area."""
        return self.cell * (self.y1 - self.y0) / self.n

    def centres(self) -> np.ndarray:
        """(n * n, 2) cell centres, row by row (y), x varying fastest."""
        xs = self.x0 + (np.arange(self.n) + 0.5) * self.cell
        ys = self.y0 + (np.arange(self.n) + 0.5) * (self.y1 - self.y0) / self.n
        gx, gy = np.meshgrid(xs, ys)
        return np.stack([gx.ravel(), gy.ravel()], 1)


def resolution(data: PointSet) -> float:
    """h: half the finest structure of the data, or the bandwidth Scott's rule gives a kernel
    density estimate of KDE_SAMPLES points of the data's spread, whichever is smaller."""
    scott = float(np.asarray(data.points, np.float64).std(0).mean()) * KDE_SAMPLES ** (-1 / 6)
    return min(data.scale() / 2, scott)


def grid_for(data: PointSet, h: float) -> PlaneGrid:
    """The integration grid over the data's square: cells no larger than h, with at least
    MIN_CELLS a side; at most MAX_CELLS a side, so where that caps it, cells are wider than h."""
    x0, x1, y0, y1 = data.bounds()
    n = int(np.clip(math.ceil((x1 - x0) / h), MIN_CELLS, MAX_CELLS))
    return PlaneGrid(x0, x1, y0, y1, n)


def data_density(data: PointSet, grid: PlaneGrid, h: float) -> np.ndarray:
    """p_data blurred by N(0, h^2 I) on the grid: exact for a mixture, else a KDE of the data
    points with bandwidth h (then it is the points' own density estimate)."""
    if data.mixture is not None:
        return data.mixture.density(grid.centres(), blur=h).reshape(grid.n, grid.n)
    return kde(np.asarray(data.points, np.float64), grid, h)


def kde(samples: np.ndarray, grid: PlaneGrid, h: float) -> np.ndarray:
    """A binned Gaussian kernel density estimate on the grid: the samples' histogram, blurred
    by N(0, h^2 I) (two 1-D convolutions). Samples off the grid are dropped, so the density
    integrates to the share of samples on it."""
    s = torch.as_tensor(samples, dtype=torch.float64)
    col = torch.floor((s[:, 0] - grid.x0) / grid.cell).long()
    row = torch.floor((s[:, 1] - grid.y0) / ((grid.y1 - grid.y0) / grid.n)).long()
    on = (col >= 0) & (col < grid.n) & (row >= 0) & (row < grid.n)
    counts = torch.bincount(row[on] * grid.n + col[on], minlength=grid.n * grid.n)
    hist = counts.reshape(1, 1, grid.n, grid.n).double() / (len(s) * grid.cell ** 2)
    sigma = h / grid.cell
    radius = max(1, int(math.ceil(4 * sigma)))
    t = torch.arange(-radius, radius + 1, dtype=torch.float64)
    k = torch.exp(-t ** 2 / (2 * sigma ** 2))
    k = k / k.sum()
    out = F.conv2d(hist, k.view(1, 1, 1, -1), padding=(0, radius))
    out = F.conv2d(out, k.view(1, 1, -1, 1), padding=(radius, 0))
    return out[0, 0].numpy()


def divergences(p: np.ndarray, q: np.ndarray, area: float) -> dict[str, float]:
    """JS(P || Q) and KL both ways (nats) between two densities on the same grid (cells of
    `area`), as cell masses plus one more cell: everything off the grid. Mass a density puts
    off the grid (samples that fell outside it) is compared there, not renormalised away."""
    P, Q = (_with_outside(a, area) for a in (p, q))
    M = (P + Q) / 2
    js = 0.5 * _kl(P, M) + 0.5 * _kl(Q, M)
    return {"js": min(max(js, 0.0), math.log(2)), "kl_data_g": _kl(P, np.maximum(Q, FLOOR)),
            "kl_g_data": _kl(Q, np.maximum(P, FLOOR))}


def _with_outside(density: np.ndarray, area: float) -> np.ndarray:
    mass = np.asarray(density, np.float64).ravel() * area
    on = mass.sum()
    if on > 1:  # the grid's midpoint sums can overshoot a whole density by a hair
        mass, on = mass / on, 1.0
    return np.append(mass, 1.0 - on)


def _kl(a: np.ndarray, b: np.ndarray) -> float:
    m = a > 1e-300  # below, a * log(a / b) is nothing, and a / 2 may round to 0
    return float((a[m] * np.log(a[m] / b[m])).sum())


def optimal_d(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """D*(x) = p_data / (p_data + p_g); NaN where neither has any density."""
    total = p + q
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(total > 1e-12 * total.max(), p / total, np.nan)


def pooled(a: np.ndarray, factor: int) -> np.ndarray:
    """Average factor x factor blocks (a coarser grid of the same square)."""
    n = a.shape[0] // factor * factor
    a = a[:n, :n]
    return a.reshape(n // factor, factor, n // factor, factor).mean((1, 3))


def modes_report(samples: np.ndarray, data: PointSet) -> dict[str, float]:
    """The VEEGAN/PacGAN protocol: each sample goes to its nearest mode in standard
    deviations; within HQ_SIGMAS it is high quality; a mode is captured when at least one
    high-quality sample is nearest to it. reverse_kl is KL(the high-quality samples' mode
    histogram || uniform), as PacGAN reports it."""
    if data.mixture is None or not data.modes:
        nan = float("nan")
        return {"modes": nan, "high_quality": nan, "reverse_kl": nan}
    mix = data.mixture
    d = torch.cdist(torch.as_tensor(samples, dtype=torch.float64), torch.as_tensor(mix.means))
    d = d / torch.as_tensor(mix.stds)
    best, which = d.min(1)
    good = best < HQ_SIGMAS
    counts = np.bincount(which[good].numpy(), minlength=len(mix.means)).astype(np.float64)
    total = counts.sum()
    share = counts / total if total else counts
    kl = float((share[share > 0] * np.log(share[share > 0] * len(share))).sum()) \
        if total else float("nan")
    return {"modes": float((counts > 0).sum()), "high_quality": float(good.float().mean()),
            "reverse_kl": kl}


def game_value(real_probs: np.ndarray, fake_probs: np.ndarray) -> float:
    """V(D, G) = E[log D(x)] + E[log(1 - D(G(z)))] on samples."""
    r = np.clip(np.asarray(real_probs, np.float64), 1e-12, 1 - 1e-12)
    f = np.clip(np.asarray(fake_probs, np.float64), 1e-12, 1 - 1e-12)
    return float(np.log(r).mean() + np.log1p(-f).mean())
