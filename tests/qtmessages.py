"""What a window is telling its user: the text of its open message boxes (errors, notices and
questions alike), as a user would read them."""

from PySide6.QtWidgets import QMessageBox


def boxes(w, title: str | None = None) -> list[QMessageBox]:
    """The window's open message boxes (oldest first), optionally only those titled so."""
    return [b for b in w.findChildren(QMessageBox)
            if b.isVisible() and (title is None or b.windowTitle() == title)]


def said(w, text: str) -> bool:
    """Whether an open message box of the window says `text`."""
    return any(text in b.text() for b in boxes(w))


def click(box: QMessageBox, label: str) -> None:
    """Press the box's button called `label`."""
    labels = [b.text() for b in box.buttons()]
    box.buttons()[labels.index(label)].click()


def discard_if_asked(w) -> None:
    """Answer Discard if the window asks about unsaved training (before a Reset, say)."""
    for box in boxes(w, "Unsaved training"):
        click(box, "Discard")
