"""Hover readouts: hovering a curve plot shows the step under the cursor and the value of
each shown series there (pyqtgraph's own crosshair example, throttled by a SignalProxy)."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject

from ganvis.app.theme import EQUILIBRIUM, pen


class Readout(QObject):
    """Hovering a plot: a line at the step of the nearest row and, beside it, that step and
    every shown series' value there. Mouse moves are throttled to 30 a second."""

    def __init__(self, plot: pg.PlotWidget, series: list[pg.PlotDataItem]) -> None:
        super().__init__(plot)
        self.plot, self.series = plot, series
        self.line = pg.InfiniteLine(angle=90, pen=pen(EQUILIBRIUM, 1, dashed=True))
        self.text = pg.TextItem(fill=(22, 24, 29, 220), border=(90, 96, 106))
        for item in (self.line, self.text):
            plot.addItem(item, ignoreBounds=True)
            item.setZValue(50)
        self.hide()
        self.proxy = pg.SignalProxy(plot.scene().sigMouseMoved, rateLimit=30, slot=self._on_move)
        plot.installEventFilter(self)

    def hide(self) -> None:
        self.line.hide()
        self.text.hide()

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt's name)
        if event.type() == QEvent.Type.Leave:
            self.hide()
        return False

    def _on_move(self, args) -> None:
        vb = self.plot.getPlotItem().vb
        if not vb.sceneBoundingRect().contains(args[0]):
            self.hide()
            return
        self.show_at(vb.mapSceneToView(args[0]).x())

    def show_at(self, x: float) -> str:
        """Read the series off at the row nearest step `x`; returns the text shown."""
        rows = []
        for curve in self.series:
            xs, ys = curve.getOriginalDataset()
            if not curve.isVisible() or xs is None or not len(xs):
                continue
            i = int(np.clip(np.searchsorted(xs, x), 1, len(xs) - 1))
            i = i - 1 if len(xs) == 1 or abs(xs[i - 1] - x) <= abs(xs[i] - x) else i
            rows.append((xs[i], curve.opts["name"], ys[i], curve.opts["pen"].color().name()))
        if not rows:
            self.hide()
            return ""
        step = min(rows, key=lambda r: abs(r[0] - x))[0]
        said = [f"step {int(step):,}"] + [
            f"<span style='color:{c}'>{name} {v:.4g}</span>" for s, name, v, c in rows
            if s == step and math.isfinite(v)]
        (x0, x1), (_, y1) = self.plot.getPlotItem().vb.viewRange()
        self.line.setValue(step)
        self.text.setHtml("<br>".join(said))
        self.text.setAnchor((1, 0) if step > (x0 + x1) / 2 else (0, 0))
        self.text.setPos(step, y1)
        self.line.show()
        self.text.show()
        return "\n".join(said)
