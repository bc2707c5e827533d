"""D(x) histograms for a real and a fake batch, and their waterfall over training time.

At the game's equilibrium D cannot tell real from fake and outputs 1/2 everywhere: both
distributions pile up on the dashed line. The waterfall shows how (or whether) they get there.
"""

from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF
from PySide6.QtWidgets import QVBoxLayout, QWidget

from ganvis.app.history import RunHistory
from ganvis.app.theme import (
    EQUILIBRIUM,
    FAKE,
    REAL,
    hex_color,
    pen,
    plot_widget,
    settle,
    title_label,
)
from ganvis.engine.quality.game import BINS, prob_hist

LEFT_WIDTH = 66  # room for 6-digit steps and the axis caption beside them


class HistogramView(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.title = title_label("Discriminator verdicts D(x)")
        self.hist = plot_widget("D(x)", "share", mouse=False)
        self.hist.setXRange(0, 1, padding=0.02)
        edges = np.linspace(0, 1, BINS + 1)
        self.real = self.hist.plot(edges, np.zeros(BINS), stepMode="center", fillLevel=0,
                                   brush=(*REAL, 90), pen=pen(REAL))
        self.fake = self.hist.plot(edges, np.zeros(BINS), stepMode="center", fillLevel=0,
                                   brush=(*FAKE, 90), pen=pen(FAKE))
        self.hist.addItem(pg.InfiniteLine(0.5, angle=90, pen=pen(EQUILIBRIUM, 1, dashed=True),
                                          label="½", labelOpts={"position": 0.92}))
        self.fall = plot_widget("D(x)", "training step", mouse=False)
        self.fall.invertY(True)
        self.fall_item = pg.ImageItem(axisOrder="row-major")
        self.fall.addItem(self.fall_item)
        self.fall.addItem(pg.InfiniteLine(0.5, angle=90, pen=pen(EQUILIBRIUM, 1, dashed=True)))
        self.fall.setXRange(0, 1, padding=0.02)
        for plot in (self.hist, self.fall):  # one width: the two D = 1/2 lines line up
            plot.getAxis("left").setWidth(LEFT_WIDTH)
        self.fall_hint = pg.TextItem(color=(150, 150, 150), anchor=(0.5, 0.5),
                                     fill=(22, 24, 29, 230))
        self.fall.addItem(self.fall_hint, ignoreBounds=True)
        self.fall_hint.setPos(0.5, 0.5)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addWidget(self.hist, 3)
        layout.addWidget(self.fall, 4)
        self.last_probs: tuple[np.ndarray, np.ndarray] | None = None
        self.players = None
        self.set_players(None)
        self._show_empty_waterfall()

    def set_family(self, family, data: str) -> None:
        """What D is shown, in the words of `family` for the data set `data`."""
        self.set_players(family.players_for(data))

    def set_players(self, players) -> None:
        """What D is shown, in the family's words (engine Players; None: no adversary)."""
        self.players = players
        if players is None:
            self.labels = ("", "")
            for plot in (self.hist, self.fall):
                plot.setLabel("bottom", "no discriminator in this model")
            self.title.setToolTip("")
            self.fall_hint.setText("No discriminator: no verdicts to show.")
            return
        p = players
        self.labels = (p.real, p.fake)
        self.hist.setLabel("bottom", f"{p.verdict}: {p.meaning}")
        self.fall.setLabel("bottom", p.verdict)
        self.title.setToolTip(f"{p.verdict} is {p.meaning}. At equilibrium D cannot tell "
                              f"{p.real_short} from {p.fake_short}: {p.verdict} is 1/2 for both.")
        self.fall_hint.setText(f"The waterfall fills in as training runs:\none row per "
                               f"snapshot, time running down;\nblue: {p.real_short}, "
                               f"orange: {p.fake_short}")

    def set_probs(self, real_probs: np.ndarray, fake_probs: np.ndarray) -> None:
        self.last_probs = (real_probs, fake_probs)
        if not len(real_probs):
            self.real.setData(np.linspace(0, 1, BINS + 1), np.zeros(BINS))
            self.fake.setData(np.linspace(0, 1, BINS + 1), np.zeros(BINS))
            self.title.setText("No discriminator verdicts to show for this model")
            return
        edges = np.linspace(0, 1, BINS + 1)
        self.real.setData(edges, prob_hist(real_probs))
        self.fake.setData(edges, prob_hist(fake_probs))
        real, fake = self.labels
        self.title.setText(
            f"D on <span style='color:{hex_color(REAL)}'>■ {real}</span> "
            f"(mean {real_probs.mean():.2f}) and on <span style='color:{hex_color(FAKE)}'>"
            f"■ {fake}</span> (mean {fake_probs.mean():.2f})")
        settle(self.hist)

    def set_waterfall(self, history: RunHistory) -> None:
        wf = history.waterfall()
        if wf is None:
            self._show_empty_waterfall()
            return
        img, first, last = wf
        self.fall_hint.setVisible(False)
        self.fall.getAxis("left").setTicks(None)
        self.fall_item.setImage(img, autoLevels=False, levels=(0, 255))
        self.fall_item.setRect(QRectF(0.0, first, 1.0, max(last - first, 1.0)))
        self.fall.setYRange(first, max(last, first + 1), padding=0)
        settle(self.fall)

    def _show_empty_waterfall(self) -> None:
        """Before two snapshots: no rows, so no step values on the axis (not a made-up range),
        and the hint in the middle."""
        if self.fall_item.image is not None:
            self.fall_item.clear()
        self.fall.getAxis("left").setTicks([[]])
        self.fall.setYRange(0, 1, padding=0)
        self.fall_hint.setVisible(True)
