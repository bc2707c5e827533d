"""Unsaved training: what the run has learnt since it was last saved or opened, shown in the
window's title, and a Save / Discard / Cancel question before anything would replace it (a new
run, another model, a demo, quitting)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QMainWindow, QMessageBox

from ganvis.app.messages import ACCEPT, REJECT, RESTORED, offer

DISCARD = QMessageBox.ButtonRole.DestructiveRole
NEW_RUN = "new run"


class UnsavedWork(QObject):
    """Tracks the step the run was at when last saved (or opened) and the file it came from.
    `step()` reads the run's current step (None when nothing trainable is loaded)."""

    def __init__(self, window: QMainWindow, step: Callable[[], int | None],
                 send: Callable[[str, Any], None]) -> None:
        super().__init__(window)
        self.window, self.step, self.send = window, step, send
        self.name = NEW_RUN
        self.saved_step = 0  # -1: never saved by the user (a restored autosave)
        self._after_save: tuple[str, Callable[[], None]] | None = None
        self.opening: str | None = None  # a model file asked for, until its run arrives
        self.starting = False  # a new run asked for (not a rebuild of this one)
        self.refresh()

    # --- what replaces the run: asked for here, so it is known when the run arrives ----------

    def start(self, config: Any) -> None:
        """A new run from `config`, once any unsaved training is saved or given up."""
        self.ask("starting a new run", lambda: self._send("reset", config))

    def open(self, path: str) -> None:
        self.ask(f"opening {Path(path).name}", lambda: self._send("open", path))

    def _send(self, kind: str, arg: Any) -> None:
        self.opening, self.starting = (arg, False) if kind == "open" else (None, True)
        self.send(kind, arg)

    def arrived(self) -> tuple[bool, str | None]:
        """A run reached the window: whether it is another run (not a rebuild of this one, say
        with a smaller batch, which changes nothing here) and the model file the user opened
        it from, if any."""
        path, self.opening = self.opening, None
        new, self.starting = bool(path) or self.starting, False
        if path:
            restored = Path(path).name == RESTORED
            self.started(path, self.step() or 0, restored)
            return True, None if restored else path
        if new:
            self.started(None, 0)
        return new, None

    def steps_unsaved(self) -> int:
        step = self.step()
        if step is None:
            return 0
        return step if self.saved_step < 0 else max(0, step - self.saved_step)

    def unsaved(self) -> bool:
        step = self.step()
        return step is not None and (self.saved_step < 0 or step > self.saved_step)

    def started(self, path: str | None, step: int, restored: bool = False) -> None:
        """A run took the window's place: new (path None), opened from a file, or restored
        from the last session's autosave (which the user never saved: unsaved from the start)."""
        self.name = "restored run" if restored else Path(path).name if path else NEW_RUN
        self.saved_step = -1 if restored else step
        self.refresh()

    def saved(self, path: str, step: int | None) -> None:
        """The training thread wrote the run to `path` (a save the user asked for)."""
        self.name = Path(path).name
        self.saved_step = step if step is not None else self.saved_step
        self.refresh()
        if self._after_save and self._after_save[0] == path:
            then = self._after_save[1]
            self._after_save = None
            then()

    def failed(self) -> None:
        """A command failed: a save's follow-up does not happen (nothing is lost), and a run
        asked for is not coming."""
        self._after_save, self.opening, self.starting = None, None, False

    def refresh(self) -> None:
        self.window.setWindowTitle(f"{self.name}[*] — ganvis")
        self.window.setWindowModified(self.unsaved())

    def ask(self, doing: str, then: Callable[[], None]) -> QMessageBox | None:
        """Run `then` at once when nothing would be lost; otherwise ask first (without blocking
        the window): Save… (then `then`, once the file is written), Discard, or Cancel."""
        if not self.unsaved():
            then()
            return None
        n = self.steps_unsaved()
        where = "" if self.name in (NEW_RUN, "restored run") else f" since {self.name} was saved"
        text = (f"This {self.name if self.name != NEW_RUN else 'run'} has {n:,} training "
                f"step{'s' if n != 1 else ''} that are not saved{where}. Save the run before "
                f"{doing}?")
        return offer(self.window, QMessageBox.Icon.Question, "Unsaved training", text, [
            ("Save…", ACCEPT, lambda: self._save_then(then)),
            ("Discard", DISCARD, then),
            ("Cancel", REJECT, None)])

    def _save_then(self, then: Callable[[], None]) -> None:
        suggested = self.name if self.name.endswith((".h5", ".hdf5")) else "run.h5"
        path, _ = QFileDialog.getSaveFileName(self.window, "Save the run", suggested,
                                              "ganvis models (*.h5)")
        if path:
            self._after_save = (path, then)
            self.send("save", path)
