"""How long showing a snapshot keeps the GUI thread busy: the redraw, its paints (they come a
few ms later, in an update request of their own) and the Explore view's decode. The worker
spaces snapshots by it."""

from __future__ import annotations

import time

WINDOW = 0.5  # seconds after a snapshot's arrival in which the GUI thread's work is counted


class RedrawMeter:
    """The seconds the latest snapshot took to show: the work counted with add() within
    WINDOW of its arrival, not the idle gaps between."""

    def __init__(self) -> None:
        self.busy = 0.0
        self._began: float | None = None

    def start(self) -> None:
        """A snapshot arrived: what follows is the work of showing it."""
        self._began = time.perf_counter()
        self.busy = 0.0

    def add(self, since: float) -> None:
        """Work that began at `since` (perf_counter) ends now: count it if it belongs."""
        if self._began is not None and since - self._began < WINDOW:
            self.busy += time.perf_counter() - since
