"""Sample-quality metrics for digit models: FCD, coverage, classifier score, memorisation.

All of them look at images through the shipped evaluation classifier (evalnet.py), whose
training split is also the reference here: the 500 held-out real digits show what a perfect
generator would score ("the floor"), since they are real but were never seen in training.
  fcd                Frechet distance of classifier features to the training split's
  coverage           classes receiving >= 2% of the confident predictions (10 = all digits)
  class_kl           KL(predicted-class histogram || uniform), nats; 0 = balanced
  score              exp E[KL(p(y|x) || p(y))] (the "Inception score" with our classifier)
  memorisation_ratio mean nearest-training-image distance of the samples over that of the
                     held-out real digits; well below 1 means copying the training set
Nearest neighbours in pixel space need no classifier: pixel_reference/nearest_pixels serve any
image data set (the user's own), beside nearest_training for the built-in digits.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ganvis.engine.data import BUILTIN, load_dataset
from ganvis.engine.errors import ConfigError
from ganvis.engine.quality.evalnet import EvalNet, load_eval_net, split_indices

CHUNK = 1000          # images per classifier pass: bounded memory, still BLAS-sized
NN_CHUNK = 500        # samples per distance block: 500 x 4500 floats = 9 MB
MIN_CLASS_SHARE = 0.02
SIDE = 28
NN_BLOCK = 65536      # training images per pixel-distance block (user data sets)
NN_REAL_WORK = 2 * 10**9  # multiply-adds the typical real-to-real distance may cost
NN_REAL_MAX, NN_REAL_MIN = 200, 20  # images it is measured on: at most, and at least


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
    """What samples are compared with: the training split of a built-in digits data set."""

    name: str
    device: str
    mu: np.ndarray             # (F,) float64 mean classifier features of the training split
    sigma: np.ndarray          # (F, F) float64 their covariance
    train_images: torch.Tensor  # (4500, 784) float32 on `device`, for nearest neighbours
    train_sq: torch.Tensor      # (4500,) their squared norms (precomputed: used every call)
    held_images: np.ndarray    # (500, 28, 28) float32 held-out real digits
    held_labels: np.ndarray    # (500,) int64
    nn_real: float             # mean distance of held-out digits to their nearest training one
    train_feats: np.ndarray    # (4500, F) float32 classifier features, for feature neighbours
    train_index: np.ndarray    # (4500,) each training-split image's index in the data set


def reference(name: str = "mnist5k", device: str = "cpu") -> Reference:
    if name not in BUILTIN:
        raise ConfigError(f"metrics need the built-in digits: {name!r} is not one of "
                          f"{', '.join(BUILTIN)} (the evaluation classifier knows only those)")
    return _reference(name, str(device))


@lru_cache(maxsize=4)
def _reference(name: str, device: str) -> Reference:
    ds = load_dataset(name)
    train_idx, held_idx = split_indices(ds.labels)
    net = load_eval_net(device)
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
    return Reference(name, device, mu, sigma, flat, sq, held, labels, nn_real,
                     feats.astype(np.float32), np.asarray(train_idx, np.int64))


def nearest_training(image: np.ndarray, k: int = 5, ref: Reference | None = None) -> dict:
    """The k training digits nearest to one image (28, 28) in [-1, 1], in pixel space and in
    the classifier's feature space: the memorisation check for a single sample. Indices are
    into the data set; `held_out_nn` is the typical distance of a fresh real digit to its
    nearest training digit, for scale."""
    ref = ref if ref is not None else reference("mnist5k")
    x = _as_images(np.asarray(image, np.float32)[None], ref.device)
    flat = x.reshape(1, -1)
    d2 = ref.train_sq + (flat * flat).sum() - 2.0 * (ref.train_images @ flat[0])
    pix = d2.clamp_min(0.0).sqrt().cpu().numpy()
    feats, _ = _classify(load_eval_net(ref.device), x)
    fd = np.linalg.norm(ref.train_feats - feats[0].astype(np.float32), axis=1)
    out = {"held_out_nn": ref.nn_real}
    for key, dist in (("pixel", pix), ("feature", fd)):
        order = np.argsort(dist)[:k]
        out[key] = [(int(ref.train_index[i]), float(dist[i])) for i in order]
    return out


@dataclass(frozen=True)
class PixelReference:
    """Any image data set, for nearest neighbours in pixel space (no classifier needed)."""

    images: np.ndarray       # (N, H, W) float32 in [-1, 1], the data set's own (read-only)
    sq: np.ndarray           # (N,) their squared norms
    nn_real: float | None    # mean distance of a training image to its nearest other one
    nn_measured: int         # how many images that mean rests on (0: too costly, not measured)


def pixel_reference(spec: str) -> PixelReference:
    """The pixel reference of data set `spec` (any load_dataset spec), cached while its file
    is unchanged."""
    try:
        st = Path(spec.partition(":")[2] or spec).expanduser().stat()
        stamp = (st.st_mtime_ns, st.st_size)
    except OSError:
        stamp = None
    return _pixel_reference(spec, stamp)


@lru_cache(maxsize=1)
def _pixel_reference(spec: str, stamp: tuple[int, int] | None) -> PixelReference:
    images = load_dataset(spec).images
    flat = images.reshape(len(images), -1)
    sq = np.einsum("ij,ij->i", flat, flat)
    # The typical real-to-real distance, on as many images as NN_REAL_WORK multiply-adds allow
    # (200 for MNIST-sized sets, all of a small one); too few on a huge set: not measured.
    n, d = flat.shape
    q = min(NN_REAL_MAX, n, NN_REAL_WORK // (n * d))
    if n < 2 or q < min(NN_REAL_MIN, n):
        return PixelReference(images, sq, None, 0)
    pick = np.random.default_rng(0).choice(n, q, replace=False)
    best = np.full(q, np.inf, np.float32)
    for i in range(0, n, NN_BLOCK):  # (q, NN_BLOCK) at a time: no copy of the data set
        d2 = _pixel_d2(flat[pick], flat[i:i + NN_BLOCK], sq[i:i + NN_BLOCK])
        own = (pick >= i) & (pick < i + NN_BLOCK)
        d2[own, pick[own] - i] = np.inf  # an image is not its own neighbour
        best = np.minimum(best, d2.min(1))
    return PixelReference(images, sq, float(np.sqrt(np.clip(best, 0.0, None)).mean()), q)


def nearest_pixels(image: np.ndarray, k: int, ref: PixelReference) -> dict:
    """The k training images nearest to one image (H, W) in [-1, 1] in pixel space, as
    `pixel`: [(index, distance)], with `held_out_nn` the typical real-to-real distance (None
    when not measured) and `measured`, how many images that rests on."""
    x = np.asarray(image, np.float32)
    if x.shape != ref.images.shape[1:]:
        raise ConfigError(f"a sample of {x.shape[0]}x{x.shape[1]} pixels cannot be compared "
                          f"with training images of {ref.images.shape[1]}x"
                          f"{ref.images.shape[2]}")
    if not np.isfinite(x).all():
        raise ConfigError("the sample holds NaN or infinite values (did the model diverge?)")
    flat = ref.images.reshape(len(ref.images), -1)
    d = np.sqrt(np.clip(_pixel_d2(x.reshape(1, -1), flat, ref.sq)[0], 0.0, None))
    order = np.argsort(d)[:k]
    return {"pixel": [(int(i), float(d[i])) for i in order], "held_out_nn": ref.nn_real,
            "measured": ref.nn_measured}


def _pixel_d2(a: np.ndarray, flat: np.ndarray, sq: np.ndarray) -> np.ndarray:
    """Squared distances (len(a), len(flat)): |a|^2 + |b|^2 - 2 a.b, one matrix product."""
    return np.einsum("ij,ij->i", a, a)[:, None] + sq - 2.0 * (a @ flat.T)


def evaluate(images: np.ndarray | torch.Tensor, digits: np.ndarray | torch.Tensor | None = None,
             *, ref: Reference | None = None, device: str = "cpu",
             confident: float = 0.5) -> dict[str, Any]:
    """Every metric of N generated (N, 28, 28) images in [-1, 1]; plain Python numbers.
    `digits` (N,), the digits a conditional model was asked for, adds control_accuracy."""
    ref = ref if ref is not None else reference("mnist5k", device)
    x = _as_images(images, ref.device)
    n = len(x)
    net = load_eval_net(ref.device)
    feats, probs = _classify(net, x)
    mu, sigma = _stats(feats)
    pred = probs.argmax(1)
    out: dict[str, Any] = {"n": n, "fcd": frechet_distance(mu, sigma, ref.mu, ref.sigma)}

    sure = probs.max(1) >= confident
    counts = np.bincount(pred[sure], minlength=10)
    share = counts / max(int(sure.sum()), 1)
    out["coverage"] = int((share >= MIN_CLASS_SHARE).sum()) if sure.any() else 0
    hist = np.bincount(pred, minlength=10) / n
    nz = hist > 0
    out["class_kl"] = float((hist[nz] * np.log(hist[nz] * 10)).sum())
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
    """What real digits score (the floor a perfect generator reaches) and what noise and blank
    images score (ceilings), to put a model's numbers in context. All use 500 images: FCD
    shrinks as N grows (fewer sampling errors), so compare a model's FCD at N = 500."""
    return dict(_real_floor(reference(name, device).name, str(device)))


