"""A judge for any labelled image data set: the evaluation classifier's architecture, trained
on the user's own data, so FCD, coverage and the classifier score mean the same there as
they do for the built-in digits.

The judge learns from the data set's training split (the fixed split of evalnet.py: 50 images
per class held out) and states its accuracy on the held-out images. It is kept in the user's
cache, `$GANVIS_CACHE` or `$XDG_CACHE_HOME/ganvis` (default `~/.cache/ganvis`), under
`judges/<key>.h5`, where the key is a hash of the data set's pixels and labels: the same data
finds its judge again whatever its file is called, and changed data never meets a stale one.
The built-in digits keep their shipped classifier (resources/models/eval_classifier.h5).
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import torch

from ganvis.engine.data import BUILTIN, Dataset, load_dataset
from ganvis.engine.errors import ConfigError, ModelFileError
from ganvis.engine.quality.evalnet import EvalNet, load_eval_net, save_eval_net, split_indices

BATCH = 128
LR = 1e-3
EPOCHS = 3  # passes over the training split, within the step limits below
MIN_STEPS, MAX_STEPS = 300, 1500  # about 5 to 40 s on 2 CPU cores for 28 x 28 images
JUDGE_SEED = 0


@dataclass(frozen=True)
class Judge:
    """A classifier of one data set's classes, with what it was measured to do."""

    net: EvalNet
    key: str
    accuracy: float  # on the held-out split, which it never learned from
    num_classes: int
    shape: tuple[int, int]
    steps: int
    seconds: float
    path: Path


