"""`ganvis train` under torchrun: two processes on the CPU (gloo), DDP, data sharded per rank,
rank 0 writing the file; the ranks check at the end that they hold identical weights (each
rank draws other batches, so without gradient averaging they would not)."""

import subprocess
import sys

import h5py
import pytest

from ganvis.engine.store import load_sampler


@pytest.mark.parametrize("model,extra", [("dcgan", ["--width", "8", "--k-disc", "2"]),
                                         ("saae", ["--width", "64"])])
def test_two_processes_train_in_step_and_rank_0_saves(tmp_path, model, extra):
    out = tmp_path / "r.h5"
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc_per_node",
           "2", "-m", "ganvis", "train", "--model", model, *extra, "--steps", "12",
           "--device", "cpu", "--metrics-every", "5", "--out", str(out), "--quiet"]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=240, cwd=tmp_path)
    assert p.returncode == 0, p.stderr[-3000:]
    assert "2 processes" in p.stderr and p.stderr.count("saved ") == 1
    assert [f.name for f in tmp_path.iterdir() if f.suffix == ".h5"] == ["r.h5"]
    with h5py.File(out) as f:
        assert f.attrs["step"] == 12
        assert len(f["metrics/step"]) >= 1  # rank 0 measured
    assert load_sampler(out).sample(4, seed=0).shape == (4, 28, 28)
