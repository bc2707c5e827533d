"""Where a run the window gets comes from (the training thread says, with the run)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Arrival:
    """Where a run the window gets comes from: a new run, a file opened to train or only to
    explore, or a rebuild of the same run (say with a smaller batch); its mark then."""

    kind: str  # "new", "open", "explore" or "rebuild"
    path: str = ""
    mark: tuple[int, int, int] | None = None
