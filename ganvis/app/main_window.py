"""The main window (a placeholder until the training studio lands)."""

from __future__ import annotations

import sys

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QMainWindow


class MainWindow(QMainWindow):
    def __init__(self) -> None:
        super().__init__()
        self.setWindowTitle("ganvis")
        label = QLabel("ganvis\n\nThe training studio is on its way.\n"
                       "Meanwhile: ganvis train --help")
        label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setCentralWidget(label)
        self.resize(640, 400)


def run_app(argv: list[str]) -> int:
    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    win = MainWindow()
    win.show()
    return app.exec()
