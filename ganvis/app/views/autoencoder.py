"""Autoencoder views: inputs above their reconstructions, and the latent space.

The latent scatter shows the codes of a fixed labelled batch, coloured by digit, over samples
of the prior: an adversarial autoencoder pulls the codes onto the prior; a plain one leaves
them wherever reconstruction put them. Codes of more than two dimensions are drawn on their
first two principal axes.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel, QVBoxLayout, QWidget

from ganvis.app.theme import plot_widget, title_label
from ganvis.app.views.samples import ImagePane
from ganvis.engine.files.images import tile

DIGIT_COLORS = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189),
                (140, 86, 75), (227, 119, 194), (160, 160, 160), (188, 189, 34), (23, 190, 207)]


class ReconstructionView(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.title = title_label("Reconstructions: inputs x (top) and g(f(x)) (bottom)")
        self.pane = ImagePane()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.pane, 1)

    def set_active(self, active: bool) -> None:
        if not active:
            self.pane.item.clear()
            self.pane.pixels = None
            self.title.setText("Reconstructions appear here when an autoencoder trains.")

    def set_images(self, inputs: np.ndarray, outputs: np.ndarray, step: int) -> None:
        cols = len(inputs) // 2 or 1
        top = tile(inputs, cols=cols, pad=2, background=40)
        bottom = tile(outputs, cols=cols, pad=2, background=40)
        gap = np.full((6, top.shape[1]), 90, np.uint8)
        self.pane.show_pixels(np.concatenate([top, gap, bottom]))
        err = float(((inputs - outputs) ** 2).mean())
        self.title.setText(f"Reconstructions at step {step:,}: inputs (top), outputs (bottom); "
                           f"squared error {err:.4f}")


class LatentView(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.title = title_label("Latent space")
        self.plot = plot_widget("z₁", "z₂")
        self.plot.setAspectLocked(True)
        self.plot.showGrid(x=True, y=True, alpha=0.12)
        self.prior = pg.ScatterPlotItem(size=4, pen=None, brush=(210, 210, 210, 110))
        self.codes = pg.ScatterPlotItem(size=4, pen=None)
        self.plot.addItem(self.prior)
        self.plot.addItem(self.codes)
        self.legend = QLabel(" ".join(
            f"<span style='color:#{r:02x}{g:02x}{b:02x}'>● {d}</span>"
            for d, (r, g, b) in enumerate(DIGIT_COLORS)) + "  <span style='color:#aaa'>· prior"
            "</span>")
        self.legend.setWordWrap(True)
        # A 2-D latent is a map: click anywhere (or drag with the left button) to decode it.
        self.marker = pg.ScatterPlotItem(size=14, symbol="+", pen=pg.mkPen("w", width=2))
        self.plot.addItem(self.marker)
        self.decoded = ImagePane()
        self.decoded.setFixedHeight(84)
        self.decoded.hide()
        self.plot.scene().sigMouseClicked.connect(self._on_click)
        self.plot.scene().sigMouseMoved.connect(self._on_move)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.decoded)
        layout.addWidget(self.legend)
        self._brushes = [pg.mkBrush(*c, 200) for c in DIGIT_COLORS]
        self.points: np.ndarray | None = None
        self.sampler = None
        self.decoded_images: np.ndarray | None = None

    def set_sampler(self, sampler) -> None:
        """The decoder to draw clicked points with (only 2-D latents are maps)."""
        self.sampler = sampler if sampler is not None and sampler.latent_dim == 2 else None
        self.decoded.setVisible(self.sampler is not None)
        # On a map, the left button decodes rather than pans.
        self.plot.setMouseEnabled(x=self.sampler is None, y=self.sampler is None)
        self.plot.setToolTip("Click or drag anywhere to decode that point" if self.sampler
                             else "")

    def decode_at(self, x: float, y: float) -> np.ndarray | None:
        """Decode the latent point (x, y) (for a saae: as every digit) and show it."""
        if self.sampler is None:
            return None
        s = self.sampler
        z = np.array([[x, y]], np.float32)
        if s.conditional:
            images = s(np.repeat(z, s.num_classes, axis=0), np.arange(s.num_classes))
        else:
            images = s(z)
        self.decoded_images = images
        self.decoded.show_pixels(tile(images, cols=len(images), pad=2, background=40))
        self.marker.setData([x], [y])
        return images

    def _view_point(self, scene_pos):
        vb = self.plot.getPlotItem().vb
        if not vb.sceneBoundingRect().contains(scene_pos):
            return None
        return vb.mapSceneToView(scene_pos)

    def _on_click(self, event) -> None:
        p = self._view_point(event.scenePos())
        if p is not None:
            self.decode_at(p.x(), p.y())

    def _on_move(self, scene_pos) -> None:
        if QApplication.mouseButtons() & Qt.MouseButton.LeftButton:
            p = self._view_point(scene_pos)
            if p is not None:
                self.decode_at(p.x(), p.y())

    def set_active(self, active: bool) -> None:
        if not active:
            self.prior.clear()
            self.codes.clear()
            self.points = None
            self.title.setText("The latent space appears here when an autoencoder trains.")

    def set_codes(self, codes: np.ndarray, labels: np.ndarray | None, prior: np.ndarray,
                  step: int) -> None:
        dims = codes.shape[1]
        if dims == 1:
            codes = np.concatenate([codes, np.zeros_like(codes)], 1)
            prior = np.concatenate([prior, np.zeros_like(prior)], 1)
            how = "1-D codes"
        elif dims == 2:
            how = "2-D codes"
        else:  # the codes' own top two principal axes
            mu = codes.mean(0)
            _, _, vt = np.linalg.svd(codes - mu, full_matrices=False)
            codes, prior = (codes - mu) @ vt[:2].T, (prior - mu) @ vt[:2].T
            how = f"{dims}-D codes on their first two principal axes"
        self.points = codes
        self.prior.setData(prior[:, 0], prior[:, 1])
        if labels is not None:
            brushes = [self._brushes[int(y) % 10] for y in labels]
        else:
            brushes = [pg.mkBrush(86, 170, 255, 200)] * len(codes)
        self.codes.setData(codes[:, 0], codes[:, 1], brush=brushes)
        self.title.setText(f"Latent space at step {step:,}: codes of {len(codes)} digits over "
                           f"prior samples ({how})")
