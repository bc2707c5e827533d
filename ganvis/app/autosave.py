"""Autosave: the current run is written (atomically) every few minutes to one file beside the
settings; a clean exit deletes it. Finding it at launch means the last session did not end
cleanly (a crash, a kill, a power cut), and the app offers to restore it."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QSettings, QStandardPaths, QTimer

DEFAULT_SECONDS = 120


def interval_seconds() -> float:
    """GANVIS_AUTOSAVE_SECONDS overrides the default of two minutes (0 turns it off)."""
    try:
        return max(0.0, float(os.environ.get("GANVIS_AUTOSAVE_SECONDS", DEFAULT_SECONDS)))
    except ValueError:
        return DEFAULT_SECONDS


def autosave_path(settings: QSettings) -> Path:
    """autosave.h5 beside an ini settings file, or in the user's app-data folder."""
    if settings.format() == QSettings.Format.IniFormat:
        return Path(settings.fileName()).parent / "ganvis-autosave.h5"
    folder = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)
    return Path(folder or Path.home() / ".ganvis") / "autosave.h5"


class Autosaver(QObject):
    """Asks the training thread to save the run every interval, while there is something new.
    `progress()` tells (trainable, training, step of the newest snapshot or None); `send`
    puts a command to the training thread."""

    def __init__(self, parent: QObject, path: Path, seconds: float,
                 progress: Callable[[], tuple[bool, bool, int | None]],
                 send: Callable[[str, Any], None]) -> None:
        super().__init__(parent)
        self.path, self.progress, self.send = path, progress, send
        self.saved_step = -1
        self.pending = False  # a save was asked for and is not done yet: do not queue another
        self.timer = QTimer(self)
        self.timer.timeout.connect(self.tick)
        if seconds > 0:
            self.timer.start(int(seconds * 1000))

    def tick(self) -> None:
        trainable, training, step = self.progress()
        if not trainable or step is None:
            return
        # While training the run has moved on even when no snapshot has arrived yet (they
        # can be seconds apart): save. When paused, only if something changed since.
        if self.pending or (not training and step in (0, self.saved_step)):
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.saved_step = step
        self.pending = True
        self.send("autosave", str(self.path))

    def done(self) -> None:
        """The worker finished the last autosave (slot for its `autosaved` signal)."""
        self.pending = False

    def leftover(self) -> Path | None:
        """The autosave of a session that did not end cleanly, if there is one."""
        return self.path if self.path.is_file() else None

    def discard(self) -> None:
        self.timer.stop()
        self.path.unlink(missing_ok=True)
