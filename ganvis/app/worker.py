"""The training thread: a QObject moved to a QThread, a thin command queue around RunCommands.

The thread's loop blocks its own event loop, so the GUI talks to it through a thread-safe
command queue and a stop Event, never through queued slot calls. RunCommands (commands.py)
does the work and reports events; the worker emits them as signals carrying plain data
(snapshots, samplers, messages). Errors cross as data: any exception becomes `failed`.
"""

from __future__ import annotations

import queue
import threading
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QObject, QThread, Signal

from ganvis.app.commands import RunCommands
from ganvis.engine.devices.threads import set_training_threads


@dataclass(frozen=True)
class Command:
    kind: str  # train, pause, step, step_d, step_g, reset, open, save, gui_cost, call, ...
    arg: Any = None


class TrainingWorker(QObject):
    snapshot = Signal(object, object)  # Snapshot, Sampler (a frozen CPU copy of G)
    progress = Signal(object)  # history rows (dicts of floats) recorded between snapshots
    run_changed = Signal(object, object, bool, object)  # config, history, trainable, Arrival
    notice = Signal(str)
    state_changed = Signal(bool)  # training (True) or paused (False)
    saved = Signal(str, object)  # path, the run's mark when saved (RunCommands.mark)
    autosaved = Signal()  # an autosave command is done (written or not)
    failed = Signal(str)
    diverged = Signal(str)  # NaN/inf: the run stopped; the GUI offers a rollback
    out_of_memory = Signal(str, int, str)  # message, batch size, device: the GUI offers ways on
    logging = Signal(bool)  # TensorBoard logging switched itself off (False)
    finished = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._commands: queue.Queue[Command] = queue.Queue()
        self._stop = threading.Event()
        self.commands = RunCommands(self._emit, interrupted=self._interrupted)

    @property
    def run(self):
        """The run being trained (None while exploring): read its plain counters only."""
        return self.commands.run

    # --- called from the GUI thread -----------------------------------------------------------

    def send(self, kind: str, arg: Any = None) -> None:
        self._commands.put(Command(kind, arg))

    def request_stop(self) -> None:
        self._stop.set()

    # --- the worker thread --------------------------------------------------------------------

    def loop(self) -> None:
        set_training_threads()
        try:
            while not self._stop.is_set():
                try:
                    cmd = self._commands.get(timeout=0 if self.commands.training else 0.05)
                except queue.Empty:
                    self.commands.train_a_while()  # returns when a command arrives
                    continue
                self.commands.handle(cmd.kind, cmd.arg)
        finally:
            self.finished.emit()

    def _interrupted(self) -> bool:
        return self._stop.is_set() or not self._commands.empty()

    def _emit(self, event: str, *args: Any) -> None:
        getattr(self, event).emit(*args)


class TrainingSession(QObject):
    """GUI-side owner of the worker thread: start, send commands, shut down cleanly."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.thread = QThread()
        self.thread.setObjectName("ganvis-training")
        self.worker = TrainingWorker()
        self.worker.moveToThread(self.thread)
        self.thread.started.connect(self.worker.loop)

    def start(self) -> None:
        self.thread.start()

    def send(self, kind: str, arg: Any = None) -> None:
        self.worker.send(kind, arg)

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Stop the loop and join the thread (quit() called directly: see DESIGN.md)."""
        self.worker.request_stop()
        self.thread.quit()
        return self.thread.wait(timeout_ms)
