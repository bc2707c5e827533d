"""Messages that never block the window: a notice or an error in a message box, and questions
with a few ways on (after a divergence, an out-of-memory error, a crash last time), whose
buttons each run one callback."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QMessageBox, QStatusBar, QWidget

from ganvis.engine.errors import GanvisError
from ganvis.engine.store.runfile import RunFile, reading

ACCEPT = QMessageBox.ButtonRole.AcceptRole
ACTION = QMessageBox.ButtonRole.ActionRole
REJECT = QMessageBox.ButtonRole.RejectRole

RESTORED = "ganvis-restored.h5"  # the copy of the last session's autosave that is opened
Choice = tuple[str, QMessageBox.ButtonRole, Callable[[], None] | None]


def tell(parent: QWidget, icon: QMessageBox.Icon, message: str) -> QMessageBox:
    """A message box with OK, opened (not exec'd): the window keeps running meanwhile."""
    box = QMessageBox(icon, "ganvis", message, QMessageBox.StandardButton.Ok, parent)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


def offer(parent: QWidget, icon: QMessageBox.Icon, title: str, message: str,
          choices: list[Choice]) -> QMessageBox:
    text = message[:1].upper() + message[1:]  # engine messages start in lower case
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.NoButton, parent)
    actions = {}
    for label, role, action in choices:
        actions[box.addButton(label, role)] = action
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.buttonClicked.connect(lambda b: actions[b]() if actions.get(b) else None)
    box.open()
    return box


class Recovery(QObject):
    """The answers to a run in trouble: divergence, out of memory, a crash last time. `send`
    puts a command to the training thread; `open_model` opens a run file. A QObject of the
    GUI thread, so the training thread's signals reach its methods there (queued)."""

    def __init__(self, parent: QWidget, status: QStatusBar, send: Callable[[str, Any], None],
                 open_model: Callable[[str], None]) -> None:
        super().__init__(parent)
        self.window, self.status, self.send, self.open_model = parent, status, send, open_model

    def diverged(self, message: str) -> QMessageBox:
        """NaN or infinity: the run has stopped. Offer a rollback (halving the learning rates
        is the usual cure) or leaving it stopped."""
        self.status.showMessage("Training diverged: " + message.split(":")[0], 15000)
        return offer(self.window, QMessageBox.Icon.Warning, "Training diverged", message, [
            ("Roll back, halve learning rates", ACCEPT, lambda: self.send("rollback", 0.5)),
            ("Roll back", ACTION, lambda: self.send("rollback", 1.0)),
            ("Stop", REJECT, None)])

    def out_of_memory(self, message: str, batch_size: int, device: str) -> QMessageBox:
        """The device is full: the run has stopped, intact. Offer half the batch, the CPU, or
        leaving it stopped."""
        self.status.showMessage("Out of memory on " + device, 15000)
        half = max(1, batch_size // 2)
        choices = [(f"Go on with batch size {half}", ACCEPT,
                    lambda: self.send("rebuild", {"batch_size": half}))]
        if not device.startswith("cpu"):
            choices.append(("Go on on the CPU", ACTION,
                            lambda: self.send("rebuild", {"device": "cpu"})))
        choices.append(("Stop", REJECT, None))
        return offer(self.window, QMessageBox.Icon.Warning, "Out of memory", message, choices)

    def offer_restore(self, autosave: Path) -> QMessageBox:
        """The last session did not end cleanly and left its autosave: restore or discard it."""
        return offer(self.window, QMessageBox.Icon.Question, "Restore the last run?",
                     f"ganvis did not close cleanly last time. Its run was autosaved: "
                     f"{describe(autosave)}. Restore it?", [
                         ("Restore", ACCEPT, lambda: self.restore(autosave)),
                         ("Discard", REJECT, lambda: autosave.unlink(missing_ok=True))])

    def restore(self, autosave: Path) -> None:
        """Open the autosaved run of the last session, to continue it (from a copy: the next
        autosave overwrites the file)."""
        if autosave.is_file():
            kept = autosave.with_name(RESTORED)
            kept.write_bytes(autosave.read_bytes())
            self.open_model(str(kept))


def describe(path: Path) -> str:
    """'DCGAN (convolutional) at step 1,200, saved 5 minutes ago': what a run file holds."""
    try:
        with reading(path), RunFile(path) as rf:
            what = f"{rf.family.title} on {rf.data_name} at step {rf.counters['step']:,}"
    except GanvisError as e:
        return f"a file that cannot be read ({e})"
    minutes = max(0, int((time.time() - path.stat().st_mtime) // 60))
    age = ("less than a minute" if minutes < 1 else f"{minutes} minute{'s' * (minutes > 1)}"
           if minutes < 120 else f"{minutes // 60} hours" if minutes < 2880
           else f"{minutes // 1440} days")
    return f"{what}, saved {age} ago"
