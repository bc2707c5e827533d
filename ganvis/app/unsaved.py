"""Unsaved training: what the run has learnt since it was last saved or opened, shown in the
window's title, and a Save / Discard / Cancel question before anything would replace it (a new
run, another model, a demo, quitting).

How far a run has got is its mark (RunCommands.mark: step, D updates, revision); the training
thread sends the mark with each run it installs and each save, so the window compares marks
taken on that thread, never counters read in between.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox

from ganvis.app.arrival import Arrival
from ganvis.app.messages import ACCEPT, REJECT, RESTORED, offer

DISCARD = QMessageBox.ButtonRole.DestructiveRole
NEW_RUN = "new run"
RESTORED_RUN = "restored run"
Mark = tuple[int, int, int]


class UnsavedWork(QObject):
    """The mark the run had when last saved (or opened) and the file it came from. `mark()`
    gives the run's mark now (None when nothing trainable is loaded)."""

    def __init__(self, window: QMainWindow, mark: Callable[[], Mark | None],
                 send: Callable[[str, Any], None]) -> None:
        super().__init__(window)
        self.window, self.mark, self.send = window, mark, send
        self.name = NEW_RUN
        self.saved_mark: Mark | None = None  # None: never saved by the user
        self.restored = False  # the run came from the last session's autosave
        self._after_save: tuple[str, Callable[[], None]] | None = None
        self.refresh()

    def unsaved(self) -> bool:
        """Whether the run holds training not in a file: a run at step 0 with no D update
        holds none, whatever else it is (the window's first run, before it is announced)."""
        now = self.mark()
        return (now is not None and (now[0] > 0 or now[1] > 0)
                and (self.saved_mark is None or now != self.saved_mark))

    # --- what replaces the run -------------------------------------------------------------

    def start(self, config: Any) -> None:
        """A new run from `config`, once any unsaved training is saved or given up."""
        self.ask("starting a new run", lambda: self.send("reset", config))

    def open(self, path: str) -> None:
        self.ask(f"opening {Path(path).name}", lambda: self.send("open", path))

    def arrived(self, arrival: Arrival) -> bool:
        """A run reached the window (`arrival` says from where, with its mark then); returns
        whether it is another run, not a rebuild of this one (say with a smaller batch, which
        changes nothing here but the mark)."""
        if arrival.kind == "rebuild":
            return False
        self.restored = arrival.kind == "open" and Path(arrival.path).name == RESTORED
        self.name = (RESTORED_RUN if self.restored else Path(arrival.path).name
                     if arrival.path else NEW_RUN)
        # what the user has in a file (or a new run's start) counts as saved; a restored
        # autosave is a copy the user never chose to keep
        self.saved_mark = None if self.restored else arrival.mark
        self.refresh()
        return True

    def saved(self, path: str, mark: Mark | None) -> None:
        """The training thread wrote the run to `path` (a save the user asked for)."""
        self.name, self.saved_mark, self.restored = Path(path).name, mark, False
        self.refresh()
        if self._after_save and self._after_save[0] == path:
            then = self._after_save[1]
            self._after_save = None
            then()

    def failed(self, *_: Any) -> None:
        """The training thread failed (a save, say): whatever was to follow a save does not
        happen (nothing is lost)."""
        self._after_save = None

    def refresh(self) -> None:
        self.window.setWindowTitle(f"{self.name}[*] — ganvis")
        self.window.setWindowModified(self.unsaved())

    # --- the question ----------------------------------------------------------------------

    def ask(self, doing: str, then: Callable[[], None]) -> QMessageBox | None:
        """Run `then` at once when nothing would be lost; otherwise ask first (without blocking
        the window): Save… (then `then`, once the file is written), Discard, or Cancel."""
        if not self.unsaved():
            then()
            return None
        text = f"{self._what()} Save the run before {doing}?"
        return offer(self.window, QMessageBox.Icon.Question, "Unsaved training", text, [
            ("Save…", ACCEPT, lambda: self._save_then(then)),
            ("Discard", DISCARD, then),
            ("Cancel", REJECT, None)])

    def _what(self) -> str:
        """What would be lost, in the run's own numbers."""
        now = self.mark()
        step = now[0] if now else 0
        if self.restored:
            return (f"The restored run (step {step:,}) is only in the autosave's copy, not in "
                    f"a file you chose.")
        if self.saved_mark is None:
            return f"This run (step {step:,}) has never been saved."
        steps, d_updates = now[0] - self.saved_mark[0], now[1] - self.saved_mark[1]
        since = "started" if self.name == NEW_RUN else f"{self.name} was saved or opened"
        if steps > 0:
            return f"This run has {steps:,} training step{'s' * (steps != 1)} since it {since}."
        if d_updates > 0:
            return f"This run has {d_updates:,} D update{'s' * (d_updates != 1)} since it {since}."
        return f"This run has changed (rolled back or rebuilt) since it {since}."

    def _save_then(self, then: Callable[[], None]) -> None:
        suggested = self.name if self.name.endswith((".h5", ".hdf5")) else "run.h5"
        path, _ = QFileDialog.getSaveFileName(self.window, "Save the run", suggested,
                                              "ganvis models (*.h5)")
        if path:
            self._after_save = (path, then)
            self.send("save", path)
