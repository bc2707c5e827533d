"""Quality metrics during training: measured on schedule, within budget, kept in the file."""

import json

import numpy as np
import pytest

from ganvis.cli import main
from ganvis.engine import RunConfig, TrainingLoop, new_run
from ganvis.engine.data import Dataset, load_dataset
from ganvis.engine.quality.live import BUDGET, LiveMetrics
from ganvis.engine.store import RunFile, load_run, save_run


def small(model="gan", **kw):
    base = dict(model=model, width=64, depth=1, batch_size=32, device="cpu", metrics_every=20)
    return RunConfig(**{**base, **kw})


def test_metrics_arrive_in_snapshots_and_history_within_budget():
    run = new_run(small())
    TrainingLoop(run).train(120)
    h = run.live.history
    assert h["step"] and h["step"][0] == 20 and np.all(np.diff(h["step"]) >= 20)
    snap = run.snapshot()
    assert snap.metrics["step"] == h["step"][-1] and 0 <= snap.metrics["coverage"] <= 10
    assert np.isfinite(snap.metrics["fcd"]) and snap.metrics_note == ""
    # Each measurement waits for 1/BUDGET - 1 times its own cost of training time.
    costs, steps = np.array(h["seconds"]), np.array(h["step"])
    assert len(steps) < 120 / 20 + 1
    measured = costs.sum()
    assert measured <= BUDGET / (1 - BUDGET) * run.elapsed + costs[0] + 1e-9


def test_schedule_holds_measuring_to_its_share_of_time():
    digits = load_dataset("mnist5k")
    live = LiveMetrics(digits, "normal", 8, 0, 0, every=10)
    live.last_step, live.last_cost, live.train_mark = 10, 1.0, 5.0
    assert not live.due(25, 5.0 + 18.0)  # 18 s trained since: less than 19 x 1 s
    assert live.due(25, 5.0 + 19.5)
    assert not live.due(15, 100.0)  # too few steps, however much time
    assert not LiveMetrics(digits, "normal", 8, 0, 0, every=0).due(100, 1e9)


def test_metrics_fall_as_a_gan_learns():
    run = new_run(RunConfig(model="dcgan", batch_size=32, device="cpu", metrics_every=0))
    first = run.measure()
    TrainingLoop(run).train(250)
    later = run.measure()
    assert later["fcd"] < 0.5 * first["fcd"]
    assert later["coverage"] >= first["coverage"]


def test_saae_runs_report_control_accuracy():
    run = new_run(small("saae", latent_dim=2, width=128))
    TrainingLoop(run).train(150)
    m = run.measure()
    assert 0.0 <= m["control_accuracy"] <= 1.0
    assert m["control_accuracy"] > 0.3  # ten-way chance is 0.1
    assert "control_accuracy" not in new_run(small()).measure() or np.isnan(
        new_run(small()).measure()["control_accuracy"])


def test_user_data_gets_a_note_not_metrics(tmp_path, monkeypatch):
    monkeypatch.setenv("GANVIS_CACHE", str(tmp_path))  # an empty cache: no judge yet
    ds = load_dataset("mnist5k")
    mine = Dataset("my-digits", ds.images[::8], ds.labels[::8])  # about 62 of each digit
    run = new_run(small(), mine)
    TrainingLoop(run).train(60)
    snap = run.snapshot()
    assert snap.metrics == {} and "no judge for my-digits yet" in snap.metrics_note
    assert "`ganvis judge" in snap.metrics_note
    unlabelled = Dataset("my-scribbles", ds.images[:256], None)
    run = new_run(small(), unlabelled)
    TrainingLoop(run).train(20)
    assert "has no labels" in run.snapshot().metrics_note


def test_metrics_history_round_trips_and_continues(tmp_path):
    run = new_run(small())
    TrainingLoop(run).train(60)
    run.measure()
    path = save_run(run, tmp_path / "r.h5")
    with RunFile(path) as rf:
        stored = rf.history("metrics")
    assert stored["step"] == run.live.history["step"]
    assert np.allclose(stored["fcd"], run.live.history["fcd"])
    again = load_run(path)
    assert again.live.history["step"] == run.live.history["step"]
    TrainingLoop(again).train(30)
    assert len(again.live.history["step"]) >= len(stored["step"])


def test_eval_cli_json(tmp_path, capsys):
    run = new_run(small("saae", latent_dim=2, width=64))
    TrainingLoop(run).train(20)
    save_run(run, tmp_path / "s.h5")
    capsys.readouterr()
    assert main(["eval", str(tmp_path / "s.h5"), "--n", "300", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert isinstance(out["coverage"], int) and 0 <= out["coverage"] <= 10
    for k in ("fcd", "class_kl", "score", "control_accuracy", "fcd_floor"):
        assert isinstance(out[k], float)
    assert main(["eval", "--real", "--json"]) == 0
    real = json.loads(capsys.readouterr().out)
    assert real["accuracy"] >= 0.97 and real["fcd_floor"] < out["fcd"]


@pytest.mark.parametrize("argv, message", [
    (["eval"], "model file, or --real"),
    (["eval", "missing.h5"], "missing.h5"),
])
def test_eval_cli_errors(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 1
    assert message in capsys.readouterr().err


def test_a_damaged_metrics_group_is_refused_clearly(tmp_path):
    import h5py

    from ganvis.engine.errors import ModelFileError

    run = new_run(small())
    TrainingLoop(run).train(25)
    path = save_run(run, tmp_path / "r.h5")
    with h5py.File(path, "r+") as f:
        del f["metrics/coverage"]
    with pytest.raises(ModelFileError, match="metrics"):
        load_run(path)


def test_a_failing_measurement_turns_metrics_off_and_training_goes_on(monkeypatch):
    import ganvis.engine.quality.live as metrics  # where the live metrics call it

    def broken(*a, **k):
        raise RuntimeError("device has no float64")

    monkeypatch.setattr(metrics, "evaluate", broken)
    run = new_run(small())
    TrainingLoop(run).train(50)
    assert run.step == 50 and not run.live.enabled
    assert "RuntimeError" in run.snapshot().metrics_note


def test_mode_collapse_is_recorded_and_warned_only_after_coverage_is_lost(monkeypatch):
    import ganvis.engine.quality.live as metrics  # where the live metrics call it

    real = metrics.evaluate
    coverage = iter([3, 9, 10, 4, 4])  # untrained, learning, learned, collapsed...

    def fake(*a, **k):
        m = real(*a, **k)
        m["coverage"] = next(coverage)
        return m

    monkeypatch.setattr(metrics, "evaluate", fake)
    run = new_run(small())
    flags = []
    for _ in range(5):
        TrainingLoop(run).train(2)
        flags.append(run.measure()["collapse"])
    assert flags == [0.0, 0.0, 0.0, 1.0, 1.0]
    assert run.live.history["collapse"] == flags
