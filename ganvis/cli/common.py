"""What the `ganvis` commands share: bounded argument types and the checks on an output file,
made before any work so a long run is never lost at its save."""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import stat
import sys
import threading
from pathlib import Path

STEPS_MAX = 10_000_000
SEED_MAX = 2**63 - 1
NAME_MAX = 255  # bytes in one file name on the usual file systems
TEMP_EXTRA = 32  # what an atomic write adds to the name: ".NAME.PID.RANDOM.tmp"


def bounded_int(lo: int, hi: int):
    """An argparse type: a whole number from lo to hi, or a message naming the limits."""
    def parse(text: str) -> int:
        try:
            v = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text[:40]!r}") \
                from None
        if not lo <= v <= hi:
            raise argparse.ArgumentTypeError(f"expected a whole number from {lo:,} to {hi:,}, "
                                             f"got {text[:40]}")
        return v
    parse.__name__ = "whole number"
    return parse


positive_int = bounded_int(1, STEPS_MAX)
nonneg_int = bounded_int(0, STEPS_MAX)
seed_int = bounded_int(0, SEED_MAX)


def check_output(path: Path, *, not_same_as: dict[str, Path | None] | None = None) -> Path:
    """Refuse, before any work, an output ganvis could not write or should not replace: a
    missing or read-only folder, a folder, a device, FIFO or socket, a link to anything but a
    regular file, a name too long for the temporary file beside it, or the same file as
    another input or output (`not_same_as`: what it is called -> its path). Returns the path
    to write (a link to a regular file is followed: the file is replaced, not the link)."""
    from ganvis.engine.errors import GanvisError

    name = os.fsencode(path.name)
    if not name:
        raise GanvisError(f"{path}: name a file to write")
    if len(name) + TEMP_EXTRA > NAME_MAX:
        raise GanvisError(f"{path.name[:40]}...: file name too long ({len(name)} bytes; at "
                          f"most {NAME_MAX - TEMP_EXTRA})")
    if path.is_symlink():
        try:
            target = path.resolve(strict=True)
        except (OSError, RuntimeError):  # dangling, or a loop of links
            raise GanvisError(f"{path}: a link that leads nowhere (or in a loop); name the "
                              "file itself") from None
        if not target.is_file():
            raise GanvisError(f"{path}: a link to {target}, which is not a regular file; "
                              "name the file itself")
        path = target
    if path.exists():
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise GanvisError(f"{path}: is a folder; name a file to write")
        if not stat.S_ISREG(mode):
            raise GanvisError(f"{path}: not a regular file (a device, FIFO or socket); "
                              "ganvis never replaces those")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise GanvisError(f"{path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise GanvisError(f"{path}: folder {folder} is not writable")
    for what, other in (not_same_as or {}).items():
        if other is not None and _same(path, other):
            raise GanvisError(f"{path}: that is also {what}; name another file")
    return path



def _same(a: Path, b: Path) -> bool:
    try:
        if a.exists() and b.exists():
            return os.path.samefile(a, b)
        return a.resolve() == b.resolve()
    except (OSError, RuntimeError):  # a loop of links: not the same as a file that exists
        return False


MODEL_HELP = ("a run/model file (.h5), or a demo model: demo-dcgan, demo-saae or demo-aae2d")


@contextlib.contextmanager
def signal_handlers(signals: tuple, handler):
    """`handler` for these signals while the block runs (in the main thread only: Python
    delivers signals there), the old handlers back after."""
    old = take_signals(signals, handler)
    try:
        yield
    finally:
        give_back_signals(old)


def take_signals(signals: tuple, handler) -> dict:
    """Set `handler` for each signal not ignored (nohup's SIGHUP stays ignored); returns the
    old handlers for give_back_signals. In the main thread only (where Python runs them)."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    old = {}
    for s in signals:
        if signal.getsignal(s) is not signal.SIG_IGN:
            old[s] = signal.signal(s, handler)
    return old


def give_back_signals(old: dict) -> None:
    for s, previous in old.items():
        signal.signal(s, signal.SIG_DFL if previous is None else previous)


def say(text: str) -> None:
    """A line on stderr that never stops the command (a closed terminal: EIO)."""
    with contextlib.suppress(OSError, ValueError):
        print(text, file=sys.stderr)
