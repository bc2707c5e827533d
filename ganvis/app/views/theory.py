"""The theory lab: the GAN game on points in the plane, with the optimal discriminator D* and
Theorem 1 (V = -log 4 + 2 JS when D = D*) made visible, and the measured game over steps.

The numbers come from the engine's exact 2-D quantities (engine/quality/plane.py): densities
blurred by the same N(0, h^2), so JS and KL are *at resolution h*; (V + log 4) / 2 is a lower
bound on JS that is reached only when D = D*.
"""

from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMenu,
    QPushButton,
    QSplitter,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from ganvis.app.theme import D_COLOR, FAKE, G_COLOR, REAL, pen, plot_widget, settle, title_label
from ganvis.app.views.plane import PlanePlot, SurfacePlot, dots
from ganvis.engine.quality.game import LOG4

OPTIMISE_STEPS = 500  # D updates of "Optimise D for this G"
SPEEDS = [("full speed", 0.0), ("20 steps/s", 20.0), ("5 steps/s", 5.0), ("1 step/s", 1.0)]
LAYERS = (("surface", "D's surface and its ½ contour"), ("push", "G's push on each fake point"),
          ("manifold", "G's manifold (a grid of codes, bent)"),
          ("samples", "samples of the averaged G (white)"))


class TheoryView(QWidget):
    optimise_d = Signal(int)  # D updates to run against the frozen G
    speed_changed = Signal(float)  # steps per second (0: full speed)
    draw_requested = Signal()  # the user wants to draw a data set
    preset_chosen = Signal(object)  # config changes (a dict) of a preset

    def __init__(self) -> None:
        super().__init__()
        self.title = title_label("The theory lab: pick the 2-D GAN (gan2d) in Run setup.")
        self.plane = PlanePlot()
        self.dstar = SurfacePlot("D* = p_data / (p_data + p_g)", follow=False)  # as the plane
        self.dstar.setToolTip("The best discriminator for the current G, D* = p_data / (p_data "
                              "+ p_g), from the latest measurement: blue where only data lives, "
                              "orange where only G's samples do, ½ where both densities agree")
        self.dstar_real = dots(REAL, 90, 2)
        for axis in ("left", "bottom"):  # it shows what the plane beside it shows
            self.dstar.hideAxis(axis)
        self.dstar.addItem(self.dstar_real)
        self.dstar.values = None  # the D* it shows (redrawn only when a new one comes)
        self.curve_rows = 0
        self.dstar.setXLink(self.plane)
        self.dstar.setYLink(self.plane)
        self.readout = QLabel("")
        self.readout.setTextFormat(Qt.TextFormat.RichText)
        self.readout.setWordWrap(True)
        self.curves = plot_widget("step", "nats / share")
        self.legend_pack = 1
        self.curves.setTitle(_legend(), size="9pt")
        self.curves.showGrid(x=True, y=True, alpha=0.15)
        self.js_curve = self.curves.plot(pen=pen(D_COLOR, 1.5), symbol="o", symbolSize=3)
        self.bound_curve = self.curves.plot(pen=pen(G_COLOR, 1.5, dashed=True))
        self.modes_curve = self.curves.plot(pen=pen(REAL, 1.5))
        self.hq_curve = self.curves.plot(pen=pen(FAKE, 1.5))
        self.curves.addItem(pg.InfiniteLine(math.log(2), angle=0,
                                            pen=pen((150, 150, 150), 1, dashed=True)))
        self.curves.setYRange(0, 1.05, padding=0)
        plots = QSplitter(Qt.Orientation.Horizontal)
        plots.addWidget(self.plane)
        plots.addWidget(self.dstar)
        plots.setSizes([600, 400])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addLayout(self._controls())
        layout.addWidget(plots, 5)
        layout.addWidget(self.readout)
        layout.addWidget(self.curves, 2)
        self.latest = None

    def _controls(self) -> QVBoxLayout:
        """Two short rows, so the view fits beside the docks on a laptop's screen."""
        rows = QVBoxLayout()
        row = QHBoxLayout()
        show = QToolButton()
        show.setText("Show")
        show.setToolTip("What the plane shows")
        show.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        menu = QMenu(show)
        self.layers: dict[str, QAction] = {}
        for key, text in LAYERS:
            a = menu.addAction(text)
            a.setCheckable(True)
            a.setChecked(key != "samples")
            a.toggled.connect(self._redraw)
            self.layers[key] = a
        self.layers["push"].setToolTip("Each fake point's arrow is minus the gradient of G's loss "
                                       "there: where, and how hard, the next G update moves it "
                                       "(one scale for both losses, so minimax's weak push shows)")
        self.layers["samples"].setToolTip("Samples come from an average of G's weights (white); "
                                          "D plays against G itself (orange)")
        menu.setToolTipsVisible(True)
        show.setMenu(menu)
        row.addWidget(show)
        row2 = QHBoxLayout()
        self.preset = QComboBox()
        self.preset.setToolTip("Settings to try: what learns the ring, what collapses, what "
                               "packing does about it (measured in docs/THEORY.md)")
        self.preset.activated.connect(self._on_preset)
        self.preset.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.preset.setMinimumContentsLength(8)  # long names do not widen the view
        row2.addWidget(self.preset, 1)
        self.speed = QComboBox()
        for text, value in SPEEDS:
            self.speed.addItem(text, value)
        self.speed.setToolTip("Slow motion: at most this many training steps a second")
        self.speed.currentIndexChanged.connect(
            lambda _i: self.speed_changed.emit(float(self.speed.currentData())))
        row2.addWidget(self.speed)
        self.optimise = QPushButton("Optimise D")
        self.optimise.setToolTip(f"Optimise D for this G: {OPTIMISE_STEPS} D updates with G "
                                 "frozen, then measure: D should approach D*, and V approach "
                                 "−log 4 + 2 JS (Theorem 1)")
        self.optimise.clicked.connect(lambda: self.optimise_d.emit(OPTIMISE_STEPS))
        draw = QPushButton("Draw…")
        draw.setToolTip("Draw your own distribution with the mouse, save it and train on it")
        draw.clicked.connect(self.draw_requested)
        row.addWidget(self.optimise)
        row.addWidget(draw)
        row.addStretch(1)
        rows.addLayout(row)
        rows.addLayout(row2)
        return rows

    def set_presets(self, presets: dict) -> None:
        """The family's presets: name -> config changes."""
        self.preset.clear()
        self.preset.addItem("Try a preset…", None)
        for name, changes in presets.items():
            self.preset.addItem(name, dict(changes))

    def _on_preset(self, index: int) -> None:
        changes = self.preset.itemData(index)
        if changes is not None:
            self.preset_chosen.emit(changes)
        self.preset.setCurrentIndex(0)

    def shown_layers(self) -> dict[str, bool]:
        return {k: b.isChecked() for k, b in self.layers.items()}

    def _redraw(self, *_) -> None:
        if self.latest is not None:
            self.set_snapshot(self.latest)

    def set_snapshot(self, snap, metrics: dict | None = None) -> None:
        """Draw a 2-D run's snapshot; metrics: the run's measurement history."""
        self.latest = snap
        part = snap.plane
        if part is None:  # opened without its data: the samples alone
            self.plane.set_points_only(snap.grid, _bounds_of(snap.grid))
            self.dstar.set_surface(None, None)
            self.title.setText(f"Samples at step {snap.step:,} (the model's data set is not "
                               "here: no D, no D*)")
            return
        self.plane.set_part(part, self.shown_layers())
        packed = f"; D judges {part.pack} points at once (surface: copies of one point)" \
            if part.pack > 1 else ""
        self.title.setText(f"The game at step {snap.step:,}: {len(part.real)} real points "
                           f"(blue), G's points (orange){packed}")
        if part.d_star is not None and part.pack == 1:
            if part.d_star is not self.dstar.values:  # a new measurement
                self.dstar.values = part.d_star
                self.dstar.set_surface(part.d_star, part.d_star_bounds)
                self.dstar.setTitle(f"D* (at resolution h = {part.resolution:.3g})", size="9pt")
        else:
            self.dstar.values = None
            self.dstar.set_surface(None, None)
            self.dstar.setTitle("D* appears after the first measurement" if part.pack == 1
                                else "D* is for single points; this D judges packs",
                                size="9pt")
        self.dstar_real.set_points(part.real)
        self.readout.setText(readout(snap.metrics, part.resolution, part.pack,
                                     part.samples is not None))
        if part.pack != self.legend_pack:
            self.legend_pack = part.pack
            self.curves.setTitle(_legend(part.pack), size="9pt")
        if metrics and len(metrics.get("step", [])) != self.curve_rows:
            self.curve_rows = len(metrics["step"])
            self.set_history(metrics, part.modes_total)
        settle(self.plane, self.dstar)

    def set_history(self, m: dict, modes_total: int) -> None:
        """The curves; modes as a share of the data's modes_total (none drawn without)."""
        steps = np.asarray(m.get("step", []), np.float64)
        if not len(steps) or "js" not in m:
            return
        self.js_curve.setData(steps, np.asarray(m["js"], np.float64))
        self.bound_curve.setData(steps, np.asarray(m["v_bound"], np.float64))
        modes = np.asarray(m.get("modes", []), np.float64)
        if modes_total and np.isfinite(modes).any():
            self.modes_curve.setData(steps, modes / modes_total)
            self.hq_curve.setData(steps, np.asarray(m["high_quality"], np.float64))
        settle(self.curves)


