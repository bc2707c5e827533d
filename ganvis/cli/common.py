"""What the `ganvis` commands share: argument types and the output-folder check."""

from __future__ import annotations

import argparse
import os
from pathlib import Path

STEPS_MAX = 10_000_000


def positive_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 1 <= v <= STEPS_MAX:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1 to {STEPS_MAX}, got {v}")
    return v


def nonneg_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {v}")
    return v


def check_writable(path: Path) -> None:
    """Refuse, before any work, an output whose folder is missing or read-only."""
    from ganvis.engine.errors import GanvisError

    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise GanvisError(f"{path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise GanvisError(f"{path}: folder {folder} is not writable")


MODEL_HELP = ("a run/model file (.h5), or a demo model: demo-dcgan, demo-saae or demo-aae2d")
