"""The main window: the views in their docks (panels.py), the actions (menus.py), the training
thread (worker.py), and the slots that carry its snapshots to the views on a redraw timer."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QTimer
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox, QProgressDialog

from ganvis.app.autosave import Autosaver, autosave_path, interval_seconds
from ganvis.app.busy import RedrawMeter
from ganvis.app.data_files import DataFiles
from ganvis.app.exports import export_grid_dialog, export_onnx_dialog
from ganvis.app.gui_thread import collect_garbage_in_gui_thread, gui_thread_torch
from ganvis.app.history import RunHistory
from ganvis.app.menus import Actions
from ganvis.app.messages import Recovery, tell
from ganvis.app.panels import Panels
from ganvis.app.settings import (
    add_recent,
    app_settings,
    remember_view,
    restore_view,
    save_config,
    saved_config,
)
from ganvis.app.theory_lab import TheoryLab
from ganvis.app.unsaved import UnsavedWork
from ganvis.app.views.neighbours import NeighboursDialog
from ganvis.app.worker import TrainingSession
from ganvis.engine.errors import GanvisError
from ganvis.engine.family import family
from ganvis.engine.store.demos import is_demo, resolve_model


class MainWindow(QMainWindow):
    def __init__(self, settings=None) -> None:
        super().__init__()
        self.settings = settings or app_settings()
        self.setWindowTitle("ganvis")
        self.history = RunHistory()
        self.latest = None  # the newest snapshot
        self.sampler = None  # its frozen generator, for fresh samples and exports
        self.config = None
        self.training = False
        self.trainable = False
        self._dirty = False
        self._closed = False
        self._pending = False  # the setup panel holds settings the run does not have yet
        self._quitting = False
        # Redraw at most ~30 times a second, and only after a change (a one-shot timer that
        # _mark_dirty starts), rather than wake the GUI thread 30 times a second for nothing.
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(33)
        self.timer.timeout.connect(self._redraw)
        self.redraw_meter = RedrawMeter()  # what showing a snapshot costs: they are spaced by it
        collect_garbage_in_gui_thread()
        gui_thread_torch()
        self.panels = p = Panels(self, self.redraw_meter)
        p.samples.fresh_z_toggled.connect(self._mark_dirty)
        p.samples.sample_clicked.connect(self.show_neighbours)
        p.curves.log_toggled.connect(self._mark_dirty)
        p.setup.changed.connect(self._on_setup_changed)
        p.setup.reset_requested.connect(self.reset)
        self.data_files = DataFiles(self, p.setup, self.settings)
        p.setup.open_data_requested.connect(self.data_files.open)
        self.theory_lab = TheoryLab(self, p, self.send, self._on_setup_changed)
        p.theory.draw_requested.connect(self.data_files.draw)
        self.neighbours: NeighboursDialog | None = None
        self.acts = Actions(self, self, p.docks)
        self.session = TrainingSession(self)
        self.recovery = Recovery(self, self.statusBar(), self.send, self.open_model)
        self.unsaved = UnsavedWork(self, self.session.worker.commands.mark, self.send)
        w = self.session.worker
        w.snapshot.connect(self._on_snapshot)
        w.progress.connect(self._on_progress)
        w.run_changed.connect(self._on_run_changed)
        w.state_changed.connect(self._on_state)
        w.saved.connect(self._on_saved)
        w.failed.connect(self._on_failed)
        for went_wrong in (w.failed, w.out_of_memory, w.diverged):  # a save's follow-up is off
            went_wrong.connect(self.unsaved.failed)
        w.diverged.connect(self.recovery.diverged)
        w.out_of_memory.connect(self.recovery.out_of_memory)
        w.notice.connect(self._on_notice)
        w.logging.connect(self.acts.board.setChecked)
        # The layout fixed the window's minimum while the docks still stood one above the
        # other (taller than most screens); recompute it now that they are tabbed.
        self.layout().invalidate()
        self.layout().activate()
        p.fit_window()
        restore_view(self.settings, self, p)
        self.data_files.restore_recent()
        self.session.start()
        p.setup.set_config(saved_config(self.settings))
        self.reset()
        self.autosaver = Autosaver(self, autosave_path(self.settings), interval_seconds(),
                                   self._progress, self.send)
        w.autosaved.connect(self.autosaver.done)
        leftover = self.autosaver.leftover()
        if leftover is not None:
            self.recovery.offer_restore(leftover)

    # --- commands ----------------------------------------------------------------------------

    def send(self, kind: str, arg: Any = None) -> None:
        """A command for the training thread."""
        self.session.send(kind, arg)

    def toggle_training(self) -> None:
        if self.training:
            self.send("pause")
            return
        if self._pending and (self.latest is None or self.latest.step == 0):
            self.reset()
        self.send("train")

    def reset(self) -> None:
        config = self.panels.setup.config()
        if config is not None:
            self.unsaved.start(config)

    def open_model(self, path: str | None = None) -> None:
        if not path:
            path, _ = QFileDialog.getOpenFileName(self, "Open model", "",
                                                  "ganvis models (*.h5 *.hdf5);;All files (*)")
        if path:
            self.unsaved.open(path)

    def close_discarding(self) -> None:
        """Close without asking about unsaved training (the user said Discard)."""
        self._quitting = True
        self.close()

    def reset_layout(self) -> None:
        self.panels.reset_layout()

    def open_demo(self, name: str) -> None:
        """Open a shipped, trained model: sliders to drag within seconds, no training."""
        try:
            path = resolve_model(name)
        except GanvisError as e:
            self._on_failed(str(e))
            return
        self.open_model(str(path))
        self.panels.docks["explore"].raise_()

    def show_neighbours(self, index: int) -> None:
        """The memorisation check for the clicked sample: its nearest training images."""
        if self.neighbours is None:
            self.neighbours = NeighboursDialog(self, self._on_failed)
        self.neighbours.show_sample(self.panels.samples, self.config, index)

    def open_data(self, folder: bool = False) -> None:
        self.data_files.open_folder() if folder else self.data_files.open()

    def export_model(self, path: str | None = None) -> None:
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, "Export model", "run.h5",
                                                  "ganvis models (*.h5)")
        if path:
            self.statusBar().showMessage(f"Saving {path}…")
            self.send("save", path)

    def export_grid(self) -> None:
        if self.sampler is None:
            return self._on_failed("Nothing to export yet: wait for the first samples.")
        export_grid_dialog(self, self.sampler, self.settings)

    def export_onnx(self, path: str | None = None) -> str:
        if self.sampler is None:
            self._on_failed("Nothing to export yet: wait for the first samples.")
            return ""
        return export_onnx_dialog(self, self.sampler, path)

    def _progress(self) -> tuple[bool, bool, int | None]:
        """What the autosaver asks: trainable, training, the newest snapshot's step."""
        return self.trainable, self.training, None if self.latest is None else self.latest.step

    # --- training thread's signals (run on the GUI thread) ----------------------------------

    def _on_snapshot(self, snap, sampler) -> None:
        if self._closed:  # one the worker sent before it stopped
            return
        if self.training and self.redraw_meter.busy > 0:  # what the last one cost to show
            self.send("gui_cost", self.redraw_meter.busy)
        self.redraw_meter.start()
        self.latest, self.sampler = snap, sampler
        self.panels.set_sampler(sampler)
        self.history.add(snap)
        self.unsaved.refresh()
        self._mark_dirty()

    def _on_progress(self, rows: list) -> None:
        """Losses recorded between snapshots (the snapshot follows): the curves' detail."""
        for row in rows:
            self.history.add_row(row)

    def _on_run_changed(self, config, history, trainable: bool, arrival) -> None:
        fam = family(config.model)
        was = None if self.config is None else family(self.config.model)
        new_kind = was is None or (was.reconstructs, was.data) != (fam.reconstructs, fam.data)
        self.panels.show_family(fam, config.data, raise_docks=new_kind)
        trained, self.trainable = self.trainable, trainable
        name = self.unsaved.name
        if self.unsaved.arrived(arrival):  # nothing of the last run in sight but its curves
            self.panels.forget_run(name, self.config, self.history,
                                   self.latest if trained else None)
            if self.neighbours is not None:
                self.neighbours.forget()
        self.config = config
        self.acts.set_family(fam, trainable)
        self.history.load(history)
        self.panels.setup.set_config(config)
        self._set_pending(False)
        save_config(self.settings, config)
        path = arrival.path
        if path:
            if not is_demo(path) and not self.unsaved.restored:  # files the user chose
                add_recent(self.settings, "models", path)
                self.acts.rebuild_recent()
            self.statusBar().showMessage(f"Opened {Path(path).name}", 5000)

    def _on_state(self, training: bool) -> None:
        self.training = training
        self.acts.set_training(training)
        self._mark_dirty()

    def _on_saved(self, path: str, step: int) -> None:
        self.unsaved.saved(path, step)
        add_recent(self.settings, "models", path)
        self.acts.rebuild_recent()
        self.statusBar().showMessage(f"Saved {path}", 5000)

    def _on_failed(self, message: str) -> None:
        self.statusBar().showMessage("Error: " + message.splitlines()[0], 8000)
        tell(self, QMessageBox.Icon.Warning, message)

    def _on_notice(self, message: str) -> None:
        self.statusBar().showMessage(message, 15000)
        tell(self, QMessageBox.Icon.Information, message)

    def _on_setup_changed(self) -> None:
        untouched = (self.latest is None or not self.trainable
                     or (self.latest.step == 0 and not self.training))
        if untouched:
            self.reset()  # nothing trained yet: apply at once
        else:
            self._set_pending(True)

    def _set_pending(self, pending: bool) -> None:
        self._pending = pending
        self.panels.setup.show_pending(pending)

    # --- drawing -----------------------------------------------------------------------------

    def _mark_dirty(self, *_) -> None:
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
        self.panels.draw(self.latest, self.sampler, self.history)
        self.panels.draw_status(self.latest, self.training, self.trainable)
        self.redraw_meter.add(began)

    def showEvent(self, event) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        QTimer.singleShot(0, self.panels.shown)

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

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt's name)
        if not self._quitting and self.unsaved.unsaved():
            event.ignore()  # asked first; the answer closes the window again
            self.unsaved.ask("quitting", self.close_discarding)
            return
        remember_view(self.settings, self, self.panels)
        self._closed = True
        self.timer.stop()
        for progress in self.findChildren(QProgressDialog):  # e.g. a grid export: cancel it
            progress.cancel()
        self.session.shutdown()
        self.autosaver.discard()  # a clean exit: nothing to restore next time
        event.accept()
