"""The supervised AAE's style x digit panel: rows of styles drawn as every digit, and "your
hand": a drawing (or a data-set image) whose style the encoder reads and the decoder writes
as all ten digits."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from ganvis.app.theme import spin_box
from ganvis.app.views.canvas import DrawingCanvas
from ganvis.app.views.samples import ImagePane
from ganvis.engine.data import load_dataset
from ganvis.engine.errors import GanvisError
from ganvis.engine.files.images import tile

STYLE_ROWS = 6
MIN_DIGIT_PX = 22  # a digit of the grid is never drawn smaller than this


def _wrapped(text: str) -> QLabel:
    label = QLabel(text)
    label.setWordWrap(True)  # never widens its dock
    return label


def _spin(owner: QWidget, lo: int, hi: int, value: int, tip: str) -> QSpinBox:
    return spin_box(lo, hi, value, tip, owner.render_again)


class StyleDigitPanel(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.sampler = None
        w = self
        self.style_seed = _spin(self, 0, 2**31 - 1, 0, "Seed of the styles in the rows")
        self.style_rows = _spin(self, 1, 20, STYLE_ROWS, "How many styles (rows)")
        form = QHBoxLayout()  # one line: the grid below gets the height
        for label, widget in (("styles from seed", self.style_seed), ("rows", self.style_rows)):
            form.addWidget(QLabel(label))
            form.addWidget(widget)
        form.addStretch(1)
        self.style_pane = ImagePane()
        # at least 20 screen pixels a digit for the default six rows, whatever the hand takes
        self.style_pane.setMinimumSize(10 * MIN_DIGIT_PX, STYLE_ROWS * MIN_DIGIT_PX)
        layout = QVBoxLayout(w)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(form)
        layout.addWidget(_wrapped("Each row is one style z; the columns are the digits 0-9."))
        layout.addWidget(self.style_pane, 1)
        layout.addWidget(_wrapped("Your hand: draw a digit (or take one from the data set); "
                                  "the encoder reads its style and the decoder writes 0-9 in "
                                  "it."))
        layout.addLayout(self._hand_row())
        layout.addWidget(self.hand_pane)

    def _hand_row(self) -> QHBoxLayout:
        self.canvas = DrawingCanvas()
        self.canvas.stroke_finished.connect(self._on_drawn)
        clear = QPushButton("Clear")
        clear.setToolTip("Wipe the drawing")
        clear.clicked.connect(self.canvas.clear)
        self.image_index = QSpinBox()
        self.image_index.setRange(0, 10**7)
        self.image_index.setToolTip("An image of the model's data set, by index")
        use = QPushButton("Use data-set image")
        use.setToolTip("Take the style of this data-set image instead of the drawing")
        use.clicked.connect(self.use_dataset_image)
        self.hand_note = QLabel("")
        self.hand_note.setWordWrap(True)
        buttons = QVBoxLayout()
        for widget in (clear, QLabel("data-set image"), self.image_index, use, self.hand_note):
            buttons.addWidget(widget)
        buttons.addStretch(1)
        self.hand_pane = ImagePane()  # the input and its style as 0-9, in one row below
        self.hand_pane.setFixedHeight(2 * MIN_DIGIT_PX + 8)
        self.hand_images: np.ndarray | None = None
        row = QHBoxLayout()
        row.addWidget(self.canvas)
        row.addLayout(buttons, 1)
        return row

    def forget(self) -> None:
        """Another run took the window: its decoder's "your hand" output goes with it."""
        self.canvas.clear()
        self.hand_images = None
        self.hand_pane.item.clear()
        self.hand_pane.pixels = None
        self.hand_note.setText("")

    def render_again(self, *_) -> None:
        if self.sampler is not None:
            self.render(self.sampler)

    def render(self, sampler) -> None:
        """Draw the style x digit grid for this decoder."""
        self.sampler = sampler
        styles = sampler.z(self.style_rows.value(), self.style_seed.value())
        z = np.repeat(styles, 10, axis=0)
        images = sampler(z, np.tile(np.arange(10), len(styles)))
        self.style_pane.show_pixels(tile(images, cols=10, pad=2, background=40))

    def _on_drawn(self) -> None:
        if not self.canvas.is_blank():
            self.render_hand(self.canvas.digit())

    def use_dataset_image(self) -> None:
        if self.sampler is None:
            return
        try:
            ds = load_dataset(self.sampler.config.data)
        except GanvisError as e:
            self.hand_note.setText(f"The data set is not here: {e}")
            return
        i = self.image_index.value()
        if i >= ds.size:
            self.hand_note.setText(f"{ds.name} holds images 0 to {ds.size - 1}")
            return
        self.render_hand(np.array(ds.images[i]))

    def render_hand(self, image: np.ndarray) -> None:
        """Encode one (28, 28) image's style and draw all ten digits in it."""
        s = self.sampler
        if s is None or not s.conditional or s.encoder is None:
            return
        style = s.encode(image[None])
        self.hand_images = s(np.repeat(style, s.num_classes, axis=0), np.arange(s.num_classes))
        shown = np.concatenate([np.asarray(image, np.float32)[None], self.hand_images])
        self.hand_pane.show_pixels(tile(shown, cols=len(shown), pad=2, background=40))
        self.hand_note.setText("left: the input; then its style as 0-9")
