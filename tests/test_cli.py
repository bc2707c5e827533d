"""The command line: train, sample and info on real files; bad input exits non-zero in one line."""

import os
import subprocess
import sys

import numpy as np
import pytest
from pngutil import read_png

from ganvis.cli import main


def _run(*args, env=None):
    return subprocess.run([sys.executable, "-m", "ganvis", *args], capture_output=True,
                          text=True, timeout=300, env=env)


@pytest.fixture(scope="module")
def trained_file(tmp_path_factory):
    d = tmp_path_factory.mktemp("cli")
    out, grid = d / "r.h5", d / "g.png"
    rc = main(["train", "--model", "dcgan", "--width", "8", "--steps", "20", "--batch-size",
               "16", "--device", "cpu", "--seed", "0", "--out", str(out), "--grid", str(grid),
               "--quiet"])
    assert rc == 0
    return out, grid


def test_train_writes_run_and_grid(trained_file):
    out, grid = trained_file
    assert out.stat().st_size > 10_000
    px = read_png(grid.read_bytes())
    assert px.shape == (8 * 56 + 9 * 2, 8 * 56 + 9 * 2) and px.std() > 10


def test_sample_is_reproducible_and_seeded(trained_file, tmp_path):
    out, _ = trained_file
    paths = [tmp_path / f"{i}.png" for i in range(3)]
    for p, seed in zip(paths, (3, 3, 4)):
        assert main(["sample", str(out), "--n", "16", "--seed", str(seed), "--out", str(p)]) == 0
    a, b, c = (read_png(p.read_bytes()) for p in paths)
    assert np.array_equal(a, b) and not np.array_equal(a, c)
    assert a.shape == (4 * 56 + 5 * 2, 4 * 56 + 5 * 2)


def test_resume_continues_the_step_count(trained_file, tmp_path, capsys):
    out, _ = trained_file
    more = tmp_path / "more.h5"
    assert main(["train", "--resume", str(out), "--steps", "5", "--out", str(more), "--quiet"]) == 0
    assert main(["info", str(more)]) == 0
    assert "step 25" in capsys.readouterr().out


@pytest.mark.parametrize("args, words", [
    (["train", "--steps", "0"], "from 1 to"),
    (["train", "--model", "vae"], "invalid choice"),
    (["train", "--steps", "ten"], "whole number"),
])
def test_bad_arguments_exit_2_with_a_message(args, words, capsys):
    with pytest.raises(SystemExit) as e:
        main(args)
    assert e.value.code == 2 and words in capsys.readouterr().err


@pytest.mark.parametrize("args, words", [
    (["train", "--data", "npz:/no/such.npz", "--steps", "1"], "no such file"),
    (["train", "--device", "tpu", "--steps", "1"], "device"),
    (["train", "--steps", "1", "--out", "/no/such/dir/r.h5"], "does not exist"),
    (["sample", "/no/such/model.h5"], "no such model file"),
])
def test_bad_input_exits_1_with_one_line(args, words, capsys):
    assert main(args) == 1
    err = capsys.readouterr().err.strip()
    assert words in err and len(err.splitlines()) == 1 and "Traceback" not in err


def test_sample_from_a_non_model_file_is_one_line(tmp_path, capsys):
    junk = tmp_path / "junk.h5"
    junk.write_bytes(b"\x89HDF\r\n\x1a\n" + b"\0" * 100)
    assert main(["sample", str(junk), "--out", str(tmp_path / "x.png")]) == 1
    err = capsys.readouterr().err.strip()
    assert "junk.h5" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "x.png").exists()


def test_app_without_display_says_what_to_do():
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    r = _run(env=env)
    assert r.returncode == 1 and "no display" in r.stderr and "ganvis train" in r.stderr


def test_module_entry_point_help():
    r = _run("train", "--help")
    assert r.returncode == 0 and "--k-disc" in r.stdout


@pytest.mark.parametrize("model", ["dcgan", "ae"])
def test_the_summary_line_shows_the_latest_losses_never_nan(model, tmp_path, capsys):
    """A snapshot right after the last row (a quality measurement at the last step, or an
    autoencoder's last phase) has nothing new to average: the summary keeps the last losses."""
    from ganvis.cli import main

    assert main(["train", "--model", model, "--width", "8", "--steps", "40",
                 "--metrics-every", "40", "--out", str(tmp_path / "r.h5")]) == 0
    summary = [x for x in capsys.readouterr().err.splitlines() if " steps in " in x][0]
    assert "nan" not in summary.lower().split("images/s")[1]
    assert summary.split("images/s)")[1].strip()  # the latest losses are there


def test_beta1_keeps_the_models_own_beta2(tmp_path):
    from ganvis.cli import main
    from ganvis.engine.store import RunFile

    out = tmp_path / "r.h5"
    assert main(["train", "--model", "dcgan", "--width", "8", "--steps", "1", "--beta1", "0.5",
                 "--metrics-every", "0", "--quiet", "--out", str(out)]) == 0
    with RunFile(out) as rf:
        assert rf.config.betas_g == (0.5, 0.99) and rf.config.betas_d == (0.5, 0.99)
