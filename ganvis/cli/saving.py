"""Saving what `ganvis train` trained, so that it is never lost at the save: a trial save
before training (every reason a save could fail that can be known then), interrupts held off
while the save runs, and a fallback file beside the output when the save fails anyway."""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import tempfile
from pathlib import Path

from ganvis.cli.common import signal_handlers

HELD = tuple(getattr(signal, n) for n in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, n))


def trial_save(run, out: Path) -> None:
    """Write the run once to a temporary file beside `out` and delete it: a folder that cannot
    take it, or a state that cannot be written back, is found before any training."""
    from ganvis.engine.errors import GanvisError
    from ganvis.engine.store import save_run

    trial = out.with_name(f".{out.name}.trial-{os.getpid()}.h5")
    try:
        save_run(run, trial, optimizer=False)
    except GanvisError as e:
        raise GanvisError(f"{out}: a trial save before training failed, so nothing was "
                          f"trained: {e}") from None
    finally:
        with contextlib.suppress(OSError):
            trial.unlink()


def final_save(run, out: Path) -> tuple[Path, str]:
    """Save the run to `out` with interrupts held off (a second Ctrl-C waits for the save).
    When that fails, save it beside `out` (or in the temporary folder) and say why; returns
    (where it was saved, why not to `out`: '' when it was)."""
    from ganvis.engine.errors import GanvisError
    from ganvis.engine.store import save_run

    with _held(out):
        try:
            return save_run(run, out), ""
        except GanvisError as e:
            why = str(e)
        for folder in (out.parent, Path(tempfile.gettempdir())):
            fallback = folder / f"ganvis-unsaved-{os.getpid()}-step{run.step}.h5"
            try:
                return save_run(run, fallback), why
            except GanvisError:
                continue
    raise GanvisError(f"{why}; a fallback save beside it and in "
                      f"{tempfile.gettempdir()} failed too: nothing was saved")


def _held(out: Path):
    def wait(signum, frame) -> None:
        print(f"\nganvis train: still saving {out}; it exits when the save is done",
              file=sys.stderr)

    return signal_handlers(HELD, wait)
