"""The desktop app (PySide6 + pyqtgraph). Imports the engine; the engine never imports this."""

from __future__ import annotations


def launch(argv: list[str]) -> int:
    from ganvis.app.launch import run_app

    return run_app(argv)
