"""The training thread: a QObject moved to a QThread that drives a Run and emits snapshots.

The worker's loop blocks its own event loop, so the GUI talks to it through a thread-safe
command queue and a stop Event, never through queued slot calls. It talks back through
signals carrying plain data (snapshots, samplers, messages). Errors cross as data: any
exception becomes `failed(message)` and the previous run is kept.
"""

from __future__ import annotations

import queue
import threading
import time
import traceback
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PySide6.QtCore import QObject, QThread, Signal

from ganvis.engine import DataError, GanvisError, Run, RunConfig, Snapshot
from ganvis.engine.data import load_dataset
from ganvis.engine.devices.threads import set_training_threads
from ganvis.engine.errors import DivergenceError, OutOfMemoryError
from ganvis.engine.runs.memory import is_out_of_memory, out_of_memory
from ganvis.engine.store import RunFile, load_run, load_sampler, save_run

SNAPSHOT_EVERY = 0.4  # seconds of wall time between snapshots while training, at least;
# when snapshots are further apart, a history row (losses only) is recorded this often and
# the rows go to the window with the next snapshot: curves keep their detail, without
# repainting more often (measured: repainting the curves at every row cost 10-15% of the
# training speed on 2 cores)
SNAPSHOT_BUDGET = 0.03  # ... and more when a snapshot would take more than this share of it,
# counting the window's redraw of it: on 2 cores training all but stops while the window
# redraws (measured: the steps overlapping a redraw lost about as long as the redraw took)
SNAPSHOT_MAX = 2.0  # ... but never more than this


@dataclass(frozen=True)
class Command:
    kind: str  # train, pause, step, step_d, step_g, reset, open, save, gui_cost, call, ...
    arg: Any = None


