"""The training studio, driven through its own widgets: real runs, pause, steps, exports."""

import time

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from pngutil import read_gif, read_png  # noqa: E402
from qtmessages import boxes, click, discard_if_asked, said  # noqa: E402

from ganvis.app.exports import write_grid  # noqa: E402
from ganvis.app.main_window import MainWindow  # noqa: E402
from ganvis.app.views.explore import T_STEPS  # noqa: E402
from ganvis.engine.store import load_sampler  # noqa: E402

WAIT = 30_000


def _train_until(qtbot, w, step):
    if not w.training:
        w.acts.train.trigger()
    qtbot.waitUntil(lambda: w.training and w.latest.step >= step, timeout=WAIT)


def _pause(qtbot, w):
    w.acts.train.trigger()
    qtbot.waitUntil(lambda: not w.training, timeout=WAIT)
    # Pausing sends a last snapshot; the run is idle now, so reading its counter is safe.
    qtbot.waitUntil(lambda: w.latest.step == w.session.worker.run.step, timeout=WAIT)


def test_training_shows_changing_samples_and_both_histograms(qtbot, window):
    import torch

    w = window
    assert torch.get_num_threads() == 1  # the GUI thread keeps no pool (engine/devices/threads.py)
    assert w.latest.step == 0 and w.config.model == "dcgan" and w.config.data == "mnist5k"
    first = w.panels.samples.pane.pixels.copy()
    _train_until(qtbot, w, 30)
    qtbot.waitUntil(lambda: len(w.history.hist_steps) >= 3, timeout=WAIT)
    qtbot.waitUntil(lambda: w.panels.samples.step >= 30, timeout=WAIT)  # the timer redrew
    assert np.abs(w.panels.samples.pane.pixels.astype(int) - first).mean() > 5
    s = w.latest
    for p in (s.real_probs, s.fake_probs):
        assert ((p >= 0) & (p <= 1)).all() and len(p) == 256
    _, real_h = w.panels.hists.real.getData()
    _, fake_h = w.panels.hists.fake.getData()
    assert real_h.sum() == pytest.approx(1) and fake_h.sum() == pytest.approx(1)
    assert not np.allclose(real_h, fake_h)  # two batches, two distributions
    assert w.panels.hists.fall_item.image is not None
    x, y = w.panels.curves.d_curve.getData()
    assert len(x) >= 2 and np.isfinite(y).all()
    assert w.panels.status["step"].text().startswith("step ")


def test_pause_stops_and_step_d_moves_only_d(qtbot, window):
    w = window
    _train_until(qtbot, w, 5)
    _pause(qtbot, w)
    paused = w.session.worker.run.step
    qtbot.wait(300)  # time passes; a paused run must not step
    assert w.session.worker.run.step == paused
    before = w.latest
    w.acts.step_d.trigger()
    qtbot.waitUntil(lambda: w.latest.d_steps == before.d_steps + 1, timeout=WAIT)
    after = w.latest
    assert after.g_steps == before.g_steps
    assert np.array_equal(after.grid, before.grid)  # G untouched
    assert not np.array_equal(after.real_probs, before.real_probs)  # D moved
    w.acts.step_g.trigger()
    qtbot.waitUntil(lambda: w.latest.g_steps == before.g_steps + 1, timeout=WAIT)
    assert w.latest.d_steps == after.d_steps
    assert not np.array_equal(w.latest.grid, after.grid)
    w.acts.step.trigger()
    qtbot.waitUntil(lambda: w.latest.g_steps == before.g_steps + 2, timeout=WAIT)
    assert w.latest.d_steps == after.d_steps + w.config.k_disc


def test_closing_during_training_stops_the_worker_within_a_second(qtbot, make_window):
    w = make_window()
    _train_until(qtbot, w, 3)
    t0 = time.perf_counter()
    w.close_discarding()
    assert time.perf_counter() - t0 < 1.0
    assert w.session.thread.isFinished()


def test_exported_model_and_grid_load_back(qtbot, window, tmp_path):
    w = window
    _train_until(qtbot, w, 5)
    _pause(qtbot, w)
    model = tmp_path / "m.h5"
    with qtbot.waitSignal(w.session.worker.saved, timeout=WAIT):
        w.export_model(str(model))
    sampler = load_sampler(model)
    assert sampler.step == w.session.worker.run.step
    z = sampler.z(4, 0)
    assert np.array_equal(sampler(z), w.sampler(z))
    png = tmp_path / "g.png"
    assert write_grid(w, w.sampler, str(png), rows=3, cols=5, scale=2, seed=1)
    assert read_png(png.read_bytes()).shape == (3 * 56 + 4 * 2, 5 * 56 + 6 * 2)


