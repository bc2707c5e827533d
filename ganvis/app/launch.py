"""Starting the app: the QApplication, the theme, the main window; and the GUI thread's
process-wide settings (garbage collection, torch threads)."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication

_COLLECTOR = None


def collect_garbage_in_gui_thread() -> None:
    """Python's cyclic garbage collector runs in whichever thread happens to allocate. If that
    is the training thread and the garbage holds Qt objects (a closed dialog, an old window),
    their destruction there deadlocks against the GUI thread (seen under load). So automatic
    collection is switched off and a GUI-thread timer collects instead (once per process)."""
    global _COLLECTOR
    if _COLLECTOR is None:
        from pyqtgraph.util.garbage_collector import GarbageCollector

        _COLLECTOR = GarbageCollector(interval=1.0)


def gui_thread_torch() -> None:
    """The GUI thread's own torch work (slider decodes, fresh samples) runs on one thread: a
    thread pool owned by the GUI thread slows the training thread's (engine/threads.py)."""
    import torch

    torch.set_num_threads(1)  # per thread under OpenMP: the worker sets its own


def run_app(argv: list[str]) -> int:
    app = QApplication.instance() or QApplication([sys.argv[0], *argv])
    app.setApplicationName("ganvis")
    app.setOrganizationName("ganvis")
    from ganvis.app.theme import apply_theme

    apply_theme(app)
    from ganvis.app.main_window import MainWindow

    win = MainWindow()
    win.show()
    for arg in argv:
        if arg.endswith((".h5", ".hdf5")):
            win.open_model(arg)
    return app.exec()