class TrainingWorker(QObject):
    snapshot = Signal(object, object)  # Snapshot, Sampler (a frozen CPU copy of G)
    progress = Signal(object)  # history rows (dicts of floats) recorded between snapshots
    run_changed = Signal(object, object, bool)  # RunConfig, history dict, trainable
    notice = Signal(str)
    state_changed = Signal(bool)  # training (True) or paused (False)
    saved = Signal(str)
    autosaved = Signal()  # an autosave command is done (written or not)
    failed = Signal(str)
    diverged = Signal(str)  # NaN/inf: the run stopped; the GUI offers a rollback
    out_of_memory = Signal(str, int, str)  # message, batch size, device: the GUI offers ways on
    finished = Signal()

    def __init__(self) -> None:
        super().__init__()
        self._commands: queue.Queue[Command] = queue.Queue()
        self._stop = threading.Event()
        self.run: Run | None = None
        self._rows: list[dict] = []
        self.training = False
        self.gui_cost = 0.0  # seconds the window's last redraw took (it tells us)

    # --- called from the GUI thread -----------------------------------------------------------

    def send(self, kind: str, arg: Any = None) -> None:
        self._commands.put(Command(kind, arg))

    def request_stop(self) -> None:
        self._stop.set()

    # --- the worker thread --------------------------------------------------------------------

    def loop(self) -> None:
        last = row = 0.0
        interval = SNAPSHOT_EVERY
        set_training_threads()
        try:
            while not self._stop.is_set():
                try:
                    cmd = self._commands.get(timeout=0 if self.training else 0.05)
                except queue.Empty:
                    cmd = None
                if cmd is not None:
                    self._handle(cmd)
                    continue
                if self.training and self.run is not None:
                    self._guarded(self.run.train_steps, 1)
                    now = time.perf_counter()
                    if now - last >= interval:
                        self._guarded(self._emit_snapshot)
                        last = row = time.perf_counter()
                        interval = snapshot_interval(last - now + self._gui_share())
                    elif now - row >= SNAPSHOT_EVERY:  # between snapshots: a history row
                        row = now
                        self._guarded(self._emit_row)
        finally:
            self.finished.emit()

    def _handle(self, cmd: Command) -> None:
        handler = getattr(self, f"_cmd_{cmd.kind}")
        if cmd.arg is None:
            self._guarded(handler)
        else:
            self._guarded(handler, cmd.arg)

    def _guarded(self, fn, *args) -> None:
        try:
            fn(*args)
        except DivergenceError as e:  # stop stepping; no snapshot of a broken run
            self._halt()
            self.diverged.emit(str(e))
        except OutOfMemoryError as e:  # the run is intact: offer a smaller batch or the CPU
            self._out_of_memory(e)
        except GanvisError as e:
            self._fail(str(e))
        except Exception as e:  # never let the thread die silently
            if self.run is not None and is_out_of_memory(e):  # e.g. in a snapshot or a save
                self._out_of_memory(out_of_memory(self.run, e))
                return
            traceback.print_exc()
            self._fail(f"{type(e).__name__}: {e}")

    def _halt(self) -> None:
        if self.training:
            self.training = False
            self.state_changed.emit(False)

    def _out_of_memory(self, e: OutOfMemoryError) -> None:
        self._halt()
        self.out_of_memory.emit(str(e), e.batch_size, e.device)

    def _fail(self, message: str) -> None:
        if self.training:
            self._halt()
            if self.run is not None:
                try:
                    self._emit_snapshot()
                except GanvisError:  # e.g. the run diverged: the message says enough
                    pass
        self.failed.emit(message)

    def _emit_row(self) -> None:
        self._rows.append(self.run.record())

    def _emit_snapshot(self) -> None:
        run = self.run
        if self._rows:  # rows recorded since the last snapshot go first, in one signal
            rows, self._rows = self._rows, []
            self.progress.emit(rows)
        self.snapshot.emit(run.snapshot(), run.sampler())

    def _set_training(self, on: bool) -> None:
        if self.run is None:
            return
        self.training = on
        self.state_changed.emit(on)
        if not on:
            self._emit_snapshot()

    def _cmd_train(self) -> None:
        self._set_training(True)

    def _cmd_gui_cost(self, seconds: float) -> None:
        self.gui_cost = seconds

    def _gui_share(self) -> float:
        """The window's redraw cost, where it was measured to slow training: on the CPU, where
        the GUI thread shares the cores with training (on a GPU it is not known to)."""
        return self.gui_cost if self.run.device.type == "cpu" else 0.0

    def _cmd_call(self, job) -> None:
        """Run job() on this thread (`ganvis bench` times the bare engine here: on the
        training thread's own thread pool, with no second pool beside it)."""
        job()

    def _cmd_pause(self) -> None:
        self._set_training(False)

    def _manual(self, fn) -> None:
        if self.run is None:
            return
        if self.training:
            self._set_training(False)
        fn(1)
        self._emit_snapshot()

    def _cmd_rollback(self, lr_scale: float) -> None:
        if self.run is None:
            return
        step = self.run.rollback(lr_scale)
        self._emit_snapshot()
        change = "" if lr_scale == 1 else f", learning rates × {lr_scale:g}"
        self.notice.emit(f"Rolled back to step {step:,}{change}. Press Train to go on.")

    def _cmd_rebuild(self, changes: dict) -> None:
        if self.run is None:
            return
        if self.training:
            self._set_training(False)
        self._install(self.run.rebuild(**changes))
        what = ", ".join(f"{k.replace('_', ' ')} {v}" for k, v in changes.items())
        self.notice.emit(f"Going on with {what} from step {self.run.step:,}. Press Train.")

    def _cmd_step(self) -> None:
        self._manual(lambda n: self.run.train_steps(n))

    def _cmd_step_d(self) -> None:
        self._manual(lambda n: self.run.step_d(n))

    def _cmd_step_g(self) -> None:
        self._manual(lambda n: self.run.step_g(n))

    def _cmd_reset(self, config: RunConfig) -> None:
        was = self.training
        if was:
            self._set_training(False)
        dataset = load_dataset(config.data)  # raises before the old run is dropped
        self._install(Run(config, dataset))

    def _cmd_open(self, path: str) -> None:
        if self.training:
            self._set_training(False)
        try:
            run = load_run(Path(path))
        except DataError as e:  # the model is fine but its data set is not here: explore it
            self._explore(Path(path), str(e))
            return
        self._install(run)

    def _install(self, run: Run) -> None:
        self.run = run
        self._rows = []
        self.gui_cost = 0.0  # another run's views cost what they cost
        history = {k: list(v) for k, v in run.history.items()}
        history["metrics"] = {k: list(v) for k, v in run.live.history.items()}
        history["timeline"] = run.timeline.arrays()
        self.run_changed.emit(run.config, history, True)
        self._emit_snapshot()

    def _explore(self, path: Path, why: str) -> None:
        sampler = load_sampler(path)
        with RunFile(path) as rf:
            history, grid, counters = rf.history(), rf.grid(), rf.counters
            history["metrics"] = rf.history("metrics")
            history["timeline"] = rf.timeline()
        self.run = None
        self.run_changed.emit(sampler.config, history, False)
        if grid is None:
            grid = sampler.sample(64, 0)
        self.snapshot.emit(explore_snapshot(sampler, counters, grid), sampler)
        self.notice.emit(f"Opened {path.name} to explore only: {why}. To train, pick a data "
                         "set and press Reset.")

    def _cmd_autosave(self, path: str) -> None:
        """Like save, quietly: the user did not ask, so only a failure is reported."""
        try:
            if self.run is not None:
                save_run(self.run, Path(path))
        except GanvisError as e:
            self.notice.emit(f"Autosave failed (training goes on): {e}")
        finally:
            self.autosaved.emit()

    def _cmd_save(self, path: str) -> None:
        if self.run is None:
            raise GanvisError("nothing to save yet: set up a run first")
        save_run(self.run, Path(path))
        self.saved.emit(path)


def explore_snapshot(sampler, counters: dict, grid: np.ndarray) -> Snapshot:
    """What the views show for a model opened without its data: samples, no verdicts."""
    empty = np.zeros(0, np.float32)
    nan = float("nan")
    return Snapshot(
        step=counters["step"], d_steps=counters["d_steps"], g_steps=counters["g_steps"],
        images_seen=counters["d_steps"] * sampler.config.batch_size,
        elapsed=counters["elapsed"], images_per_s=0.0, steps_per_s=0.0, d_loss=nan,
        g_loss=nan, d_real=nan, d_fake=nan, grid=grid, real_probs=empty, fake_probs=empty,
        device="cpu", model=sampler.config.model)


def snapshot_interval(cost: float) -> float:
    """Seconds until the next snapshot, given what the last one cost (taking it, and the
    window's redraw of it): as often as SNAPSHOT_EVERY allows while snapshots take at most
    SNAPSHOT_BUDGET of the training thread's time (they are cheap on a GPU, dearer on a small
    CPU), capped at SNAPSHOT_MAX."""
    return min(SNAPSHOT_MAX, max(SNAPSHOT_EVERY, cost * (1 - SNAPSHOT_BUDGET) / SNAPSHOT_BUDGET))


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
