"""The game in numbers, from D's verdicts on the probe batches: V(D, G), the bound on the
Jensen-Shannon divergence it gives, how well D separates the two batches, a verdict in words,
and the D(x) histogram.

For a fixed G the best discriminator D* gives V = -log 4 + 2 JS(p_data || p_g) (Goodfellow et
al., Theorem 1); any other D gives less. So (V + log 4) / 2 is a lower bound on JS, reached
only when D = D*: stepping D alone a few times moves it toward D* and the bound up.
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


def js_lower_bound(v: float) -> float:
    """(V + log 4) / 2, at least 0: a lower bound on JS(p_data || p_g), equal to it when D is
    the optimal discriminator."""
    return max(0.0, (v + LOG4) / 2)


def separation(real_probs: np.ndarray, fake_probs: np.ndarray) -> float:
    """How often D ranks a real sample above a fake one (ties count half): 1 when the two
    histograms do not overlap, 0.5 when D cannot tell them apart (the ROC curve's area)."""
    r = np.asarray(real_probs, np.float64)
    f = np.sort(np.asarray(fake_probs, np.float64))
    below = np.searchsorted(f, r, side="left")
    ties = np.searchsorted(f, r, side="right") - below
    return float((below + 0.5 * ties).sum() / (len(r) * len(f)))


def verdict(real_probs: np.ndarray, fake_probs: np.ndarray, step: int = 1,
            real: str = "real", fake: str = "fake") -> str:
    """The state of the game in words, from how far apart D's two histograms are (not only
    their means)."""
    if step == 0:
        return "Not started: D's verdicts are those of random weights. Press Train."
    s = separation(real_probs, fake_probs)
    ranks = f"it ranks {real} above {fake} {s:.0%} of the time"
    if s >= 0.9:
        return f"D is winning: {ranks}."
    if s >= 0.65:
        return f"D leans the right way: {ranks} (50%: it cannot tell)."
    if s > 0.35:
        near = abs(float(np.mean(real_probs)) - 0.5) < 0.1 and \
            abs(float(np.mean(fake_probs)) - 0.5) < 0.1
        return (f"Near equilibrium: D can hardly tell {real} from {fake} ({s:.0%})." if near
                else f"Contested: D can hardly tell {real} from {fake} ({s:.0%}).")
    return f"G is fooling D: it ranks {fake} above {real} {1 - s:.0%} of the time."


def prob_hist(p: np.ndarray, bins: int = BINS) -> np.ndarray:
    """The D(x) histogram: share of probabilities per bin on [0, 1] (sums to 1)."""
    h, _ = np.histogram(np.clip(p, 0.0, 1.0), bins=bins, range=(0.0, 1.0))
    return h / max(1, h.sum())
