"""What a run is: one frozen, JSON-serialisable config (model, data, losses, optimiser, k, seed).

A field left as None takes the default of the model's family (families/)."""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass, field
from typing import Any

from ganvis.engine.errors import ConfigError
from ganvis.engine.family import family

# The choices of the settings every family shares, with the words the app shows for them.
LOSS_CHOICES = {"nonsat": "non-saturating  −log D(G(z))", "minimax": "minimax  log(1 − D(G(z)))"}
PRIOR_CHOICES = {"normal": "normal N(0, I)", "uniform": "uniform [−1, 1]",
                 "mog10": "10 Gaussians on a circle"}
LIKELIHOOD_CHOICES = {"auto": "auto", "gaussian": "Gaussian (tanh)",
                      "bernoulli": "Bernoulli (sigmoid)"}
LOSSES, PRIORS, LIKELIHOODS = tuple(LOSS_CHOICES), tuple(PRIOR_CHOICES), tuple(LIKELIHOOD_CHOICES)
# DiffAugment's transforms (runs/augment.py applies them).
AUGMENT_CHOICES = {"off": "off", "translation": "translation (1/8)",
                   "cutout": "cutout (1/2)", "translation,cutout": "translation and cutout"}
AUGMENTS = tuple(AUGMENT_CHOICES)
# Fields that mean something for every family; each family adds its own (Family.settings).
COMMON_SETTINGS = frozenset({"data", "latent_dim", "width", "prior", "lr_g", "betas_g",
                             "batch_size", "seed", "device", "metrics_every"})