def test_the_generator_exports_as_onnx_from_the_window_while_it_trains(qtbot, window, tmp_path):
    import onnxruntime as ort

    w = window
    _train_until(qtbot, w, 3)  # left training: the export works on the sampler's own copy
    out = tmp_path / "g.onnx"
    sampler = w.sampler
    assert w.export_onnx(str(out)) == str(out)
    assert "as ONNX" in w.statusBar().currentMessage()
    z = sampler.z(3, 0)
    got = ort.InferenceSession(str(out)).run(None, {"z": z})[0]
    assert np.abs(got[:, 0] - sampler(z)).max() <= 1e-4


def test_an_onnx_export_works_on_its_own_copy_and_reports_any_failure(qtbot, window, tmp_path,
                                                                      monkeypatch):
    import ganvis.engine.store.onnx_export as onnx_export

    w = window
    _train_until(qtbot, w, 2)
    seen = []

    def broken(sampler, path, quiet=True):
        seen.append(sampler.G is not w.sampler.G)  # the sliders keep theirs to themselves
        raise RuntimeError("CUDA out of memory")

    monkeypatch.setattr(onnx_export, "export_generator", broken)
    out = tmp_path / "g.onnx"
    assert w.export_onnx(str(out)) == "" and seen == [True] and not out.exists()
    assert said(w, "CUDA out of memory") and "as ONNX" not in w.statusBar().currentMessage()


def test_settings_apply_at_once_before_training_and_wait_for_reset_after(qtbot, window):
    w = window
    w.panels.setup.width.setValue(8)
    qtbot.waitUntil(lambda: w.config.width == 8, timeout=WAIT)
    assert not w.panels.setup.banner.isVisibleTo(w.panels.setup)
    _train_until(qtbot, w, 2)
    w.panels.setup.k.setValue(2)
    assert w.panels.setup.banner.isVisibleTo(w.panels.setup) and w.config.k_disc == 1
    w.acts.reset.trigger()
    discard_if_asked(w)
    qtbot.waitUntil(lambda: w.config.k_disc == 2 and w.latest.step == 0, timeout=WAIT)
    assert not w.panels.setup.banner.isVisibleTo(w.panels.setup)


def test_a_broken_data_file_is_reported_and_the_run_survives(qtbot, window, tmp_path):
    w = window
    _train_until(qtbot, w, 3)
    _pause(qtbot, w)
    step = w.latest.step
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"not a zip")
    w.data_files.use(str(bad))
    w.acts.reset.trigger()
    discard_if_asked(w)
    qtbot.waitUntil(lambda: said(w, "bad.npz"), timeout=WAIT)
    assert w.session.worker.run.step == step and w.config.data == "mnist5k"


def test_open_model_restores_run_and_history(qtbot, window, tmp_path):
    w = window
    _train_until(qtbot, w, 5)
    _pause(qtbot, w)
    path = tmp_path / "m.h5"
    with qtbot.waitSignal(w.session.worker.saved, timeout=WAIT):
        w.export_model(str(path))
    step, n_hist = w.latest.step, len(w.history.series["step"])
    assert w.session.worker.commands.mark() == w.unsaved.saved_mark  # all of it in m.h5
    w.acts.reset.trigger()
    assert not boxes(w, "Unsaved training")  # saved: nothing to ask
    qtbot.waitUntil(lambda: w.latest.step == 0 or bool(boxes(w)), timeout=2 * WAIT)
    assert w.latest.step == 0, [b.text() for b in boxes(w)]
    w.open_model(str(path))
    qtbot.waitUntil(lambda: w.latest.step == step, timeout=WAIT)
    assert len(w.history.series["step"]) >= n_hist - 1
    assert str(path) in w.acts.recent_menu.actions()[0].text()


def test_settings_survive_a_restart(qtbot, make_window):
    w = make_window()
    w.panels.setup.model.setCurrentIndex(w.panels.setup.model.findData("gan"))
    qtbot.waitUntil(lambda: w.config.model == "gan", timeout=WAIT)
    w.panels.curves.log.setChecked(True)
    w.close_discarding()
    w2 = make_window()
    assert w2.config.model == "gan" and w2.panels.curves.log.isChecked()


