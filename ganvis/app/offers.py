"""Non-blocking questions with a few ways on (after a divergence, an out-of-memory error, a
crash): a message box whose buttons each run one callback; the window keeps running."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

ACCEPT = QMessageBox.ButtonRole.AcceptRole
ACTION = QMessageBox.ButtonRole.ActionRole
REJECT = QMessageBox.ButtonRole.RejectRole

Choice = tuple[str, QMessageBox.ButtonRole, Callable[[], None] | None]


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


class RecoveryMixin:
    """The window's answers to a run in trouble: divergence, out of memory, a crash last time."""

    def _on_diverged(self, message: str) -> None:
        """NaN or infinity: the run has stopped. Offer a rollback (halving the learning rates
        is the usual cure) or leaving it stopped."""
        self.last_divergence = message
        self.statusBar().showMessage("Training diverged: " + message.split(":")[0], 15000)
        self.divergence_box = offer(self, QMessageBox.Icon.Warning, "Training diverged", message, [
            ("Roll back, halve learning rates", ACCEPT, lambda: self.rollback(0.5)),
            ("Roll back", ACTION, lambda: self.rollback(1.0)),
            ("Stop", REJECT, None)])

    def _on_out_of_memory(self, message: str, batch_size: int, device: str) -> None:
        """The device is full: the run has stopped, intact. Offer half the batch, the CPU, or
        leaving it stopped."""
        self.last_oom = message
        self.statusBar().showMessage("Out of memory on " + device, 15000)
        half = max(1, batch_size // 2)
        choices = [(f"Go on with batch size {half}", ACCEPT,
                    lambda: self.rebuild_run(batch_size=half))]
        if not device.startswith("cpu"):
            choices.append(("Go on on the CPU", ACTION, lambda: self.rebuild_run(device="cpu")))
        choices.append(("Stop", REJECT, None))
        self.oom_box = offer(self, QMessageBox.Icon.Warning, "Out of memory", message, choices)

    def rebuild_run(self, **changes) -> None:
        """The same run with another batch size or device (weights and history kept)."""
        self._send("rebuild", changes)

    def _offer_restore(self, path) -> None:
        offer(self, QMessageBox.Icon.Question, "Restore the last run?",
              "ganvis did not close cleanly last time. Its run was autosaved; restore it?",
              [("Restore", ACCEPT, self.restore_autosave),
               ("Discard", REJECT, self.discard_autosave)])

    def restore_autosave(self) -> None:
        """Open the autosaved run of the last session, to continue it."""
        if self.autosave_offer is not None:
            kept = self.autosave_offer.with_name("ganvis-restored.h5")
            kept.write_bytes(self.autosave_offer.read_bytes())  # autosave will overwrite it
            self.autosave_offer = None
            self.open_model(str(kept))

    def discard_autosave(self) -> None:
        self.autosave_offer = None
        self.autosaver.path.unlink(missing_ok=True)

    def rollback(self, lr_scale: float = 0.5) -> None:
        """Return the run to its last good state, learning rates times lr_scale."""
        self._send("rollback", lr_scale)