def readout(m: dict, h: float, pack: int = 1, averaged: bool = False) -> str:
    """The latest measurement in words, Theorem 1 beside it. JS, KL, V and D* are of G itself
    (the G D plays against); modes and high quality of the averaged G when samples come from
    one. A D that judges packs of m points bounds JS between packs, not JS itself."""
    if not m or "js" not in m:
        return "The exact quantities appear after the first measurement."
    js, v = m["js"], m["v"]
    parts = [f"Step {int(m['step']):,}: <b>JS(p<sub>data</sub> ‖ p<sub>g</sub>) = {js:.3f}</b> "
             f"(G itself) at resolution h = {h:.3g} (max log 2 = 0.693)"]
    if pack == 1:
        parts += [
            f"(V + log 4) / 2 = {m['v_bound']:.3f}: a lower bound on JS, reached only when "
            "D = D*",
            f"Theorem 1: V(D, G) = {v:.3f} against −log 4 + 2 JS = {-LOG4 + 2 * js:.3f}; "
            f"max |D − D*| = {m['d_gap']:.2f} where the data and the samples live"]
    else:
        parts += [
            f"D judges packs of {pack}: V(D, G) = {v:.3f}, so (V + log 4) / 2 = "
            f"{m['v_bound']:.3f} is a lower bound on JS between packs of {pack} points "
            "(itself at least the JS above)",
            f"max |D − D*<sub>{pack}</sub>| = {m['d_gap']:.2f} on {pack} copies of a point, "
            f"D*<sub>{pack}</sub> = p<sup>{pack}</sup> / (p<sup>{pack}</sup> + "
            f"q<sup>{pack}</sup>)"]
    parts.append(f"KL(p<sub>data</sub> ‖ p<sub>g</sub>) = {m['kl_data_g']:.2f}, KL(p<sub>g</sub> "
                 f"‖ p<sub>data</sub>) = {m['kl_g_data']:.2f}")
    if math.isfinite(m.get("modes", math.nan)):
        whose = "samples of the averaged G" if averaged else "samples of G"
        parts.append(f"modes captured {int(m['modes'])}, high-quality samples "
                     f"{m['high_quality']:.0%} ({whose}; VEEGAN/PacGAN protocol, 2,500)")
    return "<br>".join(parts)


def _legend(pack: int = 1) -> str:
    bound = "(V + log 4)/2 ≤ JS" if pack == 1 else f"(V + log 4)/2 ≤ JS of packs of {pack}"
    entries = ((D_COLOR, "JS"), (G_COLOR, bound), (REAL, "modes (share)"),
               (FAKE, "high quality"))
    return "&nbsp;&nbsp;".join(f"<span style='color:#{r:02x}{g:02x}{b:02x}'>━ {t}</span>"
                              for (r, g, b), t in entries)


def _bounds_of(points: np.ndarray) -> tuple[float, float, float, float]:
    lo, hi = points.min(0), points.max(0)
    c, half = (lo + hi) / 2, max(float((hi - lo).max()) / 2 * 1.15, 1e-3)
    return (c[0] - half, c[0] + half, c[1] - half, c[1] + half)
