"""The game in numbers: V(D, G) on the probe batches, its equilibrium, the lower bound on JS it
gives, and a verdict from how far apart D's two histograms are (engine/quality/game.py)."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ganvis.app.theme import FAKE, REAL, hex_color
from ganvis.engine.family import family
from ganvis.engine.quality import game
from ganvis.engine.quality.game import LOG4, game_value, js_lower_bound, verdict


class GameView(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.text = QLabel("Waiting for the first snapshot…")
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setWordWrap(True)
        self.text.setToolTip(game.__doc__.split("\n\n", 1)[1].replace("\n", " "))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.text)
        layout.addStretch(1)

    def set_snapshot(self, snap) -> None:
        players = family(snap.model).players
        if players is None:
            self.text.setText("This model plays no game: it only learns to reconstruct (see "
                              "Reconstructions). The adversarial autoencoder (aae) adds an "
                              "adversary on its codes.")
            return
        if not len(snap.real_probs):
            self.text.setText("No game to show: this model was opened without its data set.")
            return
        rm, fm = float(snap.real_probs.mean()), float(snap.fake_probs.mean())
        # p_data -> p<sub>data</sub>; an AAE compares the prior p(z) with its codes' q(z)
        a, b = (re.sub(r"_(\w+)", r"<sub>\1</sub>", n) for n in players.compared)
        v = game_value(snap.real_probs, snap.fake_probs)
        said = verdict(snap.real_probs, snap.fake_probs, snap.step, players.real_short,
                       players.fake_short)
        self.text.setText(
            f"<b>{said}</b><br>"
            f"mean D: <span style='color:{hex_color(REAL)}'>{rm:.3f} {players.real_short}"
            f"</span>, <span style='color:{hex_color(FAKE)}'>{fm:.3f} {players.fake_short}"
            f"</span> (equilibrium: 0.5)<br>"
            f"V(D, G) = {v:.3f} (equilibrium: −log 4 = {-LOG4:.3f})<br>"
            f"JS({a} ‖ {b}) ≥ (V + log 4) / 2 = {js_lower_bound(v):.3f} "
            f"<span style='color:#8b929c'>(a lower bound, reached only when D is the optimal "
            f"D*; Step D moves D toward it; max log 2 = 0.693)</span>")
