"""The shipped demo models: present, loadable, usable by name from the command line, and the
supervised AAE draws the digit it is asked for; run files without optimiser state still train."""

import json
from pathlib import Path

import h5py
import numpy as np
import pytest

from ganvis.cli import main
from ganvis.engine import ModelFileError, RunConfig, new_run
from ganvis.engine.store import RunFile, load_run, load_sampler, save_run
from ganvis.engine.store.demos import DEMOS, demo_path, digit_predictions, resolve_model

# name: (model, prior, latent size, digits the decoder takes)
EXPECTED = {
    "demo-dcgan": ("dcgan", "normal", 64, 0),
    "demo-saae": ("saae", "normal", 8, 10),
    "demo-aae2d": ("aae", "mog10", 2, 0),
}


def test_three_demos_named_and_described():
    assert set(DEMOS) == set(EXPECTED)
    assert all(text and "\n" not in text for text in DEMOS.values())


@pytest.mark.parametrize("name", list(EXPECTED))
def test_demo_file_loads_as_expected(name):
    path = demo_path(name)
    assert path.is_file() and path.name == f"{name}.h5"
    assert resolve_model(name) == path
    model, prior, latent, classes = EXPECTED[name]
    sampler = load_sampler(path)
    c = sampler.config
    assert (c.model, c.prior, c.latent_dim, c.data) == (model, prior, latent, "mnist5k")
    assert sampler.num_classes == classes and sampler.step > 0
    assert c.metrics_every > 0  # training a demo on measures quality as usual
    images = sampler.sample(4, seed=0)
    assert images.shape == (4, 28, 28) and np.isfinite(images).all()
    with RunFile(path) as rf:
        assert "optim" not in rf.f  # shipped without the optimiser state: smaller
    run = load_run(path)
    assert run.step == sampler.step and run.config == c


def test_resolve_model_prefers_an_existing_file(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "demo-dcgan").write_bytes(b"x")
    assert resolve_model("demo-dcgan") == Path("demo-dcgan")
    assert resolve_model(tmp_path / "demo-dcgan") == tmp_path / "demo-dcgan"


def test_missing_demo_file_says_how_to_rebuild(tmp_path, monkeypatch):
    monkeypatch.setenv("GANVIS_RESOURCES", str(tmp_path))
    with pytest.raises(ModelFileError, match="scripts/train_demo_models.py"):
        resolve_model("demo-saae")


def test_sample_info_and_eval_take_demo_names(tmp_path, capsys):
    out = tmp_path / "threes.png"
    assert main(["sample", "demo-saae", "--digit", "3", "--n", "8", "--out", str(out)]) == 0
    assert out.stat().st_size > 100
    capsys.readouterr()
    assert main(["eval", "demo-dcgan", "--n", "300", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["n"] == 300 and result["model"] == "dcgan" and result["coverage"] >= 8
    assert main(["info", "demo-aae2d"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("demo-aae2d: aae trained on mnist5k") and "prior: mog10" in text


@pytest.mark.parametrize("command", ["sample", "info", "eval"])
def test_unknown_model_name_lists_the_demos(command, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main([command, "demo-vae"]) == 1
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1
    assert "demo-vae: no such model file" in err and all(name in err for name in DEMOS)


def test_help_texts_name_the_demos(capsys):
    for command in ("sample", "info", "eval"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        text = " ".join(capsys.readouterr().out.split())
        assert all(name in text for name in DEMOS), command


def test_demo_saae_draws_the_digit_asked_for():
    sampler = load_sampler(demo_path("demo-saae"))
    pred = digit_predictions(sampler, styles=10, seed=11)
    assert pred.shape == (10, 10)
    majority = [int(np.bincount(row, minlength=10).argmax()) for row in pred]
    assert sum(m == d for d, m in enumerate(majority)) >= 9, pred


def test_save_without_optimizer_still_trains_on(tmp_path):
    run = new_run(RunConfig(model="dcgan", width=8, batch_size=16, device="cpu", seed=1))
    run.train_steps(3)
    run.snapshot()
    lean, full = tmp_path / "lean.h5", tmp_path / "full.h5"
    save_run(run, lean, optimizer=False)
    save_run(run, full)
    with h5py.File(lean) as f, h5py.File(full) as g:
        assert "optim" not in f and "optim" in g
        assert set(f.keys()) == set(g.keys()) - {"optim"}
        assert set(f.attrs) == set(g.attrs)
    assert lean.stat().st_size < full.stat().st_size
    twin = load_run(lean)
    assert twin.step == 3 and all(not opt.state for opt in twin.opts.values())
    twin.train_steps(2)
    assert twin.step == 5 and all(opt.state for opt in twin.opts.values())
    save_run(twin, lean, optimizer=False)
    assert load_run(lean).step == 5
