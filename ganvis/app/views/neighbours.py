"""The memorisation check for one sample: its nearest training images in pixels (any image
data set) and, for the built-in digits, in the evaluation classifier's features, with the
distances beside the typical distance between real images."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from PySide6.QtWidgets import QDialog, QLabel, QVBoxLayout, QWidget

from ganvis.app.theme import title_label
from ganvis.app.views.samples import ImagePane, SampleGridView
from ganvis.engine.config import RunConfig
from ganvis.engine.data import BUILTIN, load_dataset
from ganvis.engine.errors import GanvisError
from ganvis.engine.family import family
from ganvis.engine.files.images import tile
from ganvis.engine.quality.metrics import nearest_training, reference
from ganvis.engine.quality.pixels import nearest_pixels, pixel_reference

K = 5
NO_JUDGE = ("Nearest in features is shown for the built-in digits only (in the features of "
            "their shipped judge, the evaluation classifier); here, pixels.")


class NeighboursDialog(QDialog):
    def __init__(self, parent: QWidget | None = None,
                 on_failed: Callable[[str], None] | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Nearest training images")
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
        self.on_failed = on_failed  # where an error goes (the window's error box)

    def show_sample(self, samples: SampleGridView, config: RunConfig | None, index: int) -> None:
        """The check for the grid's sample `index`, of the run `config` describes. Images only:
        a 2-D run's samples are points, with nothing to look up."""
        if samples.images is None or config is None or family(config.model).data.name != "images":
            return
        try:
            self.show_for(samples.images[index], config.data,
                          f"Sample {index + 1} at step {samples.step:,}")
        except GanvisError as e:
            if self.on_failed is None:
                raise
            self.on_failed(str(e))

    def show_for(self, image: np.ndarray, data_name: str, what: str) -> None:
        """Find and show the neighbours of `image` (in [-1, 1]) among `data_name`'s training
        images: in pixels and features for the built-in digits (the classifier's training
        split), in pixels for any other data set."""
        if data_name in BUILTIN:
            self._digits(image, data_name, what)
        else:
            self._pixels(image, data_name, what)
        self.show()
        self.raise_()

    def forget(self) -> None:
        """Clear and close: the run these neighbours belonged to is gone (reset, or another
        run opened), and a discarded model's sample must not stay on show."""
        self.result = None
        self.pane.item.clear()
        self.pane.pixels = None
        self.title.setText("")
        self.text.setText("")
        self.hide()

    def _digits(self, image: np.ndarray, data_name: str, what: str) -> None:
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
        self.setWindowTitle("Nearest training digits")
        self.title.setText(f"{what}: left, then its {K} nearest training digits")
        self.text.setText(
            "Top row: nearest in pixels (distances "
            + ", ".join(f"{d:.2f}" for _, d in r["pixel"])
            + "). Bottom row: nearest in the classifier's features ("
            + ", ".join(f"{d:.2f}" for _, d in r["feature"])
            + f"). A held-out real digit lies {r['held_out_nn']:.2f} (pixels) from its nearest "
            f"training digit on average; this sample's nearest is {near:.2f}: {verdict}.")

    def _pixels(self, image: np.ndarray, data_name: str, what: str) -> None:
        ref = pixel_reference(data_name)
        self.result = r = nearest_pixels(image, K, ref)
        grid = np.concatenate([np.asarray(image, np.float32)[None],
                               np.stack([ref.images[i] for i, _ in r["pixel"]])])
        scale = 2 if max(grid.shape[1:]) <= 64 else 1
        self.pane.show_pixels(tile(grid, cols=len(grid), pad=3, scale=scale, background=40))
        near, real = r["pixel"][0][1], r["held_out_nn"]
        n = len(r["pixel"])
        self.setWindowTitle("Nearest training images")
        self.title.setText(f"{what}: left, then its {n} nearest training images in pixels")
        text = ("Pixel distances (Euclidean, pixels in [-1, 1]): "
                + ", ".join(f"{d:.2f}" for _, d in r["pixel"]) + ".")
        if real is not None:
            verdict = ("closer than real images are to each other: look for a copy"
                       if near < 0.5 * real else
                       "no closer than real images are to each other: not a copy")
            text += (f" A training image lies {real:.2f} from its nearest other training image "
                     f"on average ({r['measured']} measured); this sample's nearest is "
                     f"{near:.2f}: {verdict}.")
        self.text.setText(f"{text} {NO_JUDGE}")
