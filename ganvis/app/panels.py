"""Every view of the main window in its dock: built once, switched when the family changes, and
drawn from the newest snapshot (the window's redraw timer calls draw())."""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDockWidget,
    QFormLayout,
    QFrame,
    QLabel,
    QMainWindow,
    QScrollArea,
    QSizePolicy,
    QStackedWidget,
    QTabBar,
    QWidget,
)

from ganvis.app.busy import RedrawMeter
from ganvis.app.history import RunHistory
from ganvis.app.setup_panel import SetupPanel
from ganvis.app.theme import clock
from ganvis.app.unsaved import NEW_RUN
from ganvis.app.views.autoencoder import LatentView, ReconstructionView
from ganvis.app.views.compare import CompareView
from ganvis.app.views.curves import CurvesView
from ganvis.app.views.explore import ExploreView
from ganvis.app.views.game import GameView
from ganvis.app.views.histograms import HistogramView
from ganvis.app.views.samples import SampleGridView
from ganvis.app.views.theory import TheoryView
from ganvis.app.views.timeline import TimelineView
from ganvis.engine import Family
from ganvis.engine.family import family

SIDE_EVERY = 1.0  # the 2-D game comes up to 25 times a second: the side views follow once
PREFERRED = (1440, 900)  # the window's size where the screen has room for it
LARGE = (1600, 1040)  # ... and where it has plenty (1,100 pixels high or more)
TALL = 1000  # a window this high has room for the histograms above the curves (both readable);
# a lower one puts the right column's views in one tab group, each at full height
LEFT, RIGHT = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea


