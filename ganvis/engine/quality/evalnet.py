"""The small CNN digit classifier that the sample-quality metrics measure images with.

File layout (resources/models/eval_classifier.h5, format_version 1):
  attrs    format="ganvis-eval-classifier", format_version, architecture, held_out_accuracy,
           seed (and whatever else the training script records)
  <name>   one float32 data set per state_dict key of EvalNet (e.g. "conv1.weight")
Everything read is checked; nothing is unpickled; writes are atomic.
"""

from __future__ import annotations

import contextlib
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import torch
from torch import nn

from ganvis.engine.data import H5_ERRORS
from ganvis.engine.errors import ConfigError, GanvisError, ModelFileError
from ganvis.engine.files.atomic import atomic_path
from ganvis.resources import resource

FORMAT = "ganvis-eval-classifier"
FORMAT_VERSION = 1
ARCHITECTURE = "conv5s2x32-conv3s2x64-conv3s2x64-fc128-fc10"
HELD_PER_CLASS = 50
SPLIT_SEED = 20240  # fixed forever: the classifier and the metrics must agree on the split
_CACHE: dict[str, EvalNet] = {}
# The attributes a classifier file may describe itself with (a judge's, quality/judge.py)
ATTRS = ("num_classes", "height", "width", "data_key", "data_name", "held_out_accuracy",
         "steps", "seconds", "train_size")


