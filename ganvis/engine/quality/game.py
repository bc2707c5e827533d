"""The game in numbers, from D's verdicts on the probe batches: V(D, G), the Jensen-Shannon
divergence it implies, a verdict in words, and the D(x) histogram.

For a fixed G the best discriminator gives V = -log 4 + 2 JS(p_data || p_g) (Goodfellow et al.,
Theorem 1), so (V + log 4) / 2 gives the Jensen-Shannon divergence when D is at its optimum;
stepping D alone a few times moves it toward that optimum.
"""

from __future__ import annotations

import math

import numpy as np

LOG4 = math.log(4.0)  # D's loss at equilibrium (D = 1/2 everywhere): V(D, G) = -log 4
EPS = 1e-7
BINS = 40


def game_value(real_probs: np.ndarray, fake_probs: np.ndarray) -> float:
    """V(D, G) = E[log D(x)] + E[log(1 - D(G(z)))] estimated on the probe batches."""
    r = np.clip(real_probs.astype(np.float64), EPS, 1 - EPS)
    f = np.clip(fake_probs.astype(np.float64), EPS, 1 - EPS)
    return float(np.log(r).mean() + np.log1p(-f).mean())


def js_if_optimal(v: float) -> float:
    """(V + log 4) / 2: the Jensen-Shannon divergence, if D were the optimal discriminator."""
    return max(0.0, (v + LOG4) / 2)


def verdict(real_mean: float, fake_mean: float, step: int = 1) -> str:
    if step == 0:
        return "Not started: D's verdicts are those of random weights. Press Train."
    if abs(real_mean - 0.5) < 0.1 and abs(fake_mean - 0.5) < 0.1:
        return "Near equilibrium: D can hardly tell real from fake."
    if real_mean - fake_mean > 0.3:
        return "D is winning: it tells real from fake easily."
    if fake_mean > real_mean:
        return "G is fooling D: fakes look more real to D than real digits do."
    return "Contested: D leans the right way, but not by much."


def prob_hist(p: np.ndarray, bins: int = BINS) -> np.ndarray:
    """The D(x) histogram: share of probabilities per bin on [0, 1] (sums to 1)."""
    h, _ = np.histogram(np.clip(p, 0.0, 1.0), bins=bins, range=(0.0, 1.0))
    return h / max(1, h.sum())
