"""The `ganvis` command: the app with no arguments; train, sample, export, info, eval and bench
for the shell, one module each."""

from __future__ import annotations

import argparse
import os
import signal
import sys
from collections.abc import Sequence

from ganvis import __version__
from ganvis.cli import bench, export, info, judge, sample, train
from ganvis.cli import eval as evaluate
from ganvis.cli.common import signal_handlers


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] == "app":
        return _launch_app(argv[1:])
    if argv == ["--version"]:  # at once: the parser's choices come from the engine (torch)
        print(f"ganvis {__version__}")
        return 0
    parser = _parser()
    args = parser.parse_args(argv)
    from ganvis.engine.errors import GanvisError

    try:
        with stops_as_interrupts():
            return args.func(args)
    except GanvisError as e:
        print(f"ganvis {args.command}: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"\nganvis {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `ganvis info r.h5 | head`: the reader left; stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except MemoryError:
        print(f"ganvis {args.command}: error: out of memory (the input asks for more than "
              "this machine has)", file=sys.stderr)
        return 1
    except OSError as e:  # a full disk, a name the system refuses: one line, not a traceback
        where = f"{e.filename}: " if e.filename else ""
        print(f"ganvis {args.command}: error: {where}{e.strerror or e}", file=sys.stderr)
        return 1


STOP_SIGNALS = tuple(getattr(signal, name) for name in ("SIGTERM", "SIGHUP")
                     if hasattr(signal, name))


def _interrupt(signum, frame) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def stops_as_interrupts():
    """SIGTERM and SIGHUP (what `timeout`, SLURM and a closed terminal send) stop a command
    as Ctrl-C does: `ganvis train` saves what it trained and exits 130."""
    return signal_handlers(STOP_SIGNALS, _interrupt)


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ganvis", description="A visual explorer for GANs and "
                                "adversarial autoencoders. With no command, opens the app.")
    p.add_argument("--version", action="version", version=f"ganvis {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)
    sub.add_parser("app", help="open the desktop app (the default)")
    for command in (train, sample, export, info, evaluate, judge, bench):
        command.add_parser(sub)
    return p


def _launch_app(argv: list[str]) -> int:
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
        or os.environ.get("QT_QPA_PLATFORM")
    ):
        print("ganvis: no display found (DISPLAY is not set), so the app cannot open.\n"
              "To train without a screen: ganvis train --help", file=sys.stderr)
        return 1
    try:
        from ganvis.app import launch
    except ImportError as e:
        print(f"ganvis: the app needs PySide6 and pyqtgraph ({e}); "
              "reinstall with scripts/run, or use `ganvis train`", file=sys.stderr)
        return 1
    return launch(argv)