class EvalNet(nn.Module):
    """28x28 digits in [-1, 1] -> 10 logits, via a 128-wide penultimate feature layer.
    Strided convolutions rather than pooling keep it cheap (about 1.8M MACs an image).
    A judge of a user's data set (judge.py) has the same layers for its own image size and
    number of classes."""

    num_features = 128

    def __init__(self, num_classes: int = 10, shape: tuple[int, int] = (28, 28)) -> None:
        super().__init__()
        self.num_classes, self.shape = num_classes, tuple(shape)
        h, w = (_halved(s, 3) for s in shape)  # 28 -> 14 -> 7 -> 4
        self.conv1 = nn.Conv2d(1, 32, 5, stride=2, padding=2)    # 28 -> 14
        self.conv2 = nn.Conv2d(32, 64, 3, stride=2, padding=1)   # 14 -> 7
        self.conv3 = nn.Conv2d(64, 64, 3, stride=2, padding=1)   # 7 -> 4
        self.fc1 = nn.Linear(64 * h * w, self.num_features)
        self.fc2 = nn.Linear(self.num_features, num_classes)
        self.dropout = nn.Dropout(0.3)

    @property
    def architecture(self) -> str:
        """ARCHITECTURE for the built-in digits; the image size and classes for a judge."""
        if self.num_classes == 10 and self.shape == (28, 28):
            return ARCHITECTURE
        return f"{ARCHITECTURE[:-5]}-fc{self.num_classes}@{self.shape[0]}x{self.shape[1]}"

    def features(self, x: torch.Tensor) -> torch.Tensor:
        """(N, 128) penultimate activations (after ReLU) of (N, 28, 28) or (N, 1, 28, 28)."""
        if x.dim() == 3:
            x = x.unsqueeze(1)
        x = torch.relu(self.conv1(x))
        x = torch.relu(self.conv2(x))
        x = torch.relu(self.conv3(x))
        return torch.relu(self.fc1(x.flatten(1)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(self.dropout(self.features(x)))

    def logits_from_features(self, f: torch.Tensor) -> torch.Tensor:
        """Logits of features already computed (eval mode: dropout is the identity)."""
        return self.fc2(f)


def _halved(side: int, times: int) -> int:
    """A side after `times` stride-2 convolutions that pad (rounding up each time)."""
    for _ in range(times):
        side = (side + 1) // 2
    return side


def split_indices(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(train_idx, held_idx): 50 images per class held out, chosen by a fixed seed, so the
    classifier's training script and the metrics' reference always use the same split."""
    labels = np.asarray(labels).astype(np.int64)
    rng = np.random.default_rng(SPLIT_SEED)
    held = []
    for c in range(int(labels.max()) + 1 if labels.size else 0):
        members = np.flatnonzero(labels == c)
        if len(members) <= HELD_PER_CLASS:
            raise ConfigError(f"class {c} has {len(members)} images; the evaluation split "
                              f"holds out {HELD_PER_CLASS} per class and needs more")
        held.append(rng.choice(members, HELD_PER_CLASS, replace=False))
    held_idx = np.sort(np.concatenate(held)) if held else np.zeros(0, np.int64)
    train_idx = np.setdiff1d(np.arange(len(labels)), held_idx)
    return train_idx, held_idx


def default_path() -> Path:
    return resource("models", "eval_classifier.h5")


def save_eval_net(net: EvalNet, path: str | Path, **attrs: Any) -> Path:
    """Write the weights (float32) and attributes atomically."""
    path = Path(path)
    state = {k: v.detach().cpu().float().numpy() for k, v in net.state_dict().items()}
    for name, a in state.items():
        if not np.isfinite(a).all():
            raise ModelFileError(f"not saved: eval classifier weight {name} is not finite")
    try:
        with atomic_path(path) as tmp, h5py.File(tmp, "w") as f:
            f.attrs["format"] = FORMAT
            f.attrs["format_version"] = FORMAT_VERSION
            f.attrs["architecture"] = net.architecture
            for k, v in attrs.items():
                f.attrs[k] = v
            for name, a in state.items():
                f.create_dataset(name, data=a)
    except OSError as e:
        raise ModelFileError(f"{path}: cannot write ({e})") from None
    return path


def load_eval_net(device: str = "cpu", path: str | Path | None = None, factory=None,
                  with_attrs: bool = False):
    """The shipped classifier in eval mode with gradients off; cached per device (a given
    `path`, used to test damaged copies and to read judges, is never cached). factory(attrs)
    builds the network a judge file describes; with_attrs: (net, the file's attributes)."""
    if path is None and device in _CACHE and not with_attrs:
        return _CACHE[device]
    where = Path(path) if path is not None else default_path()
    with _reading(where):
        net, attrs = _read(where, factory or (lambda _attrs: EvalNet()))
    net = net.to(device).eval()
    for p in net.parameters():
        p.requires_grad_(False)
    if path is None:
        _CACHE[device] = net
    return (net, attrs) if with_attrs else net


def _read(path: Path, factory) -> tuple[EvalNet, dict]:
    if not path.is_file():
        raise ModelFileError(f"{path}: the evaluation classifier is missing; rebuild it with "
                             "scripts/train_eval_classifier.py")
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        raise ModelFileError(f"{path}: not a readable HDF5 classifier file ({e}); rebuild it "
                             "with scripts/train_eval_classifier.py") from None
    with f:
        a = f.attrs
        if _text(a.get("format")) != FORMAT:
            raise ModelFileError(f"{path}: not a ganvis evaluation classifier (format attribute)")
        version = a.get("format_version")
        if not isinstance(version, (int, np.integer)) or not 1 <= version <= FORMAT_VERSION:
            raise ModelFileError(f"{path}: format_version {version!r}; this ganvis reads "
                                 f"1 to {FORMAT_VERSION}")
        attrs = _scalars(a, ATTRS)
        with torch.random.fork_rng(devices=[]):  # its throwaway init must not move the
            net = factory(attrs)                  # caller's random stream
        if _text(a.get("architecture")) != net.architecture:
            raise ModelFileError(f"{path}: architecture {_text(a.get('architecture'))!r}, "
                                 f"expected {net.architecture!r}")
        expected = net.state_dict()
        missing = sorted(set(expected) - set(f.keys()))
        extra = sorted(set(f.keys()) - set(expected))
        if missing or extra:
            raise ModelFileError(f"{path}: weights do not match the classifier "
                                 f"(missing: {missing[:3]}, unexpected: {extra[:3]})")
        state = {name: _tensor(f[name], path, name, ref) for name, ref in expected.items()}
    net.load_state_dict(state)
    return net, attrs


def _tensor(ds: Any, path: Path, name: str, ref: torch.Tensor) -> torch.Tensor:
    if not isinstance(ds, h5py.Dataset) or tuple(ds.shape) != tuple(ref.shape):
        got = getattr(ds, "shape", type(ds).__name__)
        raise ModelFileError(f"{path}: weight {name} has shape {got}, expected "
                             f"{tuple(ref.shape)}")
    if ds.dtype != np.float32:
        raise ModelFileError(f"{path}: weight {name} has dtype {ds.dtype}, expected float32")
    try:
        a = np.array(ds[()])
    except (OSError, ValueError, TypeError) as e:
        raise ModelFileError(f"{path}: weight {name} cannot be read (truncated or corrupt "
                             f"file: {e})") from None
    if not np.isfinite(a).all():
        raise ModelFileError(f"{path}: weight {name} holds NaN or infinite values")
    return torch.from_numpy(a)


@contextlib.contextmanager
def _reading(path: Path) -> Iterator[None]:
    """h5py reports damage with assorted exception types; a user gets one ModelFileError."""
    try:
        yield
    except GanvisError:
        raise
    except H5_ERRORS as e:
        raise ModelFileError(f"{path}: damaged or unreadable classifier file ({e})") from None


def _scalars(attrs: Any, names: tuple[str, ...]) -> dict[str, Any]:
    """The named attributes that hold one value each (no more is read than that)."""
    out = {}
    for name in names:
        if name in attrs and attrs.get_id(name).shape in ((), (1,)):
            v = attrs[name]
            out[name] = v.reshape(-1)[0] if isinstance(v, np.ndarray) else v
    return out


def param_count(net: nn.Module) -> int:
    return sum(math.prod(p.shape) for p in net.parameters())


def _text(v: Any) -> str:
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    return v if isinstance(v, str) else ""