@lru_cache(maxsize=4)
def _real_floor(name: str, device: str) -> tuple[tuple[str, float], ...]:
    ref = reference(name, device)
    real = evaluate(ref.held_images, ref.held_labels, ref=ref)
    noise = np.random.default_rng(0).uniform(-1, 1, (500, SIDE, SIDE)).astype(np.float32)
    if name.endswith("-binary"):  # noise of the data set's own kind: binary pixels
        noise = np.where(noise > 0, 1.0, -1.0).astype(np.float32)
    blank = np.full((500, SIDE, SIDE), -1.0, np.float32)
    return (("fcd_floor", real["fcd"]), ("accuracy", real["control_accuracy"]),
            ("score_real", real["score"]), ("coverage_real", real["coverage"]),
            ("nn_real", ref.nn_real),
            ("fcd_noise", evaluate(noise, ref=ref)["fcd"]),
            ("fcd_blank", evaluate(blank, ref=ref)["fcd"]))


# --- helpers ---------------------------------------------------------------------------------


def _as_images(images: np.ndarray | torch.Tensor, device: str) -> torch.Tensor:
    # a copy for arrays: data set images are read-only, which torch.from_numpy warns about
    x = images if isinstance(images, torch.Tensor) else torch.tensor(np.asarray(images))
    if x.dim() == 4 and x.shape[1] == 1:
        x = x[:, 0]
    if x.dim() != 3 or tuple(x.shape[1:]) != (SIDE, SIDE) or x.shape[0] < 1:
        raise ConfigError(f"metrics need N x {SIDE} x {SIDE} images (N >= 1); got "
                          f"{tuple(x.shape)}")
    x = x.detach().to(device=device, dtype=torch.float32)
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
