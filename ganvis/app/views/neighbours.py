"""The memorisation check for one sample: its nearest training digits, in pixels and in the
evaluation classifier's features, with the distances beside a fresh real digit's typical one."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout, QWidget

from ganvis.app.theme import title_label
from ganvis.app.views.samples import ImagePane
from ganvis.engine.data import load_dataset
from ganvis.engine.files.images import tile
from ganvis.engine.quality.metrics import nearest_training, reference

K = 5


class NeighboursDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Nearest training digits")
        self.resize(620, 420)
        self.title = title_label("")
        self.pane = ImagePane()
        self.text = QLabel()
        self.text.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.pane, 1)
        layout.addWidget(self.text)
        self.result: dict | None = None

    def show_for(self, image: np.ndarray, data_name: str, what: str) -> None:
        """Find and show the neighbours of `image` (28 x 28 in [-1, 1]) among `data_name`'s
        training digits (the built-in sets: the classifier's training split)."""
        ref = reference(data_name)
        self.result = r = nearest_training(image, K, ref)
        images = load_dataset(data_name).images
        rows = [np.asarray(image, np.float32)[None]]
        for key in ("pixel", "feature"):
            rows.append(np.stack([images[i] for i, _ in r[key]]))
        grid = np.concatenate([rows[0], rows[1], rows[0], rows[2]])
        self.pane.show_pixels(tile(grid, cols=K + 1, pad=3, scale=2, background=40))
        near = r["pixel"][0][1]
        verdict = ("closer than fresh real digits are: look for a copy" if near < 0.5 *
                   r["held_out_nn"] else "no closer than fresh real digits are: not a copy")
        self.title.setText(f"{what}: left, then its {K} nearest training digits")
        self.text.setText(
            "Top row: nearest in pixels (distances "
            + ", ".join(f"{d:.2f}" for _, d in r["pixel"])
            + "). Bottom row: nearest in the classifier's features ("
            + ", ".join(f"{d:.2f}" for _, d in r["feature"])
            + f"). A held-out real digit lies {r['held_out_nn']:.2f} (pixels) from its nearest "
            f"training digit on average; this sample's nearest is {near:.2f}: {verdict}.")
        self.show()
        self.raise_()
