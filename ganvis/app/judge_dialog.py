"""Train a judge for the data set the run uses (quality/judge.py), off the GUI thread, with a
progress bar; the run's quality metrics start as soon as the judge is in the cache."""

from __future__ import annotations

import threading

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QMessageBox, QProgressDialog, QWidget

from ganvis.app.messages import tell
from ganvis.engine.data import BUILTIN, load_dataset
from ganvis.engine.errors import GanvisError
from ganvis.engine.family import family
from ganvis.engine.quality.judge import cached_judge, train_judge, why_no_judge


class _Stopped(Exception):
    """The user pressed Cancel: training stops at the next progress report."""


class JudgeTrainer(QObject):
    """One judge's training on a plain thread (loading the data included); its reports reach
    the GUI thread as queued signals."""

    progressed = Signal(int, int)
    finished = Signal(str, bool)  # the words to show ('' after Cancel), and whether all went well

    def __init__(self, parent: QWidget, spec: str) -> None:
        super().__init__(parent)
        self.spec, self.cancelled = spec, False
        self.dialog = QProgressDialog("Reading the data set…", "Cancel", 0, 0, parent)
        self.dialog.setWindowTitle("ganvis: training a judge")
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
        self.dialog.setLabelText("Training a judge for this data set…")
        self.dialog.setMaximum(total)
        self.dialog.setValue(done)

    def _emit(self, signal, *args) -> None:
        """Emit from the judge's thread; the window may be gone by then (nothing to tell)."""
        try:
            signal.emit(*args)
        except RuntimeError:  # the QObject was deleted with its window
            pass

    def _report(self, done: int, total: int) -> None:  # on the judge's thread
        if self.cancelled:
            raise _Stopped
        self._emit(self.progressed, done, total)

    def _work(self) -> None:
        try:
            ds = load_dataset(self.spec)
            why = why_no_judge(ds)
            if why:
                self._emit(self.finished, why[:1].upper() + why[1:], False)
                return
            judge = cached_judge(ds) or train_judge(ds, self._report)
        except _Stopped:
            self._emit(self.finished, "", False)
            return
        except GanvisError as e:
            self._emit(self.finished, f"No judge: {e}", False)
            return
        except Exception as e:  # noqa: BLE001 - a report, never a crash of the app
            self._emit(self.finished, f"No judge: {type(e).__name__}: {e}", False)
            return
        if self.cancelled:  # pressed after the last step: the judge is kept, nothing is said
            self._emit(self.finished, "", False)
            return
        self._emit(self.finished,
                   f"The judge of {ds.name} ({judge.num_classes} classes) classifies "
                   f"{judge.accuracy:.1%} of the held-out images correctly (50 per class, "
                   f"never trained on); training took {judge.seconds:.0f} s. FCD, coverage and "
                   "the score of runs on this data are measured from now on, against its own "
                   "real-data floor.", True)

    def _done(self, words: str, ok: bool) -> None:
        self.dialog.reset()
        self.dialog.close()
        self.dialog.deleteLater()
        if words:
            tell(self.parent(), QMessageBox.Icon.Information if ok
                 else QMessageBox.Icon.Warning, words)
        self.deleteLater()


def train_judge_for(parent: QWidget, config) -> JudgeTrainer | None:
    """Start training the judge of the run's data set (config None: no run yet); what
    cannot have one gets a line saying why."""
    why = ""
    if config is None:
        why = "There is no run yet: choose your data set first, then train its judge."
    elif family(config.model).data.name != "images":
        why = ("Judges are for images. The 2-D GAN's numbers are exact: the theory lab "
               "measures them against the data's own density.")
    elif config.data in BUILTIN:
        why = ("The built-in digits have their judge already: the shipped evaluation "
               "classifier.")
    if why:
        tell(parent, QMessageBox.Icon.Information, why)
        return None
    trainer = JudgeTrainer(parent, config.data)
    trainer.start()
    return trainer
