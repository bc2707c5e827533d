"""Every family is declared once, completely; the rest of ganvis reads the declaration."""

import dataclasses

import pytest
import torch

import ganvis.engine.family as registry
from ganvis.engine import ConfigError, Family, Run, RunConfig, new_run
from ganvis.engine.data.kinds import IMAGES
from ganvis.engine.family import all_families, family, names, register
from ganvis.engine.runs.gan import GAN_PHASES, GAN_SERIES, IMAGE_GAN_SETTINGS, IMAGE_PLAYERS, GANRun
from ganvis.engine.store import load_run, load_sampler, save_run

FIELDS = {f.name for f in dataclasses.fields(RunConfig)}


@pytest.mark.parametrize("fam", all_families(), ids=lambda f: f.name)
def test_each_declaration_is_complete_and_consistent(fam):
    assert set(fam.defaults) <= FIELDS and fam.settings <= FIELDS
    assert issubclass(fam.run_class, Run)
    assert fam.phases[0].command == "train_steps"
    assert all(callable(getattr(fam.run_class, p.command)) for p in fam.phases)
    assert set(fam.series.values()) <= {"d", "g", "r"} and fam.image_counter in (
        "d_steps", "g_steps")
    with torch.device("meta"):
        nets = fam.build_nets(RunConfig(model=fam.name), (28, 28), 10, False)
    assert fam.generator in nets and (fam.encoder is None or fam.encoder in nets)
    assert ("D" in nets) == fam.adversarial == (fam.phase("step_d") is not None)
    assert ("d_loss" in fam.series) == fam.adversarial


def test_the_config_takes_its_defaults_and_choices_from_the_families():
    for fam in all_families():
        c = RunConfig(model=fam.name)
        assert all(getattr(c, k) == v for k, v in fam.defaults.items())
    with pytest.raises(ConfigError, match="expected one of " + ", ".join(names())):
        RunConfig(model="wgan")
    with pytest.raises(ConfigError, match="model"):
        RunConfig.from_dict({"model": ["gan"]})


def test_the_cli_offers_exactly_the_registered_families(capsys):
    from ganvis.cli import main

    with pytest.raises(SystemExit):
        main(["train", "--model", "nope"])
    err = capsys.readouterr().err
    assert "invalid choice" in err and all(f"'{n}'" in err for n in names())


def test_a_new_family_needs_only_its_declaration(tmp_path, monkeypatch):
    """A family declared here, in one place, trains, saves, reopens and samples: nothing else
    in ganvis had to learn its name."""
    monkeypatch.setattr(registry, "_FAMILIES", dict(registry._FAMILIES))
    gan = family("gan")
    register(Family(
        name="tinygan", title="A small MLP GAN", about="tinygan: a small MLP GAN",
        defaults={**gan.defaults, "width": 8, "depth": 1, "latent_dim": 4},
        settings=IMAGE_GAN_SETTINGS | {"depth"}, build_nets=gan.build_nets, run_class=GANRun,
        series=GAN_SERIES, phases=GAN_PHASES, generator="G", data=IMAGES, players=IMAGE_PLAYERS,
        metric_keys=gan.metric_keys))
    run = new_run(RunConfig(model="tinygan", batch_size=8, device="cpu", metrics_every=0))
    run.train_steps(2)
    assert run.snapshot().model == "tinygan" and run.images_seen == 16
    path = save_run(run, tmp_path / "t.h5")
    assert load_run(path).step == 2
    assert load_sampler(path).sample(3, 0).shape == (3, 28, 28)
