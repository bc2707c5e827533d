"""Draw a 2-D distribution with the mouse: each press or drag sprays a small cloud of points;
save them (.npy or .csv, a file the user names) and train the 2-D GAN on them."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDoubleSpinBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ganvis.app.theme import REAL
from ganvis.engine.errors import GanvisError
from ganvis.engine.files.images import save_points

SPAN = 2.0  # the canvas shows [-SPAN, SPAN]^2
PER_DAB = 40  # points one press or drag step adds


class DrawPointsDialog(QDialog):
    saved = Signal(str)  # the file the points were saved to

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Draw a distribution")
        self.resize(560, 620)
        self.plot = pg.PlotWidget()
        self.plot.setAspectLocked(True)
        self.plot.setRange(xRange=(-SPAN, SPAN), yRange=(-SPAN, SPAN), padding=0)
        self.plot.setMouseEnabled(x=False, y=False)
        self.plot.setMenuEnabled(False)
        self.dots = pg.ScatterPlotItem(size=3, pen=None, brush=pg.mkBrush(*REAL, 180))
        self.plot.addItem(self.dots)
        self.plot.scene().sigMouseClicked.connect(self._on_click)
        self.plot.scene().sigMouseMoved.connect(self._on_move)
        self.spread = QDoubleSpinBox()
        self.spread.setRange(0.005, 0.5)
        self.spread.setSingleStep(0.01)
        self.spread.setValue(0.05)
        self.spread.setToolTip("The spread (standard deviation) of each dab of points")
        self.count = QLabel()
        clear, save = QPushButton("Clear"), QPushButton("Save and use…")
        clear.clicked.connect(self.clear)
        save.clicked.connect(lambda: self.save())
        row = QHBoxLayout()
        row.addWidget(QLabel("spread"))
        row.addWidget(self.spread)
        row.addWidget(self.count, 1)
        row.addWidget(clear)
        row.addWidget(save)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Press or drag with the left button to add points."))
        layout.addWidget(self.plot, 1)
        layout.addLayout(row)
        self.rng = np.random.default_rng(0)
        self.points = np.zeros((0, 2), np.float32)
        self._show()

    def dab(self, x: float, y: float) -> None:
        """Add a small Gaussian cloud of points around (x, y) (what the mouse does)."""
        cloud = np.array([x, y]) + self.spread.value() * self.rng.standard_normal((PER_DAB, 2))
        self.points = np.concatenate([self.points, cloud.astype(np.float32)])
        self._show()

    def clear(self) -> None:
        self.points = np.zeros((0, 2), np.float32)
        self._show()

    def _show(self) -> None:
        self.dots.setData(self.points[:, 0], self.points[:, 1])
        self.count.setText(f"{len(self.points):,} points")

    def save(self, path: str | None = None) -> str | None:
        """Write the points where the user says (.npy, or .csv) and announce the file."""
        if len(self.points) < 2:
            self.count.setText("draw some points first")
            return None
        if not path:
            path, _ = QFileDialog.getSaveFileName(self, "Save the points", "points.npy",
                                                  "Points (*.npy *.csv)")
        if not path:
            return None
        if not path.lower().endswith((".npy", ".csv")):
            path += ".npy"
        try:
            save_points(path, self.points)
        except (OSError, GanvisError) as e:
            self.count.setText(f"not saved: {e}")
            return None
        self.saved.emit(path)
        self.accept()
        return path

    def _at(self, scene_pos):
        vb = self.plot.getPlotItem().vb
        if not vb.sceneBoundingRect().contains(scene_pos):
            return None
        return vb.mapSceneToView(scene_pos)

    def _on_click(self, event) -> None:
        p = self._at(event.scenePos())
        if p is not None and event.button() == Qt.MouseButton.LeftButton:
            self.dab(p.x(), p.y())

    def _on_move(self, scene_pos) -> None:
        if QApplication.mouseButtons() & Qt.MouseButton.LeftButton:
            p = self._at(scene_pos)
            if p is not None:
                self.dab(p.x(), p.y())
