"""Sample-quality metrics for image models: FCD, coverage, classifier score, memorisation.

All of them look at images through the shipped evaluation classifier (evalnet.py), whose
training split is also the reference here: the 500 held-out real digits show what a perfect
generator would score ("the floor"), since they are real but were never seen in training.
  fcd                Frechet distance of classifier features to the training split's
  coverage           classes receiving >= 2% of the confident predictions (10 = all digits)
  class_kl           KL(predicted-class histogram || uniform), nats; 0 = balanced
  score              exp E[KL(p(y|x) || p(y))] (the "Inception score" with our classifier)
  memorisation_ratio mean nearest-training-image distance of the samples over that of the
                     held-out real digits; well below 1 means copying the training set
A labelled data set of the user's is measured the same way through its own judge (judge.py),
against its own held-out floor. Nearest neighbours in pixel space need no classifier
(pixels.py): they serve any image data set, labelled or not.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import torch

from ganvis.engine.data import BUILTIN, Dataset, load_dataset
from ganvis.engine.errors import ConfigError
from ganvis.engine.quality.evalnet import EvalNet, load_eval_net, split_indices
from ganvis.engine.quality.judge import Judge, cached_judge, judged, missing_judge

CHUNK = 1000          # images per classifier pass: bounded memory, still BLAS-sized
NN_CHUNK = 500        # samples per distance block: 500 x 4500 floats = 9 MB
MIN_CLASS_SHARE = 0.02
REF_MAX = 20000       # training images a user's data set is compared with (a fixed subset)


def frechet_distance(mu1: np.ndarray, sigma1: np.ndarray,
                     mu2: np.ndarray, sigma2: np.ndarray) -> float:
    """||mu1 - mu2||^2 + Tr(s1 + s2 - 2 (s1 s2)^1/2) between two Gaussians.

    Tr (s1 s2)^1/2 equals Tr (r s2 r)^1/2 with r = s1^1/2, and r s2 r is symmetric PSD, so
    two symmetric eigen-decompositions (float64, tiny negative eigenvalues from rounding
    clipped to 0) give it stably, even for singular covariances such as blank images'."""
    mu1, mu2 = np.asarray(mu1, np.float64).ravel(), np.asarray(mu2, np.float64).ravel()
    s1, s2 = np.atleast_2d(np.asarray(sigma1, np.float64)), np.atleast_2d(
        np.asarray(sigma2, np.float64))
    d = mu1.shape[0]
    if mu2.shape != (d,) or s1.shape != (d, d) or s2.shape != (d, d):
        raise ValueError(f"frechet_distance: shapes {mu1.shape}, {s1.shape}, {mu2.shape}, "
                         f"{s2.shape} do not describe two {d}-dimensional Gaussians")
    s1, s2 = (s1 + s1.T) / 2, (s2 + s2.T) / 2
    w, v = np.linalg.eigh(s1)
    root1 = (v * np.sqrt(np.clip(w, 0.0, None))) @ v.T
    m = root1 @ s2 @ root1
    tr_covmean = np.sqrt(np.clip(np.linalg.eigvalsh((m + m.T) / 2), 0.0, None)).sum()
    diff = mu1 - mu2
    dist = diff @ diff + np.trace(s1) + np.trace(s2) - 2.0 * tr_covmean
    return float(max(dist, 0.0))  # rounding can leave -1e-12 for identical statistics


@dataclass(frozen=True)
class Reference:
    """What samples are compared with: the training split of a labelled data set, seen by its
    judge (the shipped classifier for the built-in digits). For a user's data set of more than
    REF_MAX training images, a fixed subset of REF_MAX of them stands for the split."""

    name: str
    device: str
    net: EvalNet               # the judge
    mu: np.ndarray             # (F,) float64 mean classifier features of the training split
    sigma: np.ndarray          # (F, F) float64 their covariance
    train_images: torch.Tensor  # (4500, 784) float32 on `device`, for nearest neighbours
    train_sq: torch.Tensor      # (4500,) their squared norms (precomputed: used every call)
    held_images: np.ndarray    # (500, 28, 28) float32 held-out real images
    held_labels: np.ndarray    # (500,) int64
    nn_real: float             # mean distance of held-out digits to their nearest training one
    train_feats: np.ndarray    # (4500, F) float32 classifier features, for feature neighbours
    train_index: np.ndarray    # (4500,) each training-split image's index in the data set


def reference(name: str = "mnist5k", device: str = "cpu") -> Reference:
    """The reference of a built-in data set, or of a user's data spec with a judge in the
    cache (a ConfigError says why there is none)."""
    if name in BUILTIN:
        return _builtin_reference(name, str(device))
    ds, judge = judged(name, device)
    return judged_reference(ds, judge, device)


