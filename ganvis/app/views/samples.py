"""The live sample grid: G(z) for a fixed z (or fresh z), large and crisp, with its step."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QVBoxLayout, QWidget

from ganvis.app.theme import title_label
from ganvis.engine.grids import tile


class ImagePane(pg.GraphicsLayoutWidget):
    """A uint8 picture in a locked-aspect view, drawn pixel for pixel (nearest neighbour)."""

    def __init__(self) -> None:
        super().__init__()
        self.view = self.addViewBox(lockAspect=True, invertY=True, enableMouse=False)
        self.view.setMenuEnabled(False)
        self.item = pg.ImageItem(axisOrder="row-major")
        self.view.addItem(self.item)
        self.pixels: np.ndarray | None = None

    def show_pixels(self, pixels: np.ndarray) -> None:
        first = self.pixels is None or self.pixels.shape != pixels.shape
        self.pixels = pixels
        self.item.setImage(pixels, autoLevels=False, levels=(0, 255))
        if first:
            self.view.autoRange(padding=0.01)


class SampleGridView(QWidget):
    fresh_z_toggled = Signal(bool)

    def __init__(self) -> None:
        super().__init__()
        self.title = title_label("Samples")
        self.fresh = QCheckBox("Fresh z each time")
        self.fresh.setToolTip("Off: the same 64 latent codes every time, so you watch the same "
                              "samples sharpen. On: new codes at every refresh.")
        self.fresh.toggled.connect(self.fresh_z_toggled)
        top = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.fresh)
        self.pane = ImagePane()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.pane, 1)
        self.images: np.ndarray | None = None
        self.step = 0

    def set_images(self, images: np.ndarray, step: int, note: str = "", cols: int = 8) -> None:
        self.images, self.step = images, step
        self.pane.show_pixels(tile(images, cols=cols, pad=2, background=40))
        self.title.setText(f"Samples at step {step:,}{note}")
