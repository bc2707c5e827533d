"""One run state: what the guard keeps, what a rebuild carries and what the file stores is the
same RunState, so the three can never disagree."""

import math

import numpy as np
import pytest
import torch

from ganvis.engine import RunConfig, TrainingLoop, new_run
from ganvis.engine.errors import OutOfMemoryError
from ganvis.engine.nets.mlp import MLPDiscriminator
from ganvis.engine.store import load_run, save_run

SMALL = dict(width=32, depth=2, device="cpu", metrics_every=0)


def _tensors(sd):
    return {k: v for k, v in sd.items() if isinstance(v, torch.Tensor)}


def assert_same_state(a, b):
    """Two RunStates hold the same counters, weights, optimiser moments, random stream and
    record (wall-clock elapsed time aside)."""
    assert (a.d_steps, a.g_steps, a.images_seen) == (b.d_steps, b.g_steps, b.images_seen)
    assert a.nets.keys() == b.nets.keys()
    for k in a.nets:
        for name, t in a.nets[k].items():
            assert torch.equal(t.cpu(), b.nets[k][name].cpu()), (k, name)
    assert a.optimizers.keys() == b.optimizers.keys()
    for k in a.optimizers:
        sa, sb = a.optimizers[k]["state"], b.optimizers[k]["state"]
        assert sa.keys() == sb.keys()
        for i in sa:
            for n in _tensors(sa[i]):
                assert torch.equal(sa[i][n].cpu(), sb[i][n].cpu()), (k, i, n)
    assert a.rng[0] == b.rng[0] and torch.equal(a.rng[1], b.rng[1])
    ra, rb = a.record, b.record
    if ra is None or rb is None:
        assert ra is rb
        return
    for k in ra.history:
        if k != "elapsed":
            assert np.array_equal(ra.history[k], rb.history[k], equal_nan=True), k
    for k, v in ra.metrics["history"].items():
        assert np.array_equal(v, rb.metrics["history"][k], equal_nan=True), k
    for x, y in zip(ra.timeline, rb.timeline):
        assert np.array_equal(x, y)


def test_out_of_memory_halve_save_reopen_keeps_images_seen_and_everything_else(
        tmp_path, monkeypatch):
    run = new_run(RunConfig(model="gan", batch_size=64, **SMALL))
    TrainingLoop(run).train(3)
    run.snapshot()
    forward = MLPDiscriminator.forward

    def full(self, x):  # training batches of 64 fail like a full GPU's
        if x.shape[0] > 32 and torch.is_grad_enabled():
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return forward(self, x)

    monkeypatch.setattr(MLPDiscriminator, "forward", full)
    with pytest.raises(OutOfMemoryError):
        run.train_steps(1)
    run = run.rebuild(batch_size=32)
    TrainingLoop(run).train(2)
    run.snapshot()
    assert run.images_seen == 3 * 64 + 2 * 32
    path = save_run(run, tmp_path / "r.h5")
    again = load_run(path)
    assert again.images_seen == 3 * 64 + 2 * 32 and again.config.batch_size == 32
    assert_same_state(run.state(), again.state())
    # and both go on alike, step for step
    run.train_steps(2)
    again.train_steps(2)
    assert_same_state(run.state(), again.state())


def test_a_rollback_after_a_rebuild_keeps_the_images_seen_of_both_batch_sizes():
    run = new_run(RunConfig(model="gan", batch_size=16, **SMALL))
    run.train_steps(2)
    run = run.rebuild(batch_size=8)  # keeps a good state at step 2
    good = run.images_seen
    run.train_steps(3)
    assert run.images_seen == good + 3 * 8
    with torch.no_grad():
        next(run.nets["G"].parameters()).fill_(math.nan)
    run.rollback()
    assert run.step == 2 and run.images_seen == good == 2 * 16


def test_a_kept_state_shares_nothing_with_the_run():
    run = new_run(RunConfig(model="aae", batch_size=8, latent_dim=2, **SMALL))
    run.train_steps(1)
    kept = run.state().copied()
    run.train_steps(3)
    run.load_state(kept)
    twin = new_run(RunConfig(model="aae", batch_size=8, latent_dim=2, **SMALL))
    twin.train_steps(1)
    assert_same_state(run.state(record=False), twin.state(record=False))


def test_an_older_file_without_images_seen_counts_them_by_the_family(tmp_path):
    import h5py

    run = new_run(RunConfig(model="ae", batch_size=8, latent_dim=2, **SMALL))
    run.train_steps(3)
    path = save_run(run, tmp_path / "old.h5")
    with h5py.File(path, "r+") as f:
        del f.attrs["images_seen"]
    assert load_run(path).images_seen == 3 * 8  # one batch per autoencoder step


def test_a_rebuild_keeps_metrics_switched_off_and_why():
    run = new_run(RunConfig(model="gan", batch_size=8, **SMALL))
    run.live.enabled, run.live.note = False, "quality metrics are off after an error: boom"
    again = run.rebuild(batch_size=4)
    assert not again.live.enabled and "boom" in again.snapshot().metrics_note
