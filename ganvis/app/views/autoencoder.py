"""Autoencoder views: inputs above their reconstructions, and the latent space.

The latent scatter shows the codes of a fixed labelled batch, coloured by digit, over samples
of the prior: an adversarial autoencoder pulls the codes onto the prior; a plain one leaves
them wherever reconstruction put them. Codes of more than two dimensions are drawn on their
first two principal axes.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ganvis.app.theme import PRIOR_COLOR, hex_color, plot_widget, title_label
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
        self.errors: tuple[float, float] | None = None  # autoencoder's and PCA's, last shown

    def set_active(self, active: bool) -> None:
        if not active:
            self.pane.item.clear()
            self.pane.pixels = None
            self.title.setText("Reconstructions appear here when an autoencoder trains.")

    def set_images(self, inputs: np.ndarray, outputs: np.ndarray, step: int,
                   pca: np.ndarray | None = None, code_size: int = 0,
                   told_digit: bool = False) -> None:
        """Inputs, the autoencoder's reconstructions and (when given) PCA's with as many
        components as the code has dimensions: the linear baseline to beat."""
        cols = len(inputs) // 2 or 1
        bands = [tile(a, cols=cols, pad=2, background=40)
                 for a in (inputs, outputs, *(() if pca is None else (pca,)))]
        gap = np.full((6, bands[0].shape[1]), 90, np.uint8)
        self.pane.show_pixels(np.concatenate([b for band in bands for b in (band, gap)][:-1]))
        err = float(((inputs - outputs) ** 2).mean())
        if pca is None:
            self.title.setText(f"Reconstructions at step {step:,}: inputs (top), outputs "
                               f"(bottom); squared error {err:.4f}")
            return
        pca_err = float(((inputs - pca) ** 2).mean())
        told = " (the decoder is also told the digit)" if told_digit else ""
        self.title.setText(
            f"Reconstructions at step {step:,}: inputs (top), the autoencoder's "
            f"{code_size}-D code (middle), PCA with {code_size} components fit on the "
            f"training images (bottom). Squared error: autoencoder {err:.4f}, PCA "
            f"{pca_err:.4f}{told}")
        self.errors = (err, pca_err)


class LatentView(QWidget):
    explore_requested = Signal(object)  # the clicked code z (1, 2): open it in Explore

    def __init__(self) -> None:
        super().__init__()
        self.title = title_label("Latent space")
        self.plot = plot_widget("z₁", "z₂")
        self.plot.setAspectLocked(True)
        self.plot.showGrid(x=True, y=True, alpha=0.12)
        self.prior = pg.ScatterPlotItem(size=4, pen=None, brush=(*PRIOR_COLOR, 90))
        self.codes = pg.ScatterPlotItem(size=4, pen=None)
        self.plot.addItem(self.prior)
        self.plot.addItem(self.codes)
        self.legend = QLabel(" ".join(
            f"<span style='color:#{r:02x}{g:02x}{b:02x}'>● {d}</span>"
            for d, (r, g, b) in enumerate(DIGIT_COLORS))
            + f"  <span style='color:{hex_color(PRIOR_COLOR)}'>● prior samples</span>")
        self.legend.setWordWrap(True)
        # A 2-D latent is a map: click anywhere (or drag with the left button) to decode it.
        self.marker = pg.ScatterPlotItem(size=14, symbol="+", pen=pg.mkPen("w", width=2))
        self.plot.addItem(self.marker)
        self.decoded = ImagePane()
        self.decoded.setFixedHeight(110)
        self.to_explore = QPushButton("Open in Explore")
        self.to_explore.setToolTip("Put this code on Explore's Dimensions sliders")
        self.to_explore.clicked.connect(self._open_in_explore)
        self.map_row = QWidget()
        row = QHBoxLayout(self.map_row)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.decoded, 1)
        row.addWidget(self.to_explore)
        self.map_row.hide()
        # the view's own range (the data and the prior), until the user pans or zooms
        self.auto_range = True
        self.plot.getPlotItem().vb.sigRangeChangedManually.connect(self._user_ranged)
        self.plot.scene().sigMouseClicked.connect(self._on_click)
        self.plot.scene().sigMouseMoved.connect(self._on_move)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.map_row)
        layout.addWidget(self.legend)
        self._brushes = [pg.mkBrush(*c, 200) for c in DIGIT_COLORS]
        self.points: np.ndarray | None = None
        self.axes = ("z₁", "z₂")
        self.sampler = None
        self.decoded_images: np.ndarray | None = None

    def set_sampler(self, sampler) -> None:
        """The decoder to draw clicked points with (only 2-D latents are maps)."""
        was = self.sampler
        self.sampler = sampler if sampler is not None and sampler.latent_dim == 2 else None
        self.map_row.setVisible(self.sampler is not None)
        if self.sampler is None or was is None or was.config != self.sampler.config:
            self.decoded_images = None  # another decoder: decode afresh
            self.marker.clear()
        # On a map, the left button decodes rather than pans.
        self.plot.setMouseEnabled(x=self.sampler is None, y=self.sampler is None)
        self.plot.setToolTip("Click or drag anywhere to decode that point; double-click to "
                             "range the map to the codes and the prior" if self.sampler
                             else "Drag to pan, wheel to zoom; double-click to range the view "
                             "to the codes and the prior")

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
        self.decoded_z = z
        return images

    def _open_in_explore(self) -> None:
        if self.decoded_images is not None:
            self.explore_requested.emit(self.decoded_z[0].copy())

    def _user_ranged(self, *_) -> None:
        self.auto_range = False

    def fit_range(self, codes: np.ndarray, prior: np.ndarray) -> None:
        """Range the map to the prior samples and the codes' central 99% (a few stray codes
        far out would shrink everything else), square, padded; double-click gives it back
        after a pan or zoom."""
        pts = np.concatenate([prior, np.percentile(codes, [0.5, 99.5], axis=0)])
        lo, hi = pts.min(0), pts.max(0)
        pad = 0.06 * float((hi - lo).max() or 1.0)
        self.plot.setRange(xRange=(lo[0] - pad, hi[0] + pad), yRange=(lo[1] - pad, hi[1] + pad),
                           padding=0)

    def _view_point(self, scene_pos):
        vb = self.plot.getPlotItem().vb
        if not vb.sceneBoundingRect().contains(scene_pos):
            return None
        return vb.mapSceneToView(scene_pos)

    def _on_click(self, event) -> None:
        if event.double():  # the view's own range again, after a pan or zoom
            self.auto_range = True
            if self.points is not None:
                self.fit_range(self.points, self.prior_points)
            return
        p = self._view_point(event.scenePos())
        if p is not None:
            self.decode_at(p.x(), p.y())

    def _on_move(self, scene_pos) -> None:
        if QApplication.mouseButtons() & Qt.MouseButton.LeftButton:
            p = self._view_point(scene_pos)
            if p is not None:
                self.decode_at(p.x(), p.y())

    def set_active(self, active: bool) -> None:
        self.auto_range = True
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
            how, axes = "1-D codes", ("z₁", "")
        elif dims == 2:
            how, axes = "2-D codes", ("z₁", "z₂")
        else:  # the codes' own top two principal axes
            mu = codes.mean(0)
            _, _, vt = np.linalg.svd(codes - mu, full_matrices=False)
            codes, prior = (codes - mu) @ vt[:2].T, (prior - mu) @ vt[:2].T
            how = f"{dims}-D codes on their first two principal axes"
            axes = ("principal axis 1", "principal axis 2")
        if axes != self.axes:  # what the plotted coordinates are
            self.axes = axes
            self.plot.setLabel("bottom", axes[0])
            self.plot.setLabel("left", axes[1])
        self.points = codes
        self.prior.setData(prior[:, 0], prior[:, 1])
        if labels is not None:
            brushes = [self._brushes[int(y) % 10] for y in labels]
        else:
            brushes = [pg.mkBrush(86, 170, 255, 200)] * len(codes)
        self.codes.setData(codes[:, 0], codes[:, 1], brush=brushes)
        self.prior_points = prior
        if self.auto_range:
            self.fit_range(codes, prior)
        if self.sampler is not None and self.decoded_images is None and len(prior):
            self.decode_at(float(prior[0, 0]), float(prior[0, 1]))  # never an empty band
        self.title.setText(f"Latent space at step {step:,}: codes of {len(codes)} images over "
                           f"prior samples ({how})")
