"""The live sample grid: G(z) for a fixed z (or fresh z), large and crisp, with its step."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ganvis.app.theme import title_label
from ganvis.engine.files.images import tile

PAD = 2  # pixels between the grid's images


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
    sample_clicked = Signal(int)  # index of the clicked image in the grid

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
        # What D is shown, when the run augments its images (DiffAugment): a strip of them.
        self.shown_title = QLabel("What D is shown: real images augmented (fakes alike)")
        self.shown_title.setToolTip("DiffAugment: D judges real and generated images only "
                                    "after the same random shifts and blanked squares, so it "
                                    "cannot memorise the training set; G never learns to draw "
                                    "them. The samples above are G's own, unaugmented.")
        self.shown_pane = ImagePane()
        self.shown_pane.setFixedHeight(64)
        layout.addWidget(self.shown_title)
        layout.addWidget(self.shown_pane)
        self.set_shown(None)
        self.images: np.ndarray | None = None
        self.step = 0
        self.cols = 8
        self.pane.scene().sigMouseClicked.connect(self._on_click)
        self.pane.setToolTip("Click a sample to see its nearest training images")

    def set_images(self, images: np.ndarray, step: int, note: str = "", cols: int = 8) -> None:
        self.images, self.step, self.cols = images, step, cols
        self.pane.show_pixels(tile(images, cols=cols, pad=PAD, background=40))
        self.title.setText(f"Samples at step {step:,}{note}")

    def set_shown(self, images: np.ndarray | None) -> None:
        """The augmented real images of the latest snapshot (None: the run does not augment)."""
        self.shown_title.setVisible(images is not None)
        self.shown_pane.setVisible(images is not None)
        if images is not None:
            self.shown_pane.show_pixels(tile(images, cols=len(images), pad=PAD, background=40))

    def cell_at(self, x: float, y: float) -> int | None:
        """The grid index under image pixel (x, y), or None between or beyond the cells."""
        if self.images is None:
            return None
        h, w = self.images.shape[1:]
        col, cx = divmod(int(x) - PAD, w + PAD)
        row, cy = divmod(int(y) - PAD, h + PAD)
        i = row * self.cols + col
        if x < PAD or y < PAD or cx >= w or cy >= h or col >= self.cols or i >= len(self.images):
            return None
        return i

    def _on_click(self, event) -> None:
        p = self.pane.item.mapFromScene(event.scenePos())
        i = self.cell_at(p.x(), p.y())
        if i is not None:
            self.sample_clicked.emit(i)