def test_a_model_whose_data_is_gone_opens_to_explore(qtbot, window, tmp_path):
    from ganvis.engine import RunConfig, new_run
    from ganvis.engine.data import load_dataset
    from ganvis.engine.store import save_run

    data = tmp_path / "digits.npz"
    ds = load_dataset("mnist5k")
    np.savez(data, images=((ds.images[::50] + 1) * 127.5).astype(np.uint8))
    run = new_run(RunConfig(model="gan", width=16, depth=1, batch_size=8, data=f"npz:{data}",
                        device="cpu"))
    run.train_steps(3)
    run.snapshot()
    save_run(run, tmp_path / "m.h5")
    data.unlink()
    w = window
    w.open_model(str(tmp_path / "m.h5"))
    qtbot.waitUntil(lambda: said(w, "explore only"), timeout=WAIT)
    qtbot.waitUntil(lambda: w.latest.step == 3 and w.panels.samples.step == 3, timeout=WAIT)
    assert not w.acts.train.isEnabled() and not w.acts.step_d.isEnabled()
    assert w.panels.status["state"].text() == "exploring"
    assert np.array_equal(w.latest.grid, run.snapshot().grid)
    assert w.sampler is not None and w.sampler.config.model == "gan"
    w.acts.reset.trigger()  # its data set is still missing: an error, nothing lost
    qtbot.waitUntil(lambda: said(w, "digits.npz"), timeout=WAIT)
    assert w.latest.step == 3
    w.panels.setup.data.setCurrentIndex(w.panels.setup.data.findData("mnist5k"))  # applies at once
    qtbot.waitUntil(lambda: w.acts.train.isEnabled() and w.latest.step == 0, timeout=WAIT)


def test_quality_metrics_reach_the_curves_and_the_run_file(qtbot, window, tmp_path):
    w = window
    w.panels.setup.metrics.setValue(10)
    qtbot.waitUntil(lambda: w.config.metrics_every == 10, timeout=WAIT)
    assert "appear" in w.panels.curves.quality_hint.text() and not w.panels.curves.showing_metrics
    _train_until(qtbot, w, 12)
    qtbot.waitUntil(lambda: len(w.history.metrics.get("step", [])) >= 1, timeout=WAIT)
    qtbot.waitUntil(lambda: len(w.panels.curves.fcd_curve.getData()[0] or []) >= 1, timeout=WAIT)
    assert w.panels.curves.showing_metrics and "FCD" in w.panels.curves.quality_hint.text()
    _, fcd = w.panels.curves.fcd_curve.getData()
    _, cov = w.panels.curves.coverage_curve.getData()
    assert np.isfinite(fcd).all() and (fcd > 0).all() and ((cov >= 0) & (cov <= 10)).all()
    _pause(qtbot, w)
    path = tmp_path / "m.h5"
    with qtbot.waitSignal(w.session.worker.saved, timeout=WAIT):
        w.export_model(str(path))
    n = len(w.history.metrics["step"])
    w.acts.reset.trigger()
    qtbot.waitUntil(lambda: w.latest.step == 0, timeout=WAIT)
    assert not w.history.metrics.get("step")
    w.open_model(str(path))
    qtbot.waitUntil(lambda: len(w.history.metrics.get("step", [])) >= n, timeout=WAIT)


def test_user_data_explains_why_there_are_no_metrics(qtbot, window, tmp_path):
    from ganvis.engine.data import load_dataset

    data = tmp_path / "digits.npz"
    ds = load_dataset("mnist5k")
    np.savez(data, images=((ds.images[::20] + 1) * 127.5).astype(np.uint8))
    w = window
    w.data_files.use(str(data))
    qtbot.waitUntil(lambda: "has no labels" in w.history.metrics_note, timeout=WAIT)
    qtbot.waitUntil(lambda: "has no labels" in w.panels.curves.quality_hint.text(),
                    timeout=WAIT)


