"""Training curves: losses with the equilibrium marked, mean D(x) for real and fake, quality."""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Signal
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from ganvis.app.history import RunHistory
from ganvis.app.theme import (
    D_COLOR,
    EQUILIBRIUM,
    FAKE,
    G_COLOR,
    REAL,
    hex_color,
    pen,
    plot_widget,
)

LOG4 = math.log(4.0)


class CurvesView(QWidget):
    log_toggled = Signal(bool)

    def __init__(self) -> None:
        super().__init__()
        title = QLabel("Training curves")
        title.setObjectName("viewTitle")
        self.log = QCheckBox("Log scale")
        self.log.setToolTip("Plot the losses (and FCD) on a logarithmic axis.")
        self.log.toggled.connect(self._on_log)
        top = QHBoxLayout()
        top.addWidget(title)
        top.addStretch(1)
        top.addWidget(self.log)
        self.loss = self._plot("loss")
        _title(self.loss, (D_COLOR, "D loss"), (G_COLOR, "G loss"))
        self.d_curve = self.loss.plot(pen=pen(D_COLOR), name="D loss")
        self.g_curve = self.loss.plot(pen=pen(G_COLOR), name="G loss")
        self.eq_line = pg.InfiniteLine(LOG4, angle=0, pen=pen(EQUILIBRIUM, 1, dashed=True),
                                       label="D at equilibrium: log 4",
                                       labelOpts={"position": 0.97, "color": EQUILIBRIUM,
                                                  "anchors": [(1, 1), (1, 1)]})
        self.loss.addItem(self.eq_line)
        self.means = self._plot("mean D(x)")
        _title(self.means, (REAL, "D(x) on real"), (FAKE, "D(G(z)) on fake"))
        self.means.setYRange(0, 1, padding=0.05)
        self.real_curve = self.means.plot(pen=pen(REAL), name="D(x), real")
        self.fake_curve = self.means.plot(pen=pen(FAKE), name="D(G(z)), fake")
        self.means.addItem(pg.InfiniteLine(0.5, angle=0, pen=pen(EQUILIBRIUM, 1, dashed=True)))
        self.quality = self._plot("FCD (lower: better)")
        self.fcd_curve = self.quality.plot(pen=pen((220, 220, 120)), symbol="o", symbolSize=5,
                                           name="FCD")
        self.quality_hint = pg.TextItem("quality metrics appear here\nwhen the run computes them",
                                        color=(150, 150, 150), anchor=(0.5, 0.5))
        self.quality.addItem(self.quality_hint, ignoreBounds=True)
        self.quality_hint.setPos(0.5, 0.5)
        self.means.setXLink(self.loss)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        for p in (self.loss, self.means, self.quality):
            layout.addWidget(p, 1)

    def _plot(self, ylabel: str) -> pg.PlotWidget:
        p = plot_widget("step", ylabel)
        p.showGrid(x=True, y=True, alpha=0.15)
        return p

    def _on_log(self, on: bool) -> None:
        self.loss.setLogMode(y=on)
        self.quality.setLogMode(y=on)
        # An InfiniteLine sits in view coordinates, which are log10 values in log mode.
        self.eq_line.setValue(math.log10(LOG4) if on else LOG4)
        self.log_toggled.emit(on)

    def set_history(self, h: RunHistory) -> None:
        step = h.array("step")
        self.d_curve.setData(step, h.array("d_loss"))
        self.g_curve.setData(step, np.abs(h.array("g_loss")) if self.log.isChecked()
                             else h.array("g_loss"))
        self.real_curve.setData(step, h.array("d_real"))
        self.fake_curve.setData(step, h.array("d_fake"))
        m = h.metrics
        has = bool(m.get("step"))
        self.quality_hint.setVisible(not has)
        if has and "fcd" in m:
            self.fcd_curve.setData(np.asarray(m["step"]), np.asarray(m["fcd"]))
            cov = m.get("coverage")
            if cov:
                self.quality.setTitle(f"coverage {int(cov[-1])}/10 digits, "
                                      f"FCD {m['fcd'][-1]:.2f}", size="9pt")


def _title(plot: pg.PlotWidget, *entries: tuple[tuple[int, int, int], str]) -> None:
    """A legend in the title line, where it never covers a curve."""
    plot.setTitle("&nbsp;&nbsp;".join(f"<span style='color:{hex_color(c)}'>━ {text}</span>"
                                      for c, text in entries), size="9pt")
