"""Unsaved training is never lost without a word (Save / Discard / Cancel before Reset, Open,
a demo and Quit; the title names the file and marks unsaved work), and nothing of a replaced
run stays in sight (your-hand strip, nearest neighbours, curve ranges)."""

import numpy as np
import pytest

pytest.importorskip("pytestqt")
from qtmessages import boxes, click  # noqa: E402

from ganvis.engine import RunConfig, new_run  # noqa: E402
from ganvis.engine.store import RunFile, save_run  # noqa: E402

WAIT = 30_000
ASKED = "Unsaved training"


def _train(qtbot, w, steps: int) -> None:
    w.acts.train.trigger()
    qtbot.waitUntil(lambda: w.training and w.latest.step >= steps, timeout=WAIT)
    w.acts.train.trigger()
    qtbot.waitUntil(lambda: not w.training, timeout=WAIT)
    qtbot.waitUntil(lambda: w.latest.step == w.session.worker.run.step, timeout=WAIT)


def _asked(w):
    found = boxes(w, ASKED)
    assert len(found) == 1, [b.text() for b in boxes(w)]
    return found[0]


def test_reset_asks_first_and_cancel_keeps_the_run(qtbot, window):
    w = window
    assert w.windowTitle() == "new run[*] — ganvis" and not w.isWindowModified()
    _train(qtbot, w, 3)
    step = w.latest.step
    assert w.isWindowModified()
    w.acts.reset.trigger()
    box = _asked(w)
    assert f"{step:,} training steps since it started" in box.text()
    click(box, "Cancel")
    w.acts.step.trigger()  # the run is still there and trains on from where it was
    qtbot.waitUntil(lambda: w.latest.step == step + 1, timeout=WAIT)
    w.acts.reset.trigger()
    click(_asked(w), "Discard")
    qtbot.waitUntil(lambda: w.latest.step == 0, timeout=WAIT)
    assert not w.isWindowModified() and not boxes(w, ASKED)
    w.acts.reset.trigger()  # nothing trained since: no question
    assert not boxes(w, ASKED)


def test_save_in_the_question_writes_the_run_before_the_demo_replaces_it(qtbot, window,
                                                                         tmp_path, monkeypatch):
    w = window
    _train(qtbot, w, 2)
    step = w.latest.step
    path = tmp_path / "mine.h5"
    monkeypatch.setattr("ganvis.app.unsaved.QFileDialog.getSaveFileName",
                        lambda *a, **k: (str(path), ""))
    w.open_demo("demo-dcgan")
    assert w.config.model == "dcgan" and w.latest.step == step  # not replaced yet
    click(_asked(w), "Save…")
    qtbot.waitUntil(lambda: w.windowTitle().startswith("demo-dcgan.h5")
                    and w.latest.step != step, timeout=WAIT)
    assert not w.isWindowModified()
    with RunFile(path) as rf:  # written before the demo came
        assert rf.counters["step"] == step


def test_a_failed_save_does_not_go_on_to_discard(qtbot, window, tmp_path, monkeypatch):
    w = window
    _train(qtbot, w, 2)
    step = w.latest.step
    bad = tmp_path / "no such folder" / "run.h5"
    monkeypatch.setattr("ganvis.app.unsaved.QFileDialog.getSaveFileName",
                        lambda *a, **k: (str(bad), ""))
    w.acts.reset.trigger()
    click(_asked(w), "Save…")
    qtbot.waitUntil(lambda: any("no such folder" in b.text() for b in boxes(w, "ganvis")),
                    timeout=WAIT)  # the save's error, said
    w.acts.step.trigger()
    qtbot.waitUntil(lambda: w.latest.step == step + 1, timeout=WAIT)  # the run is still here
    assert w.isWindowModified()


def test_quitting_asks_and_cancel_keeps_the_window(qtbot, window):
    w = window
    _train(qtbot, w, 2)
    w.close()
    click(_asked(w), "Cancel")
    assert w.isVisible() and w.session.thread.isRunning()
    w.close()
    click(_asked(w), "Discard")
    qtbot.waitUntil(lambda: not w.isVisible(), timeout=WAIT)
    assert w.session.thread.isFinished()
    assert not w.autosaver.path.exists()