def test_choosing_a_family_starts_it_with_that_familys_defaults(qtbot, window):
    w = window
    w.panels.setup.model.setCurrentIndex(w.panels.setup.model.findData("aae"))
    qtbot.waitUntil(lambda: w.latest.model == "aae", timeout=WAIT)
    qtbot.wait(200)  # any late reset would land now
    c = w.session.worker.run.config
    assert (c.model, c.width, c.latent_dim, c.lr_d) == ("aae", 512, 8, 1e-3)
    assert w.panels.setup.width.value() == 512 and w.panels.setup.latent.value() == 8


def test_game_panel_speaks_of_each_familys_game(qtbot):
    from ganvis.app.views.game import GameView
    from ganvis.engine import RunConfig, new_run
    from ganvis.engine.quality.game import verdict

    rng = np.random.default_rng(0)
    real, fake = rng.uniform(0.2, 0.4, 200), rng.uniform(0.4, 0.6, 200)
    assert verdict(real, fake, step=0).startswith("Not started")
    assert "fooling" in verdict(real, fake, step=5)
    assert "Near equilibrium" in verdict(rng.uniform(0.44, 0.56, 200),
                                         rng.uniform(0.44, 0.56, 200), step=5)
    # means 0.31 and 0.03, the histograms apart: D is winning, not "contested"
    assert "D is winning" in verdict(np.full(50, 0.31), np.full(50, 0.03), step=5)
    view = GameView()
    qtbot.addWidget(view)
    for model, words in (("ae", "no game"), ("aae", "prior samples"), ("gan", "real")):
        run = new_run(RunConfig(model=model, width=16, depth=1, latent_dim=2, batch_size=8,
                            device="cpu", metrics_every=0))
        run.train_steps(2)
        view.set_snapshot(run.snapshot())
        assert words in view.text.text()


def test_a_demo_model_opens_ready_to_explore(qtbot, window):
    from ganvis.engine.store import load_sampler
    from ganvis.engine.store.demos import demo_path

    w = window
    w.open_demo("demo-dcgan")
    demo = load_sampler(demo_path("demo-dcgan"))
    qtbot.waitUntil(lambda: w.latest.step == demo.step and w.panels.explore.sampler is not None,
                    timeout=WAIT)
    qtbot.waitUntil(lambda: w.panels.explore.frame is not None, timeout=WAIT)
    za, _ = w.panels.explore.codes()
    w.panels.explore.t.setValue(0)
    w.panels.explore.render_now()
    assert np.array_equal(w.panels.explore.frame, demo(za[None])[0])
    w.open_demo("no-such-demo")
    assert said(w, "demo models")


def test_timeline_holds_every_snapshot_and_exports_them(qtbot, window, tmp_path):
    w = window
    _train_until(qtbot, w, 20)
    qtbot.waitUntil(lambda: len(w.history.timeline) >= 4, timeout=WAIT)
    _pause(qtbot, w)
    qtbot.wait(100)
    t = w.history.timeline
    assert t.steps == sorted(set(t.steps)) and t.steps[-1] == w.latest.step
    assert set(w.history.hist_steps) <= set(t.steps)  # every snapshot the views saw
    w.panels.timeline.set_timeline(t, w.history.grid_cols)
    w.panels.timeline.slider.setValue(0)
    assert w.panels.timeline.label.text().startswith(f"step {t.steps[0]:,}")
    gif = tmp_path / "t.gif"
    assert w.panels.timeline.export_gif(str(gif)) == str(gif)
    frames, delays = read_gif(gif.read_bytes())
    assert len(frames) == len(t) and set(delays) == {150}
    grid = t.picture(0, w.history.grid_cols)
    assert frames.shape[2] == grid.shape[1] and frames.shape[1] > grid.shape[0]  # a caption
    assert np.array_equal(frames[0, -grid.shape[0]:], grid)  # under it, the grid unchanged
    strip = tmp_path / "s.png"
    assert w.panels.timeline.export_strip(str(strip)) == str(strip)
    assert read_png(strip.read_bytes()).shape[1] > read_png(strip.read_bytes()).shape[0]


