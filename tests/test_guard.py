"""Divergence: caught within a few steps without a per-step sync, rolled back, never saved."""

import numpy as np
import pytest
import torch

from ganvis.engine import RunConfig, new_run
from ganvis.engine.errors import DivergenceError, ModelFileError
from ganvis.engine.runs.guard import CHECK_EVERY, KEEP_EVERY
from ganvis.engine.store import save_run


def small(**kw):
    return RunConfig(**{**dict(model="gan", width=16, depth=1, batch_size=8, device="cpu",
                               metrics_every=0), **kw})


def poison(run):
    with torch.no_grad():
        next(run.G.parameters()).fill_(float("nan"))


def test_a_nan_is_caught_within_check_every_steps_and_rolled_back(tmp_path):
    run = new_run(small())
    run.train_steps(KEEP_EVERY + 10)
    good_step = run.guard.good.step
    assert 0 < run.step - good_step <= KEEP_EVERY + CHECK_EVERY  # at most one interval lost
    lr = run.opts["G"].param_groups[0]["lr"]
    poison(run)
    bad_step = run.step
    with pytest.raises(DivergenceError, match="diverged") as caught:
        run.train_steps(5 * CHECK_EVERY)
    assert caught.value.step - bad_step <= CHECK_EVERY
    with pytest.raises(ModelFileError, match="not finite"):
        save_run(run, tmp_path / "bad.h5")  # nothing non-finite is written
    assert not (tmp_path / "bad.h5").exists()
    back = run.rollback(lr_scale=0.5)
    assert back == good_step and run.step == good_step
    assert all(run.opts[k].param_groups[0]["lr"] == lr / 2 for k in ("G", "D"))
    assert all(torch.isfinite(p).all() for p in run.G.parameters())
    run.train_steps(2 * CHECK_EVERY)  # and it goes on
    s = run.snapshot()
    assert np.isfinite(s.d_loss) and s.step == good_step + 2 * CHECK_EVERY


def test_a_snapshot_never_shows_a_diverged_run():
    run = new_run(small())
    run.train_steps(3)
    poison(run)
    with pytest.raises(DivergenceError):
        run.snapshot()


def test_no_rollback_before_any_good_state():
    run = new_run(small())
    with pytest.raises(DivergenceError, match="no good state"):
        run.rollback()
