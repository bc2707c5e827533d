"""Train a judge for the data set the run uses (quality/judge.py), off the GUI thread, with a
progress bar; the run's quality metrics start as soon as the judge is in the cache."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from ganvis.app.messages import tell
from ganvis.engine.data import BUILTIN, load_dataset
from ganvis.engine.errors import GanvisError
from ganvis.engine.quality.judge import cached_judge, train_judge, why_no_judge


class _Stopped(Exception):
    """The user pressed Cancel: training stops at the next progress report."""


class JudgeTrainer(QObject):
    """One judge's training on a plain thread; its reports reach the GUI thread as signals."""

    progressed = Signal(int, int)
    finished = Signal(str, bool)  # the words to show, and whether it is a success

    def __init__(self, parent: QWidget, spec: str) -> None:
        super().__init__(parent)
        self.spec, self.cancelled = spec, False
        self.dialog = QProgressDialog("Training a judge for this data set…", "Cancel", 0, 1,
                                      parent)
        self.dialog.setWindowTitle("ganvis")
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(0)
        self.dialog.canceled.connect(self._cancel)
        self.progressed.connect(self._show)
        self.finished.connect(self._done)
        self.thread = threading.Thread(target=self._work, name="ganvis-judge", daemon=True)

    def start(self) -> None:
        self.dialog.show()
        self.thread.start()

    def _cancel(self) -> None:
        self.cancelled = True

    def _show(self, done: int, total: int) -> None:
        self.dialog.setMaximum(total)
        self.dialog.setValue(done)

    def _report(self, done: int, total: int) -> None:  # on the judge's thread
        if self.cancelled:
            raise _Stopped
        self.progressed.emit(done, total)

    def _work(self) -> None:
        try:
            ds = load_dataset(self.spec)
            judge = cached_judge(ds) or train_judge(ds, self._report)
        except _Stopped:
            self.finished.emit("", False)
            return
        except GanvisError as e:
            self.finished.emit(f"No judge: {e}", False)
            return
        except Exception as e:  # noqa: BLE001 - a report, never a crash of the app
            self.finished.emit(f"No judge: {type(e).__name__}: {e}", False)
            return
        self.finished.emit(
            f"The judge of {ds.name} ({judge.num_classes} classes) tells {judge.accuracy:.1%} "
            f"of the held-out images apart correctly (50 per class, never trained on); it "
            f"took {judge.seconds:.0f} s. FCD, coverage and the score of this data's runs are "
            "measured from now on, against its own real-data floor.", True)

    def _done(self, words: str, ok: bool) -> None:
        self.dialog.reset()
        self.dialog.close()
        if words:
            tell(self.parent(), QMessageBox.Icon.Information if ok
                 else QMessageBox.Icon.Warning, words)
        self.deleteLater()


def train_judge_for(parent: QWidget, spec: str | None) -> JudgeTrainer | None:
    """Start training the judge of data set `spec` (None: no run yet); a data set that
    cannot have one gets a line saying why."""
    if spec is None or spec in BUILTIN:
        tell(parent, QMessageBox.Icon.Information, "The built-in digits have their judge "
             "already: the shipped evaluation classifier.")
        return None
    try:
        why = why_no_judge(load_dataset(spec))
    except GanvisError as e:
        why = str(e)
    if why:
        tell(parent, QMessageBox.Icon.Information, why[:1].upper() + why[1:])
        return None
    trainer = JudgeTrainer(parent, spec)
    trainer.start()
    return trainer
