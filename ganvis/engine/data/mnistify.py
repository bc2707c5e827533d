"""Turn a drawing into an MNIST-like digit: the ink's bounding box scaled into 20x20 pixels,
placed in a 28x28 frame with its centre of mass at the centre, as LeCun et al. prepared MNIST."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

SIDE, BOX = 28, 20


def to_mnist(ink: np.ndarray) -> np.ndarray:
    """A grey drawing (H, W), ink bright on dark, any range -> (28, 28) float32 in [-1, 1].
    A blank drawing gives a blank digit."""
    a = np.asarray(ink, np.float64)
    if a.ndim != 2:
        raise ValueError(f"expected one grey image (H, W), got shape {a.shape}")
    lo, hi = float(a.min()), float(a.max())
    out = np.zeros((SIDE, SIDE), np.float32)
    if hi - lo < 1e-9:
        return out - 1.0
    a = (a - lo) / (hi - lo)
    rows, cols = np.flatnonzero(a.max(1) > 0.05), np.flatnonzero(a.max(0) > 0.05)
    crop = a[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    h, w = crop.shape
    scale = BOX / max(h, w)
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    small = F.interpolate(torch.from_numpy(crop)[None, None], size=(nh, nw), mode="area")
    small = small[0, 0].numpy()
    total = small.sum()
    cy = (small.sum(1) * np.arange(nh)).sum() / total
    cx = (small.sum(0) * np.arange(nw)).sum() / total
    top = int(np.clip(round(SIDE / 2 - cy - 0.5), 0, SIDE - nh))
    left = int(np.clip(round(SIDE / 2 - cx - 0.5), 0, SIDE - nw))
    out[top:top + nh, left:left + nw] = small
    return (np.clip(out, 0, 1) * 2 - 1).astype(np.float32)
