"""The timeline: every snapshot's sample grid, scrubbed with a slider, exported as an animated
GIF or a PNG strip."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from ganvis.app.theme import title_label
from ganvis.app.views.samples import ImagePane
from ganvis.engine.errors import GanvisError
from ganvis.engine.files.atomic import atomic_write_bytes
from ganvis.engine.files.gif import save_gif
from ganvis.engine.files.images import png_bytes, tile
from ganvis.engine.runs.timeline import Timeline

STRIP_FRAMES = 10  # frames in a PNG strip, evenly spread over the run


class TimelineView(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.timeline: Timeline | None = None
        self.cols = 8
        self.title = title_label("Timeline: the sample grid at every snapshot")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setToolTip("Scrub through training: each position is one snapshot")
        self.slider.valueChanged.connect(self._show)
        self.follow = QCheckBox("Follow the newest")
        self.follow.setChecked(True)
        self.follow.setToolTip("Keep the slider at the latest snapshot while training")
        self.label = QLabel("no snapshots yet")
        gif = QPushButton("Export GIF…")
        gif.setToolTip("Every kept snapshot as one frame of an animated GIF")
        gif.clicked.connect(lambda: self.export_gif())
        strip = QPushButton("Export PNG strip…")
        strip.setToolTip(f"{STRIP_FRAMES} snapshots spread over the run, side by side")
        strip.clicked.connect(lambda: self.export_strip())
        row = QHBoxLayout()
        row.addWidget(self.slider, 1)
        row.addWidget(self.follow)
        buttons = QHBoxLayout()
        buttons.addWidget(self.label, 1)
        buttons.addWidget(gif)
        buttons.addWidget(strip)
        self.pane = ImagePane()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addLayout(row)
        layout.addWidget(self.pane, 1)
        layout.addLayout(buttons)

    def set_timeline(self, timeline: Timeline, cols: int) -> None:
        """Show this timeline (called on the redraw timer; cheap when nothing changed)."""
        self.timeline, self.cols = timeline, cols
        n = len(timeline)
        at_end = self.slider.value() >= self.slider.maximum()
        self.slider.setRange(0, max(0, n - 1))
        if n and (self.follow.isChecked() or at_end):
            self.slider.setValue(n - 1)
        self._show()

    def _show(self, *_) -> None:
        t = self.timeline
        if t is None or not len(t):
            self.label.setText("no snapshots yet")
            return
        i = min(self.slider.value(), len(t) - 1)
        self.pane.show_pixels(self._picture(t.frames[i]))
        self.label.setText(f"step {t.steps[i]:,}: snapshot {i + 1} of {len(t)}")

    def _picture(self, frame: np.ndarray) -> np.ndarray:
        return tile(frame.astype(np.float32) / 127.5 - 1.0, cols=self.cols, pad=2, background=40)

    def frames(self) -> np.ndarray:
        """Every kept snapshot as a picture (N, H, W) uint8."""
        return np.stack([self._picture(f) for f in self.timeline.frames])

    def export_gif(self, path: str | None = None, delay_ms: int = 150) -> str | None:
        if not self._has_frames():
            return None
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, "Export timeline", "timeline.gif",
                                                  "GIF (*.gif)")
        if not path:
            return None
        return self._write(lambda: save_gif(path, self.frames(), delay_ms), path)

    def export_strip(self, path: str | None = None) -> str | None:
        if not self._has_frames():
            return None
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, "Export timeline strip", "timeline.png",
                                                  "PNG (*.png)")
        if not path:
            return None
        t = self.timeline
        pick = np.unique(np.linspace(0, len(t) - 1, min(STRIP_FRAMES, len(t))).round()
                         .astype(int))
        pictures = [self._picture(t.frames[i]) for i in pick]
        h = max(p.shape[0] for p in pictures)
        gap = np.full((h, 8), 40, np.uint8)
        strip = np.concatenate([x for p in pictures for x in (p, gap)][:-1], axis=1)
        return self._write(lambda: atomic_write_bytes(path, png_bytes(strip)), path)

    def _has_frames(self) -> bool:
        if self.timeline is None or not len(self.timeline):
            self.label.setText("nothing to export yet: train, or open a model")
            return False
        return True

    def _write(self, write, path: str) -> str | None:
        try:
            write()
        except (OSError, GanvisError, ValueError) as e:
            self.label.setText(f"not saved: {e}")
            return None
        self.label.setText(f"saved {path}")
        return path
