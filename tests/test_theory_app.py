"""The theory lab in the app: the 2-D GAN's plane, D*, Optimise D, slow motion, drawing."""

import time

import numpy as np
from qtmessages import discard_if_asked

from ganvis.app.commands import RunCommands
from ganvis.app.views.draw_points import DrawPointsDialog
from ganvis.engine import RunConfig
from ganvis.engine.data.points import load_points

WAIT = 60_000


def _pick(qtbot, w, model):
    setup = w.panels.setup
    setup.model.setCurrentIndex(setup.model.findData(model))
    if w.latest.step:  # something was trained: the new settings wait for Reset
        assert setup.banner.isVisibleTo(setup)
        w.acts.reset.trigger()
        discard_if_asked(w)
    qtbot.waitUntil(lambda: w.config.model == model and w.latest.model == model, timeout=WAIT)


def test_the_theory_lab_shows_the_plane_and_optimises_d(qtbot, window):
    w = window
    _pick(qtbot, w, "gan2d")
    p = w.panels
    assert p.centre.currentWidget() is p.theory and p.setup.data.currentData() == "ring8"
    assert not p.docks["explore"].isVisibleTo(w) and not p.docks["timeline"].isVisibleTo(w)
    assert not p.setup.likelihood.isEnabled() and p.setup.pack.isEnabled()
    for _ in range(3):
        w.acts.step.trigger()
    qtbot.waitUntil(lambda: w.latest.step == 3, timeout=WAIT)
    qtbot.waitUntil(lambda: p.theory.plane.fake.shown is not None
                    and len(p.theory.plane.fake.shown) == 600, timeout=WAIT)
    assert p.theory.plane.heat.image is not None  # D's surface
    d_steps = w.latest.d_steps
    p.theory.optimise.click()
    qtbot.waitUntil(lambda: w.latest.d_steps == d_steps + 500, timeout=WAIT)
    qtbot.waitUntil(lambda: "lower bound" in p.theory.readout.text(), timeout=WAIT)
    assert {"js", "v", "d_gap"} <= set(w.latest.metrics)
    assert p.theory.dstar.heat.image is not None  # D*, from that measurement
    _pick(qtbot, w, "dcgan")
    assert p.centre.currentWidget() is p.samples and p.setup.data.currentData() == "mnist5k"
    assert p.docks["explore"].isVisibleTo(w) and p.docks["timeline"].isVisibleTo(w)


def test_drawn_points_are_saved_where_the_user_says_and_trained_on(qtbot, window, tmp_path):
    w = window
    _pick(qtbot, w, "gan2d")
    dialog = DrawPointsDialog(w)
    qtbot.addWidget(dialog)
    dialog.saved.connect(w.data_files.use)
    for x, y in ((-1, 0), (0, 1), (1, 0)):
        dialog.dab(x, y)
    target = tmp_path / "mine.npy"
    assert dialog.save(str(target)) == str(target)
    assert load_points(f"npy:{target}").size == 3 * 40
    qtbot.waitUntil(lambda: w.config.data == f"npy:{target}", timeout=WAIT)  # nothing trained
    qtbot.waitUntil(lambda: w.latest.plane is not None and len(w.latest.plane.real) == 120,
                    timeout=WAIT)


def test_slow_motion_holds_training_to_the_steps_a_second_asked_for():
    events = []
    start = []

    def interrupted():
        return bool(start) and time.perf_counter() - start[0] > 1.0

    c = RunCommands(lambda *e: events.append(e), interrupted=interrupted)
    c.handle("reset", RunConfig(model="gan2d", device="cpu", width=16, batch_size=32,
                                metrics_every=0))
    c.handle("pace", 5.0)
    c.handle("train")
    start.append(time.perf_counter())
    c.train_a_while()
    # about 5 steps in a second, not hundreds (a loaded machine may manage fewer)
    assert 1 <= c.run.step <= 7, c.run.step
    c.handle("pace", 0.0)
    start[0] = time.perf_counter()
    c.train_a_while()
    assert c.run.step > 30  # full speed again
    assert np.isfinite(c.run.history["d_loss"][-1])  # the last row (a snapshot may be NaN:
    # when one came right after the last step, nothing new was averaged since)


def test_a_preset_starts_from_the_defaults_not_from_the_last_preset(qtbot, window):
    from ganvis.engine.families.gan2d import PRESETS

    w = window
    _pick(qtbot, w, "gan2d")
    theory, setup = w.panels.theory, w.panels.setup
    theory.preset_chosen.emit(PRESETS["remedy: momentum 0.9, with packing (PacGAN4)"])
    c = setup.config()
    assert c.pack == 4 and c.betas_g == (0.9, 0.999) and c.g_ema == 0
    theory.preset_chosen.emit(PRESETS["learns the ring (the defaults)"])
    c = setup.config()
    assert c.pack == 1 and c.betas_g == (0.5, 0.9) and c.g_ema == 0.98 and c.lr_g == 3e-3
    assert c.data == "ring8"


def test_a_saved_config_whose_points_file_has_gone_falls_back_to_the_familys_data(tmp_path):
    from PySide6.QtCore import QSettings

    from ganvis.app.settings import save_config, saved_config

    s = QSettings(str(tmp_path / "s.ini"), QSettings.Format.IniFormat)
    save_config(s, RunConfig(model="gan2d", data=f"csv:{tmp_path / 'gone.csv'}", seed=3))
    c = saved_config(s)
    assert (c.model, c.data, c.seed) == ("gan2d", "ring8", 3)
    save_config(s, RunConfig(model="gan2d", data="grid25"))
    assert saved_config(s).data == "grid25"


def test_the_readout_says_what_a_packing_d_and_an_averaged_g_bound():
    from ganvis.app.views.theory import readout

    m = {"step": 10, "js": 0.2, "v": -1.2, "v_bound": 0.09, "d_gap": 0.3, "kl_data_g": 1.0,
         "kl_g_data": 0.5, "modes": 7.0, "high_quality": 0.8}
    plain = readout(m, 0.01)
    assert "Theorem 1" in plain and "lower bound on JS," in plain and "samples of G;" in plain
    packed = readout(m, 0.01, pack=4, averaged=True)
    assert "Theorem 1" not in packed and "JS between packs of 4 points" in packed
    assert "averaged G" in packed and "D*<sub>4</sub>" in packed


def test_surface_pixels_are_centred_on_the_points_they_were_computed_at(qtbot):
    from ganvis.app.views.plane import SurfacePlot

    plot = SurfacePlot("D")
    qtbot.addWidget(plot)
    plot.set_surface(np.zeros((3, 3), np.float32), (0.0, 2.0, 0.0, 2.0))
    rect = plot.heat.mapRectToParent(plot.heat.boundingRect())
    assert (rect.left(), rect.right(), rect.top(), rect.bottom()) == (-0.5, 2.5, -0.5, 2.5)
