"""What the GUI thread does while a run trains: it redraws only after a change, leaves views
nobody sees alone, and draws a long history about as cheaply as a short one (on a small
machine every millisecond it spends is taken from training)."""

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from ganvis.app.history import RunHistory  # noqa: E402
from ganvis.app.views.curves import CurvesView  # noqa: E402

WAIT = 30_000


def _history(n: int, spike_at: int) -> RunHistory:
    rng = np.random.default_rng(0)
    h = RunHistory()
    d = 1.3 + 0.1 * rng.standard_normal(n)
    d[spike_at] = 9.0  # one outlier, as a diverging step would give
    for i in range(n):
        h.add_row({"step": 10 * (i + 1), "d_loss": d[i], "g_loss": 0.8, "d_real": 0.6,
                   "d_fake": 0.4})
    return h


def test_a_long_history_is_drawn_with_a_few_points_per_pixel_keeping_its_peaks(qtbot):
    from ganvis.engine.family import family

    view = CurvesView()
    view.set_family(family("dcgan"), "mnist5k")  # as the window does: every plot shown
    qtbot.addWidget(view)
    view.resize(560, 520)
    view.show()
    qtbot.waitExposed(view)
    n = 20_000  # rows of a run of a couple of hours
    view.set_history(_history(n, spike_at=12_345))
    drawn = view.d_curve.curve  # the item that paints
    width = view.loss.getPlotItem().vb.width()
    qtbot.waitUntil(lambda: len(drawn.getData()[0]) < n, timeout=WAIT)
    x, y = drawn.getData()
    assert 0 < width and len(x) <= 12 * width  # min and max of each fifth of a column
    assert y.max() == 9.0  # the spike survives the thinning
    assert x[0] < 0.01 * 10 * n and x[-1] > 0.99 * 10 * n  # the whole run is there
    assert view.d_curve.opts["pen"].width() <= 1  # wide antialiased pens are slow to stroke


def test_an_idle_window_schedules_no_redraws(qtbot, window):
    w = window
    qtbot.waitUntil(lambda: not w.timer.isActive() and not w.panels.explore.timer.isActive(),
                    timeout=WAIT)
    drawn = []
    w.panels.samples.set_images = lambda *a, **k: drawn.append(a)
    qtbot.wait(300)
    assert not drawn and not w.timer.isActive()
    w._mark_dirty()  # a change (e.g. a snapshot) draws once, soon
    qtbot.waitUntil(lambda: len(drawn) == 1, timeout=WAIT)
    qtbot.wait(200)
    assert len(drawn) == 1 and not w.timer.isActive()


def test_the_explore_view_decodes_only_when_its_tab_is_in_front(qtbot, window):
    w = window
    assert w.panels.explore.visibleRegion().isEmpty()  # behind the Curves tab
    calls = []
    real = w.panels.explore._decode
    w.panels.explore._decode = lambda z: calls.append(len(z)) or real(z)
    w.acts.step.trigger()  # a new snapshot and sampler
    qtbot.waitUntil(lambda: w.latest.step >= 1, timeout=WAIT)
    qtbot.wait(200)
    assert not calls and w.panels.explore._dirty
    before = w.panels.explore.frame
    w.panels.docks["explore"].raise_()
    qtbot.waitUntil(lambda: len(calls) > 0, timeout=WAIT)
    assert not w.panels.explore._dirty and w.panels.explore.frame is not before


def test_snapshots_are_spaced_by_what_the_window_takes_to_redraw_them(qtbot, window):
    import time

    from ganvis.engine import Pacing

    most = Pacing().most
    w = window
    slow = w.panels.samples.set_images

    def set_images(*args, **kwargs):  # a redraw that keeps the GUI thread busy for 0.2 s
        time.sleep(0.2)
        slow(*args, **kwargs)

    w.panels.samples.set_images = set_images
    arrivals = []
    w.session.worker.snapshot.connect(lambda *_: arrivals.append(time.perf_counter()))
    w.acts.train.trigger()
    qtbot.waitUntil(lambda: w.session.worker.commands.gui_cost >= 0.2, timeout=WAIT)
    n = len(arrivals)
    qtbot.waitUntil(lambda: len(arrivals) >= n + 3, timeout=WAIT)
    w.acts.train.trigger()
    qtbot.waitUntil(lambda: not w.training, timeout=WAIT)
    gaps = np.diff(arrivals[n:n + 3])
    # 0.2 s per redraw is 3% of 6.5 s: the worker waits the longest it may between snapshots
    assert (gaps > 0.9 * most).all(), gaps
    # the redraw and its paints, not idle time
    assert 0.2 <= w.session.worker.commands.gui_cost < 1.0


def test_an_update_paints_each_plot_once(qtbot, monkeypatch):
    import pyqtgraph as pg
    from PySide6.QtWidgets import QApplication

    paints = []
    real = pg.GraphicsView.paintEvent  # patched before the view exists: Qt looks it up then
    monkeypatch.setattr(pg.GraphicsView, "paintEvent",
                        lambda self, ev: (paints.append(self), real(self, ev))[1])
    from ganvis.engine.family import family

    view = CurvesView()
    view.set_family(family("dcgan"), "mnist5k")  # as the window does: every plot shown
    qtbot.addWidget(view)
    view.resize(560, 520)
    view.show()
    qtbot.waitExposed(view)
    h = _history(200, spike_at=50)
    h.metrics = {"step": [100.0], "fcd": [600.0], "coverage": [7.0], "score": [1.0],
                 "collapse": [0.0]}
    view.set_history(h)
    for _ in range(5):
        QApplication.processEvents()
    paints.clear()
    for i in range(3):  # new rows: every range moves
        h.add_row({"step": 10 * (201 + i), "d_loss": 1.2, "g_loss": 0.8, "d_real": 0.6,
                   "d_fake": 0.4})
        view.set_history(h)
        for _ in range(5):
            QApplication.processEvents()
    plots = (view.loss, view.means, view.quality)
    assert all(1 <= paints.count(p) <= 3 for p in plots), [paints.count(p) for p in plots]


def test_a_snapshot_sent_before_the_worker_stopped_does_not_redraw_a_closed_window(qtbot,
                                                                                  window):
    w = window
    snap, sampler = w.latest, w.sampler
    w.close_discarding()
    w._on_snapshot(snap, sampler)  # as if it had been queued just before the close
    assert not w.timer.isActive()