def reference_of(ds: Dataset, device: str = "cpu") -> Reference:
    """The reference of a data set in memory (a run's): the built-in digits', or that of a
    user's data set through its cached judge (a ConfigError says why there is none)."""
    if ds.name in BUILTIN:
        return _builtin_reference(ds.name, str(device))
    judge = cached_judge(ds, device)
    if judge is None:
        raise ConfigError(missing_judge(ds, ds.source or ds.name))
    return judged_reference(ds, judge, device)


def judged_reference(ds: Dataset, judge: Judge, device: str = "cpu") -> Reference:
    """The reference of a user's data set seen by its judge (the last two are kept)."""
    key = (judge.key, str(device))
    if key not in _JUDGED or _JUDGED[key][0] is not judge:  # new, or the judge retrained
        _JUDGED.pop(key, None)
        if len(_JUDGED) >= 2:
            _JUDGED.pop(next(iter(_JUDGED)))
        _JUDGED[key] = (judge, _build(ds.name, str(device), ds, judge.net))
    return _JUDGED[key][1]


_JUDGED: dict[tuple[str, str], tuple[Judge, Reference]] = {}


@lru_cache(maxsize=4)
def _builtin_reference(name: str, device: str) -> Reference:
    return _build(name, device, load_dataset(name), load_eval_net(device))


def _build(name: str, device: str, ds: Dataset, net: EvalNet) -> Reference:
    train_idx, held_idx = split_indices(ds.labels)
    if len(train_idx) > REF_MAX:
        train_idx = np.sort(np.random.default_rng(0).choice(train_idx, REF_MAX, replace=False))
    train = torch.from_numpy(np.array(ds.images[train_idx])).to(device)
    feats, _ = _classify(net, train)
    mu, sigma = _stats(feats)
    flat = train.reshape(len(train), -1).contiguous()
    sq = (flat * flat).sum(1)
    held = np.array(ds.images[held_idx])
    held.flags.writeable = False
    labels = ds.labels[held_idx].astype(np.int64)
    labels.flags.writeable = False
    nn_real = _mean_nn(torch.tensor(held, device=device), flat, sq)
    return Reference(name, device, net, mu, sigma, flat, sq, held, labels, nn_real,
                     feats.astype(np.float32), np.asarray(train_idx, np.int64))


def nearest_training(image: np.ndarray, k: int = 5, ref: Reference | None = None) -> dict:
    """The k training digits nearest to one image (28, 28) in [-1, 1], in pixel space and in
    the classifier's feature space: the memorisation check for a single sample. Indices are
    into the data set; `held_out_nn` is the typical distance of a fresh real digit to its
    nearest training digit, for scale."""
    ref = ref if ref is not None else reference("mnist5k")
    x = _as_images(np.asarray(image, np.float32)[None], ref)
    flat = x.reshape(1, -1)
    d2 = ref.train_sq + (flat * flat).sum() - 2.0 * (ref.train_images @ flat[0])
    pix = d2.clamp_min(0.0).sqrt().cpu().numpy()
    feats, _ = _classify(ref.net, x)
    fd = np.linalg.norm(ref.train_feats - feats[0].astype(np.float32), axis=1)
    out = {"held_out_nn": ref.nn_real}
    for key, dist in (("pixel", pix), ("feature", fd)):
        order = np.argsort(dist)[:k]
        out[key] = [(int(ref.train_index[i]), float(dist[i])) for i in order]
    return out


def evaluate(images: np.ndarray | torch.Tensor, digits: np.ndarray | torch.Tensor | None = None,
             *, ref: Reference | None = None, device: str = "cpu",
             confident: float = 0.5) -> dict[str, Any]:
    """Every metric of N generated (N, 28, 28) images in [-1, 1]; plain Python numbers.
    `digits` (N,), the digits a conditional model was asked for, adds control_accuracy."""
    ref = ref if ref is not None else reference("mnist5k", device)
    x = _as_images(images, ref)
    n, k = len(x), ref.net.num_classes
    feats, probs = _classify(ref.net, x)
    mu, sigma = _stats(feats)
    pred = probs.argmax(1)
    out: dict[str, Any] = {"n": n, "fcd": frechet_distance(mu, sigma, ref.mu, ref.sigma)}

    sure = probs.max(1) >= confident
    counts = np.bincount(pred[sure], minlength=k)
    share = counts / max(int(sure.sum()), 1)
    out["coverage"] = int((share >= MIN_CLASS_SHARE).sum()) if sure.any() else 0
    hist = np.bincount(pred, minlength=k) / n
    nz = hist > 0
    out["class_kl"] = float((hist[nz] * np.log(hist[nz] * k)).sum())
    out["score"] = _classifier_score(probs)
    out["confident_share"] = float(sure.mean())

    nn_gen = _mean_nn(x, ref.train_images, ref.train_sq)
    out["nn_gen"] = nn_gen
    out["nn_real"] = ref.nn_real
    out["memorisation_ratio"] = nn_gen / ref.nn_real if ref.nn_real > 0 else float("nan")
    if digits is not None:
        want = np.asarray(digits.cpu() if isinstance(digits, torch.Tensor) else digits)
        if want.shape != (n,):
            raise ConfigError(f"digits has shape {want.shape}; expected one per image ({n},)")
        out["control_accuracy"] = float((pred == want.astype(np.int64)).mean())
    return out


