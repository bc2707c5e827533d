"""Training curves: losses with the equilibrium marked, mean D(x) for real and fake, quality;
hovering a plot reads off the step and the values of its series there."""

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
from ganvis.app.views.readout import Readout
from ganvis.engine.quality.game import LOG4

FCD_COLOR = (220, 220, 120)
COVERAGE_COLOR = (120, 200, 160)
HINT_STYLE = "color: #999999; padding: 2px 6px;"
COLLAPSE_STYLE = "color: #ffd0d0; background: #6a2020; padding: 4px 6px; border-radius: 3px;"
HINT = "Quality metrics (FCD, digits covered) appear below as the run measures them."
# Every plot's axes get the same widths: linked plots line their x ranges up on screen, so
# with a wider axis on one plot its points would sit off the others' (and off its own) range.
LEFT_WIDTH, RIGHT_WIDTH = 58, 46
MIN_PLOT_HEIGHT = 150  # below this a plot's axis caption no longer fits beside it
LOSSES = (("d_loss", D_COLOR, "D loss"), ("g_loss", G_COLOR, "G loss"),
          ("recon_loss", RECON_COLOR, "reconstruction"))


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
        self.loss_curves = {key: self._series(self.loss, color, name)
                            for key, color, name in LOSSES}
        self.d_curve, self.g_curve, self.r_curve = self.loss_curves.values()
        self.eq_line = pg.InfiniteLine(LOG4, angle=0, pen=pen(EQUILIBRIUM, 1, dashed=True),
                                       label="D at equilibrium: log 4",
                                       labelOpts={"position": 0.97, "color": EQUILIBRIUM,
                                                  "anchors": [(1, 1), (1, 1)]})
        self.loss.addItem(self.eq_line)
        self.means = self._plot("mean D")
        self.means.setYRange(0, 1, padding=0.05)
        self.real_curve = self._series(self.means, REAL, "D(x) on real")
        self.fake_curve = self._series(self.means, FAKE, "D(G(z)) on fake")
        self.means.addItem(pg.InfiniteLine(0.5, angle=0, pen=pen(EQUILIBRIUM, 1, dashed=True)))
        self.quality = self._plot("FCD")
        self.quality.setMouseEnabled(y=False)  # its y range follows the measurements
        _title(self.quality, (FCD_COLOR, "FCD (lower: better)"),
               (COVERAGE_COLOR, "digits covered (right)"))
        self.fcd_curve = self.quality.plot(pen=pen(FCD_COLOR), symbol="o", symbolSize=5,
                                           symbolBrush=FCD_COLOR, name="FCD")
        self.coverage_curve = self._right_axis(self.quality, "digits (of 10)")
        # Why there is no quality curve yet (or never will be): a label, not a plot item, so
        # it stays whole and readable whatever range the plot shows.
        self.quality_hint = QLabel(HINT)
        self.quality_hint.setWordWrap(True)
        self.quality_hint.setStyleSheet(HINT_STYLE)
        self.showing_metrics = False
        # One x range for the three plots, the losses' (copied, not pyqtgraph's setXLink,
        # which lines views up by their on-screen geometry: stale while the dock is hidden).
        self.loss.sigXRangeChanged.connect(self._follow_losses)
        for follower in (self.means, self.quality):
            follower.getViewBox().sigRangeChangedManually.connect(self._lead)
        # Invisible, one per plot: from the first to the last step of the losses and of the
        # quality measurements, so that every plot fitting its x range alone fits the same.
        self.x_spans = [pg.PlotCurveItem(pen=None) for _ in range(3)]
        for plot, span in zip((self.loss, self.means, self.quality), self.x_spans):
            plot.addItem(span)
        self.readouts = [Readout(self.loss, list(self.loss_curves.values())),
                         Readout(self.means, [self.real_curve, self.fake_curve]),
                         Readout(self.quality, [self.fcd_curve, self.coverage_curve])]
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        for p in (self.loss, self.means):
            layout.addWidget(p, 1)
        layout.addWidget(self.quality_hint)
        layout.addWidget(self.quality, 1)
        self.recorded: frozenset[str] = frozenset()
        self.set_series({"d_loss", "g_loss"})
        self.set_players(None)

    def set_family(self, family, data: str) -> None:
        """Show the series `family` records, its verdicts named for the data set `data`."""
        self.set_series(family.series)
        self.set_players(family.players_for(data))

    def set_series(self, series) -> None:
        """Plot and name only the losses among `series` (a family records some of them)."""
        self.recorded = frozenset(k for k, _, _ in LOSSES if k in series)
        for key, curve in self.loss_curves.items():
            curve.setVisible(key in self.recorded)
        _title(self.loss, *((c, name) for k, c, name in LOSSES if k in self.recorded))
        self.eq_line.setVisible("d_loss" in self.recorded)  # log 4: a GAN's D loss

    def set_players(self, players) -> None:
        """Name the mean verdicts in the family's words (engine Players; None: no adversary,
        so no verdicts to plot)."""
        self.means.setVisible(players is not None)
        if players is not None:
            _title(self.means, (REAL, players.real_mean), (FAKE, players.fake_mean))
            self.real_curve.opts["name"] = players.real_mean
            self.fake_curve.opts["name"] = players.fake_mean

    def _plot(self, ylabel: str) -> pg.PlotWidget:
        p = plot_widget("step", ylabel)
        p.showGrid(x=True, y=True, alpha=0.15)
        p.setMinimumHeight(MIN_PLOT_HEIGHT)
        item = p.getPlotItem()
        item.getAxis("left").setWidth(LEFT_WIDTH)
        item.showAxis("right")
        right = item.getAxis("right")
        right.setWidth(RIGHT_WIDTH)
        right.setStyle(showValues=False)
        right.setPen((0, 0, 0, 0))  # room only (see LEFT_WIDTH); the quality plot uses it
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
        item.scene().addItem(box)
        axis = item.getAxis("right")
        axis.enableAutoSIPrefix(False)  # counts, never "x1e+01"
        axis.setPen(pg.getConfigOption("foreground"))
        axis.setStyle(showValues=True)
        axis.linkToView(box)
        axis.setLabel(label)
        box.setXLink(item)
        box.setMouseEnabled(y=False)
        self._right_box = box
        item.vb.sigResized.connect(self._sync_right)
        curve = pg.PlotDataItem(pen=pen(COVERAGE_COLOR, 1), symbol="s", symbolSize=4,
                                symbolBrush=COVERAGE_COLOR, name="digits covered")
        box.addItem(curve)
        return curve

    def _follow_losses(self, _view, x_range) -> None:
        for follower in (self.means, self.quality):
            follower.setXRange(*x_range, padding=0)

    def _lead(self) -> None:
        """The user zoomed or panned the means or the quality plot: the losses follow it."""
        for follower in (self.means, self.quality):
            if follower.getViewBox() is self.sender():
                self.loss.setXRange(*follower.getViewBox().viewRange()[0], padding=0)

    def _sync_right(self) -> None:
        rect = self.quality.getPlotItem().vb.sceneBoundingRect()
        self._right_box.setGeometry(rect)
        pad = max(0.5, 80 / max(rect.height() - 16, 8))  # 0 and 10 8 px from the ends, so
        self._right_box.setYRange(-pad, 10 + pad, padding=0)  # that their labels are drawn
        self._fit_quality_y()  # its padding and ticks depend on the height too

    def _on_log(self, on: bool) -> None:
        self.loss.setLogMode(y=on)
        self.quality.setLogMode(y=on)
        # An InfiniteLine sits in view coordinates, which are log10 values in log mode.
        self.eq_line.setValue(math.log10(LOG4) if on else LOG4)
        self.g_curve.opts["name"] = "|G loss|" if on else "G loss"  # what log mode plots
        self._fit_quality_y()
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
        every = np.concatenate([steps, h.array("step")])
        ends = np.array([every.min(), every.max()]) if len(every) else every
        for span in self.x_spans:
            span.setData(ends, np.full(len(ends), np.nan))
        self._fit_quality_y()
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

    def _fit_quality_y(self) -> None:
        """FCD from 0 (a perfect match) up; on a log axis, whole decades, with ticks chosen
        here (pyqtgraph's own overprint each other when a short plot spans one decade).
        Coverage: fixed ticks, every other count where there is room (automatic ones crowd
        into an unreadable column). No measurements: no values on either axis."""
        fcd = self.fcd_curve.getOriginalDataset()[1]
        fcd = fcd[np.isfinite(fcd) & (fcd > 0)] if fcd is not None else np.zeros(0)
        left, right = self.quality.getAxis("left"), self.quality.getAxis("right")
        px = max(self.quality.getPlotItem().vb.height(), 40.0)
        every = 2 if px >= 110 else 5
        right.setTicks([[(v, str(v)) for v in range(0, 11, every)] if len(fcd) else []])
        if not len(fcd):
            left.setTicks([[]])
        elif not self.log.isChecked():
            left.setTicks(None)
            self.quality.setYRange(0, float(fcd.max()) * 1.25, padding=0)
        else:
            lo, hi = math.floor(math.log10(fcd.min())), math.ceil(math.log10(fcd.max()))
            hi = max(hi, lo + 1)
            self.quality.setYRange(lo, hi, padding=10 / px)  # the end labels need 10 px
            values = [m * 10**e for e in range(lo, hi + 1) for m in (1, 2, 5)
                      if m * 10**e <= 10**hi]
            if len(values) > px / 20:  # labels that fit, 20 px each
                values = [10**e for e in range(lo, hi + 1)]
            left.setTicks([[(math.log10(v), f"{v:g}") for v in values]])


def _title(plot: pg.PlotWidget, *entries: tuple[tuple[int, int, int], str]) -> None:
    """A legend in the title line, where it never covers a curve."""
    plot.setTitle("&nbsp;&nbsp;".join(f"<span style='color:{hex_color(c)}'>━ {text}</span>"
                                      for c, text in entries), size="9pt")
