"""What the training thread does with each command from the window, with no Qt in it.

RunCommands owns the run and its TrainingLoop and answers every command (train, pause, step,
reset, open, save, rollback, rebuild, ...) by calling `emit(event, *args)`. The worker
(worker.py) turns those events into Qt signals; tests drive RunCommands directly with a list
for `emit`, no window and no thread. Errors become events too: nothing is raised.

Events: snapshot(Snapshot, Sampler), progress(rows), run_changed(RunConfig, history,
trainable, Arrival), state_changed(training), notice(text), saved(path, mark), autosaved(),
failed(text), diverged(text), out_of_memory(text, batch_size, device), logging(on).
"""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from ganvis.app.arrival import Arrival
from ganvis.engine import DataError, GanvisError, Hooks, Run, RunConfig, TrainingLoop, new_run
from ganvis.engine.errors import DivergenceError, OutOfMemoryError
from ganvis.engine.family import family
from ganvis.engine.runs.memory import is_out_of_memory, out_of_memory
from ganvis.engine.store import explore_file, load_run, save_run

Emit = Callable[..., None]


class RunCommands:
    def __init__(self, emit: Emit, interrupted: Callable[[], bool] = lambda: False) -> None:
        self.emit = emit
        self.interrupted = interrupted  # a command is waiting, or the thread must stop
        self.run: Run | None = None
        self.loop: TrainingLoop | None = None
        self.training = False
        self.rows: list[dict] = []  # history rows recorded since the last snapshot
        self.gui_cost = 0.0  # seconds the window's last redraw took (it tells us)
        self.pace = 0.0  # steps a second at most while training (0: as fast as it goes)
        self._stepped = 0.0
        self.board_root = ""  # TensorBoard: each run logs to a subfolder of it ("": off)
        self.board = None
        self.revision = 0  # raised by whatever changes a run without stepping it on

    # --- entry points ----------------------------------------------------------------------

    def handle(self, kind: str, arg: Any = None) -> None:
        """Carry out one command (`kind` names a cmd_ method); errors become events."""
        handler = getattr(self, f"cmd_{kind}")
        self.guarded(handler) if arg is None else self.guarded(handler, arg)

    def train_a_while(self) -> None:
        """While training: step until a command arrives (or the thread is asked to stop)."""
        if self.training and self.loop is not None:
            self.guarded(self.loop.train)

    def guarded(self, fn: Callable, *args: Any) -> None:
        try:
            fn(*args)
        except DivergenceError as e:  # stop stepping; no snapshot of a broken run
            self._halt()
            self.emit("diverged", str(e))
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

    # --- the commands ----------------------------------------------------------------------

    def cmd_train(self) -> None:
        self._set_training(True)

    def cmd_pause(self) -> None:
        self._set_training(False)

    def cmd_step(self) -> None:
        self._manual("train_steps")

    def cmd_step_d(self) -> None:
        self._manual("step_d")

    def cmd_step_g(self) -> None:
        self._manual("step_g")

    def cmd_optimise_d(self, steps: int) -> None:
        """Bring D toward D* for the current G: `steps` D updates, G frozen; then measure
        (the 2-D game compares D with D* and V with -log 4 + 2 JS) and show it."""
        if self.run is None:
            return
        self._pause()
        self.run.step_d(steps)
        self.run.measure()
        self._snapshot()

    def cmd_pace(self, steps_per_s: float) -> None:
        """Slow motion: at most this many steps a second while training (0: full speed)."""
        self.pace = steps_per_s
        if self.loop is not None:
            self.loop.hooks.on_step = self._wait if steps_per_s > 0 else None

    def cmd_gui_cost(self, seconds: float) -> None:
        self.gui_cost = seconds

    def cmd_call(self, job: Callable[[], None]) -> None:
        """Run job() on this thread (`ganvis bench` times the bare engine here: on the
        training thread's own thread pool, with no second pool beside it)."""
        job()

    def cmd_rollback(self, lr_scale: float) -> None:
        if self.run is None:
            return
        step = self.run.rollback(lr_scale)
        self.revision += 1
        self._snapshot()
        change = "" if lr_scale == 1 else f", learning rates × {lr_scale:g}"
        self.emit("notice", f"Rolled back to step {step:,}{change}. Press Train to go on.")

    def cmd_rebuild(self, changes: dict) -> None:
        if self.run is None:
            return
        self._pause()
        self.revision += 1
        self._install(self.run.rebuild(**changes), Arrival("rebuild"))
        what = ", ".join(f"{k.replace('_', ' ')} {getattr(self.run.config, k)}"
                         for k in changes)  # as it is now (a batch rounds to whole packs)
        self.emit("notice", f"Going on with {what} from step {self.run.step:,}. Press Train.")

    def cmd_reset(self, config: RunConfig) -> None:
        self._pause()
        dataset = family(config.model).data.load(config.data)  # raises before the old run goes
        self._install(new_run(config, dataset), Arrival("new"))

    def cmd_open(self, path: str) -> None:
        self._pause()
        try:
            run = load_run(Path(path))
        except DataError as e:  # the model is fine but its data set is not here: explore it
            self._explore(Path(path), str(e))
            return
        self._install(run, Arrival("open", path))

    def cmd_save(self, path: str) -> None:
        if self.run is None:
            raise GanvisError("nothing to save yet: set up a run first")
        save_run(self.run, Path(path))
        self.emit("saved", path, self.mark())

    def cmd_autosave(self, path: str) -> None:
        """Like save, quietly: the user did not ask, so only a failure is reported."""
        try:
            if self.run is not None:
                save_run(self.run, Path(path))
        except GanvisError as e:
            self.emit("notice", f"Autosave failed (training goes on): {e}")
        finally:
            self.emit("autosaved")

    # --- helpers -----------------------------------------------------------------------------

    def mark(self) -> tuple[int, int, int] | None:
        """How far the run has got: (step, D updates, revision), None with no run to train.
        Rollbacks and rebuilds raise the revision: a run changed since it was saved at a mark
        never has that mark again. Plain counters: the window reads them from its thread."""
        run = self.run
        return None if run is None else (run.step, run.d_steps, self.revision)

    def _install(self, run: Run, arrival: Arrival) -> None:
        self.run = run
        self.rows = []
        self.gui_cost = 0.0  # another run's views cost what they cost
        self._close_board()
        self.loop = TrainingLoop(run, Hooks(
            on_row=self._on_row, on_snapshot=self._send_snapshot,
            should_stop=self.interrupted, extra_cost=self._gui_share), run.family.pacing)
        self.cmd_pace(self.pace)
        history = {k: list(v) for k, v in run.history.items()}
        history["metrics"] = {k: list(v) for k, v in run.live.history.items()}
        history["timeline"] = run.timeline.arrays()
        history["waterfall"] = run.waterfall.arrays()
        self.emit("run_changed", run.config, history, True,
                  replace(arrival, mark=self.mark()))
        if self.board_root:  # after the run and its loop are in place: a failure costs a log
            self._open_board(self.board_root, run)
        self._snapshot()
        if run.dataset.note and run.step == 0:  # e.g. pictures of a folder skipped, and why
            self.emit("notice", run.dataset.note[:1].upper() + run.dataset.note[1:] + ".")

    def _explore(self, path: Path, why: str) -> None:
        found = explore_file(path)
        self.run = self.loop = None
        self.emit("run_changed", found.config, found.history, False,
                  Arrival("explore", str(path)))
        self.emit("snapshot", found.snapshot, found.sampler)
        self.emit("notice", f"Opened {path.name} to explore only: {why}. To train, pick a data "
                  "set and press Reset.")

    def _send_snapshot(self, snap) -> None:
        """The loop's on_snapshot: rows recorded since the last snapshot go first."""
        if self.rows:
            rows, self.rows[:] = list(self.rows), []
            self.emit("progress", rows)
        if self.board is not None:
            self.board.snapshot(snap)
            self._board_failed()
        self.emit("snapshot", snap, self.run.sampler())

    def _on_row(self, row: dict) -> None:
        self.rows.append(row)
        if self.board is not None:
            self.board.row(row)
            self._board_failed()

    def cmd_tensorboard(self, folder: str) -> None:
        """Log every run to TensorBoard, each in a subfolder of `folder` named by its model
        and start time; "" stops logging."""
        self._close_board()
        self.board_root = folder
        if folder and self.run is not None:
            self._open_board(folder, self.run)

    def _open_board(self, folder: str, run: Run) -> None:
        """Never raises: when logging cannot start, it is switched off and the window told."""
        from ganvis.engine.runs.tensorboard import TensorBoardLog

        base = Path(folder) / f"{run.config.model}-{time.strftime('%Y%m%d-%H%M%S')}"
        path, n = base, 1
        while path.exists():  # two runs in one second: never two runs in one folder
            n += 1
            path = base.with_name(f"{base.name}-{n}")
        try:
            self.board = TensorBoardLog(path, run.config)
        except GanvisError as e:
            self.board_root = ""
            self.emit("logging", False)
            self.emit("notice", f"TensorBoard logging is off: {e}")

    def _board_failed(self) -> None:
        if self.board is not None and self.board.failed:
            why, self.board_root = self.board.failed, ""
            self._close_board()
            self.emit("logging", False)
            self.emit("notice", f"{why}. Training goes on; File → Log to TensorBoard again "
                      "starts it.")

    def _close_board(self) -> None:
        board, self.board = self.board, None
        if board is not None:
            board.close()

    def _snapshot(self) -> None:
        if self.loop is not None:
            self.loop.snapshot()

    def _wait(self) -> None:
        """After a step in slow motion: wait out the rest of its share of a second, in short
        sleeps, so a waiting command still gets through at once."""
        end = self._stepped + 1.0 / self.pace  # a step's share starts when the last one ended
        while (now := time.perf_counter()) < end and not self.interrupted():
            time.sleep(min(0.02, end - now))
        self._stepped = time.perf_counter()

    def _gui_share(self) -> float:
        """The window's redraw cost, where it was measured to slow training: on the CPU, where
        the GUI thread shares the cores with training (on a GPU it is not known to)."""
        return self.gui_cost if self.run is not None and self.run.device.type == "cpu" else 0.0

    def _set_training(self, on: bool) -> None:
        if self.run is None:
            return
        self.training = on
        self.emit("state_changed", on)
        if not on:
            self._snapshot()

    def _pause(self) -> None:
        if self.training:
            self._set_training(False)

    def _manual(self, method: str) -> None:
        if self.run is None:
            return
        self._pause()
        getattr(self.run, method)(1)
        self._snapshot()

    def _halt(self) -> None:
        if self.training:
            self.training = False
            self.emit("state_changed", False)

    def _out_of_memory(self, e: OutOfMemoryError) -> None:
        self._halt()
        self.emit("out_of_memory", str(e), e.batch_size, e.device)

    def _fail(self, message: str) -> None:
        if self.training:
            self._halt()
            try:
                self._snapshot()
            except GanvisError:  # e.g. the run diverged: the message says enough
                pass
        self.emit("failed", message)
