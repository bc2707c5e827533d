"""Paths through a latent space: linear and spherical interpolation between two codes."""

from __future__ import annotations

import numpy as np

MODES = ("linear", "spherical")


def interpolate(a: np.ndarray, b: np.ndarray, t: float, mode: str = "linear") -> np.ndarray:
    """The code a fraction t of the way from a to b. t = 0 and t = 1 give a and b exactly (so
    the endpoints reproduce the two samples bit for bit). Spherical interpolation (slerp)
    follows the great circle and keeps a Gaussian code's norm typical along the way, where the
    straight line passes through the low-density middle."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}, got {mode!r}")
    a, b = np.asarray(a, np.float32), np.asarray(b, np.float32)
    if t <= 0.0:
        return a.copy()
    if t >= 1.0:
        return b.copy()
    if mode == "spherical":
        na, nb = np.linalg.norm(a), np.linalg.norm(b)
        if na > 0 and nb > 0:
            cos = float(np.clip(np.dot(a / na, b / nb), -1.0, 1.0))
            omega = np.arccos(cos)
            if omega > 1e-6:
                s = np.sin(omega)
                return ((np.sin((1 - t) * omega) / s) * a
                        + (np.sin(t * omega) / s) * b).astype(np.float32)
    return ((1 - t) * a + t * b).astype(np.float32)


def path(a: np.ndarray, b: np.ndarray, n: int, mode: str = "linear") -> np.ndarray:
    """n codes from a to b inclusive (n >= 2), evenly spaced in t."""
    if n < 2:
        raise ValueError("a path needs at least its two ends")
    return np.stack([interpolate(a, b, i / (n - 1), mode) for i in range(n)])
