"""Exploring a generator: interpolate between two codes, drag single latent dimensions, and
(for a supervised AAE) set the digit and the style by hand.

Works on a Sampler, the frozen CPU copy of the generator (or AAE decoder) that arrives with
each snapshot, so it never touches the training networks. Slider moves only mark the view
dirty; a 16 ms timer redraws at most once per frame, so a burst of drags costs one render.
"""

from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from ganvis.app.theme import spin_box, title_label
from ganvis.app.views.dimensions import DimensionsPanel
from ganvis.app.views.samples import ImagePane
from ganvis.app.views.style import StyleDigitPanel
from ganvis.engine.family import family
from ganvis.engine.files.images import tile
from ganvis.engine.latent.paths import interpolate, path

T_STEPS = 1000  # the t slider's resolution
STRIP = 9  # frames in the interpolation strip, ends included


class ExploreView(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.sampler = None
        self.title = title_label("Explore: appears when there is a generator to explore.")
        self.digits = QButtonGroup(self)
        self.digits.setExclusive(True)
        digit_row = QHBoxLayout()
        self.digit_label = QLabel("Digit:")
        digit_row.addWidget(self.digit_label)
        for d in range(10):
            b = QPushButton(str(d))
            b.setCheckable(True)
            b.setObjectName("digitButton")
            b.setFixedWidth(30)
            b.setToolTip(f"Draw the digit {d} (supervised AAE: the code keeps only the style)")
            self.digits.addButton(b, d)
            digit_row.addWidget(b)
        digit_row.addStretch(1)
        self.digits.button(0).setChecked(True)
        self.digits.idToggled.connect(self._mark)
        self.digit_widgets = [self.digit_label, *self.digits.buttons()]
        self.tabs = QTabWidget()
        self.tabs.addTab(self._interpolation_tab(), "Interpolate")
        self.dims = DimensionsPanel(self._mark, self.take_interpolated)
        self.tabs.addTab(self.dims, "Dimensions")
        self.style_tab = StyleDigitPanel()
        self.tabs.currentChanged.connect(self._mark)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addLayout(digit_row)
        layout.addWidget(self.tabs, 1)
        self._dirty = False
        self.meter = None  # a busy.RedrawMeter to tell what rendering costs, if any
        self.frame: np.ndarray | None = None  # the last image drawn large, floats in [-1, 1]
        # Renders on demand: a change starts this one-shot timer, so a burst of slider moves
        # draws once, and an idle view costs the GUI thread nothing.
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(16)
        self.timer.timeout.connect(self._on_timer)
        self._show_digits(False)

    # --- construction ----------------------------------------------------------------------

    def _spin(self, lo: int, hi: int, value: int, tip: str) -> QSpinBox:
        return spin_box(lo, hi, value, tip, self._mark)

    def _interpolation_tab(self) -> QWidget:
        w = QWidget()
        self.seed_a = self._spin(0, 2**31 - 1, 1, "Sample A: the seed of its code z_A")
        self.seed_b = self._spin(0, 2**31 - 1, 2, "Sample B: the seed of its code z_B")
        self.mode = QComboBox()
        self.mode.addItem("linear", "linear")
        self.mode.addItem("spherical (slerp)", "spherical")
        self.mode.setToolTip("Linear: the straight line from z_A to z_B. Spherical: the great "
                             "circle, which keeps a Gaussian code's length typical on the way.")
        self.mode.currentIndexChanged.connect(self._mark)
        self.t = QSlider(Qt.Orientation.Horizontal)
        self.t.setRange(0, T_STEPS)
        self.t.setToolTip("t: 0 shows sample A, 1 shows sample B; drag to walk between them")
        self.t.valueChanged.connect(self._mark)
        self.t_label = QLabel("t = 0.00")
        form = QGridLayout()  # two rows: the view stays narrow enough to share a dock column
        for i, (label, widget) in enumerate((("A seed", self.seed_a), ("B seed", self.seed_b),
                                             ("path", self.mode))):
            form.addWidget(QLabel(label), i // 2, 2 * (i % 2))
            form.addWidget(widget, i // 2, 2 * (i % 2) + 1)
        form.setColumnStretch(4, 1)
        slider_row = QHBoxLayout()
        slider_row.addWidget(QLabel("A"))
        slider_row.addWidget(self.t, 1)
        slider_row.addWidget(QLabel("B"))
        slider_row.addWidget(self.t_label)
        self.frame_pane = ImagePane()
        self.strip_pane = ImagePane()
        self.strip_pane.setMaximumHeight(90)
        layout = QVBoxLayout(w)
        layout.addLayout(form)
        layout.addLayout(slider_row)
        layout.addWidget(self.frame_pane, 1)
        layout.addWidget(QLabel(f"The path in {STRIP} steps, A to B:"))
        layout.addWidget(self.strip_pane)
        return w

    # --- the sampler ---------------------------------------------------------------------

    def set_sampler(self, sampler) -> None:
        """Explore this generator from now on (called with every snapshot's fresh copy)."""
        old = self.sampler
        self.sampler = sampler
        self.style_tab.sampler = sampler
        if sampler is None:
            return
        same_space = old is not None and old.latent_dim == sampler.latent_dim and \
            old.conditional == sampler.conditional and old.config.prior == sampler.config.prior
        if not same_space:
            self._show_digits(sampler.conditional)
        self.dims.set_sampler(sampler, not same_space)
        self.title.setText(f"Explore the {family(sampler.config.model).title} at step "
                           f"{sampler.step:,}: "
                           f"{sampler.latent_dim}-D codes from the {sampler.config.prior} prior")
        self._mark()

    def _show_digits(self, on: bool) -> None:
        for w in self.digit_widgets:
            w.setVisible(on)
        has_tab = self.tabs.indexOf(self.style_tab) >= 0
        if on and not has_tab:
            self.tabs.addTab(self.style_tab, "Style × digit")
        elif not on and has_tab:
            self.tabs.removeTab(self.tabs.indexOf(self.style_tab))

    def digit(self) -> int:
        return max(0, self.digits.checkedId())

    def _decode(self, z: np.ndarray) -> np.ndarray:
        s = self.sampler
        digits = np.full(len(z), self.digit()) if s.conditional else None
        return s(z, digits)

    # --- interaction -----------------------------------------------------------------------

    def _mark(self, *_) -> None:
        self._dirty = True
        if not self.timer.isActive():
            self.timer.start()

    def on_screen(self) -> bool:
        """Shown and not covered (a dock tab behind another counts as hidden): decoding for a
        view nobody sees would take the training thread's time."""
        return self.isVisible() and not self.visibleRegion().isEmpty()

    def _on_timer(self) -> None:
        if self._dirty and self.on_screen():
            began = time.perf_counter()
            self.render_now()
            if self.meter is not None:  # in the main window: a new sampler's decode counts
                self.meter.add(began)

    def shown(self, visible: bool = True) -> None:
        """The view came into sight (its dock's tab was picked): draw what changed meanwhile."""
        if visible and self._dirty:
            self.timer.start()

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 (Qt's name)
        super().showEvent(event)
        self.shown()

    def take_interpolated(self) -> None:
        """Move the sliders to the interpolation's current code, to edit it by hand."""
        if self.sampler is None:
            return
        a, b = self.codes()
        self.dims.set_z(interpolate(a, b, self.t.value() / T_STEPS, self.mode.currentData()))
        self.tabs.setCurrentIndex(1)

    def codes(self) -> tuple[np.ndarray, np.ndarray]:
        """The codes of sample A and sample B."""
        s = self.sampler
        return s.z(1, self.seed_a.value())[0], s.z(1, self.seed_b.value())[0]

    def render_now(self) -> None:
        """Draw the current tab from the current settings (the timer calls this)."""
        self._dirty = False
        if self.sampler is None:
            return
        tab = self.tabs.currentIndex()
        if tab == 0:
            self._render_interpolation()
        elif tab == 1 and self.dims.z_dims is not None:
            self.frame = self._decode(self.dims.z_dims[None].copy())[0]
            self.dims.pane.show_pixels(tile(self.frame[None], cols=1, pad=0))
        elif self.tabs.widget(tab) is self.style_tab:
            self.style_tab.render(self.sampler)

    def _render_interpolation(self) -> None:
        t = self.t.value() / T_STEPS
        self.t_label.setText(f"t = {t:.2f}")
        a, b = self.codes()
        mode = self.mode.currentData()
        self.frame = self._decode(interpolate(a, b, t, mode)[None])[0]
        self.frame_pane.show_pixels(tile(self.frame[None], cols=1, pad=0))
        strip = self._decode(path(a, b, STRIP, mode))
        self.strip_pane.show_pixels(tile(strip, cols=STRIP, pad=2, background=40))
