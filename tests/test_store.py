"""Run files: save -> load -> sample identity, atomic writes, and refusal of broken files."""

import os

import h5py
import numpy as np
import pytest
import torch

from ganvis.engine import ModelFileError, RunConfig, new_run
from ganvis.engine.store import FORMAT_VERSION, RunFile, load_run, load_sampler, save_run


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    # G itself is what the damage below hits: no average of it to sample from instead
    run = new_run(RunConfig(model="dcgan", width=8, batch_size=16, device="cpu", seed=3,
                            g_ema=0.0))
    run.train_steps(5)
    run.snapshot()
    run.train_steps(3)
    run.snapshot()
    path = tmp_path_factory.mktemp("runs") / "r.h5"
    save_run(run, path)
    return run, path


def test_save_load_sample_gives_identical_images(trained):
    run, path = trained
    z = run.sampler().z(16, seed=7)
    before = run.sampler()(z)
    after = load_sampler(path)(z)
    assert np.array_equal(before, after)
    assert not np.allclose(before[0], before[1])  # different codes give different images


def test_reloaded_run_keeps_counters_history_and_optimiser(trained):
    run, path = trained
    twin = load_run(path)
    assert (twin.step, twin.d_steps, twin.elapsed) == (run.step, run.d_steps, run.elapsed)
    assert twin.history == run.history and len(twin.history["step"]) == 2
    for a, b in zip(run.opts["D"].state_dict()["state"].values(),
                    twin.opts["D"].state_dict()["state"].values()):
        assert torch.equal(a["exp_avg_sq"], b["exp_avg_sq"])


def test_continuing_matches_uninterrupted_training(tmp_path):
    cfg = RunConfig(model="gan", width=32, batch_size=8, device="cpu", seed=5)
    straight = new_run(cfg)
    straight.train_steps(6)
    half = new_run(cfg)
    half.train_steps(3)
    save_run(half, tmp_path / "h.h5")
    resumed = load_run(tmp_path / "h.h5")
    resumed.train_steps(3)
    for a, b in zip(straight.G.state_dict().values(), resumed.G.state_dict().values()):
        assert torch.equal(a, b)


def test_file_layout_is_plain_hdf5(trained):
    _, path = trained
    with h5py.File(path, "r") as f:
        assert f.attrs["format"] == "ganvis-run" and f.attrs["format_version"] == FORMAT_VERSION
        assert "weights/G/net.0.weight" in f and f["samples/grid"].shape == (64, 28, 28)
        assert len(f["history/d_loss"]) == 2


def _corrupt(src, dst, fn):
    dst.write_bytes(src.read_bytes())
    with h5py.File(dst, "r+") as f:
        fn(f)
    return dst


def _refused(path, *words):
    with pytest.raises(ModelFileError) as e:
        load_sampler(path)
    for w in words:
        assert w in str(e.value)
    return str(e.value)


def test_broken_files_are_refused_with_clear_messages(trained, tmp_path):
    _, good = trained
    _refused(tmp_path / "missing.h5", "no such model file")
    (tmp_path / "text.h5").write_text("hello")
    _refused(tmp_path / "text.h5", "not a readable HDF5")
    (tmp_path / "cut.h5").write_bytes(good.read_bytes()[: good.stat().st_size // 2])
    _refused(tmp_path / "cut.h5")

    def future(f):
        f.attrs["format_version"] = FORMAT_VERSION + 1

    _refused(_corrupt(good, tmp_path / "future.h5", future), "newer ganvis")

    def not_ours(f):
        del f.attrs["format"]

    _refused(_corrupt(good, tmp_path / "other.h5", not_ours), "not a ganvis model file")

    def nan(f):
        w = f["weights/G/net.0.weight"]
        a = w[()]
        a[0, 0] = np.nan
        w[...] = a

    _refused(_corrupt(good, tmp_path / "nan.h5", nan), "NaN")

    def reshape(f):
        a = f["weights/G/net.0.weight"][()]
        del f["weights/G/net.0.weight"]
        f["weights/G/net.0.weight"] = a[:, :3]

    _refused(_corrupt(good, tmp_path / "shape.h5", reshape), "shape")

    def bad_config(f):
        f.attrs["config"] = '{"model": "dcgan", "width": "wide"}'

    _refused(_corrupt(good, tmp_path / "cfg.h5", bad_config), "invalid config")

    def absurd(f):
        f.attrs["config"] = RunConfig(model="dcgan", width=4096, latent_dim=1024).to_json()

    _refused(_corrupt(good, tmp_path / "absurd.h5", absurd), "parameters")

    def dtype(f):
        a = f["weights/D/net.0.bias"][()]
        del f["weights/D/net.0.bias"]
        f["weights/D/net.0.bias"] = a.astype(np.float64)

    with pytest.raises(ModelFileError, match="dtype"):
        load_run(_corrupt(good, tmp_path / "dtype.h5", dtype))


def test_diverged_weights_are_never_written(tmp_path):
    run = new_run(RunConfig(model="gan", width=16, batch_size=8, device="cpu"))
    with torch.no_grad():
        next(run.G.parameters())[0, 0] = float("inf")
    target = tmp_path / "r.h5"
    target.write_bytes(b"previous contents")
    with pytest.raises(ModelFileError, match="not finite"):
        save_run(run, target)
    assert target.read_bytes() == b"previous contents"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.h5"]


def test_failed_write_leaves_old_file_and_no_temp(tmp_path, monkeypatch):
    run = new_run(RunConfig(model="gan", width=16, batch_size=8, device="cpu"))
    target = tmp_path / "r.h5"
    save_run(run, target)
    before = target.read_bytes()
    import ganvis.engine.store.save as store

    def boom(f, run, state):
        raise OSError("disk full")

    monkeypatch.setattr(store, "_write_attrs", boom)
    with pytest.raises(ModelFileError, match="disk full"):
        save_run(run, target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["r.h5"]
    with RunFile(target) as rf:
        assert rf.config == run.config


def test_a_write_removes_temp_files_of_killed_writers_only(tmp_path):
    import subprocess
    import sys

    from ganvis.engine.files.atomic import atomic_write_bytes

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()  # its pid now names no process
    target = tmp_path / "m.h5"
    orphan = tmp_path / f".m.h5.{gone.pid}.abc123.tmp"
    living = tmp_path / f".m.h5.{os.getppid()}.def456.tmp"  # a running writer's file
    other = tmp_path / f".n.h5.{gone.pid}.abc123.tmp"  # another target's
    for f in (orphan, living, other):
        f.write_bytes(b"half")
    atomic_write_bytes(target, b"whole")
    assert target.read_bytes() == b"whole"
    assert not orphan.exists() and living.exists() and other.exists()