@dataclass(frozen=True)
class RunConfig:
    """Everything that defines a training run; stored as JSON in every run file."""

    model: str = "dcgan"
    data: str | None = None  # None: the family's default (mnist5k for images, ring8 for points)
    latent_dim: int | None = None
    width: int | None = None
    depth: int | None = None
    loss: str = "nonsat"
    prior: str = "normal"
    k_disc: int = 1
    lr_g: float | None = None
    lr_d: float | None = None
    betas_g: tuple[float, float] | None = None
    betas_d: tuple[float, float] | None = None
    batch_size: int | None = None
    seed: int = 0
    device: str = "auto"
    # Autoencoders: pixels as Gaussian (tanh, squared error) or Bernoulli (sigmoid, cross-
    # entropy); auto picks Bernoulli for binarised data.
    likelihood: str = "auto"
    # Measure FCD, coverage and the rest every this many steps at most (0: never); measuring
    # is also held to a small share of the training time (see quality/live.py).
    metrics_every: int = 100
    # PacGAN packing: D judges this many samples at once (1: the plain GAN).
    pack: int = 1
    # Samples come from an average of G's weights, updated after every G step with this
    # decay (0: from G itself). None: the family's default.
    g_ema: float | None = None
    # DiffAugment: the transforms applied to every image D judges, real and fake (runs/
    # augment.py; "off": none). None: the family's default.
    augment: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        fam = family(self.model)
        for name, value in fam.defaults.items():
            if getattr(self, name) is None:
                object.__setattr__(self, name, value)
        if self.data is None:
            object.__setattr__(self, "data", fam.data.default)
        for name, off in (("g_ema", 0.0), ("augment", "off")):
            if getattr(self, name) is None:
                object.__setattr__(self, name, fam.defaults.get(name, off))
        for name in ("betas_g", "betas_d"):
            b = getattr(self, name)
            if isinstance(b, (list, tuple)):  # whole numbers as floats: Adam takes no (0, 0.99)
                b = tuple(float(x) if _is_real(x) else x for x in b)
                object.__setattr__(self, name, b)
        self.validate()

    def validate(self) -> None:
        family(self.model)  # a ConfigError naming the families when it is none of them
        _choice("loss", self.loss, LOSSES)
        _choice("prior", self.prior, PRIORS)
        _choice("likelihood", self.likelihood, LIKELIHOODS)
        _choice("augment", self.augment, AUGMENTS)
        if not isinstance(self.data, str) or not self.data:
            raise ConfigError("data: give a data set name or spec, e.g. mnist5k or npz:FILE")
        _int_range("latent_dim", self.latent_dim, 1, 1024)
        _int_range("width", self.width, 2, 4096)
        _int_range("depth", self.depth, 1, 8)
        _int_range("k_disc", self.k_disc, 1, 100)
        _int_range("batch_size", self.batch_size, 1, 65536)
        _int_range("seed", self.seed, 0, 2**63 - 1)
        _int_range("metrics_every", self.metrics_every, 0, 10**9)
        _int_range("pack", self.pack, 1, 16)
        if not _is_real(self.g_ema) or not 0 <= self.g_ema < 1:
            raise ConfigError(f"g_ema: a decay in [0, 1) (0: off), got {self.g_ema!r}")
        if self.g_ema and "g_ema" not in family(self.model).settings:
            raise ConfigError(f"g_ema: {self.model} has no generator to average")
        if self.augment != "off" and "augment" not in family(self.model).settings:
            raise ConfigError(f"augment: {self.model} shows D no images to augment")
        if self.pack != 1 and "pack" not in family(self.model).settings:
            raise ConfigError(f"pack: {self.model} does not pack samples; packing is for "
                              "the 2-D GAN (gan2d)")
        if self.batch_size % self.pack:
            raise ConfigError(f"pack: D judges {self.pack} samples at once, so the batch size "
                              f"must be a multiple of {self.pack} (got {self.batch_size})")
        for name in ("lr_g", "lr_d"):
            v = getattr(self, name)
            if not _is_real(v) or not 0 < v <= 1:
                raise ConfigError(f"{name}: learning rate must be in (0, 1], got {v!r}")
        for name in ("betas_g", "betas_d"):
            b = getattr(self, name)
            ok = isinstance(b, tuple) and len(b) == 2
            if not ok or not all(_is_real(x) and 0 <= x < 1 for x in b):
                raise ConfigError(f"{name}: Adam betas must be two numbers in [0, 1), got {b!r}")
        if not re.fullmatch(r"auto|cpu|mps|cuda(:\d+)?", str(self.device)):
            raise ConfigError(
                f"device: expected auto, cpu, cuda, cuda:N or mps, got {self.device!r}")
        if not isinstance(self.extra, dict):
            raise ConfigError("extra: must be a JSON object")

    def replace(self, **changes: Any) -> RunConfig:
        if "model" in changes:  # unless given, take the new family's defaults
            new = family(changes["model"])
            for name in new.defaults:
                changes.setdefault(name, None)
            if new.data != family(self.model).data:  # images <-> points: its own data too
                changes.setdefault("data", None)
            changes.setdefault("g_ema", None)
            changes.setdefault("augment", None)
            if "pack" not in new.settings:  # a family that does not pack: plain D
                changes.setdefault("pack", 1)
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["betas_g"], d["betas_d"] = list(self.betas_g), list(self.betas_d)
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_dict(cls, d: Any, absent: dict[str, Any] | None = None) -> RunConfig:
        """The config d describes; `absent` gives fields d lacks (e.g. settings a file
        written before they existed did not use) their values instead of the defaults."""
        if not isinstance(d, dict):
            raise ConfigError("config: expected a JSON object")
        d = {**(absent or {}), **d}
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ConfigError(f"config: unknown field(s) {', '.join(unknown)}")
        try:
            return cls(**d)
        except ConfigError:
            raise
        except (TypeError, ValueError, OverflowError) as e:  # a list where a number belongs
            raise ConfigError(f"config: {e}") from None

    @classmethod
    def from_json(cls, text: str, absent: dict[str, Any] | None = None) -> RunConfig:
        try:
            d = json.loads(text)
        except (ValueError, TypeError, RecursionError) as e:  # ValueError: also a number
            # of thousands of digits; RecursionError: lists nested thousands deep
            raise ConfigError(f"config: not valid JSON ({str(e)[:120]})") from None
        return cls.from_dict(d, absent)


def _is_real(v: Any) -> bool:
    return (isinstance(v, (int, float)) and not isinstance(v, bool)
            and v == v and abs(v) != float("inf"))


def _choice(name: str, value: Any, options: tuple[str, ...]) -> None:
    if value not in options:
        raise ConfigError(f"{name}: expected one of {', '.join(options)}, got {value!r}")


def _int_range(name: str, value: Any, lo: int, hi: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
        raise ConfigError(f"{name}: expected a whole number from {lo} to {hi}, got {value!r}")