def test_saving_names_the_window_and_clears_the_marker(qtbot, window, tmp_path):
    w = window
    _train(qtbot, w, 2)
    path = tmp_path / "named.h5"
    with qtbot.waitSignal(w.session.worker.saved, timeout=WAIT):
        w.export_model(str(path))
    assert w.windowTitle() == "named.h5[*] — ganvis" and not w.isWindowModified()
    w.close()  # nothing unsaved: no question
    assert not w.isVisible()


def test_the_restore_offer_says_what_it_holds_and_the_restored_run_counts_as_unsaved(
        qtbot, make_window, tmp_path, monkeypatch):
    run = new_run(RunConfig(model="gan", width=32, depth=1, batch_size=16, device="cpu",
                            metrics_every=0))
    run.train_steps(3)
    save_run(run, tmp_path / "ganvis-autosave.h5")  # the settings file lives in tmp_path
    w = make_window()
    box = boxes(w, "Restore the last run?")[0]
    assert "MLP GAN" in box.text() and "at step 3" in box.text() and " ago" in box.text()
    click(box, "Restore")
    qtbot.waitUntil(lambda: w.latest.step == 3 and w.trainable, timeout=WAIT)
    assert w.windowTitle().startswith("restored run") and w.isWindowModified()
    w.close()
    assert _asked(w) is not None and w.isVisible()


def test_a_new_run_leaves_nothing_of_the_last_in_sight(qtbot, window):
    w = window
    w.open_demo("demo-saae")
    qtbot.waitUntil(lambda: w.panels.explore.style_tab.sampler is not None
                    and w.panels.explore.style_tab.sampler.config.model == "saae", timeout=WAIT)
    style = w.panels.explore.style_tab
    style.render_hand(np.zeros((28, 28), np.float32))
    assert style.hand_pane.pixels is not None
    w.show_neighbours(0)
    assert w.neighbours.isVisible()
    w.panels.curves.loss.setXRange(10_000, 20_000)  # as if zoomed on the demo's curves
    w.panels.setup.model.setCurrentIndex(w.panels.setup.model.findData("gan"))
    w.acts.reset.trigger()  # the demo was not trained here: nothing to ask
    qtbot.waitUntil(lambda: w.config.model == "gan" and w.latest.step == 0, timeout=WAIT)
    assert style.hand_pane.pixels is None and style.hand_images is None
    assert not w.neighbours.isVisible()
    assert w.panels.curves.loss.getViewBox().autoRangeEnabled()[0]


def test_a_run_trained_here_stays_in_compare_runs_when_replaced(qtbot, window):
    w = window
    _train(qtbot, w, 3)
    step = w.latest.step
    w.acts.reset.trigger()
    click(_asked(w), "Discard")
    qtbot.waitUntil(lambda: w.latest.step == 0, timeout=WAIT)
    compare = w.panels.compare
    assert compare.table.rowCount() == 1 and compare.runs[0].name == "new run 1"
    assert compare.runs[0].step == step and compare.runs[0].config.model == "dcgan"


def test_discriminator_updates_alone_count_as_unsaved_work(qtbot, window):
    w = window
    assert not w.isWindowModified()
    w.acts.step_d.trigger()
    qtbot.waitUntil(lambda: w.latest.d_steps == 1, timeout=WAIT)
    assert w.latest.step == 0 and w.isWindowModified()
    w.acts.reset.trigger()
    assert "1 D update since it started" in _asked(w).text()


def test_a_model_opened_at_launch_is_the_run_named_in_the_title(qtbot, make_window, tmp_path):
    from ganvis.app.main_window import MainWindow

    run = new_run(RunConfig(model="gan", width=16, depth=1, batch_size=8, device="cpu",
                            metrics_every=0))
    run.train_steps(7)
    save_run(run, tmp_path / "mine.h5")
    w = make_window()
    w.close_discarding()
    w = MainWindow()  # as `ganvis mine.h5` does: the window's own first run is still coming
    qtbot.addWidget(w)
    w.show()
    w.open_model(str(tmp_path / "mine.h5"))
    qtbot.waitUntil(lambda: w.latest is not None and w.latest.step == 7, timeout=WAIT)
    assert w.windowTitle() == "mine.h5[*] — ganvis" and not w.isWindowModified()
    w.close()
    assert not boxes(w, ASKED) and not w.isVisible()
