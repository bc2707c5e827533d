"""The plane the 2-D game is played on: D's surface as a heatmap with its 0.5 contour, real
and fake points, the push G's loss puts on each fake point, and G's manifold; and beside it
the optimal discriminator D*."""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt

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


def contour(values: np.ndarray, level: float,
            bounds: tuple[float, float, float, float]) -> np.ndarray:
    """The `level` line of a grid of values (rows along y) at points from (x0, y0) to (x1, y1)
    (bounds), as segments: (2k, 2)
    points, each pair one segment (marching squares, in numpy: pyqtgraph's isocurve, in
    Python, took 16 ms a surface)."""
    v = np.asarray(values, np.float64)
    n_r, n_c = v.shape
    x0, x1, y0, y1 = bounds
    xs, ys = np.linspace(x0, x1, n_c), np.linspace(y0, y1, n_r)
    a, b, c, d = v[:-1, :-1], v[:-1, 1:], v[1:, 1:], v[1:, :-1]  # corners, anticlockwise
    ax, ay = np.meshgrid(xs[:-1], ys[:-1])
    dx, dy = xs[1] - xs[0], ys[1] - ys[0]

    def cross(p, q):  # where the level crosses the edge from p to q (fraction), else NaN
        with np.errstate(invalid="ignore", divide="ignore"):
            t = (level - p) / (q - p)
        return np.where(((p < level) != (q < level)) & np.isfinite(t), t, np.nan)

    tb, tr, tt, tl = cross(a, b), cross(b, c), cross(d, c), cross(a, d)
    edges = [  # (x, y) of the crossing on the bottom, right, top and left edges
        (ax + tb * dx, ay + 0 * tb),
        (ax + dx + 0 * tr, ay + tr * dy),
        (ax + tt * dx, ay + dy + 0 * tt),
        (ax + 0 * tl, ay + tl * dy),
    ]  # (0 * t: NaN where the edge is not crossed)
    pts = np.stack([np.stack([ex, ey], -1) for ex, ey in edges], 2)  # (r, c, 4, 2)
    hit = np.isfinite(pts[..., 0])
    two = hit.sum(2) == 2
    first = np.argmax(hit, 2)
    last = 3 - np.argmax(hit[..., ::-1], 2)
    r, cc = np.nonzero(two)
    seg = np.stack([pts[r, cc, first[r, cc]], pts[r, cc, last[r, cc]]], 1)
    four = hit.sum(2) == 4  # a saddle: pair the edges by the centre's side
    r4, c4 = np.nonzero(four)
    if len(r4):
        centre = (a + b + c + d)[r4, c4] / 4 >= level
        same = (a[r4, c4] >= level) == centre
        p = pts[r4, c4]
        s1 = np.where(same[:, None, None], p[:, [0, 1]], p[:, [0, 3]])
        s2 = np.where(same[:, None, None], p[:, [2, 3]], p[:, [2, 1]])
        seg = np.concatenate([seg, s1, s2])
    return seg.reshape(-1, 2)


class Dots(pg.PlotCurveItem):
    """Thousands of small square dots, each drawn as a tiny segment with square caps: a
    ScatterPlotItem builds a Python object per point, and at 20 frames a second those took
    most of the GUI thread (measured: 11.9 ms a frame for 1,000 points against 7.7 here)."""

    def __init__(self, color: tuple[int, int, int], alpha: int, size: int) -> None:
        p = pg.mkPen((*color, alpha), width=size)
        p.setCapStyle(Qt.PenCapStyle.SquareCap)
        super().__init__(pen=p, connect="pairs", antialias=False)
        self.shown: np.ndarray | None = None

    def set_points(self, points: np.ndarray) -> None:
        """Show these points, unless they are shown already (the real points are the same at
        every snapshot)."""
        s = self.shown
        if s is not None and s.shape == points.shape and np.array_equal(s, points):
            return
        self.shown = points
        pairs = np.repeat(np.asarray(points, np.float64), 2, axis=0)
        span = float(np.ptp(pairs[:, 0])) if len(pairs) else 1.0
        pairs[1::2, 0] += 1e-6 * (span or 1.0)  # a zero-length segment is not drawn at all
        self.setData(pairs[:, 0], pairs[:, 1])

    def clear(self) -> None:
        self.shown = None
        super().clear()


def dots(color: tuple[int, int, int], alpha: int, size: int) -> Dots:
    return Dots(color, alpha, size)


class SurfacePlot(pg.PlotWidget):
    """A square plot with a verdict heatmap (and its 0.5 contour) under whatever else is
    drawn on it."""

    def __init__(self, title: str, follow: bool = True) -> None:
        super().__init__()
        self.follow = follow  # fit the view to each new surface (False: a linked plot)
        for axis in ("left", "bottom"):  # plain numbers (no SI-prefix rescaling)
            self.getAxis(axis).enableAutoSIPrefix(False)
        self.setAspectLocked(True)
        self.setTitle(title, size="9pt")
        self.heat = pg.ImageItem(axisOrder="row-major")
        self.heat.setLookupTable(verdict_lut())
        self.addItem(self.heat)
        self.contour = pg.PlotDataItem(pen=pen((230, 230, 230), 1, dashed=True),
                                       connect="pairs")
        self.addItem(self.contour)
        self.bounds: tuple[float, float, float, float] | None = None

    def set_surface(self, values: np.ndarray | None, bounds) -> None:
        """values (m, m) in [0, 1], rows along y, at the points of a grid whose first and last
        points are bounds (x0, x1, y0, y1); each value's pixel is centred on its point. None
        hides."""
        if values is None:
            self.heat.clear()
            self.contour.clear()
            return
        v = np.nan_to_num(np.asarray(values, np.float32), nan=0.5)
        self.heat.setImage(v, autoLevels=False, levels=(0.0, 1.0))
        x0, x1, y0, y1 = bounds
        dx, dy = (x1 - x0) / max(1, v.shape[1] - 1), (y1 - y0) / max(1, v.shape[0] - 1)
        self.heat.setRect(QRectF(x0 - dx / 2, y0 - dy / 2, x1 - x0 + dx, y1 - y0 + dy))
        seg = contour(v, 0.5, bounds)
        self.contour.setData(seg[:, 0], seg[:, 1])
        if bounds != self.bounds and self.follow:
            self.bounds = bounds
            self.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)


class PlanePlot(SurfacePlot):
    """The game: D's surface, the points, the arrows and the manifold."""

    def __init__(self) -> None:
        super().__init__("D(x): blue real, orange fake, dashed ½")
        self.manifold = pg.PlotDataItem(pen=pg.mkPen((150, 150, 160, 110), width=1))
        self.real = dots(REAL, 150, 3)
        self.samples = dots((235, 235, 235), 140, 3)
        self.fake = dots(FAKE, 220, 4)
        self.arrows = pg.PlotDataItem(pen=pg.mkPen((255, 214, 150, 200), width=1),
                                      connect="pairs")
        for item in (self.manifold, self.real, self.samples, self.fake, self.arrows):
            self.addItem(item)

    def set_part(self, part, show: dict[str, bool]) -> None:
        self.set_surface(part.surface if show["surface"] else None, part.bounds)
        self.real.set_points(part.real)
        self.fake.set_points(part.fake)
        samples = part.samples if show["samples"] and part.samples is not None else None
        if samples is None:
            self.samples.clear()
        else:
            self.samples.set_points(samples)
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
        self.fake.set_points(points)
