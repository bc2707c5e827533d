"""The timeline: every snapshot's grid, kept bounded, saved in run files, exported as GIF."""

import h5py
import numpy as np
import pytest

from ganvis.engine import RunConfig, new_run
from ganvis.engine.errors import ModelFileError
from ganvis.engine.files.gif import gif_bytes, read_gif_frames
from ganvis.engine.runs.timeline import MAX_FRAMES, Timeline
from ganvis.engine.store import RunFile, load_run, save_run


def test_gif_round_trips_frames_exactly():
    frames = np.random.default_rng(0).integers(0, 256, (4, 17, 23)).astype(np.uint8)
    data = gif_bytes(frames)
    assert data[:6] == b"GIF89a" and data[-1:] == b";"
    assert np.array_equal(read_gif_frames(data), frames)
    with pytest.raises(ValueError):
        gif_bytes(np.zeros((0, 4, 4), np.uint8))


def test_timeline_keeps_every_snapshot_then_thins_evenly():
    t = Timeline()
    grid = np.zeros((4, 28, 28), np.float32)
    for step in range(10):
        t.add(step, grid + step / 10)
    t.add(9, grid)  # the same step again replaces, never duplicates
    assert t.steps == list(range(10)) and t.frames[-1].max() == 128
    for step in range(10, MAX_FRAMES + 1):
        t.add(step, grid)
    assert len(t) <= MAX_FRAMES and t.steps[0] == 0 and t.steps[-1] == MAX_FRAMES
    assert len(set(np.diff(t.steps))) <= 2  # evenly spread


def test_run_timeline_round_trips_through_the_file(tmp_path):
    run = new_run(RunConfig(model="gan", width=16, depth=1, batch_size=8, device="cpu",
                        metrics_every=0))
    for _ in range(4):
        run.train_steps(3)
        run.snapshot()
    steps, grids = run.timeline.arrays()
    assert list(steps) == [3, 6, 9, 12] and grids.shape == (4, 64, 28, 28)
    path = save_run(run, tmp_path / "r.h5")
    again = load_run(path)
    s2, g2 = again.timeline.arrays()
    assert np.array_equal(s2, steps) and np.array_equal(g2, grids)
    with h5py.File(path, "r+") as f:
        del f["timeline/grids"]
        f.create_dataset("timeline/grids", data=np.zeros((3, 64, 28, 28), np.float32))
    with pytest.raises(ModelFileError, match="timeline"), RunFile(path) as rf:
        rf.timeline()