def cache_dir() -> Path:
    root = os.environ.get("GANVIS_CACHE") or Path(
        os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "ganvis"
    return Path(root) / "judges"


def data_key(ds: Dataset) -> str:
    """A hash of the pixels (and their shape) and the labels: the judge's name. Kept for the
    last few data sets (by their arrays, which a Dataset never changes)."""
    for images, labels, key in _KEYS:
        if images is ds.images and labels is ds.labels:
            return key
    key = _hash(ds)
    _KEYS.insert(0, (ds.images, ds.labels, key))
    del _KEYS[4:]
    return key


_KEYS: list[tuple[object, object, str]] = []


def _hash(ds: Dataset) -> str:
    h = hashlib.blake2b(digest_size=16)
    h.update(repr((ds.images.shape, str(ds.images.dtype))).encode())
    h.update(np.ascontiguousarray(ds.images).data)
    if ds.labels is not None:
        h.update(np.ascontiguousarray(ds.labels.astype(np.int64)).data)
    return h.hexdigest()


def why_no_judge(ds: Dataset) -> str:
    """'' when the data set can have a judge, else why not, in a line."""
    if ds.labels is None:
        return (f"{ds.name} has no labels, so no judge can learn its classes: FCD and "
                "coverage are not measured (nearest neighbours are in pixel space)")
    if ds.num_classes < 2:
        return f"{ds.name} has one class only: a judge needs two or more to tell apart"
    try:
        split_indices(ds.labels)
    except ConfigError as e:
        return f"{ds.name} is too small for a judge: {e}"
    return ""


def missing_judge(ds: Dataset, spec: str) -> str:
    """'' when the data set's judge is in the cache; else why there is none, and for a
    labelled data set how to train it (`spec`: how the user names the data)."""
    why = why_no_judge(ds)
    if not why and cached_judge(ds) is None:
        why = (f"no judge for {ds.name} yet: Train > Train a judge for this data set (or "
               f"`ganvis judge {spec}`) trains one in seconds to a minute; then FCD, coverage "
               "and the score are measured against this data's own floor")
    return why


def judge_path(ds: Dataset) -> Path:
    return cache_dir() / f"{data_key(ds)}.h5"


def cached_judge(ds: Dataset, device: str = "cpu") -> Judge | None:
    """The judge of this data set if one is in the cache (None: none yet). A damaged or
    foreign file there is reported, not trusted."""
    path = judge_path(ds)
    judge = _cached(str(path), _stamp(path), device)
    if judge is not None and (judge.key, judge.num_classes, judge.shape) != (
            data_key(ds), ds.num_classes, ds.image_shape):
        raise ModelFileError(f"{path}: this judge is not of {ds.name} ({judge.num_classes} "
                             f"classes of {judge.shape[0]}x{judge.shape[1]} images); delete "
                             "it, or train again with `ganvis judge --retrain`")
    return judge


@lru_cache(maxsize=4)
def _cached(path: str, stamp: tuple[int, int] | None, device: str) -> Judge | None:
    if stamp is None:
        return None
    net, attrs = load_eval_net(device, Path(path), factory=_factory, with_attrs=True)
    try:
        shape = (int(attrs["height"]), int(attrs["width"]))
        return Judge(net, str(attrs["data_key"]), float(attrs["held_out_accuracy"]),
                     int(attrs["num_classes"]), shape, int(attrs["steps"]),
                     float(attrs["seconds"]), Path(path))
    except (KeyError, TypeError, ValueError, OSError) as e:
        raise ModelFileError(f"{path}: judge attributes are damaged ({e})") from None


def _factory(attrs) -> EvalNet:
    """The network a judge file describes, checked before anything is allocated."""
    try:
        k, h, w = (int(attrs[n]) for n in ("num_classes", "height", "width"))
    except (KeyError, TypeError, ValueError):
        raise ModelFileError("judge file: num_classes, height or width missing") from None
    if not (2 <= k <= 1000 and 4 <= h <= 256 and 4 <= w <= 256):
        raise ModelFileError(f"judge file: {k} classes of {h}x{w} images is out of range")
    return EvalNet(k, (h, w))


def train_judge(ds: Dataset, progress: Callable[[int, int], None] | None = None,
                device: str = "cpu") -> Judge:
    """Train the judge of a labelled data set, store it in the cache and return it.
    progress(done, total) is called as the steps go."""
    why = why_no_judge(ds)
    if why:
        raise ConfigError(why)
    train_idx, held_idx = split_indices(ds.labels)
    k = ds.num_classes
    steps = int(np.clip(EPOCHS * len(train_idx) // BATCH, MIN_STEPS, MAX_STEPS))
    t0 = time.perf_counter()
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(JUDGE_SEED)
        net = EvalNet(k, ds.image_shape).to(device)
    opt = torch.optim.Adam(net.parameters(), lr=LR)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, LR * 3, total_steps=steps)
    images = torch.from_numpy(np.array(ds.images))
    labels = torch.from_numpy(ds.labels.astype(np.int64))
    gen = torch.Generator().manual_seed(JUDGE_SEED)
    train = torch.from_numpy(train_idx)
    net.train()
    for step in range(steps):
        pick = train[torch.randint(len(train), (BATCH,), generator=gen)]
        x, y = images[pick].unsqueeze(1).to(device), labels[pick].to(device)
        loss = torch.nn.functional.cross_entropy(net(x), y)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        if progress is not None and (step % 10 == 9 or step == steps - 1):
            progress(step + 1, steps)
    net.eval()
    with torch.inference_mode():
        held = images[torch.from_numpy(held_idx)].unsqueeze(1).to(device)
        pred = torch.cat([net(held[i:i + 1000]).argmax(1) for i in range(0, len(held), 1000)])
        accuracy = float((pred.cpu() == labels[torch.from_numpy(held_idx)]).float().mean())
    seconds = time.perf_counter() - t0
    path = judge_path(ds)
    path.parent.mkdir(parents=True, exist_ok=True)
    h, w = ds.image_shape
    save_eval_net(net, path, data_key=data_key(ds),
                  data_name=ds.name, held_out_accuracy=accuracy, num_classes=k, height=h,
                  width=w, steps=steps, seconds=seconds, seed=JUDGE_SEED,
                  train_size=len(train_idx))
    judge = cached_judge(ds, device)
    assert judge is not None
    return judge


def judged(spec: str, device: str = "cpu") -> tuple[Dataset, Judge]:
    """A user's data set and its cached judge; a ConfigError says why there is none."""
    if spec in BUILTIN:
        raise ConfigError(f"{spec} is judged by the shipped classifier")
    ds = load_dataset(spec)
    why = missing_judge(ds, spec)
    if why:
        raise ConfigError(why)
    return ds, cached_judge(ds, device)


def _stamp(path: Path) -> tuple[int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return st.st_mtime_ns, st.st_size
