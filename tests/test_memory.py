"""Running out of memory: caught, explained, and the run goes on with a smaller batch or on
another device, its state intact. The device's allocation failure is simulated (torch raises
the same exception type on every device)."""

import h5py
import pytest
import torch

from ganvis.cli import main
from ganvis.engine import RunConfig, new_run
from ganvis.engine.errors import OutOfMemoryError
from ganvis.engine.nets.mlp import MLPDiscriminator
from ganvis.engine.runs.memory import is_out_of_memory
from ganvis.engine.store import load_run

SMALL = dict(model="gan", width=32, depth=2, device="cpu", metrics_every=0)


def _state(run, buffers=True):
    return {f"{k}.{n}": t.detach().clone() for k, net in run.nets.items()
            for n, t in (net.state_dict() if buffers else dict(net.named_parameters())).items()}


def _assert_same(a, b):
    assert a.keys() == b.keys()
    for k in a:
        assert torch.equal(a[k], b[k]), k


def _starve(monkeypatch, limit: int = 32):
    """Make every MLP discriminator fail like a full GPU on training batches above `limit`
    (the views' probes run without gradients and pass)."""
    forward = MLPDiscriminator.forward

    def fake(self, x):
        if x.shape[0] > limit and torch.is_grad_enabled():
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return forward(self, x)

    monkeypatch.setattr(MLPDiscriminator, "forward", fake)


def test_out_of_memory_is_recognised_by_type_and_by_message():
    assert is_out_of_memory(torch.OutOfMemoryError("CUDA out of memory"))
    assert is_out_of_memory(RuntimeError("MPS backend out of memory (MPS allocated: 1 GB)"))
    assert is_out_of_memory(RuntimeError("DefaultCPUAllocator: can't allocate memory"))
    assert not is_out_of_memory(RuntimeError("mat1 and mat2 shapes cannot be multiplied"))
    assert not is_out_of_memory(ValueError("out of memory"))


@pytest.mark.parametrize("model", ["gan", "saae"])
def test_rebuild_carries_the_whole_state_step_for_step(model):
    """A rebuilt run with unchanged settings trains exactly as the original would."""
    config = RunConfig(**{**SMALL, "model": model})
    a, b = new_run(config), new_run(config)
    for run in (a, b):
        run.train_steps(3)
        run.snapshot()
    b = b.rebuild(device="cpu")
    assert (b.step, b.d_steps, b.images_seen) == (a.step, a.d_steps, a.images_seen)
    a.train_steps(4)
    b.train_steps(4)
    _assert_same(_state(a), _state(b))
    a.snapshot()
    b.snapshot()
    a.history.pop("elapsed"), b.history.pop("elapsed")  # wall time differs, nothing else
    assert a.history == b.history and len(a.history["step"]) == 2


def test_a_step_that_runs_out_of_memory_changes_nothing_and_half_the_batch_goes_on(
        monkeypatch):
    run = new_run(RunConfig(**SMALL))
    run.train_steps(2)
    run.snapshot()
    # G's forward pass ran before D's failed, so batch-norm statistics may move; no weight may.
    before, seen = _state(run, buffers=False), run.images_seen
    _starve(monkeypatch, limit=32)
    with pytest.raises(OutOfMemoryError) as e:
        run.train_steps(1)
    msg = str(e.value)
    assert "out of memory on cpu at batch size 64, step 2" in msg and "e.g. 32" in msg
    assert (e.value.batch_size, e.value.step) == (64, 2)
    _assert_same(before, _state(run, buffers=False))  # the failed step applied no update
    assert all(p.grad is None for net in run.nets.values() for p in net.parameters())
    smaller = run.rebuild(batch_size=32)
    _assert_same(_state(run), _state(smaller))
    assert smaller.config.batch_size == 32 and smaller.images_seen == seen
    smaller.train_steps(5)
    assert smaller.step == 7 and smaller.images_seen == seen + 5 * 32
    snap = smaller.snapshot()
    assert snap.images_per_s > 0 and torch.isfinite(torch.tensor(snap.d_loss))
    assert len(smaller.history["step"]) == 2  # the history goes on from the old run's


def _train(tmp_path, *extra):
    out = tmp_path / "r.h5"
    args = ["train", "--model", "gan", "--width", "32", "--depth", "2", "--steps", "4",
            "--device", "cpu", "--metrics-every", "0", "--quiet", "--out", str(out), *extra]
    return main(args), out


def test_cli_halves_the_batch_and_finishes(tmp_path, monkeypatch, capsys):
    _starve(monkeypatch, limit=16)
    rc, out = _train(tmp_path, "--on-oom", "halve")
    err = capsys.readouterr().err
    assert rc == 0, err
    assert "going on with batch size 32" in err and "going on with batch size 16" in err
    run = load_run(out)
    assert run.step == 4 and run.config.batch_size == 16


def test_cli_stops_saves_and_says_how_to_resume(tmp_path, monkeypatch, capsys):
    _starve(monkeypatch, limit=32)
    rc, out = _train(tmp_path)
    err = capsys.readouterr().err
    assert rc == 1
    assert "out of memory" in err and f"--resume {out} --batch-size 32" in err
    with h5py.File(out) as f:  # a whole run file at the step it stopped
        assert f.attrs["step"] == 0
    rc = main(["train", "--resume", str(out), "--batch-size", "32", "--steps", "3", "--quiet",
               "--out", str(out)])
    assert rc == 0, capsys.readouterr().err
    run = load_run(out)
    assert run.step == 3 and run.config.batch_size == 32


def test_running_out_of_memory_in_a_snapshot_is_reported_too(monkeypatch):
    run = new_run(RunConfig(**SMALL))
    run.train_steps(1)

    def full(self, z):
        raise torch.OutOfMemoryError("CUDA out of memory (snapshot)")

    monkeypatch.setattr(type(run.G), "forward", full)
    with pytest.raises(OutOfMemoryError, match="batch size 64, step 1"):
        run.snapshot()
