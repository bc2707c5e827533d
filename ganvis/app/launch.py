"""Starting the app: the QApplication, the theme, the main window."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

from ganvis.app.main_window import MainWindow
from ganvis.app.theme import apply_theme


def run_app(argv: list[str]) -> int:
    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    app.setApplicationName("ganvis")
    app.setOrganizationName("ganvis")
    apply_theme(app)
    win = MainWindow()
    win.show()
    for arg in argv:
        if arg.endswith((".h5", ".hdf5")):
            win.open_model(arg)
    return app.exec()