def test_clicking_a_sample_shows_its_nearest_training_digits(qtbot, window):
    from ganvis.engine.data import load_dataset
    from ganvis.engine.quality.metrics import reference

    w = window
    _train_until(qtbot, w, 10)
    _pause(qtbot, w)
    qtbot.waitUntil(lambda: w.panels.samples.step == w.latest.step, timeout=WAIT)
    grid = w.panels.samples
    assert grid.cell_at(0, 0) is None and grid.cell_at(2 + 28 + 1, 5) is None  # the gaps
    assert grid.cell_at(2 + 30 + 5, 2 + 30 * 2 + 5) == 2 * 8 + 1
    w.show_neighbours(17)
    d = w.neighbours
    assert d.isVisible() and len(d.result["pixel"]) == 5 and len(d.result["feature"]) == 5
    dist = [x for _, x in d.result["pixel"]]
    assert dist == sorted(dist) and "nearest" in d.text.text()
    # A training digit itself: found at distance ~0, and called a copy.
    ref = reference("mnist5k")
    i = int(ref.train_index[3])
    grid.images = np.array(load_dataset("mnist5k").images[:64])
    grid.images[17] = load_dataset("mnist5k").images[i]
    w.show_neighbours(17)
    assert d.result["pixel"][0][0] == i and d.result["pixel"][0][1] < 0.1
    assert "look for a copy" in d.text.text()


def test_divergence_stops_training_and_a_rollback_recovers(qtbot, window):
    import torch

    w = window
    _train_until(qtbot, w, 60)
    _pause(qtbot, w)
    run = w.session.worker.run
    with torch.no_grad():  # a fault: the run is idle, so the GUI thread may poke it here
        next(run.G.parameters()).fill_(float("nan"))
    lr = run.opts["G"].param_groups[0]["lr"]
    w.acts.train.trigger()
    qtbot.waitUntil(lambda: said(w, "diverged"), timeout=WAIT)
    qtbot.waitUntil(lambda: not w.training, timeout=WAIT)
    click(boxes(w, "Training diverged")[0], "Roll back, halve learning rates")
    qtbot.waitUntil(lambda: said(w, "Rolled back"), timeout=WAIT)
    assert run.opts["G"].param_groups[0]["lr"] == lr / 2
    assert all(torch.isfinite(p).all() for p in run.G.parameters())
    _train_until(qtbot, w, w.latest.step + 5)
    assert np.isfinite(w.latest.d_loss)


def test_out_of_memory_stops_training_and_a_smaller_batch_goes_on(qtbot, window,
                                                                  monkeypatch):
    import torch

    from ganvis.engine.nets.dcgan import DCGANDiscriminator

    w = window
    _train_until(qtbot, w, 5)
    forward = DCGANDiscriminator.forward

    def full_gpu(self, x):  # training batches above 32 fail as on a full GPU
        if x.shape[0] > 32 and torch.is_grad_enabled():
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB")
        return forward(self, x)

    monkeypatch.setattr(DCGANDiscriminator, "forward", full_gpu)
    qtbot.waitUntil(lambda: bool(boxes(w, "Out of memory")), timeout=WAIT)
    qtbot.waitUntil(lambda: not w.training, timeout=WAIT)
    box = boxes(w, "Out of memory")[0]
    assert "batch size 64" in box.text() and "out of memory" in box.text().lower()
    labels = [b.text() for b in box.buttons()]
    assert "Go on with batch size 32" in labels and "Go on on the CPU" not in labels  # on cpu
    step = w.session.worker.run.step
    click(box, "Go on with batch size 32")
    qtbot.waitUntil(lambda: said(w, "batch size 32"), timeout=WAIT)
    assert w.config.batch_size == 32 and w.panels.setup.batch.value() == 32
    assert w.session.worker.run.step == step  # nothing trained was lost
    _train_until(qtbot, w, step + 5)
    assert np.isfinite(w.latest.d_loss) and len(boxes(w, "Out of memory")) == 0
    w.send("rebuild", {"device": "cpu"})  # what "Go on on the CPU" sends (on a GPU only)
    qtbot.waitUntil(lambda: said(w, "device cpu"), timeout=WAIT)
    assert w.config.device == "cpu" and w.panels.setup.device.currentData() == "cpu"


def test_curves_get_rows_recorded_between_snapshots(qtbot, make_window, monkeypatch):
    from ganvis.engine import Pacing

    monkeypatch.setattr(Pacing, "interval", lambda self, cost: 1000.0)  # one, then none
    w = make_window()
    w.acts.train.trigger()
    qtbot.waitUntil(lambda: w.training and w.latest.step > 0, timeout=WAIT)
    first = w.latest.step
    qtbot.waitUntil(lambda: len(w.session.worker.commands.rows) >= 3, timeout=WAIT)
    assert w.latest.step == first  # rows wait for the next snapshot: no extra repaints
    _pause(qtbot, w)  # pausing sends a snapshot, the rows first
    steps = w.history.series["step"]
    assert len([s for s in steps if s > first]) >= 4 and steps == sorted(steps)
    assert np.isfinite(w.history.series["d_loss"][-1])
    qtbot.waitUntil(lambda: w.panels.curves.d_curve.getData()[0][-1] == steps[-1], timeout=WAIT)


