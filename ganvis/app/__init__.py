"""The desktop app (PySide6 + pyqtgraph). Imports the engine; the engine never imports this."""

from __future__ import annotations


def launch(argv: list[str]) -> int:
    # Imported here, not above: importing a Qt-free part of the app (commands.py) must not
    # load Qt, and `ganvis` reports a missing PySide6 in one line when the app is asked for.
    from ganvis.app.launch import run_app

    return run_app(argv)
