"""Saving what `ganvis train` trained, so that it is never lost at the save: a trial save
before training (every reason a save could fail that can be known then), interrupts held off
while the save runs, and a fallback file beside the output when the save fails anyway."""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
from pathlib import Path

from ganvis.cli.common import give_back_signals, say, take_signals

HELD = tuple(getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n))


def trial_save(run, out: Path) -> None:
    """Write the run once to a temporary file beside `out` and delete it: a folder that cannot
    take it, or a state that cannot be written back, is found before any training."""
    from ganvis.engine.errors import GanvisError
    from ganvis.engine.store import save_run

    trial = out.with_name(f".ganvis-trial-{os.getpid()}.h5")  # short: any --out name fits
    try:
        save_run(run, trial, optimizer=False)
    except GanvisError as e:
        raise GanvisError(f"{out}: a trial save before training failed, so nothing was "
                          f"trained: {e}") from None
    finally:
        with contextlib.suppress(OSError):
            trial.unlink()


def final_save(run, out: Path) -> tuple[Path, str]:
    """Save the run to `out`. When that fails, save it to a new file beside `out` (or in the
    temporary folder, readable by the user only) and say why; returns (where it was saved,
    why not to `out`: '' when it was). Call it while a Holder holds interrupts off."""
    from ganvis.engine.errors import GanvisError
    from ganvis.engine.store import save_run

    try:
        return save_run(run, out), ""
    except GanvisError as e:
        why = str(e)
    for folder in (out.parent if str(out.parent) else Path("."), Path(tempfile.gettempdir())):
        try:  # a name of its own, made here: an earlier rescue is never replaced
            fd, name = tempfile.mkstemp(prefix=f"ganvis-unsaved-step{run.step}-",
                                        suffix=".h5", dir=folder)
            os.close(fd)
        except OSError:
            continue
        try:
            save_run(run, name)
            os.chmod(name, 0o600)
            return Path(name), why
        except (GanvisError, OSError):
            with contextlib.suppress(OSError):
                os.unlink(name)
    raise GanvisError(f"{why}; a fallback save beside it and in "
                      f"{tempfile.gettempdir()} failed too: nothing was saved")


class Holder:
    """From the end of training until the run is saved, interrupts (Ctrl-C, SIGTERM, SIGHUP)
    are counted and answered with a line, not obeyed: a second Ctrl-C never loses the run."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self.count = 0
        self._old: dict | None = None

    def start(self) -> None:
        if self._old is None:
            self._old = take_signals(HELD, self._wait)

    def stop(self) -> None:
        if self._old is not None:
            give_back_signals(self._old)
            self._old = None

    def _wait(self, signum, frame) -> None:
        self.count += 1
        say(f"\nganvis train: still saving {self.out}; it exits when the save is done")