class Panels:
    def __init__(self, window: QMainWindow, meter: RedrawMeter) -> None:
        self.samples = SampleGridView()
        self.theory = TheoryView()  # the 2-D game, where a family trains on points
        self.centre = QStackedWidget()
        self.centre.addWidget(self.samples)
        self.centre.addWidget(self.theory)
        self.theory.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Ignored)
        window.setCentralWidget(self.centre)
        self.setup = SetupPanel()
        self.hists = HistogramView()
        self.curves = CurvesView()
        self.game = GameView()
        self.recon = ReconstructionView()
        self.latent = LatentView()
        self.explore = ExploreView()
        self.timeline = TimelineView()
        self.compare = CompareView()
        self.kept = 0  # runs of this session kept for comparison
        self.docks: dict[str, QDockWidget] = {}
        for name, title, widget, area in (
            ("setup", "Run setup", _scrolled(self.setup), LEFT),
            ("game", "The game", self.game, LEFT),
            ("hists", "D(x) histograms", self.hists, RIGHT),
            ("curves", "Curves", self.curves, RIGHT),
            ("latent", "Latent space", self.latent, RIGHT),
            ("recon", "Reconstructions", self.recon, RIGHT),
            ("explore", "Explore", self.explore, RIGHT),
            ("timeline", "Timeline", self.timeline, RIGHT),
            ("compare", "Compare", self.compare, RIGHT),
        ):
            dock = QDockWidget(title, window)
            dock.setObjectName(f"dock_{name}")
            dock.setWidget(widget)
            window.addDockWidget(area, dock)
            self.docks[name] = dock
        window.tabifyDockWidget(self.docks["hists"], self.docks["latent"])
        for name in ("recon", "explore", "timeline", "compare"):
            window.tabifyDockWidget(self.docks["curves"], self.docks[name])
        self.docks["explore"].visibilityChanged.connect(self.explore.shown)
        self.latent.explore_requested.connect(self.open_in_explore)
        self.explore.meter = meter
        self.status = {k: QLabel() for k in ("state", "step", "rate", "images", "device",
                                             "elapsed")}
        for label in self.status.values():
            label.setContentsMargins(8, 0, 8, 0)
            window.statusBar().addPermanentWidget(label)
        self.status["state"].setText("setting up…")
        self.window = window
        self.side_drawn = 0.0  # when the views beside the theory lab were last drawn
        self.fit_on_show = False  # size the docks when the window is first shown
        self.fit_docks()

    def fit_window(self) -> None:
        """Open within the screen's available area (a laptop's 1366 x 768, a 2560 x 1600 panel
        at scale 2), at most at the preferred size. Unless the window is tall enough for the
        histograms above the curves, the views of the right column share one tab group, each
        at full height, rather than crush their plots."""
        w = self.window
        area = w.screen().availableGeometry()
        want = LARGE if area.height() >= 1100 else PREFERRED
        width, height = min(want[0], area.width()), min(want[1], area.height())
        self.tab_right_column(height < TALL)  # first: it sets the minimum height
        w.layout().activate()
        w.resize(width, height)
        w.move(area.x() + (area.width() - width) // 2, area.y() + (area.height() - height) // 2)
        if (width, height) != want:  # the screen is the limit: take all of it
            w.setWindowState(w.windowState() | Qt.WindowState.WindowMaximized)

    def tab_right_column(self, together: bool) -> None:
        """Histograms above the curves (tall screens), or every view of the right column in one
        tab group (short ones)."""
        w, d = self.window, self.docks
        if together:
            for name in ("curves", "recon", "explore", "timeline", "compare"):
                w.tabifyDockWidget(d["hists"], d[name])
        else:  # hists (with latent) above curves, as the docks were added
            for name in ("recon", "explore", "timeline", "compare"):
                w.tabifyDockWidget(d["curves"], d[name])
        d["hists"].raise_()
        QTimer.singleShot(0, self.tidy_tab_bars)

    def reset_layout(self) -> None:
        """View > Reset layout: every dock back in its place, shown, at its first size."""
        w, d = self.window, self.docks
        size, together = w.size(), w.height() < TALL  # before the docks stack up
        for name, dock in d.items():  # added one below the other, in their first order
            dock.setFloating(False)
            w.removeDockWidget(dock)
            w.addDockWidget(LEFT if name in ("setup", "game") else RIGHT, dock)
            dock.show()
        w.tabifyDockWidget(d["hists"], d["latent"])
        self.tab_right_column(together)
        w.layout().activate()
        w.resize(size)
        points = self.centre.currentWidget() is self.theory
        for name in ("explore", "timeline"):  # as show_family left them
            d[name].setVisible(not points)
        self.fit_docks()

    def shown(self) -> None:
        """The window is on screen, at its size: the first time, with no layout of the user's
        to restore, the docks take their first sizes from it."""
        self.tidy_tab_bars()
        if self.fit_on_show:
            self.fit_on_show = False
            self.fit_docks()

    def tidy_tab_bars(self) -> None:
        """Qt (6.11) leaves the tab bar of a dock group showing after a third dock joins the
        group, stranded over the centre ("Curves | Reconstructions" over the samples): hide a
        tab bar whose tabs are all in a bigger one. The others show whole names, with arrows
        to scroll a long row, rather than elide them to "Cu…"."""
        bars = [b for b in self.window.findChildren(QTabBar) if b.parent() is self.window
                and b.isVisible()]
        tabs = {b: {b.tabText(i) for i in range(b.count())} for b in bars}
        for b in bars:
            if any(o is not b and tabs[b] < tabs[o] for o in bars):
                b.hide()
            b.setElideMode(Qt.TextElideMode.ElideNone)  # whole names; arrows scroll a long row
            b.setUsesScrollButtons(True)

    def fit_docks(self) -> None:
        w, d = self.window, self.docks
        w.resizeDocks([d["setup"], d["hists"]], [300, self.side_width()],
                      Qt.Orientation.Horizontal)
        # The game panel's explanation runs to six lines; the setup form scrolls below ~480 px.
        game = 190 if w.height() < TALL else 200
        w.resizeDocks([d["setup"], d["game"]], [w.height() - game, game], Qt.Orientation.Vertical)

    def side_width(self) -> int:
        """The right column's first width: narrower in a narrower window, so that the samples
        keep the most room."""
        width = self.window.width()
        return 440 if width < 1366 else 480 if width < PREFERRED[0] else 520

    def show_family(self, family: Family, data: str, raise_docks: bool = True) -> None:
        """The views name what the family's adversary compares, in words that fit the data
        set (digits or images). An autoencoder brings its own
        views to the front, a GAN hides them (raise_docks: only when the kind changes, so a
        tab the user picked stays in front)."""
        points = family.data.name == "points"
        shown = self.theory if points else self.samples
        for page in (self.samples, self.theory):  # only the page shown sets the minimum size
            policy = QSizePolicy.Policy.Preferred if page is shown else QSizePolicy.Policy.Ignored
            page.setSizePolicy(policy, policy)
        self.centre.setCurrentWidget(shown)
        for name in ("explore", "timeline"):  # views of image models: out of the lab's way
            self.docks[name].setVisible(not points)
        ae = family.reconstructs
        if raise_docks:
            self.recon.set_active(ae)
            self.latent.set_active(ae)
            # the first named comes out on top where they share a tab group
            for name in (("recon", "latent") if ae else ("curves", "hists")):
                self.docks[name].raise_()
            # the theory lab takes the room the image views beside it would (once the docks
            # just hidden or shown have left the layout)
            QTimer.singleShot(0, lambda: self.window.resizeDocks(
                [self.docks["hists"]], [380 if points else self.side_width()],
                Qt.Orientation.Horizontal))
        QTimer.singleShot(0, self.tidy_tab_bars)
        self.curves.quality.setVisible(not points)  # FCD and digits: images only
        self.hists.set_family(family, data)
        self.curves.set_family(family, data)
        self.theory.set_presets(family.presets)

    def open_in_explore(self, z: np.ndarray) -> None:
        """A point of the 2-D latent map onto Explore's Dimensions sliders, in front."""
        self.explore.dims.set_z(np.array(z, np.float32))
        self.explore.tabs.setCurrentWidget(self.explore.dims)
        self.docks["explore"].raise_()

    def forget_run(self, name: str, config, history: RunHistory, latest) -> None:
        """Another run took the window: views that hold the last run's output or its plot
        ranges start afresh, and the last run, if it trained here (`latest` its newest
        snapshot, None while only exploring), stays in Compare runs."""
        if config is not None and latest is not None and latest.step > 0:
            self.kept += 1
            label = f"{name} {self.kept}" if name == NEW_RUN else f"{name} ({self.kept})"
            self.compare.add_live(label, config, history.series, history.metrics,
                                  latest.elapsed)
        self.explore.style_tab.forget()
        self.timeline.follow.setChecked(True)
        for plot in (self.curves.loss, self.curves.means, self.curves.quality):
            plot.enableAutoRange(axis="x")
        for plot in (self.curves.loss, self.curves.quality):
            plot.enableAutoRange(axis="y")

    def set_sampler(self, sampler) -> None:
        if sampler is not None and sampler.shape == (2,):  # points: nothing to decode
            return
        self.explore.set_sampler(sampler)
        self.latent.set_sampler(sampler)

    def draw(self, snap, sampler, history: RunHistory) -> None:
        """Every view from the newest snapshot and the run's history."""
        points = snap.grid.ndim == 2
        now = time.perf_counter()
        if not points or now - self.side_drawn >= SIDE_EVERY:
            self.side_drawn = now
            self.hists.set_probs(snap.real_probs, snap.fake_probs)
            self.game.set_snapshot(snap)
            self.hists.set_waterfall(history)
            self.curves.set_history(history)
        if points:  # the theory lab, at every snapshot
            self.theory.set_snapshot(snap, history.metrics)
            return
        if self.samples.fresh.isChecked() and sampler is not None:
            images = sampler.sample(64, seed=int(time.time() * 1000) % 2**31)
            self.samples.set_images(images, snap.step, " (fresh z)")
        else:
            self.samples.set_images(np.asarray(snap.grid), snap.step, cols=snap.grid_cols)
        self.samples.set_shown(snap.shown_real)
        ae = snap.autoencoder
        if ae is not None:
            self.recon.set_images(ae.recon_inputs, ae.recon_outputs, snap.step, ae.pca_outputs,
                                  ae.codes.shape[1], family(snap.model).conditional)
            self.latent.set_codes(ae.codes, ae.code_labels, ae.prior_samples, snap.step)
        self.timeline.set_timeline(history.timeline, history.grid_cols)

    def draw_status(self, snap, training: bool, trainable: bool) -> None:
        lab = self.status
        lab["state"].setText("● training" if training
                             else "paused" if trainable else "exploring")
        d_updates = (f" · D updates {snap.d_steps:,}" if snap.d_steps and snap.d_steps != snap.step
                     else "")
        lab["step"].setText(f"step {snap.step:,}{d_updates}")
        lab["step"].setToolTip("Generator steps; D updates: the discriminator's, Step D and k "
                               "included")
        lab["rate"].setText(f"{snap.steps_per_s:.1f} steps/s" if training else "")
        lab["images"].setText(f"{snap.images_per_s:,.0f} images/s" if training else "")
        lab["device"].setText(f"device {snap.device}")
        lab["elapsed"].setText(f"trained {clock(snap.elapsed)}")


def _scrolled(setup: QWidget) -> QScrollArea:
    """The setup form in a scroll area, its combo boxes allowed to shrink: on a short or narrow
    screen the panel gives way to the samples instead of pushing the window off screen."""
    for combo in setup.findChildren(QComboBox):
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(8)
    for form in setup.findChildren(QFormLayout):  # a field goes under its label when narrow
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
    area = QScrollArea()
    area.setWidget(setup)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    bar = area.verticalScrollBar().sizeHint().width()
    area.setMinimumWidth(setup.minimumSizeHint().width() + bar)  # scrolls down, never across
    return area