def test_a_mode_collapse_shows_a_visible_warning(qtbot):
    from ganvis.app.history import RunHistory
    from ganvis.app.views.curves import COLLAPSE_STYLE, CurvesView

    view = CurvesView()
    qtbot.addWidget(view)
    h = RunHistory()
    nan = float("nan")
    h.metrics = {"step": [100, 200], "fcd": [300, 500], "coverage": [10, 3],
                 "score": [6, 2], "control_accuracy": [nan, nan], "collapse": [0.0, 0.0]}
    view.set_history(h)
    assert "Mode collapse" not in view.quality_hint.text()
    h.metrics["collapse"][-1] = 1.0
    view.set_history(h)
    assert "Mode collapse" in view.quality_hint.text()
    assert view.quality_hint.styleSheet() == COLLAPSE_STYLE


CHILD = """
from PySide6.QtWidgets import QApplication
app = QApplication([])
from ganvis.app.main_window import MainWindow
w = MainWindow()
w.show()
w.toggle_training()
app.exec()
"""


def test_after_a_kill_the_next_launch_offers_the_autosaved_run(qtbot, tmp_path, monkeypatch):
    import os
    import signal
    import subprocess
    import sys

    from ganvis.engine.store import RunFile

    settings = tmp_path / "settings.ini"
    autosave = tmp_path / "ganvis-autosave.h5"
    env = {**os.environ, "GANVIS_SETTINGS": str(settings), "GANVIS_AUTOSAVE_SECONDS": "1",
           "QT_QPA_PLATFORM": "offscreen"}
    script = tmp_path / "child.py"
    script.write_text(CHILD)
    child = subprocess.Popen([sys.executable, str(script)], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 90
        saved = 0
        while saved < 20 and time.monotonic() < deadline:
            time.sleep(0.5)
            if autosave.is_file():
                try:
                    with RunFile(autosave) as rf:
                        saved = rf.counters["step"]
                except Exception:  # noqa: BLE001 - mid-rename on a slow disk: look again
                    pass
        assert saved >= 20, "the child never autosaved"
    finally:
        child.send_signal(signal.SIGKILL)
        child.wait()
    with RunFile(autosave) as rf:  # a whole, valid file, even if the kill came mid-write
        saved = rf.counters["step"]
    monkeypatch.setenv("GANVIS_SETTINGS", str(settings))
    w = MainWindow()
    qtbot.addWidget(w)
    w.show()
    offered = boxes(w, "Restore the last run?")
    assert len(offered) == 1
    click(offered[0], "Restore")
    qtbot.waitUntil(lambda: w.latest is not None and w.latest.step == saved, timeout=WAIT)
    assert w.trainable
    w.close_discarding()
    assert not autosave.exists()  # a clean exit leaves nothing to restore


def test_stress_random_commands_never_deadlock_or_leak(qtbot, make_window, tmp_path):
    import random
    import threading

    threads_before = threading.active_count()
    w = make_window()
    rng = random.Random(0)
    w.panels.setup.width.setValue(8)  # a small DCGAN: the point is the commands, not the digits
    qtbot.waitUntil(lambda: w.config.width == 8, timeout=WAIT)
    ops = {
        "train": lambda: w.acts.train.trigger(),
        "step": lambda: w.acts.step.trigger(),
        "step_d": lambda: w.acts.step_d.trigger(),
        "step_g": lambda: w.acts.step_g.trigger(),
        "reset": lambda: (w.acts.reset.trigger(), discard_if_asked(w)),
        "drag": lambda: w.panels.explore.t.setValue(rng.randrange(0, T_STEPS + 1)),
        "save": lambda: w.export_model(str(tmp_path / "m.h5")),
        "grid": lambda: write_grid(w, w.sampler, str(tmp_path / "g.png"), rows=2, cols=2,
                                   scale=1, seed=1) if w.sampler is not None else None,
    }
    names = list(ops)
    for _ in range(300):
        ops[rng.choice(names)]()
        qtbot.wait(rng.choice((0, 1, 5)))
    # Settle: pause, then the worker must answer and agree with the views.
    if w.training:
        w.acts.train.trigger()
    qtbot.waitUntil(lambda: not w.training, timeout=WAIT)
    qtbot.waitUntil(lambda: w.session.worker.run is not None
                    and w.latest.step == w.session.worker.run.step, timeout=WAIT)
    assert w.session.thread.isRunning() and not said(w, "Traceback")
    before = w.latest.step
    w.acts.step.trigger()
    qtbot.waitUntil(lambda: w.latest.step == before + 1, timeout=WAIT)  # still responsive
    qtbot.waitUntil(lambda: (tmp_path / "m.h5").exists(), timeout=WAIT)
    assert load_sampler(tmp_path / "m.h5").step >= 0  # every save left a whole file
    w.close_discarding()
    assert w.session.thread.isFinished()
    qtbot.waitUntil(lambda: threading.active_count() <= threads_before, timeout=WAIT)


def test_closing_mid_save_leaves_a_whole_file_or_none(qtbot, make_window, tmp_path):
    w = make_window()
    _train_until(qtbot, w, 5)
    path = tmp_path / "m.h5"
    w.export_model(str(path))  # queued to the worker, which is training
    t0 = time.perf_counter()
    w.close_discarding()
    assert time.perf_counter() - t0 < 1.0 and w.session.thread.isFinished()
    assert not list(tmp_path.glob(".*.tmp"))
    if path.exists():
        assert load_sampler(path).step >= 5


def test_closing_mid_export_cancels_it_and_writes_nothing(qtbot, make_window, tmp_path):
    from PySide6.QtCore import QTimer

    w = make_window()
    path = tmp_path / "g.png"

    class Slow:  # a long export: the progress dialog appears (after 0.3 s) and runs events
        def __init__(self, sampler):
            self.sampler = sampler

        def __getattr__(self, name):
            return getattr(self.sampler, name)

        def __call__(self, *args):
            time.sleep(0.1)
            return self.sampler(*args)

    closed = []
    QTimer.singleShot(0, lambda: (closed.append(time.perf_counter()), w.close_discarding()))
    ok = write_grid(w, Slow(w.sampler), str(path), rows=64, cols=64, scale=1, seed=0)
    assert closed and time.perf_counter() - closed[0] < 1.0
    assert not ok and w.session.thread.isFinished()
    assert not path.exists() and not list(tmp_path.glob(".*.tmp"))


def test_app_speed_share_measures_the_window_against_the_bare_engine(qtbot):
    from ganvis.app.gui_bench import app_speed_share, slider_latency
    from ganvis.engine.runs.standard_loop import bench_config

    config = bench_config("dcgan", 32, "cpu").replace(width=8, metrics_every=0)
    out = app_speed_share(config, seconds=1.0, rounds=1)
    assert out["engine_ips"] > 0 and out["app_ips"] > 0
    assert out["app_speed_share"] == pytest.approx(out["app_ips"] / out["engine_ips"])  # 1 round
    assert len(out["app_share_rounds"]) == 1
    lat = slider_latency(config, repeats=20, train_steps=2)
    assert set(lat) == {"interpolation", "dimension"}
    assert 0 < lat["dimension"]["p50_ms"] <= lat["dimension"]["p95_ms"]


def test_autosave_saves_while_training_even_between_snapshots(qtbot, tmp_path):
    from PySide6.QtCore import QObject

    from ganvis.app.autosave import Autosaver

    sent, state = [], {"progress": (True, True, 10)}  # trainable, training, newest step
    saver = Autosaver(QObject(), tmp_path / "a.h5", 0, lambda: state["progress"],
                      lambda kind, arg: sent.append(kind))
    saver.tick()
    saver.tick()  # the first save is not done yet: never queue a second one behind it
    assert sent == ["autosave"]
    saver.done()
    saver.tick()  # no new snapshot (they can be seconds apart), but the run trained on
    assert sent == ["autosave", "autosave"]
    saver.done()
    state["progress"] = (True, False, 10)
    saver.tick()  # paused, nothing new since the last save
    assert len(sent) == 2
    state["progress"] = (True, False, 11)  # a manual step
    saver.tick()
    assert len(sent) == 3
