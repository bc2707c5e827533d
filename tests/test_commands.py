"""The training thread's commands, driven directly: no window, no thread, no Qt."""

import subprocess
import sys

import numpy as np
import pytest
import torch

from ganvis.app.commands import RunCommands
from ganvis.engine import RunConfig, new_run
from ganvis.engine.store import save_run

SMALL = dict(width=16, depth=1, batch_size=8, device="cpu", metrics_every=0)


class Events(list):
    """What the commands emitted, in order: (event, args)."""

    def __call__(self, event, *args):
        self.append((event, args))

    def of(self, event):
        return [args for e, args in self if e == event]

    def last(self, event):
        found = self.of(event)
        assert found, f"no {event} among {[e for e, _ in self]}"
        return found[-1]


@pytest.fixture
def events():
    return Events()


def _ready(events, model="gan", **changes):
    c = RunCommands(events)
    c.handle("reset", RunConfig(model=model, **{**SMALL, **changes}))
    return c


def test_reset_installs_a_run_and_sends_its_config_history_and_first_snapshot(events):
    c = _ready(events)
    config, history, trainable, _ = events.last("run_changed")
    assert config.model == "gan" and trainable and history["step"] == []
    snap, sampler = events.last("snapshot")
    assert snap.step == 0 and sampler.step == 0 and c.run is not None


def test_manual_steps_snapshot_after_each(events):
    c = _ready(events)
    for kind, want in (("step", (1, 1)), ("step_d", (1, 2)), ("step_g", (2, 2))):
        c.handle(kind)
        snap, _ = events.last("snapshot")
        assert (snap.g_steps, snap.d_steps) == want, kind


def test_a_plain_autoencoder_has_no_discriminator_step_and_says_so(events):
    c = _ready(events, model="ae")
    c.handle("step_d")
    (message,) = events.last("failed")
    assert "no discriminator" in message and c.run.step == 0


def test_training_runs_until_a_command_is_waiting_then_pausing_sends_rows_and_a_snapshot(
        events):
    steps = []
    c = RunCommands(events, interrupted=lambda: len(steps) >= 12)
    c.handle("reset", RunConfig(model="gan", **SMALL))
    c.loop.hooks.on_step = lambda: steps.append(c.run.step)
    c.loop.pacing = type(c.loop.pacing)(every=1000.0, most=1000.0, rows=0.0)  # rows only
    c.loop.interval = 1000.0
    c.handle("train")
    assert events.last("state_changed") == (True,)
    c.train_a_while()  # returns when "a command arrives"
    assert c.run.step == 12 and len(c.rows) == 12
    c.handle("pause")
    assert events.last("state_changed") == (False,)
    (rows,) = events.last("progress")  # the rows go first, then the snapshot
    assert [r["step"] for r in rows] == list(range(1, 13)) and c.rows == []
    assert events[-1][0] == "snapshot" and events[-1][1][0].step == 12


def test_save_and_open_give_back_the_same_run(events, tmp_path):
    c = _ready(events, model="aae", latent_dim=2)
    for _ in range(3):
        c.handle("step")
    path = tmp_path / "r.h5"
    c.handle("save", str(path))
    assert events.last("saved") == (str(path), (c.run.step, c.run.d_steps, 0))
    before = c.run.state()
    other = RunCommands(events)
    other.handle("open", str(path))
    config, history, trainable, _ = events.last("run_changed")
    after = other.run.state()
    assert trainable and (after.step, after.images_seen) == (before.step, before.images_seen)
    assert history["step"] == before.record.history["step"]


