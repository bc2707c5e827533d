"""The timeline: every snapshot's grid, kept bounded, saved in run files, exported as GIF."""

import h5py
import numpy as np
import pytest
from pngutil import read_gif

from ganvis.engine import RunConfig, new_run
from ganvis.engine.errors import ModelFileError
from ganvis.engine.files.gif import gif_bytes
from ganvis.engine.runs.timeline import MAX_FRAMES, Timeline
from ganvis.engine.store import RunFile, load_run, save_run


def test_gif_round_trips_frames_exactly_through_an_independent_reader():
    frames = np.random.default_rng(0).integers(0, 256, (4, 17, 23)).astype(np.uint8)
    frames[3, :5] = frames[2, :5]  # a frame that changes in part
    data = gif_bytes(frames, delay_ms=70)
    assert data[:6] == b"GIF89a" and data[-1:] == b";"
    got, delays = read_gif(data)
    assert np.array_equal(got, frames) and delays == [70] * 4
    big, _ = read_gif(gif_bytes(frames, scale=3))
    assert np.array_equal(big, frames.repeat(3, axis=1).repeat(3, axis=2))
    frames[2] = frames[1]  # one that does not change shows its picture for longer
    got, delays = read_gif(gif_bytes(frames, delay_ms=70))
    assert np.array_equal(got, frames[[0, 1, 3]]) and delays == [70, 140, 70]
    with pytest.raises(ValueError):
        gif_bytes(np.zeros((0, 4, 4), np.uint8))
    with pytest.raises(ValueError):
        gif_bytes(frames, scale=0)


def test_gif_frames_carry_their_captions():
    frames = np.full((2, 40, 120), 200, np.uint8)
    got, _ = read_gif(gif_bytes(frames, captions=["step 10", "step 2,000"]))
    band = got[:, :-40]
    assert got.shape[1] > 40 and np.array_equal(got[:, -40:], frames)
    assert (band > 150).any(axis=(1, 2)).all()  # light text on the dark band
    assert not np.array_equal(band[0], band[1])  # each frame says its own step


def test_a_timeline_of_digits_is_compressed():
    """Grids of digits (dark ground, strokes): the GIF is well under the raw pixels (the old
    writer stored 9/8 of them, uncompressed)."""
    from ganvis.engine.data import load_dataset

    digits = np.asarray(load_dataset("mnist5k").images[:320], np.float32)
    t = Timeline()
    for step in range(20):
        t.add(step * 10, digits[step * 16:(step + 1) * 16])
    data = t.gif(cols=4)
    raw = sum(t.picture(i, 4).size for i in range(len(t)))
    assert len(data) < 0.5 * raw
    frames, _ = read_gif(data)
    assert len(frames) == 20


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
