"""The timeline: every snapshot's sample grid, scrubbed with a slider, exported as an animated
GIF or a PNG strip."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QDialog,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ganvis.app.exports import add_save_cancel
from ganvis.app.theme import title_label
from ganvis.app.views.samples import ImagePane
from ganvis.engine.errors import GanvisError
from ganvis.engine.files.atomic import atomic_write_bytes
from ganvis.engine.files.gif import MAX_DELAY_MS, MAX_SCALE, MIN_DELAY_MS
from ganvis.engine.files.images import png_bytes
from ganvis.engine.runs.timeline import STRIP_FRAMES, Timeline


class TimelineView(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.timeline: Timeline | None = None
        self.cols = 8
        self.title = title_label("Timeline: the sample grid at every snapshot")
        self.slider = QSlider(Qt.Orientation.Horizontal)
        self.slider.setToolTip("Scrub through training: each position is one snapshot")
        self.slider.valueChanged.connect(self._show)
        # a drag, a click or a key on the slider is the user scrubbing: stop following
        self.slider.actionTriggered.connect(lambda _: QTimer.singleShot(0, self._scrubbed))
        self.follow = QCheckBox("Follow the newest")
        self.follow.setChecked(True)
        self.follow.setToolTip("Keep the slider at the latest snapshot while training "
                               "(scrubbing back turns this off; the end of the slider or this "
                               "box turns it on)")
        self.follow.toggled.connect(lambda on: on and self._to_newest())
        self.label = QLabel("no snapshots yet")
        gif = QPushButton("Export GIF…")
        gif.setToolTip("Every kept snapshot as one frame of an animated GIF, under its step")
        gif.clicked.connect(lambda: self.export_gif())
        strip = QPushButton("Export PNG strip…")
        strip.setToolTip(f"{STRIP_FRAMES} snapshots spread over the run, side by side, each "
                         "under its step")
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
        """Show this timeline (called on the redraw timer; cheap when nothing changed). While
        following, the newest snapshot; otherwise the step the user scrubbed to stays in view,
        even as new snapshots arrive and old ones are thinned out."""
        shown = self._shown_step()
        self.timeline, self.cols = timeline, cols
        n = len(timeline)
        self.slider.blockSignals(True)
        self.slider.setRange(0, max(0, n - 1))
        if n and (self.follow.isChecked() or shown is None):
            self.slider.setValue(n - 1)
        elif n:
            steps = np.asarray(timeline.steps)
            self.slider.setValue(int(np.clip(np.searchsorted(steps, shown, "right") - 1,
                                             0, n - 1)))
        self.slider.blockSignals(False)
        self._show()

    def _shown_step(self) -> int | None:
        t = self.timeline
        if t is None or not len(t):
            return None
        return int(t.steps[min(self.slider.value(), len(t) - 1)])

    def _scrubbed(self) -> None:
        """The user moved the slider: follow the newest only when it is at the end."""
        self.follow.setChecked(self.slider.value() >= self.slider.maximum())

    def _to_newest(self) -> None:
        self.slider.setValue(self.slider.maximum())

    def _show(self, *_) -> None:
        t = self.timeline
        if t is None or not len(t):
            self.label.setText("no snapshots yet")
            return
        i = min(self.slider.value(), len(t) - 1)
        self.pane.show_pixels(t.picture(i, self.cols))
        self.label.setText(f"step {t.steps[i]:,}: snapshot {i + 1} of {len(t)}")

    def export_gif(self, path: str | None = None, delay_ms: int = 150,
                   scale: int = 1) -> str | None:
        """Every kept snapshot as a GIF frame; asks for the scale, the delay and a file name
        unless a path is given."""
        if not self._has_frames():
            return None
        if not path:
            dialog = GifDialog(self, delay_ms, scale, self.timeline.max_gif_scale(self.cols))
            if dialog.exec() != QDialog.DialogCode.Accepted:
                return None
            delay_ms, scale = dialog.delay.value(), dialog.scale.value()
            path, _ = QFileDialog.getSaveFileName(self, "Export timeline", "timeline.gif",
                                                  "GIF (*.gif)")
        if not path:
            return None
        t, cols = self.timeline, self.cols
        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)  # seconds for a long run
        try:
            return self._write(lambda: atomic_write_bytes(path, t.gif(cols, delay_ms, scale)),
                               path)
        finally:
            QApplication.restoreOverrideCursor()

    def export_strip(self, path: str | None = None) -> str | None:
        if not self._has_frames():
            return None
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, "Export timeline strip", "timeline.png",
                                                  "PNG (*.png)")
        if not path:
            return None
        strip = self.timeline.strip(self.cols)
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


class GifDialog(QDialog):
    """The GIF's pixel scale and frame delay."""

    def __init__(self, parent: QWidget, delay_ms: int, scale: int, max_scale: int) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export timeline as GIF")
        form = QFormLayout(self)
        self.scale = QSpinBox()
        self.scale.setRange(1, min(MAX_SCALE, max_scale))
        self.scale.setValue(scale)
        self.scale.setToolTip(f"Each pixel becomes a scale x scale block (crisp); at most "
                              f"{max_scale} for this many frames")
        self.delay = QSpinBox()
        self.delay.setRange(MIN_DELAY_MS, MAX_DELAY_MS)
        self.delay.setSingleStep(10)
        self.delay.setSuffix(" ms")
        self.delay.setValue(delay_ms)
        self.delay.setToolTip("How long each frame shows (browsers show frames under 20 ms "
                              "for 100 ms)")
        form.addRow("Pixel scale", self.scale)
        form.addRow("Frame delay", self.delay)
        add_save_cancel(self, form)
