"""Snapshots: frozen, host-side pictures of a run between steps (floats and numpy arrays only),
with a typed part for what only some families have."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

# What the history's series are called wherever they are shown in words.
SERIES_LABELS = {"d_loss": "D loss", "g_loss": "G loss", "d_real": "D(x)",
                 "d_fake": "D(G(z))", "recon_loss": "reconstruction"}


def frozen(a: np.ndarray) -> np.ndarray:
    """A read-only float32 host copy (what travels to the views)."""
    a = np.array(a, dtype=np.float32)
    a.flags.writeable = False
    return a


@dataclass(frozen=True)
class AutoencoderPart:
    """What an autoencoder shows besides samples: inputs above their reconstructions, and
    the codes of a fixed labelled batch over samples of the prior."""

    recon_inputs: np.ndarray  # (n, H, W) in [-1, 1]
    recon_outputs: np.ndarray  # (n, H, W)
    codes: np.ndarray  # (m, latent_dim)
    code_labels: np.ndarray | None  # (m,) int64, when the data set has labels
    prior_samples: np.ndarray  # (m, latent_dim)
    pca_outputs: np.ndarray | None = None  # (n, H, W): the inputs through PCA at the code size
    pca_explained: float = float("nan")  # the share of the pixels' variance its axes keep


@dataclass(frozen=True)
class PlanePart:
    """What the 2-D game shows: real and fake points, D's surface, the push G's loss puts on
    each fake point, the generator's manifold and (from the latest measurement) D*."""

    real: np.ndarray  # (n, 2) real points
    fake: np.ndarray  # (n, 2) G on fixed codes
    push: np.ndarray  # (n, 2) minus the gradient of G's loss at each fake point
    bounds: tuple[float, float, float, float]  # (x0, x1, y0, y1): the surface's corner points
    surface: np.ndarray  # (m, m) D(x) at the points of a grid from corner to corner, rows y
    manifold: np.ndarray  # (lines, points, 2): G along the lines of a grid of codes
    pack: int = 1  # D judges this many points at once (the surface: copies of one point)
    d_star: np.ndarray | None = None  # (k, k) D* from the latest measurement
    d_star_bounds: tuple[float, float, float, float] | None = None  # its corner cells' centres
    resolution: float = 0.0  # h: the blur the exact quantities are computed at
    samples: np.ndarray | None = None  # (n, 2) the averaged G on the same codes, if kept
    modes_total: int = 0  # how many modes the data has to capture (0: none to count)


@dataclass(frozen=True)
class Observation:
    """A family's own part of a snapshot (Run.observe)."""

    grid: np.ndarray  # samples from the fixed grid codes: (n, H, W) images or (n, 2) points
    real_probs: np.ndarray  # D on the real probe batch ((0,) without an adversary)
    fake_probs: np.ndarray  # D on the fake probe batch
    grid_cols: int = 8
    autoencoder: AutoencoderPart | None = None
    plane: PlanePart | None = None
    shown_real: np.ndarray | None = None  # real probe images as D is shown them (augmented)


@dataclass(frozen=True)
class Snapshot:
    """A run between steps: counters, speed, the losses since the last history row, the
    sample grid and D's verdicts on fixed probe batches, and the latest quality measurement."""

    model: str  # the family's name
    step: int
    d_steps: int
    g_steps: int
    images_seen: int
    elapsed: float
    images_per_s: float
    steps_per_s: float
    losses: Mapping[str, float]  # the family's series: means since the last history row
    grid: np.ndarray
    real_probs: np.ndarray
    fake_probs: np.ndarray
    device: str
    grid_cols: int = 8
    metrics: Mapping[str, float] = field(default_factory=dict)  # latest measurement, with its step
    metrics_note: str = ""  # why there are none, when there cannot be any
    autoencoder: AutoencoderPart | None = None
    plane: PlanePart | None = None
    # Real images as D is shown them when the run augments them (DiffAugment); else None.
    shown_real: np.ndarray | None = None

    def loss(self, name: str) -> float:
        """A series' latest mean; NaN when this family has no such series."""
        return float(self.losses.get(name, math.nan))

    @property
    def d_loss(self) -> float:
        return self.loss("d_loss")

    @property
    def g_loss(self) -> float:
        return self.loss("g_loss")

    @property
    def d_real(self) -> float:
        return self.loss("d_real")

    @property
    def d_fake(self) -> float:
        return self.loss("d_fake")

    @property
    def recon_loss(self) -> float:
        return self.loss("recon_loss")
