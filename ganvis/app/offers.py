"""Non-blocking questions with a few ways on (after a divergence, an out-of-memory error, a
crash): a message box whose buttons each run one callback; the window keeps running."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox, QWidget

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
