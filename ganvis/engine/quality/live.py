"""Quality metrics measured during training, within a fixed share of the training time.

A Run owns one LiveMetrics. Between steps the Run asks it whether a measurement is due; it is
due when at least `every` steps have passed *and* the training time since the last measurement
is at least (1 - BUDGET) / BUDGET times what that measurement cost, so that measuring never
takes more than BUDGET of the time. The codes (and, for the supervised AAE, the digits) are
fixed per run, so a curve shows the model changing, not the noise.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import torch

from ganvis.engine.data import BUILTIN, Dataset, load_dataset
from ganvis.engine.errors import ConfigError, GanvisError
from ganvis.engine.latent.priors import sample_prior
from ganvis.engine.quality.judge import judge_path, missing_judge
from ganvis.engine.quality.metrics import evaluate, real_floor, reference, reference_of
from ganvis.engine.quality.paced import PacedSeries

BUDGET = 0.05  # at most this share of training time goes to measuring
LIVE_N = 1000  # images per live measurement (`ganvis eval` uses more)
KEYS = ("step", "fcd", "coverage", "class_kl", "score", "memorisation_ratio",
        "control_accuracy", "seconds", "collapse")
# Fewer digits than this among the confident predictions: mode collapse (a run that covers
# all ten and then loses some is the classic picture; an untrained one starts low too).
COLLAPSE_BELOW = 7
COLLAPSE_GRACE = 1000


def metrics_note(data) -> str:
    """Why a run on `data` (a Dataset or a spec) has no metrics ('' when it can have them)."""
    name = data if isinstance(data, str) else data.name
    if name in BUILTIN:
        return ""
    try:
        ds = load_dataset(data) if isinstance(data, str) else data
        return missing_judge(ds, data if isinstance(data, str) else ds.source or ds.name)
    except GanvisError as e:  # e.g. a damaged judge file in the cache
        return f"quality metrics are off: {e}"


def binarise(images: np.ndarray) -> np.ndarray:
    """Samples of a model of binary data, compared as binary images (-1 or +1)."""
    return np.where(images > 0.0, 1.0, -1.0).astype(np.float32)


class LiveMetrics(PacedSeries):
    """Measures a generator every so often and keeps the series (one row per measurement)."""

    def __init__(self, data: Dataset, prior: str, latent_dim: int,
                 num_classes: int, seed: int, every: int, n: int = LIVE_N) -> None:
        super().__init__(KEYS, every, BUDGET)
        self.note = metrics_note(data) if every > 0 else ""
        self.enabled = every > 0 and not self.note
        # A labelled data set whose judge is being trained (`ganvis judge`, the app): measuring
        # starts once its file is in the cache.
        self.awaiting = judge_path(data) if self.note.startswith("no judge") else None
        self.silenced = False  # set on the ranks of a distributed run that do not measure
        self.data, self.binary = data, data.binary
        # fewer classes than this among the confident predictions: collapse (7 of 10 digits)
        self.collapse_below = max(2, round(COLLAPSE_BELOW * (data.num_classes or 10) / 10))
        gen = torch.Generator().manual_seed(seed + 7)
        self.z = sample_prior(prior, n, latent_dim, gen)
        self.digits = (torch.arange(n) % num_classes) if num_classes else None

    def due(self, step: int, elapsed: float) -> bool:
        if self.awaiting is not None and self.awaiting.is_file():
            # (a rank other than 0 of a distributed run never measured: ranks.py)
            self.awaiting, self.note = None, ""
            self.enabled = self.every > 0 and not self.silenced
        return super().due(step, elapsed)

    def measure(self, step: int, elapsed: float,
                generate: Callable[[torch.Tensor, torch.Tensor | None], np.ndarray],
                device: torch.device) -> dict[str, float]:
        """Generate the fixed codes, score them, append a row; returns the row."""
        if not self.enabled and self.note:
            return {}
        try:
            ref = reference_of(self.data, str(device))  # built once per process, not timed
            if device.type == "cuda":  # bill queued training work to training, not to this
                torch.cuda.synchronize(device)
            t0 = time.perf_counter()
            images = generate(self.z, self.digits)
            if self.binary:
                images = binarise(images)
            digits = None if self.digits is None else self.digits.numpy()
            m = evaluate(images, digits, ref=ref, device=device)
        except (ConfigError, GanvisError) as e:  # e.g. the classifier file is damaged
            self.enabled, self.note = False, f"quality metrics are off: {e}"
            return {}
        except Exception as e:  # noqa: BLE001 - measuring must never stop a training run
            self.enabled = False
            self.note = f"quality metrics are off after an error: {type(e).__name__}: {e}"
            return {}
        cost = time.perf_counter() - t0
        row = {"step": float(step), "seconds": cost,
               **{k: float(m[k]) for k in KEYS if k in m}}
        # Collapse: too few digits, once the run had covered enough of them, or still too few
        # after COLLAPSE_GRACE steps (an untrained generator covers few digits too).
        low = m["coverage"] < self.collapse_below
        seen = max(self.history["coverage"], default=0.0) >= self.collapse_below
        row["collapse"] = float(low and (seen or step >= COLLAPSE_GRACE))
        self._append(row, cost, elapsed)
        return row



def score_sampler(sampler, n: int = 2000, seed: int = 0) -> dict[str, float]:
    """Every metric of n images from a frozen generator (digits cycling 0..9 for a model that
    takes one), with the real-data floor beside it. FCD shrinks as n grows, and the floor is
    measured on the held-out split (500 digits; 50 per class of a user's data), so `fcd_ratio`
    compares like with like: the FCD of as many of the images over the floor."""
    data = sampler.config.data
    note = metrics_note(data)
    if note:
        raise GanvisError(note)
    t0 = time.perf_counter()
    z = sampler.z(n, seed)
    digits = sampler.default_digits(n) if sampler.conditional else None
    images = np.concatenate([sampler(z[i:i + 500], None if digits is None else digits[i:i + 500])
                             for i in range(0, n, 500)])
    if data.endswith("-binary"):
        images = binarise(images)
    ref = reference(data)
    result = evaluate(images, digits, ref=ref)
    result["seconds"] = time.perf_counter() - t0
    floor = real_floor(data)["fcd_floor"]
    m = len(ref.held_images)  # below that many images the ratio uses all (biased up a little)
    first = evaluate(images[:m], None, ref=ref)["fcd"] if n > m else result["fcd"]
    result.update(fcd_500=first if n >= m else None, fcd_floor=floor,
                  fcd_ratio=first / floor,
                  step=sampler.step, model=sampler.config.model)
    return result
