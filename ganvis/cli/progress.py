"""`ganvis train`'s progress bar (tqdm): a line redrawn on a terminal, a line every tenth of
the run in a log file."""

from __future__ import annotations

import math
import sys
import time


class Progress:
    """The progress bar on stderr (tqdm): step, steps/s, ETA and the latest losses. On a
    terminal it redraws in place; in a log file it writes a line every tenth of the run."""

    def __init__(self, total: int, quiet: bool = False) -> None:
        from tqdm import tqdm

        self.total, self.quiet = total, quiet
        self.t0 = time.perf_counter()
        self.losses = ""
        tty = sys.stderr.isatty()
        self.bar = None if quiet else tqdm(
            total=total, unit=" steps", file=sys.stderr if tty else _Lines(sys.stderr),
            dynamic_ncols=tty, ncols=None if tty
            else 170, mininterval=0.25 if tty else 0.0, miniters=None if tty
            else max(1, total // 10), ascii=not tty, leave=tty,
            # in a log file, keep a line per tenth: tqdm's monitor would otherwise drop to a
            # line per step after any 10 s without one
            maxinterval=10.0 if tty else float("inf"),
            bar_format="step {n_fmt}/{total_fmt} {bar:24} {rate_fmt}  ETA {remaining}"
                       "{postfix}")

    def tick(self) -> None:
        """After each step (the loop's on_step): host counters only, never a device sync."""
        if self.bar is not None:
            self.bar.update(1)

    def snapshot(self, snap) -> None:
        """The latest losses of the run's own series (the loop's on_snapshot)."""
        from ganvis.engine.runs.snapshot import SERIES_LABELS

        losses = "".join(f"  {SERIES_LABELS.get(k, k)} {v:.3f}"
                         for k, v in snap.losses.items() if math.isfinite(v))
        if losses:  # a snapshot right after the last row has nothing new: keep the last
            self.losses = losses
        if self.bar is not None:
            self.bar.set_postfix_str(self.losses.strip(), refresh=False)

    def finish(self, snap, steps: int, images: int) -> None:
        """The summary: steps and images over the whole command (not the last snapshot's
        window), and the latest losses."""
        if self.bar is not None:
            self.bar.close()
        if self.quiet:
            return
        self.snapshot(snap)
        secs = max(time.perf_counter() - self.t0, 1e-9)
        print(f"{steps} steps in {secs:.1f} s ({steps / secs:.1f} steps/s, "
              f"{images / secs:.0f} images/s){self.losses}", file=sys.stderr)


class _Lines:
    """Where stderr is a log file, not a terminal: each of tqdm's redraws as a line of its own
    (a terminal's carriage returns would pile up on one line)."""

    def __init__(self, f) -> None:
        self.f = f

    def write(self, text: str) -> None:
        line = text.strip("\r").rstrip()
        if line:
            self.f.write(line + "\n")

    def flush(self) -> None:
        self.f.flush()
