"""The D(x) waterfall travels with the run: recorded at snapshots, bounded, kept in the run
state, saved in the run file, checked on load, and restored in the app's history."""

import h5py
import numpy as np
import pytest

from ganvis.engine import RunConfig, new_run
from ganvis.engine.errors import ModelFileError
from ganvis.engine.quality.game import BINS, prob_hist
from ganvis.engine.runs.waterfall import MAX_ROWS, Waterfall
from ganvis.engine.store import RunFile, explore_file, load_run, save_run

SMALL = dict(width=16, depth=1, batch_size=8, device="cpu", metrics_every=0)


def _trained(model: str, tmp_path, **kw):
    run = new_run(RunConfig(model=model, **{**SMALL, **kw}))
    for _ in range(3):
        run.train_steps(2)
        run.snapshot()
    return run, save_run(run, tmp_path / f"{model}.h5")


def _same(a, b):
    assert len(a) == len(b) == 3
    for x, y in zip(a, b):
        assert x.dtype == y.dtype and np.array_equal(x, y)


@pytest.mark.parametrize("model", ["gan", "aae"])
def test_rows_are_recorded_at_snapshots_and_round_trip_through_the_file(model, tmp_path):
    run, path = _trained(model, tmp_path, **({"latent_dim": 4} if model == "aae" else {}))
    steps, real, fake = rows = run.waterfall.arrays()
    assert list(steps) == [2, 4, 6] and real.shape == fake.shape == (3, BINS)
    snap = run.snapshot()  # the same step again replaces its row, never adds one
    assert len(run.waterfall) == 3
    assert np.allclose(run.waterfall.real[-1], prob_hist(snap.real_probs))
    assert np.allclose(run.waterfall.fake[-1], prob_hist(snap.fake_probs))
    again = load_run(path)
    _same(again.waterfall.arrays(), rows)
    _same(again.state().record.waterfall, rows)  # one state: what a rebuild carries
    _same(run.rebuild(batch_size=4).waterfall.arrays(), run.waterfall.arrays())


def test_a_family_without_an_adversary_stores_no_waterfall(tmp_path):
    run, path = _trained("ae", tmp_path, latent_dim=4)
    assert len(run.waterfall) == 0
    with h5py.File(path, "r") as f:
        assert "waterfall" not in f
    assert len(load_run(path).waterfall) == 0


def test_the_waterfall_stays_bounded_and_spans_the_run():
    w = Waterfall()
    probs = np.linspace(0, 1, 50, dtype=np.float32)
    for step in range(1, 3 * MAX_ROWS):
        w.add(step, probs, probs)
    assert len(w) <= MAX_ROWS and w.steps[0] == 1 and w.steps[-1] == 3 * MAX_ROWS - 1
    assert (np.diff(w.steps) > 0).all()
    w.add(10, probs, probs)  # after a rollback: the rows past it go
    assert w.steps[-1] == 10 and (np.diff(w.steps) > 0).all()
    w.add(11, np.zeros(0), np.zeros(0))  # no verdicts: nothing kept
    assert w.steps[-1] == 10


def test_a_file_without_a_waterfall_loads_with_an_empty_one(tmp_path):
    run, path = _trained("gan", tmp_path)
    with h5py.File(path, "r+") as f:  # as files of earlier versions are
        del f["waterfall"]
    again = load_run(path)
    assert len(again.waterfall) == 0 and len(again.timeline) == 3
    steps, real, fake = explore_file(path).history["waterfall"]
    assert len(steps) == 0 and real.shape == (0, BINS)
    again.train_steps(2)
    again.snapshot()
    assert again.waterfall.steps == [8]


@pytest.mark.parametrize("damage", ["shape", "length", "values", "order", "missing"])
def test_a_damaged_waterfall_is_refused(damage, tmp_path):
    _, path = _trained("gan", tmp_path)
    with h5py.File(path, "r+") as f:
        g = f["waterfall"]
        if damage == "missing":
            del g["fake"]
        elif damage == "order":
            g["steps"][...] = [2, 6, 4]
        else:
            real = {"shape": np.zeros((3, BINS + 1), np.float32),
                    "length": np.zeros((2, BINS), np.float32),
                    "values": np.full((3, BINS), np.nan, np.float32)}[damage]
            del g["real"]
            g.create_dataset("real", data=real)
    with pytest.raises(ModelFileError, match="waterfall"):
        load_run(path)
    with pytest.raises(ModelFileError, match="waterfall"), RunFile(path) as rf:
        rf.waterfall()


def test_a_reopened_run_shows_its_waterfall_in_the_app(tmp_path):
    pytest.importorskip("PySide6")
    from ganvis.app.history import RunHistory

    run, path = _trained("gan", tmp_path)
    reopened = load_run(path)
    history = {k: list(v) for k, v in reopened.history.items()}  # as the worker hands it on
    history["timeline"] = reopened.timeline.arrays()
    history["waterfall"] = reopened.waterfall.arrays()
    for given in (history, explore_file(path).history):
        h = RunHistory()
        h.load(given)
        assert h.hist_steps == [2, 4, 6]
        wf = h.waterfall()
        assert wf is not None and wf[0].shape == (240, BINS, 3) and wf[1:] == (2.0, 6.0)
    snap = reopened.snapshot()  # the live path goes on from the restored rows, no twice
    h.add(snap)
    assert h.hist_steps == [2, 4, 6]
    reopened.train_steps(2)
    h.add(reopened.snapshot())
    assert h.hist_steps == reopened.waterfall.steps == [2, 4, 6, 8]
    old = RunHistory()
    old.load({k: v for k, v in history.items() if k != "waterfall"})  # an older file
    assert old.waterfall() is None and old.hist_steps == []
