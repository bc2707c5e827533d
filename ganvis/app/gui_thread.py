"""The GUI thread's process-wide settings: Python's garbage collection runs there, and torch
keeps one CPU thread there (the training thread uses every core)."""

from __future__ import annotations

import torch
from pyqtgraph.util.garbage_collector import GarbageCollector

_COLLECTOR = None


def collect_garbage_in_gui_thread() -> None:
    """Python's cyclic garbage collector runs in whichever thread happens to allocate. If that
    is the training thread and the garbage holds Qt objects (a closed dialog, an old window),
    their destruction there deadlocks against the GUI thread (seen under load). So automatic
    collection is switched off and a GUI-thread timer collects instead (once per process)."""
    global _COLLECTOR
    if _COLLECTOR is None:
        _COLLECTOR = GarbageCollector(interval=1.0)


def gui_thread_torch() -> None:
    """The GUI thread's own torch work (slider decodes, fresh samples) runs on one thread: a
    thread pool owned by the GUI thread slows the training thread's (engine/devices/threads.py)."""
    torch.set_num_threads(1)  # per thread under OpenMP: the worker sets its own
