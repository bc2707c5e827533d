"""What a run is: one frozen, JSON-serialisable config (model, data, losses, optimiser, k, seed)."""

from __future__ import annotations

import dataclasses
import json
import re
from dataclasses import dataclass, field
from typing import Any

from ganvis.engine.errors import ConfigError

GAN_MODELS = ("gan", "dcgan")
AE_MODELS = ("ae", "aae", "saae")  # autoencoder, adversarial AE, supervised (style x digit) AAE
MODELS = GAN_MODELS + AE_MODELS
LOSSES = ("nonsat", "minimax")
PRIORS = ("normal", "uniform", "mog10")
LIKELIHOODS = ("auto", "gaussian", "bernoulli")

# Per-family defaults for fields left as None. `width` is the narrowest hidden layer of the
# MLP GAN (its layers double `depth` times) and the base channel count of the DCGAN (whose
# depth is fixed). The learning rates were chosen by sample quality after 600 steps.
FAMILY_DEFAULTS = {
    "gan": {"latent_dim": 64, "width": 256, "depth": 3, "lr_g": 2e-4, "lr_d": 2e-4,
            "betas_g": (0.5, 0.999), "betas_d": (0.5, 0.999)},
    # DCGAN: Adam without momentum (beta1 0) reached a lower FCD than the paper's beta1 0.5
    # at every checkpoint up to 3,000 steps (docs/QUALITY.md has the comparison).
    "dcgan": {"latent_dim": 64, "width": 32, "depth": 2, "lr_g": 1e-3, "lr_d": 1e-3,
              "betas_g": (0.0, 0.99), "betas_d": (0.0, 0.99)},
    # Autoencoders: lr_g drives the encoder and decoder, lr_d the regularisation phase (the
    # latent discriminator and the encoder as its generator). At lr_d 2e-4 the reconstruction
    # phase outpaces the adversary and the codes drift off the prior; 1e-3 keeps them on it.
    # A small latent (8) is what Makhzani et al. used on MNIST: the prior can then be filled.
    "ae": {"latent_dim": 16, "width": 512, "depth": 2, "lr_g": 1e-3, "lr_d": 1e-3,
           "betas_g": (0.5, 0.999), "betas_d": (0.5, 0.999)},
    "aae": {"latent_dim": 8, "width": 512, "depth": 2, "lr_g": 1e-3, "lr_d": 1e-3,
            "betas_g": (0.5, 0.999), "betas_d": (0.5, 0.999)},
    "saae": {"latent_dim": 8, "width": 512, "depth": 2, "lr_g": 1e-3, "lr_d": 1e-3,
             "betas_g": (0.5, 0.999), "betas_d": (0.5, 0.999)},
}


@dataclass(frozen=True)
class RunConfig:
    """Everything that defines a training run; stored as JSON in every run file."""

    model: str = "dcgan"
    data: str = "mnist5k"
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
    batch_size: int = 64
    seed: int = 0
    device: str = "auto"
    # Autoencoders: pixels as Gaussian (tanh, squared error) or Bernoulli (sigmoid, cross-
    # entropy); auto picks Bernoulli for binarised data.
    likelihood: str = "auto"
    # Measure FCD, coverage and the rest every this many steps at most (0: never); measuring
    # is also held to a small share of the training time (see live.py).
    metrics_every: int = 100
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, value in FAMILY_DEFAULTS.get(self.model, {}).items():
            if getattr(self, name) is None:
                object.__setattr__(self, name, value)
        for name in ("betas_g", "betas_d"):
            if isinstance(getattr(self, name), (list, tuple)):
                object.__setattr__(self, name, tuple(getattr(self, name)))
        self.validate()

    def validate(self) -> None:
        _choice("model", self.model, MODELS)
        _choice("loss", self.loss, LOSSES)
        _choice("prior", self.prior, PRIORS)
        _choice("likelihood", self.likelihood, LIKELIHOODS)
        if not isinstance(self.data, str) or not self.data:
            raise ConfigError("data: give a data set name or spec, e.g. mnist5k or npz:FILE")
        _int_range("latent_dim", self.latent_dim, 1, 1024)
        _int_range("width", self.width, 2, 4096)
        _int_range("depth", self.depth, 1, 8)
        _int_range("k_disc", self.k_disc, 1, 100)
        _int_range("batch_size", self.batch_size, 1, 65536)
        _int_range("seed", self.seed, 0, 2**63 - 1)
        _int_range("metrics_every", self.metrics_every, 0, 10**9)
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
            for name in FAMILY_DEFAULTS.get(changes["model"], {}):
                changes.setdefault(name, None)
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        d = dataclasses.asdict(self)
        d["betas_g"], d["betas_d"] = list(self.betas_g), list(self.betas_d)
        return d

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True)

    @classmethod
    def from_dict(cls, d: Any) -> RunConfig:
        if not isinstance(d, dict):
            raise ConfigError("config: expected a JSON object")
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(d) - known)
        if unknown:
            raise ConfigError(f"config: unknown field(s) {', '.join(unknown)}")
        try:
            return cls(**d)
        except TypeError as e:  # e.g. a list where a number belongs
            raise ConfigError(f"config: {e}") from None

    @classmethod
    def from_json(cls, text: str) -> RunConfig:
        try:
            d = json.loads(text)
        except (json.JSONDecodeError, TypeError) as e:
            raise ConfigError(f"config: not valid JSON ({e})") from None
        return cls.from_dict(d)


def _is_real(v: Any) -> bool:
    return (isinstance(v, (int, float)) and not isinstance(v, bool)
            and v == v and abs(v) != float("inf"))


def _choice(name: str, value: Any, options: tuple[str, ...]) -> None:
    if value not in options:
        raise ConfigError(f"{name}: expected one of {', '.join(options)}, got {value!r}")


def _int_range(name: str, value: Any, lo: int, hi: int) -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not lo <= value <= hi:
        raise ConfigError(f"{name}: expected a whole number from {lo} to {hi}, got {value!r}")
