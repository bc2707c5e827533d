"""Look and feel: a dark Fusion palette, pyqtgraph colours, and the colours of real vs fake."""

from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QLabel, QSizePolicy, QSpinBox

REAL = (86, 170, 255)  # data / D(x) on real images
FAKE = (255, 152, 48)  # generator / D(G(z)) on fakes
D_COLOR = (235, 87, 87)
G_COLOR = (102, 204, 120)
RECON_COLOR = (190, 140, 255)
EQUILIBRIUM = (200, 200, 200)
# The latent scatter's prior samples: a hue none of the ten digit colours (matplotlib's tab10,
# grey among them) comes near, so the prior never reads as one digit's codes.
PRIOR_COLOR = (140, 235, 190)
BACKGROUND = "#16181d"
FOREGROUND = "#c9ced6"


def apply_theme(app: QApplication) -> None:
    pg.setConfigOptions(background=BACKGROUND, foreground=FOREGROUND, antialias=True,
                        imageAxisOrder="row-major")
    app.setStyle("Fusion")
    p = QPalette()
    base, window, text = QColor("#1e2127"), QColor("#262a31"), QColor("#e3e6ea")
    for role, color in (
        (QPalette.ColorRole.Window, window), (QPalette.ColorRole.WindowText, text),
        (QPalette.ColorRole.Base, base), (QPalette.ColorRole.AlternateBase, window),
        (QPalette.ColorRole.ToolTipBase, QColor("#2f343c")),
        (QPalette.ColorRole.ToolTipText, text), (QPalette.ColorRole.Text, text),
        (QPalette.ColorRole.Button, window), (QPalette.ColorRole.ButtonText, text),
        (QPalette.ColorRole.BrightText, QColor("#ff6b6b")),
        (QPalette.ColorRole.Highlight, QColor("#3d7bd9")),
        (QPalette.ColorRole.HighlightedText, QColor("#ffffff")),
        (QPalette.ColorRole.Link, QColor(*REAL)),
        (QPalette.ColorRole.PlaceholderText, QColor("#7d8590")),
    ):
        p.setColor(role, color)
    for role in (QPalette.ColorRole.WindowText, QPalette.ColorRole.Text,
                 QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6b717b"))
    app.setPalette(p)
    app.setStyleSheet(
        "QToolTip { border: 1px solid #4a505a; padding: 4px; }"
        "QDockWidget::title { padding: 4px; background: #2c3038; }"
        "QLabel#banner { background: #5a4a1a; color: #ffe9a8; padding: 6px; border-radius: 4px; }"
        "QLabel#viewTitle { font-weight: bold; padding: 2px 4px; }"
        "QToolButton#trainButton { background: #2f6f3e; color: white; font-weight: bold;"
        " padding: 4px 14px; border-radius: 4px; }"
        "QToolButton#trainButton:hover { background: #398a4c; }"
        "QPushButton#digitButton:checked { background: #3d7bd9; color: white;"
        " font-weight: bold; border: 1px solid #8fb6ff; border-radius: 3px; }"
    )


def pen(color: tuple[int, int, int], width: float = 2.0, dashed: bool = False):
    from PySide6.QtCore import Qt

    return pg.mkPen(color=color, width=width,
                    style=Qt.PenStyle.DashLine if dashed else Qt.PenStyle.SolidLine)


def plot_widget(xlabel: str, ylabel: str, mouse: bool = True) -> pg.PlotWidget:
    """A PlotWidget with plain numbers on its axes (no SI-prefix rescaling)."""
    p = pg.PlotWidget()
    for axis in ("left", "bottom"):
        # Before setLabel: pyqtgraph picks the prefix scale once, while the label is hidden.
        p.getAxis(axis).enableAutoSIPrefix(False)
    p.setLabel("bottom", xlabel)
    p.setLabel("left", ylabel)
    p.setMouseEnabled(x=mouse, y=mouse)
    return p


def settle(*plots: pg.PlotWidget) -> None:
    """Fit ranges and place items now, after new data, rather than in the paint: settled during
    a paint, the moved items ask for a second paint of every plot (measured: 2 paints per plot
    per redraw instead of 1)."""
    for p in plots:
        p.scene().prepareForPaint()


def clock(seconds: float, tenths: bool = False) -> str:
    """Training time as h:mm:ss or m:ss; with `tenths`, under a minute as "12.3 s"."""
    m, s = divmod(int(round(seconds) if tenths else seconds), 60)
    h, m = divmod(m, 60)
    if h:
        return f"{h}:{m:02d}:{s:02d}"
    return f"{seconds:.1f} s" if tenths and not m else f"{m}:{s:02d}"


def hex_color(rgb: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def title_label(text: str) -> QLabel:
    """A view's bold title; it wraps onto a second line rather than widen its dock."""
    label = QLabel(text)
    label.setObjectName("viewTitle")
    label.setWordWrap(True)
    label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
    label.setMinimumWidth(50)
    label.setToolTip(text)
    return label


def spin_box(lo: int, hi: int, value: int, tip: str, on_change=None) -> QSpinBox:
    """An integer field with its range, start value and tooltip (and a slot, if given)."""
    s = QSpinBox()
    s.setRange(lo, hi)
    s.setValue(value)
    s.setToolTip(tip)
    if on_change is not None:
        s.valueChanged.connect(on_change)
    return s
