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
    RECON_COLOR,
    hex_color,
    pen,
    plot_widget,
    settle,
)
from ganvis.engine.quality.game import LOG4

FCD_COLOR = (220, 220, 120)
COVERAGE_COLOR = (120, 200, 160)
HINT_STYLE = "color: #999999; padding: 2px 6px;"
COLLAPSE_STYLE = "color: #ffd0d0; background: #6a2020; padding: 4px 6px; border-radius: 3px;"
HINT = "Quality metrics (FCD, digits covered) appear below as the run measures them."


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
        _title(self.loss, (D_COLOR, "D loss"), (G_COLOR, "G loss"),
               (RECON_COLOR, "reconstruction (autoencoders)"))
        self.d_curve = self._series(self.loss, D_COLOR, "D loss")
        self.g_curve = self._series(self.loss, G_COLOR, "G loss")
        self.r_curve = self._series(self.loss, RECON_COLOR, "reconstruction")
        self.eq_line = pg.InfiniteLine(LOG4, angle=0, pen=pen(EQUILIBRIUM, 1, dashed=True),
                                       label="D at equilibrium: log 4",
                                       labelOpts={"position": 0.97, "color": EQUILIBRIUM,
                                                  "anchors": [(1, 1), (1, 1)]})
        self.loss.addItem(self.eq_line)
        self.means = self._plot("mean D")
        _title(self.means, (REAL, "D(x) on real"), (FAKE, "D(G(z)) on fake"))
        self.means.setYRange(0, 1, padding=0.05)
        self.real_curve = self._series(self.means, REAL, "D(x), real")
        self.fake_curve = self._series(self.means, FAKE, "D(G(z)), fake")
        self.means.addItem(pg.InfiniteLine(0.5, angle=0, pen=pen(EQUILIBRIUM, 1, dashed=True)))
        self.quality = self._plot("FCD (lower: better)")
        _title(self.quality, (FCD_COLOR, "FCD"), (COVERAGE_COLOR, "digits covered (right)"))
        self.fcd_curve = self.quality.plot(pen=pen(FCD_COLOR), symbol="o", symbolSize=5,
                                           symbolBrush=FCD_COLOR, name="FCD")
        self.coverage_curve = self._right_axis(self.quality, "digits (of 10)")
        # Why there is no quality curve yet (or never will be): a label, not a plot item, so
        # it stays whole and readable whatever range the plot shows.
        self.quality_hint = QLabel(HINT)
        self.quality_hint.setWordWrap(True)
        self.quality_hint.setStyleSheet(HINT_STYLE)
        self.showing_metrics = False
        self.means.setXLink(self.loss)
        self.quality.setXLink(self.loss)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        for p in (self.loss, self.means):
            layout.addWidget(p, 1)
        layout.addWidget(self.quality_hint)
        layout.addWidget(self.quality, 1)

    def set_players(self, players) -> None:
        """Name the mean verdicts in the family's words (None: no adversary, no change)."""
        if players is not None:
            _title(self.means, (REAL, players.real_mean), (FAKE, players.fake_mean))

    def _plot(self, ylabel: str) -> pg.PlotWidget:
        p = plot_widget("step", ylabel)
        p.showGrid(x=True, y=True, alpha=0.15)
        return p

    @staticmethod
    def _series(plot: pg.PlotWidget, color: tuple[int, int, int], name: str) -> pg.PlotDataItem:
        """A history curve (a row every 0.4 s of training: tens of thousands in a long run).
        One-pixel pens and drawing about 10 points per pixel column at most (the min and max
        of each fifth of a column's rows, so oscillations keep their envelope) keep a redraw
        cheap however long the run: with 2-pixel pens and every row, one redraw at 20,000 rows
        took 300 ms of the GUI thread, against 25 ms like this."""
        curve = plot.plot(pen=pen(color, 1), name=name)
        curve.setDownsampling(auto=True, method="peak")
        curve.setClipToView(True)
        return curve

    def _right_axis(self, plot: pg.PlotWidget, label: str) -> pg.PlotDataItem:
        """A second y axis on the right (coverage counts 0-10 beside FCD's scale)."""
        box = pg.ViewBox()
        item = plot.getPlotItem()
        item.showAxis("right")
        item.scene().addItem(box)
        item.getAxis("right").linkToView(box)
        item.getAxis("right").setLabel(label)
        # Fixed ticks: the plot is short, and automatic ones crowd into an unreadable column.
        item.getAxis("right").setTicks([[(v, str(v)) for v in (0, 5, 10)]])
        box.setXLink(item)
        box.setYRange(0, 10.5, padding=0)
        box.setMouseEnabled(y=False)
        self._right_box = box
        item.vb.sigResized.connect(self._sync_right)
        curve = pg.PlotDataItem(pen=pen(COVERAGE_COLOR, 1), symbol="s", symbolSize=4,
                                symbolBrush=COVERAGE_COLOR, stepMode=None)
        box.addItem(curve)
        return curve

    def _sync_right(self) -> None:
        self._right_box.setGeometry(self.quality.getPlotItem().vb.sceneBoundingRect())

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
        self.r_curve.setData(step, h.array("recon_loss"))
        self.real_curve.setData(step, h.array("d_real"))
        self.fake_curve.setData(step, h.array("d_fake"))
        self._set_quality(h)
        settle(self.loss, self.means, self.quality)

    def _set_quality(self, h: RunHistory) -> None:
        m = h.metrics
        has = bool(m.get("step")) and "fcd" in m
        self.quality_hint.setText(h.metrics_note or HINT)
        self.showing_metrics = has
        steps = np.asarray(m.get("step", []), dtype=np.float64)
        self.fcd_curve.setData(steps, np.asarray(m.get("fcd", []), dtype=np.float64))
        self.coverage_curve.setData(steps, np.asarray(m.get("coverage", []), dtype=np.float64))
        if not has:
            return
        # The latest values as words: the curve shows the trend, the label the number.
        last = (f"Step {int(steps[-1])}: FCD {m['fcd'][-1]:.1f}, "
                f"{int(m['coverage'][-1])}/10 digits covered, score {m['score'][-1]:.2f}")
        control = m.get("control_accuracy", [math.nan])[-1]
        if math.isfinite(control):
            last += f", digit control {control:.0%}"
        collapsed = m.get("collapse", [0.0])[-1] == 1.0
        if collapsed:
            last = ("⚠ Mode collapse: G draws only a few of the digits. Lower the learning "
                    "rates, try the non-saturating loss, or roll back. " + last)
        style = COLLAPSE_STYLE if collapsed else HINT_STYLE
        if self.quality_hint.styleSheet() != style:  # restyling re-polishes the label
            self.quality_hint.setStyleSheet(style)
        self.quality_hint.setText(last)
        self.quality_hint.setVisible(True)


def _title(plot: pg.PlotWidget, *entries: tuple[tuple[int, int, int], str]) -> None:
    """A legend in the title line, where it never covers a curve."""
    plot.setTitle("&nbsp;&nbsp;".join(f"<span style='color:{hex_color(c)}'>━ {text}</span>"
                                      for c, text in entries), size="9pt")