def real_floor(name: str = "mnist5k", device: str = "cpu") -> dict[str, float]:
    """What real images score (the floor a perfect generator reaches) and what noise and blank
    images score (ceilings), to put a model's numbers in context. All use 500 images: FCD
    shrinks as N grows (fewer sampling errors), so compare a model's FCD at N = 500. `name`:
    a built-in data set, or a user's data spec with a judge."""
    if name in BUILTIN:
        return dict(_builtin_floor(name, str(device)))
    return dict(_floor(name, reference(name, device)))


@lru_cache(maxsize=4)
def _builtin_floor(name: str, device: str) -> tuple[tuple[str, float], ...]:
    return _floor(name, reference(name, device))


def _floor(name: str, ref: Reference) -> tuple[tuple[str, float], ...]:
    real = evaluate(ref.held_images, ref.held_labels, ref=ref)
    shape = (500, *ref.held_images.shape[1:])
    noise = np.random.default_rng(0).uniform(-1, 1, shape).astype(np.float32)
    if name.endswith("-binary"):  # noise of the data set's own kind: binary pixels
        noise = np.where(noise > 0, 1.0, -1.0).astype(np.float32)
    blank = np.full(shape, -1.0, np.float32)
    return (("fcd_floor", real["fcd"]), ("accuracy", real["control_accuracy"]),
            ("classes", float(ref.net.num_classes)), ("train_size", float(len(ref.train_sq))),
            ("score_real", real["score"]), ("coverage_real", real["coverage"]),
            ("nn_real", ref.nn_real),
            ("fcd_noise", evaluate(noise, ref=ref)["fcd"]),
            ("fcd_blank", evaluate(blank, ref=ref)["fcd"]))


# --- helpers ---------------------------------------------------------------------------------


def _as_images(images: np.ndarray | torch.Tensor, ref: Reference) -> torch.Tensor:
    # a copy for arrays: data set images are read-only, which torch.from_numpy warns about
    x = images if isinstance(images, torch.Tensor) else torch.tensor(np.asarray(images))
    if x.dim() == 4 and x.shape[1] == 1:
        x = x[:, 0]
    h, w = ref.held_images.shape[1:]
    if x.dim() != 3 or tuple(x.shape[1:]) != (h, w) or x.shape[0] < 1:
        raise ConfigError(f"metrics need N x {h} x {w} images (N >= 1); got "
                          f"{tuple(x.shape)}")
    x = x.detach().to(device=ref.device, dtype=torch.float32)
    if not torch.isfinite(x).all():
        raise ConfigError("images hold NaN or infinite values (did the model diverge?); "
                          "nothing to measure")
    return x


@torch.inference_mode()
def _classify(net: EvalNet, x: torch.Tensor) -> tuple[np.ndarray, np.ndarray]:
    """(features float64 (N, F), softmax probabilities float64 (N, 10)), in chunks."""
    feats, probs = [], []
    for i in range(0, len(x), CHUNK):
        f = net.features(x[i:i + CHUNK])
        logits = net.logits_from_features(f)
        # float64 on the host: some devices (Apple MPS) have no float64
        feats.append(f.float().cpu().double().numpy())
        probs.append(torch.softmax(logits.float().cpu().double(), 1).numpy())
    return np.concatenate(feats), np.concatenate(probs)


def _stats(feats: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    mu = feats.mean(0)
    if len(feats) < 2:  # one image: no spread to estimate; zero covariance, not NaN
        return mu, np.zeros((feats.shape[1], feats.shape[1]))
    return mu, np.cov(feats, rowvar=False)


def _classifier_score(probs: np.ndarray) -> float:
    eps = 1e-12
    marginal = probs.mean(0, keepdims=True)
    kl = (probs * (np.log(probs + eps) - np.log(marginal + eps))).sum(1)
    return float(np.exp(kl.mean()))


@torch.inference_mode()
def _mean_nn(x: torch.Tensor, train: torch.Tensor, train_sq: torch.Tensor) -> float:
    """Mean Euclidean pixel distance of each image to its nearest training image, in blocks:
    |a - b|^2 = |a|^2 + |b|^2 - 2 a.b, so the work is one matrix product per block."""
    flat = x.reshape(len(x), -1)
    total = 0.0
    for i in range(0, len(flat), NN_CHUNK):
        a = flat[i:i + NN_CHUNK]
        d2 = torch.addmm(train_sq.unsqueeze(0), a, train.T, alpha=-2.0)
        best = d2.min(1).values + (a * a).sum(1)
        total += float(best.clamp_min(0.0).sqrt().sum())
    return total / len(flat)
