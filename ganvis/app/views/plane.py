"""The plane the 2-D game is played on: D's surface as a heatmap with its 0.5 contour, real
and fake points, the push G's loss puts on each fake point, and G's manifold; and beside it
the optimal discriminator D*."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF

from ganvis.app.theme import FAKE, REAL, pen

NEUTRAL = (38, 41, 48)  # D = 0.5: the background's own colour
ARROW_SCALE = 0.05  # an arrow's length per unit of push, as a share of the plane's width
ARROW_MAX = 0.08  # arrows are clipped at this share of the width


def verdict_lut() -> np.ndarray:
    """0 (surely fake) orange, through the background at 0.5, to 1 (surely real) blue."""
    t = np.linspace(0, 1, 256)[:, None]
    lo, mid, hi = np.array(FAKE), np.array(NEUTRAL), np.array(REAL)
    rgb = np.where(t < 0.5, lo + (mid - lo) * (t / 0.5), mid + (hi - mid) * ((t - 0.5) / 0.5))
    return np.clip(rgb * 0.8, 0, 255).astype(np.uint8)  # toned down: the points lie on top


class SurfacePlot(pg.PlotWidget):
    """A square plot with a verdict heatmap (and its 0.5 contour) under whatever else is
    drawn on it."""

    def __init__(self, title: str) -> None:
        super().__init__()
        for axis in ("left", "bottom"):  # plain numbers (no SI-prefix rescaling)
            self.getAxis(axis).enableAutoSIPrefix(False)
        self.setAspectLocked(True)
        self.setTitle(title, size="9pt")
        self.heat = pg.ImageItem(axisOrder="row-major")
        self.heat.setLookupTable(verdict_lut())
        self.addItem(self.heat)
        self.contour = pg.IsocurveItem(level=0.5, pen=pen((230, 230, 230), 1, dashed=True))
        self.contour.setParentItem(self.heat)
        self.bounds: tuple[float, float, float, float] | None = None

    def set_surface(self, values: np.ndarray | None, bounds) -> None:
        """values (m, m) in [0, 1], rows along y, over bounds (x0, x1, y0, y1); None hides."""
        if values is None:
            self.heat.clear()
            self.contour.setData(None)
            return
        v = np.nan_to_num(np.asarray(values, np.float32), nan=0.5)
        self.heat.setImage(v, autoLevels=False, levels=(0.0, 1.0))
        x0, x1, y0, y1 = bounds
        self.heat.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))
        self.contour.setData(v)
        if bounds != self.bounds:
            self.bounds = bounds
            self.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)


class PlanePlot(SurfacePlot):
    """The game: D's surface, the points, the arrows and the manifold."""

    def __init__(self) -> None:
        super().__init__("D(x) (blue: real, orange: fake; dashed: D = ½), the points, G's "
                         "push and its manifold")
        self.manifold = pg.PlotDataItem(pen=pg.mkPen((150, 150, 160, 110), width=1))
        self.real = pg.ScatterPlotItem(size=3, pen=None, brush=pg.mkBrush(*REAL, 150))
        self.samples = pg.ScatterPlotItem(size=3, pen=None, brush=pg.mkBrush(235, 235, 235, 140))
        self.fake = pg.ScatterPlotItem(size=4, pen=None, brush=pg.mkBrush(*FAKE, 220))
        self.arrows = pg.PlotDataItem(pen=pg.mkPen((255, 214, 150, 200), width=1),
                                      connect="pairs")
        for item in (self.manifold, self.real, self.samples, self.fake, self.arrows):
            self.addItem(item)

    def set_part(self, part, show: dict[str, bool]) -> None:
        self.set_surface(part.surface if show["surface"] else None, part.bounds)
        self.real.setData(part.real[:, 0], part.real[:, 1])
        self.fake.setData(part.fake[:, 0], part.fake[:, 1])
        samples = part.samples if show["samples"] and part.samples is not None else None
        if samples is None:
            self.samples.clear()
        else:
            self.samples.setData(samples[:, 0], samples[:, 1])
        self.set_arrows(part.fake, part.push, part.bounds, show["push"])
        if show["manifold"]:
            lines = part.manifold
            connect = np.ones(lines.shape[:2], bool)
            connect[:, -1] = False  # no segment from one line's end to the next line's start
            flat = lines.reshape(-1, 2)
            self.manifold.setData(flat[:, 0], flat[:, 1], connect=connect.ravel())
        else:
            self.manifold.clear()

    def set_arrows(self, at: np.ndarray, push: np.ndarray, bounds, on: bool) -> None:
        if not on:
            self.arrows.clear()
            return
        width = bounds[1] - bounds[0]
        vec = push * (ARROW_SCALE * width)
        length = np.linalg.norm(vec, axis=1, keepdims=True)
        vec = vec * np.minimum(1.0, ARROW_MAX * width / np.maximum(length, 1e-12))
        ends = at + vec
        seg = np.empty((2 * len(at), 2))
        seg[0::2], seg[1::2] = at, ends
        self.arrows.setData(seg[:, 0], seg[:, 1])

    def set_points_only(self, points: np.ndarray, bounds) -> None:
        """A model opened without its data: its samples alone."""
        self.set_surface(None, bounds)
        for item in (self.real, self.samples, self.arrows, self.manifold):
            item.clear()
        self.fake.setData(points[:, 0], points[:, 1])
