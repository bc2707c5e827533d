"""How long a redraw keeps the GUI thread busy, its paints included (they come a few ms later,
in an update request of their own): the worker spaces snapshots by it."""

from __future__ import annotations

import time

WINDOW = 0.5  # seconds after a redraw's start in which the window's paints are counted


class RedrawMeter:
    """The seconds the latest redraw took: the redraw itself and the paints that follow it
    within WINDOW, not the idle gaps between."""

    def __init__(self) -> None:
        self.busy = 0.0
        self._began: float | None = None

    def start(self) -> float:
        """A redraw begins; returns the time (for add)."""
        self._began = time.perf_counter()
        self.busy = 0.0
        return self._began

    def add(self, since: float) -> None:
        """Work that began at `since` (perf_counter) ends now: count it if it belongs."""
        if self._began is not None and since - self._began < WINDOW:
            self.busy += time.perf_counter() - since
