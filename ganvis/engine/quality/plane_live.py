"""The 2-D game measured during training (plane.py's quantities), within a share of the
training time, as LiveMetrics does for images: JS and KL at resolution h, V(D, G) and its
bound on JS, how far D is from D*, and the VEEGAN/PacGAN mode counts."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np
import torch

from ganvis.engine.data.points import PointSet
from ganvis.engine.latent.priors import sample_prior
from ganvis.engine.quality.game import LOG4
from ganvis.engine.quality.paced import PacedSeries
from ganvis.engine.quality.plane import (
    KDE_SAMPLES,
    PROTOCOL_SAMPLES,
    PlaneGrid,
    data_density,
    divergences,
    game_value,
    grid_for,
    kde,
    modes_report,
    optimal_d,
    pooled,
    resolution,
)

BUDGET = 0.10  # at most this share of training time goes to measuring
VIEW_CELLS = 96  # cells a side of the D* picture the views get
KEYS = ("step", "js", "kl_data_g", "kl_g_data", "v", "v_bound", "d_gap", "modes",
        "high_quality", "reverse_kl", "seconds")
V_SAMPLES = 10_000  # real and fake points V(D, G) is estimated on
LIVES = 0.05  # "where the data lives": cells with at least this share of the density's peak


class PlaneMetrics(PacedSeries):
    """Measures the 2-D game every so often (same interface as LiveMetrics); the latest
    D* picture is kept for the views."""

    def __init__(self, data: PointSet, prior: str, latent_dim: int, seed: int,
                 every: int, pack: int = 1) -> None:
        super().__init__(KEYS, every, BUDGET)
        self.data, self.pack = data, pack
        self.enabled = every > 0
        self.note = ("The 2-D game is measured in the theory lab: JS, its bound from V, D's "
                     "distance from D*, modes and high-quality samples.")
        self.h = resolution(data)
        self.grid = grid_for(data, self.h)
        self._p_data: np.ndarray | None = None  # computed at the first measurement
        gen = torch.Generator().manual_seed(seed + 7)
        self.z = sample_prior(prior, KDE_SAMPLES, latent_dim, gen)
        rng = np.random.default_rng(seed + 8)
        self.real = torch.as_tensor(data.points[rng.integers(data.size, size=V_SAMPLES)])
        self.d_star: np.ndarray | None = None  # (VIEW_CELLS, VIEW_CELLS) over view_grid
        self.view_grid: PlaneGrid | None = None

    def p_data(self) -> np.ndarray:
        if self._p_data is None:
            self._p_data = data_density(self.data, self.grid, self.h)
        return self._p_data

    def measure(self, step: int, elapsed: float, fakes: Callable[[torch.Tensor], np.ndarray],
                samples: Callable[[torch.Tensor], np.ndarray],
                verdicts: Callable[[torch.Tensor], np.ndarray],
                surface: Callable[[torch.Tensor], np.ndarray]) -> dict[str, float]:
        """fakes(z) -> G's points (the game D plays: divergences, D*, V); samples(z) -> the
        points samples are drawn as (the averaged G, when the run keeps one: modes and high
        quality); verdicts(points) -> D's probabilities as it judges (packs); surface(points)
        -> D(x) of single points. Appends a row and returns it."""
        p = self.p_data()
        t0 = time.perf_counter()
        fake = fakes(self.z)
        q = kde(fake, self.grid, self.h)
        drawn = samples(self.z[:PROTOCOL_SAMPLES])
        row: dict[str, float] = {"step": float(step), **divergences(p, q, self.grid.area),
                                 **modes_report(drawn, self.data)}
        v = game_value(verdicts(self.real), verdicts(torch.as_tensor(fake[:V_SAMPLES])))
        row["v"], row["v_bound"] = v, max(0.0, (v + LOG4) / 2)
        row["d_gap"] = self._d_star(p, q, surface)
        row["seconds"] = time.perf_counter() - t0
        self._append(row, row["seconds"], elapsed)
        return row

    def _d_star(self, p: np.ndarray, q: np.ndarray, surface) -> float:
        """Keep D* on a coarse grid for the views; return max |D - D*| where the data or the
        samples live (cells holding at least LIVES of either density's peak). A D that judges
        packs of m points is compared, on m copies of each point, with the best D for packs
        there: p^m / (p^m + q^m)."""
        factor = max(1, self.grid.n // VIEW_CELLS)
        pc, qc = pooled(p, factor), pooled(q, factor)
        g = self.grid
        n = pc.shape[0]
        self.view_grid = PlaneGrid(g.x0, g.x0 + n * factor * g.cell, g.y0,
                                   g.y0 + n * factor * (g.y1 - g.y0) / g.n, n)
        self.d_star = optimal_d(pc, qc).astype(np.float32)
        d = surface(torch.as_tensor(self.view_grid.centres(), dtype=torch.float32))
        d = d.reshape(n, n)
        live = (pc > LIVES * pc.max()) | (qc > LIVES * qc.max())
        best = self.d_star.astype(np.float64)
        if self.pack > 1:  # r^m / (r^m + (1 - r)^m) with r = D*, = p^m / (p^m + q^m)
            with np.errstate(invalid="ignore"):
                best = best ** self.pack / (best ** self.pack + (1 - best) ** self.pack)
        gap = np.abs(d - best)[live & np.isfinite(best)]
        return float(gap.max()) if gap.size else math.nan
