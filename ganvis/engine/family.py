"""What a model family is, and the registry of them (each family declares itself once, in its
own module under families/; `ganvis.engine` imports them all).

Everything outside a family's own module asks its Family instead of testing the model's name:
the config's defaults, the CLI's and setup panel's choices, the networks a run file must hold,
the views' words for what the adversary compares, which manual steps exist.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ganvis.engine.errors import ConfigError


@dataclass(frozen=True)
class Players:
    """What a family's adversary tells apart, in the views' words. A run's views take
    `for_data(spec)` of the family's words: they then name what that run's data set holds."""

    real: str  # what D calls real, e.g. "real images", "prior samples z ~ p(z)"
    fake: str  # what it calls fake, e.g. "generated G(z)", "encoder codes f(x)"
    real_short: str  # in running text: "real", "prior samples"
    fake_short: str  # "fake", "codes"
    real_mean: str = "D(x)"  # the curves' names for the means of D's verdicts
    fake_mean: str = "D(G(z))"
    verdict: str = "D(x)"  # D's output on one input, as an axis names it
    meaning: str = "the probability D gives that x is real"  # what that number is
    # the two distributions D's game measures (the Jensen-Shannon bound is between them):
    # the data's and the generator's, or (an AAE) the prior's and the codes' q(z)
    compared: tuple[str, str] = ("p_data", "p_g")
    data_word: str = "images"  # the word these phrases use for any data set
    # data sets known to hold something more particular: spec -> word ("mnist5k": "digits")
    nouns: Mapping[str, str] = field(default_factory=dict)

    def for_data(self, spec: str) -> Players:
        """These words for a run on the data set `spec` (the built-in digits: "real digits";
        a user's Fashion-MNIST: "real images"). The words it gives are final: no nouns."""
        noun = self.nouns.get(spec, self.data_word)
        word = re.compile(rf"\b{re.escape(self.data_word)}\b")
        return replace(self, data_word=noun, nouns={}, **{k: word.sub(noun, getattr(self, k))
                                                          for k in PHRASES})


PHRASES = ("real", "fake", "real_short", "fake_short", "real_mean", "fake_mean", "meaning")


@dataclass(frozen=True)
class Phase:
    """A manual step the app and the run offer: `command` is the Run method it calls."""

    command: str  # train_steps, step_d or step_g
    label: str  # the toolbar's word
    tip: str  # what one press does, for this family


@dataclass(frozen=True)
class DataKind:
    """What a family trains on (images or points): its built-in sets, its loader, the files
    the app offers to open for it."""

    name: str  # "images" or "points"
    default: str  # the data spec a run gets when none is given
    builtin: Mapping[str, str]  # spec -> words for the setup panel's list
    load: Callable[[str], Any]  # spec -> a data set (errors: DataError)
    file_filter: str  # the open-file dialog's filter
    specs: Mapping[str, str]  # file suffix -> spec prefix (".npz" -> "npz")


@dataclass(frozen=True)
class Family:
    """A model family, declared once. `build_nets(config, shape, num_classes, bernoulli)`
    returns its networks by the names run files store them under."""

    name: str
    title: str  # the setup panel's list
    about: str  # the CLI's help, one clause
    defaults: Mapping[str, Any]  # RunConfig fields it fills when they are left as None
    settings: frozenset[str]  # RunConfig fields that mean something for it
    build_nets: Callable[..., dict]
    run_class: type
    series: Mapping[str, str]  # accumulated series -> the counter dividing it (d, g or r)
    phases: tuple[Phase, ...]  # manual steps, the full step first
    generator: str  # the network a Sampler copies (what `ganvis sample` runs)
    data: DataKind  # images or points
    players: Players | None = None  # None: no adversary
    encoder: str | None = None  # the network that encodes images, if any
    conditional: bool = False  # the generator also takes a class label (a digit)
    reconstructs: bool = False  # an autoencoder: reconstructions and a latent space to show
    image_counter: str = "d_steps"  # the counter whose every update drew one real batch
    metric_keys: tuple[str, ...] = ()  # the columns of its quality measurements (run files)
    pacing: Any = None  # how often its snapshots come (runs.loop.Pacing; None: the default)
    presets: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # name -> changes

    @property
    def adversarial(self) -> bool:
        return self.players is not None

    def sampling_net(self, nets: Mapping[str, Any]) -> str:
        """The network samples come from: the average of the generator's weights when the run
        keeps one (G_ema, decoder_ema), else the generator."""
        averaged = f"{self.generator}_ema"  # runs/average.py names it
        return averaged if averaged in nets else self.generator

    def images_seen(self, counters: Mapping[str, int], batch_size: int) -> int:
        """Real images drawn by `counters` at `batch_size` (one batch per counted update)."""
        return int(counters[self.image_counter]) * batch_size

    def players_for(self, data: str) -> Players | None:
        """The players' words for a run on the data set `data` (None: no adversary)."""
        return None if self.players is None else self.players.for_data(data)

    def phase(self, command: str) -> Phase | None:
        return next((p for p in self.phases if p.command == command), None)


_FAMILIES: dict[str, Family] = {}


def register(family: Family) -> Family:
    if family.name in _FAMILIES:
        raise ValueError(f"family {family.name!r} is declared twice")
    _FAMILIES[family.name] = family
    return family


def family(name: str) -> Family:
    """The family called `name`; a ConfigError naming the choices when there is none."""
    found = _FAMILIES.get(name) if isinstance(name, str) else None
    if found is None:
        raise ConfigError(f"model: expected one of {', '.join(_FAMILIES)}, got {name!r}")
    return found


def names() -> tuple[str, ...]:
    """Every family's name, in the order the app lists them."""
    return tuple(_FAMILIES)


def all_families() -> tuple[Family, ...]:
    return tuple(_FAMILIES.values())

