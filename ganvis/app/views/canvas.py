"""A drawing canvas: mouse strokes in white on black, read back as an MNIST-like 28x28 digit."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from ganvis.engine.data.mnistify import to_mnist

SIZE = 140  # drawing pixels a side (5 per MNIST pixel)
PEN = 12  # stroke width in drawing pixels, about MNIST's stroke after downsampling


class DrawingCanvas(QWidget):
    """Draw with the left mouse button; `digit()` gives the drawing as a 28x28 image."""

    stroke_finished = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setFixedSize(SIZE, SIZE)
        self.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setToolTip("Draw a digit with the mouse; its style (slant, width, stroke) is what "
                        "the encoder reads")
        self.image = QImage(SIZE, SIZE, QImage.Format.Format_Grayscale8)
        self.clear()
        self._last: QPointF | None = None

    def clear(self) -> None:
        self.image.fill(QColor(0, 0, 0))
        self.update()

    def is_blank(self) -> bool:
        return not self.pixels().any()

    def draw_stroke(self, points: list[tuple[float, float]]) -> None:
        """Draw a polyline through points given in [0, 1] x [0, 1] of the canvas (also what
        the mouse does, so tests and scripts can draw)."""
        painter = QPainter(self.image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor(255, 255, 255), PEN, Qt.PenStyle.SolidLine,
                            Qt.PenCapStyle.RoundCap, Qt.PenJoinStyle.RoundJoin))
        pts = [QPointF(x * SIZE, y * SIZE) for x, y in points]
        if len(pts) == 1:
            painter.drawPoint(pts[0])
        for a, b in zip(pts, pts[1:]):
            painter.drawLine(a, b)
        painter.end()
        self.update()

    def pixels(self) -> np.ndarray:
        """The drawing as uint8 (SIZE, SIZE), ink bright."""
        ptr = self.image.constBits()
        row = self.image.bytesPerLine()
        a = np.frombuffer(ptr, np.uint8, count=row * SIZE).reshape(SIZE, row)
        return a[:, :SIZE].copy()

    def digit(self) -> np.ndarray:
        """The drawing prepared like an MNIST digit: (28, 28) floats in [-1, 1]."""
        return to_mnist(self.pixels())

    # --- Qt events ---------------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 (Qt's name)
        painter = QPainter(self)
        painter.drawImage(0, 0, self.image)
        painter.setPen(QPen(QColor(90, 96, 108), 1))
        painter.drawRect(0, 0, SIZE - 1, SIZE - 1)
        painter.end()

    def _point(self, event: QMouseEvent) -> tuple[float, float]:
        p = event.position()
        return p.x() / SIZE, p.y() / SIZE

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton:
            self._last = event.position()
            self.draw_stroke([self._point(event)])

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._last is not None:
            a = (self._last.x() / SIZE, self._last.y() / SIZE)
            self.draw_stroke([a, self._point(event)])
            self._last = event.position()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if self._last is not None:
            self._last = None
            self.stroke_finished.emit()
