"""The main window: setup panel, live views in docks, toolbar, menus, status bar, settings."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from PySide6.QtCore import QByteArray, QEvent, Qt, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressDialog,
)

from ganvis.app.autosave import Autosaver, autosave_path, interval_seconds
from ganvis.app.busy import RedrawMeter
from ganvis.app.exports import export_grid_dialog
from ganvis.app.history import RunHistory
from ganvis.app.launch import collect_garbage_in_gui_thread, gui_thread_torch
from ganvis.app.menus import MenusMixin
from ganvis.app.offers import RecoveryMixin
from ganvis.app.settings import add_recent, app_settings, recent, save_config, saved_config
from ganvis.app.setup_panel import SetupPanel
from ganvis.app.views.autoencoder import LatentView, ReconstructionView
from ganvis.app.views.curves import CurvesView
from ganvis.app.views.explore import ExploreView
from ganvis.app.views.game import GameView
from ganvis.app.views.histograms import HistogramView
from ganvis.app.views.neighbours import NeighboursDialog
from ganvis.app.views.samples import SampleGridView
from ganvis.app.views.timeline import TimelineView
from ganvis.app.worker import TrainingSession
from ganvis.engine.config import AE_MODELS
from ganvis.engine.errors import GanvisError
from ganvis.engine.quality.live import metrics_note
from ganvis.engine.store.demos import resolve_model


class MainWindow(MenusMixin, RecoveryMixin, QMainWindow):
    def __init__(self, settings=None) -> None:
        super().__init__()
        self.settings = settings or app_settings()
        self.setWindowTitle("ganvis")
        self.history = RunHistory()
        self.latest = None
        self.sampler = None
        self.config = None
        self.training = False
        self.last_error = ""
        self.last_notice = ""
        self.trainable = False
        self._dirty = False
        self._closed = False
        self._pending = False
        self._opening: str | None = None
        self.last_divergence = ""
        self.last_oom = ""
        # Redraw at most ~30 times a second, and only after a change (a one-shot timer that
        # _mark_dirty starts), rather than wake the GUI thread 30 times a second for nothing.
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(33)
        self.timer.timeout.connect(self._redraw)
        self.redraw_meter = RedrawMeter()  # what showing a snapshot costs: they are spaced by it
        collect_garbage_in_gui_thread()
        gui_thread_torch()
        self._build_views()
        self._build_actions()
        self._build_status()
        self.session = TrainingSession(self)
        w = self.session.worker
        w.snapshot.connect(self._on_snapshot)
        w.progress.connect(self._on_progress)
        w.run_changed.connect(self._on_run_changed)
        w.state_changed.connect(self._on_state)
        w.saved.connect(self._on_saved)
        w.failed.connect(self._on_failed)
        w.diverged.connect(self._on_diverged)
        w.out_of_memory.connect(self._on_out_of_memory)
        w.notice.connect(self._on_notice)
        # The layout fixed the window's minimum while the docks still stood one above the
        # other (taller than most screens); recompute it now that they are tabbed.
        self.layout().invalidate()
        self.layout().activate()
        self.resize(1440, 900)
        self._restore()
        self.session.start()
        self.setup.set_config(saved_config(self.settings))
        self.reset()
        self.autosaver = Autosaver(self, autosave_path(self.settings), interval_seconds())
        w.autosaved.connect(self.autosaver.done)
        self.autosave_offer = self.autosaver.leftover()
        if self.autosave_offer is not None:
            self._offer_restore(self.autosave_offer)

    # --- construction ----------------------------------------------------------------------

    def _build_views(self) -> None:
        self.samples = SampleGridView()
        self.samples.fresh_z_toggled.connect(lambda _on: self._mark_dirty())
        self.samples.sample_clicked.connect(self.show_neighbours)
        self.neighbours: NeighboursDialog | None = None
        self.setCentralWidget(self.samples)
        self.setup = SetupPanel()
        self.setup.changed.connect(self._on_setup_changed)
        self.setup.reset_requested.connect(self.reset)
        self.setup.open_data_requested.connect(self.open_data)
        self.hists = HistogramView()
        self.curves = CurvesView()
        self.game = GameView()
        self.recon = ReconstructionView()
        self.latent = LatentView()
        self.explore = ExploreView()
        self.timeline = TimelineView()
        self.curves.log_toggled.connect(lambda _on: self._mark_dirty())
        self.docks = {}
        for name, title, widget, area in (
            ("setup", "Run setup", self.setup, Qt.DockWidgetArea.LeftDockWidgetArea),
            ("game", "The game", self.game, Qt.DockWidgetArea.LeftDockWidgetArea),
            ("hists", "D(x) histograms", self.hists, Qt.DockWidgetArea.RightDockWidgetArea),
            ("curves", "Curves", self.curves, Qt.DockWidgetArea.RightDockWidgetArea),
            ("latent", "Latent space", self.latent, Qt.DockWidgetArea.RightDockWidgetArea),
            ("recon", "Reconstructions", self.recon, Qt.DockWidgetArea.RightDockWidgetArea),
            ("explore", "Explore", self.explore, Qt.DockWidgetArea.RightDockWidgetArea),
            ("timeline", "Timeline", self.timeline, Qt.DockWidgetArea.RightDockWidgetArea),
        ):
            dock = QDockWidget(title, self)
            dock.setObjectName(f"dock_{name}")
            dock.setWidget(widget)
            self.addDockWidget(area, dock)
            self.docks[name] = dock
        self.tabifyDockWidget(self.docks["hists"], self.docks["latent"])
        self.tabifyDockWidget(self.docks["curves"], self.docks["recon"])
        self.tabifyDockWidget(self.docks["curves"], self.docks["explore"])
        self.tabifyDockWidget(self.docks["curves"], self.docks["timeline"])
        self.docks["explore"].visibilityChanged.connect(self.explore.shown)
        self.explore.meter = self.redraw_meter
        self._fit_docks()

    def _build_status(self) -> None:
        self.status_labels = {k: QLabel() for k in ("state", "step", "rate", "images",
                                                    "device", "elapsed")}
        for label in self.status_labels.values():
            label.setContentsMargins(8, 0, 8, 0)
            self.statusBar().addPermanentWidget(label)
        self.status_labels["state"].setText("setting up…")

    # --- commands ----------------------------------------------------------------------------

    def _send(self, kind: str, arg=None) -> None:
        self.session.send(kind, arg)

    def toggle_training(self) -> None:
        if self.training:
            self._send("pause")
            return
        if self._pending and (self.latest is None or self.latest.step == 0):
            self.reset()
        self._send("train")

    def reset(self) -> None:
        config = self.setup.config()
        if config is not None:
            self._send("reset", config)

    def open_model(self, path: str | None = None) -> None:
        if not path:
            path, _ = QFileDialog.getOpenFileName(self, "Open model", "",
                                                  "ganvis models (*.h5 *.hdf5);;All files (*)")
        if path:
            self._opening = path
            self._send("open", path)

    def open_demo(self, name: str) -> None:
        """Open a shipped, trained model: sliders to drag within seconds, no training."""
        try:
            path = resolve_model(name)
        except GanvisError as e:
            self._on_failed(str(e))
            return
        self.open_model(str(path))
        self.docks["explore"].raise_()

    def show_neighbours(self, index: int) -> None:
        """The memorisation check for the clicked sample: its nearest training digits."""
        images = self.samples.images
        if images is None or self.config is None:
            return
        note = metrics_note(self.config.data)
        if note:
            self.statusBar().showMessage(f"Nearest training digits: {note}", 8000)
            return
        if self.neighbours is None:
            self.neighbours = NeighboursDialog(self)
        try:
            self.neighbours.show_for(images[index], self.config.data,
                                     f"Sample {index + 1} at step {self.samples.step:,}")
        except GanvisError as e:
            self._on_failed(str(e))

    def open_data(self) -> None:
        path, _ = QFileDialog.getOpenFileName(
            self, "Open data set", "",
            "Data sets (*.npz *.h5 *.hdf5 *idx3-ubyte *idx3-ubyte.gz);;All files (*)")
        if path:
            self.use_data_file(path)

    def use_data_file(self, path: str) -> None:
        lower = path.lower()
        kind = "npz" if lower.endswith(".npz") else "h5" if lower.endswith((".h5", ".hdf5")) \
            else "idx"
        spec = f"{kind}:{path}"
        add_recent(self.settings, "data", spec)
        self.setup.add_data(spec, path.rsplit("/", 1)[-1])

    def export_model(self, path: str | None = None) -> None:
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, "Export model", "run.h5",
                                                  "ganvis models (*.h5)")
        if path:
            self.statusBar().showMessage(f"Saving {path}…")
            self._send("save", path)

    def export_grid(self) -> None:
        if self.sampler is None:
            return self._on_failed("Nothing to export yet: wait for the first samples.")
        export_grid_dialog(self, self.sampler, self.settings)

    # --- worker signals (run on the GUI thread) ------------------------------------------------

    def _on_snapshot(self, snap, sampler) -> None:
        if self._closed:  # one the worker sent before it stopped
            return
        if self.training and self.redraw_meter.busy > 0:  # what the last one cost to show
            self._send("gui_cost", self.redraw_meter.busy)
        self.redraw_meter.start()
        self.latest, self.sampler = snap, sampler
        self.explore.set_sampler(sampler)
        self.latent.set_sampler(sampler)
        self.history.add(snap)
        self._mark_dirty()

    def _on_progress(self, rows: list) -> None:
        """Losses recorded between snapshots (the snapshot follows): the curves' detail."""
        for row in rows:
            self.history.add_row(row)

    def _on_run_changed(self, config, history, trainable: bool) -> None:
        family_changed = self.config is None or _is_ae(self.config) != _is_ae(config)
        self.config = config
        self.trainable = trainable
        if family_changed:
            self._show_family_views(config)
        for a in (self.act_train, self.act_step, self.act_step_d, self.act_step_g,
                  self.act_save):
            a.setEnabled(trainable)
        self.history.load(history)
        self.setup.set_config(config)
        self._set_pending(False)
        save_config(self.settings, config)
        if self._opening:
            add_recent(self.settings, "models", self._opening)
            self._rebuild_recent()
            self.statusBar().showMessage(f"Opened {Path(self._opening).name}", 5000)
            self._opening = None

    def _on_state(self, training: bool) -> None:
        self.training = training
        self.act_train.setText("Pause" if training else "Train")
        self._mark_dirty()

    def _on_saved(self, path: str) -> None:
        add_recent(self.settings, "models", path)
        self._rebuild_recent()
        self.statusBar().showMessage(f"Saved {path}", 5000)

    def _on_failed(self, message: str) -> None:
        self.last_error = message
        self._opening = None
        self.statusBar().showMessage("Error: " + message.splitlines()[0], 8000)
        box = QMessageBox(QMessageBox.Icon.Warning, "ganvis", message,
                          QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()  # not exec(): the window keeps running while the message is up

    def _fit_docks(self) -> None:
        self.resizeDocks([self.docks["setup"], self.docks["hists"]], [300, 520],
                         Qt.Orientation.Horizontal)
        # The game panel's explanation runs to six lines; the setup form needs about 480 px.
        self.resizeDocks([self.docks["setup"], self.docks["game"]], [500, 200],
                         Qt.Orientation.Vertical)

    def _show_family_views(self, config) -> None:
        """Autoencoders bring their own views to the front; GANs hide them."""
        ae = _is_ae(config)
        self.recon.set_active(ae)
        self.latent.set_active(ae)
        if ae:
            self.docks["latent"].raise_()
            self.docks["recon"].raise_()
        else:
            self.docks["hists"].raise_()
            self.docks["curves"].raise_()
        self.hists.set_labels(*(("prior samples z ~ p(z)", "encoder codes f(x)") if ae
                                else ("real digits", "generated G(z)")))

    def _on_notice(self, message: str) -> None:
        self.last_notice = message
        self.statusBar().showMessage(message, 15000)
        box = QMessageBox(QMessageBox.Icon.Information, "ganvis", message,
                          QMessageBox.StandardButton.Ok, self)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    def _on_setup_changed(self) -> None:
        untouched = (self.latest is None or not self.trainable
                     or (self.latest.step == 0 and not self.training))
        if untouched:
            self.reset()  # nothing trained yet: apply at once
        else:
            self._set_pending(True)

    def _set_pending(self, pending: bool) -> None:
        self._pending = pending
        self.setup.show_pending(pending)

    # --- drawing -----------------------------------------------------------------------------

    def _mark_dirty(self) -> None:
        if self._closed:
            return
        self._dirty = True
        if not self.timer.isActive():
            self.timer.start()

    def _redraw(self) -> None:
        if not self._dirty or self.latest is None:
            return
        self._dirty = False
        began = time.perf_counter()
        s = self.latest
        if self.samples.fresh.isChecked() and self.sampler is not None:
            images = self.sampler.sample(64, seed=int(time.time() * 1000) % 2**31)
            self.samples.set_images(images, s.step, " (fresh z)")
        else:
            self.samples.set_images(np.asarray(s.grid), s.step, cols=s.grid_cols)
        self.hists.set_probs(s.real_probs, s.fake_probs)
        self.game.set_snapshot(s)
        if "codes" in s.extra:
            self.recon.set_images(s.extra["recon_inputs"], s.extra["recon_outputs"], s.step)
            self.latent.set_codes(s.extra["codes"], s.extra["code_labels"],
                                  s.extra["prior_samples"], s.step)
        self.hists.set_waterfall(self.history)
        self.curves.set_history(self.history)
        self.timeline.set_timeline(self.history.timeline, self.history.grid_cols)
        lab = self.status_labels
        lab["state"].setText("● training" if self.training
                             else "paused" if self.trainable else "exploring")
        lab["step"].setText(f"step {s.step:,}")
        lab["rate"].setText(f"{s.steps_per_s:.1f} steps/s" if self.training else "")
        lab["images"].setText(f"{s.images_per_s:,.0f} images/s" if self.training else "")
        lab["device"].setText(f"device {s.device}")
        lab["elapsed"].setText(f"trained {_clock(s.elapsed)}")
        self.redraw_meter.add(began)

    def event(self, event: QEvent) -> bool:
        """The window's paints run in its update requests: they count in a redraw's cost."""
        if event.type() != QEvent.Type.UpdateRequest:
            return super().event(event)
        began = time.perf_counter()
        try:
            return super().event(event)
        finally:
            self.redraw_meter.add(began)

    # --- settings and shutdown -------------------------------------------------------------------

    def _restore(self) -> None:
        geo, state = self.settings.value("window/geometry"), self.settings.value("window/state")
        if isinstance(geo, QByteArray):
            self.restoreGeometry(geo)
        if isinstance(state, QByteArray):
            self.restoreState(state)
        self.curves.log.setChecked(self.settings.value("view/log", False, type=bool))
        if not self.settings.value("launched", False, type=bool):
            self.settings.setValue("launched", True)
            self.statusBar().showMessage("New here? Press Train to watch a GAN learn, or open a "
                                         "trained model from Help > Demo models.", 30000)
        self.samples.fresh.setChecked(self.settings.value("view/fresh_z", False, type=bool))
        for spec in reversed(recent(self.settings, "data")):
            if _exists(spec):
                self.setup.add_data(spec, spec.split(":", 1)[-1].rsplit("/", 1)[-1], False)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        s = self.settings
        s.setValue("window/geometry", self.saveGeometry())
        s.setValue("window/state", self.saveState())
        s.setValue("view/log", self.curves.log.isChecked())
        s.setValue("view/fresh_z", self.samples.fresh.isChecked())
        s.sync()
        self._closed = True
        self.timer.stop()
        for progress in self.findChildren(QProgressDialog):  # e.g. a grid export: cancel it
            progress.cancel()
        self.session.shutdown()
        self.autosaver.discard()  # a clean exit: nothing to restore next time
        event.accept()


def _is_ae(config) -> bool:
    return config.model in AE_MODELS


def _exists(spec: str) -> bool:
    import os

    return os.path.exists(spec.split(":", 1)[-1])


def _clock(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"