def test_a_model_whose_data_is_missing_opens_to_explore_with_true_counts(events, tmp_path):
    data = tmp_path / "digits.npz"
    np.savez(data, images=np.zeros((40, 28, 28), np.uint8), labels=np.arange(40) % 10)
    run = new_run(RunConfig(model="aae", latent_dim=2, data=f"npz:{data}", **SMALL))
    run.train_steps(3)
    run.snapshot()
    path = save_run(run, tmp_path / "m.h5")
    data.unlink()
    c = RunCommands(events)
    c.handle("open", str(path))
    _, _, trainable, _ = events.last("run_changed")
    snap, sampler = events.last("snapshot")
    assert not trainable and c.run is None and "explore only" in events.last("notice")[0]
    # an autoencoder draws one real batch per step: 3 x 8 images (not d_steps x 8)
    assert snap.images_seen == run.images_seen == 24 and snap.step == 3
    assert sampler.step == 3 and len(snap.real_probs) == 0


def test_a_divergence_stops_training_and_a_rollback_recovers(events):
    c = _ready(events)
    c.handle("step")
    c.run.guard.keep(c.run)
    with torch.no_grad():
        next(c.run.nets["G"].parameters()).fill_(float("nan"))
    c.handle("train")
    c.train_a_while()
    (message,) = events.last("diverged")
    assert "diverged" in message and not c.training
    c.handle("rollback", 0.5)
    assert "Rolled back to step 1" in events.last("notice")[0]
    assert all(torch.isfinite(p).all() for p in c.run.nets["G"].parameters())


def test_rebuild_goes_on_from_the_same_step_with_the_new_batch(events):
    c = _ready(events)
    c.handle("step")
    c.handle("step")
    seen = c.run.images_seen
    c.handle("rebuild", {"batch_size": 4})
    assert c.run.step == 2 and c.run.config.batch_size == 4 and c.run.images_seen == seen
    assert "batch size 4" in events.last("notice")[0]
    assert events.last("run_changed")[0].batch_size == 4


def test_the_commands_import_no_qt():
    code = ("import sys, ganvis.app.commands; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('PySide6', 'pyqtgraph')]; "
            "print(bad); sys.exit(1 if bad else 0)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_app_logs_each_run_to_a_tensorboard_folder_of_its_own(events, tmp_path):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    c = _ready(events)
    c.handle("tensorboard", str(tmp_path))
    for _ in range(3):
        c.handle("step")
    c.handle("reset", RunConfig(model="aae", **SMALL))  # a new run: a new subfolder
    c.handle("step")
    c.handle("tensorboard", "")  # off: the files are closed, nothing more is written
    assert c.board is None and not events.of("failed")
    runs = sorted(p.name for p in tmp_path.iterdir())
    assert len(runs) == 2 and runs[0].startswith("aae-") and runs[1].startswith("gan-")
    for name in runs:
        ea = EventAccumulator(str(tmp_path / name))
        ea.Reload()
        assert "losses/d_loss" in ea.Tags()["scalars"] and ea.Tags()["images"]
    c.handle("step")
    assert len(list(tmp_path.iterdir())) == 2


def test_an_image_folder_note_is_told_once_at_reset(events, tmp_path):
    from PIL import Image

    for i in range(4):
        Image.fromarray(np.full((12, 12), 40 * i, np.uint8)).save(tmp_path / f"{i}.png")
    (tmp_path / "x.png").write_bytes(b"not a picture")
    _ready(events, data=f"images:{tmp_path}")
    notes = [t for (t,) in events.of("notice") if "pictures" in t]
    assert notes and "Read 4 pictures" in notes[0] and "skipped 1 unreadable" in notes[0]


def test_tensorboard_that_cannot_start_leaves_the_run_and_its_loop_together(events, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    c = _ready(events)
    c.handle("tensorboard", str(blocker / "tb"))  # under a file: cannot be made
    assert c.board is None and c.board_root == "" and events.last("logging") == (False,)
    c.board_root = str(blocker / "tb")  # as if it broke between runs
    c.handle("reset", RunConfig(model="gan", **SMALL))
    assert c.loop.run is c.run and c.board is None
    c.handle("step")
    assert c.run.step == 1 and not events.of("failed")
