"""Explore's Dimensions tab: a code z from a seed, eight of its dimensions on sliders (each
ranged to where the prior's mass lies, with its value beside it), and the image it decodes to."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from ganvis.app.theme import spin_box
from ganvis.app.views.samples import ImagePane
from ganvis.engine.latent.priors import prior_extent

SLIDERS = 8  # latent dimensions with a slider at once
TICKS = 100  # slider positions per unit of z


class DimensionsPanel(QWidget):
    """`changed()` is called when z changes; `take()` asks for the interpolation's code."""

    def __init__(self, changed: Callable[[], None], take: Callable[[], None]) -> None:
        super().__init__()
        self.changed = changed
        self.sampler = None
        self.z_dims: np.ndarray | None = None
        self.base_seed = spin_box(0, 2**31 - 1, 1, "The code z the sliders start from",
                                  self.reset_sliders)
        self.first_dim = spin_box(0, 0, 0, "The first of the dimensions the sliders move",
                                  self.sync_sliders)  # edits are kept
        reset = QPushButton("Reset sliders")
        reset.setToolTip("Put every slider back to the starting code's value")
        reset.clicked.connect(self.reset_sliders)
        taken = QPushButton("Take the interpolated z")
        taken.setToolTip("Start the sliders from the code the Interpolate tab shows now")
        taken.clicked.connect(take)
        top = QHBoxLayout()
        top.addWidget(QLabel("start from seed"))
        top.addWidget(self.base_seed)
        self.first_label = QLabel("first dimension")
        top.addWidget(self.first_label)
        top.addWidget(self.first_dim)
        top.addStretch(1)
        buttons = QHBoxLayout()  # a row of their own: the view stays narrow enough to dock
        buttons.addWidget(reset)
        buttons.addWidget(taken)
        buttons.addStretch(1)
        grid = QGridLayout()
        self.dim_labels: list[QLabel] = []
        self.dim_sliders: list[QSlider] = []
        self.dim_values: list[QLabel] = []
        for i in range(SLIDERS):
            label, value = QLabel(f"z{i + 1}"), QLabel("0.00")
            value.setMinimumWidth(value.fontMetrics().horizontalAdvance("−0.00 "))
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            s = QSlider(Qt.Orientation.Horizontal)
            s.valueChanged.connect(partial(self._on_dim, i))
            for col, w in enumerate((label, s, value)):
                grid.addWidget(w, i, col)
            self.dim_labels.append(label)
            self.dim_sliders.append(s)
            self.dim_values.append(value)
        self.pane = ImagePane()
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(buttons)
        layout.addLayout(grid)
        layout.addWidget(self.pane, 1)

    def set_sampler(self, sampler, new_space: bool) -> None:
        self.sampler = sampler
        if new_space:
            dims = sampler.latent_dim
            self.first_dim.setMaximum(max(0, dims - SLIDERS))
            self.first_label.setVisible(dims > SLIDERS)
            self.first_dim.setVisible(dims > SLIDERS)
            self.reset_sliders()

    def reset_sliders(self, *_) -> None:
        if self.sampler is None:
            return
        self.z_dims = self.sampler.z(1, self.base_seed.value())[0]
        self.sync_sliders()

    def set_z(self, z: np.ndarray) -> None:
        self.z_dims = z
        self.sync_sliders()

    def sync_sliders(self, *_) -> None:
        """Show the dimensions first_dim.. of z_dims on the sliders (without moving z), each
        ranged to its prior's extent."""
        if self.sampler is None or self.z_dims is None:
            return
        first, prior = self.first_dim.value(), self.sampler.config.prior
        for i, (label, s, value) in enumerate(zip(self.dim_labels, self.dim_sliders,
                                                  self.dim_values)):
            dim = first + i
            visible = dim < self.sampler.latent_dim
            for w in (label, s, value):
                w.setVisible(visible)
            if visible:
                label.setText(f"z{dim + 1}")
                reach = prior_extent(prior, dim)
                s.setToolTip(f"z{dim + 1}: from {-reach:g} to {reach:g}, where the "
                             f"{prior} prior puts its samples")
                s.blockSignals(True)
                s.setRange(-int(reach * TICKS), int(reach * TICKS))
                s.setValue(int(round(float(np.clip(self.z_dims[dim], -reach, reach)) * TICKS)))
                s.blockSignals(False)
                value.setText(f"{self.z_dims[dim]:.2f}")
        self.changed()

    def _on_dim(self, i: int, position: int) -> None:
        """Slider i moved: set its one dimension (the others keep their exact values)."""
        dim = self.first_dim.value() + i
        if self.z_dims is None or dim >= len(self.z_dims):
            return
        self.z_dims[dim] = position / TICKS
        self.dim_values[i].setText(f"{self.z_dims[dim]:.2f}")
        self.changed()
