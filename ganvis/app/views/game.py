"""The game in numbers: V(D, G) on the probe batches, its equilibrium, and the JS estimate.

For a fixed G the best discriminator gives V = -log 4 + 2 JS(p_data || p_g) (Goodfellow et al.,
Theorem 1), so (V + log 4) / 2 estimates the Jensen-Shannon divergence when D is near its
optimum. Stepping D alone a few times moves it toward that optimum.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from ganvis.app.theme import FAKE, REAL, hex_color

LOG4 = math.log(4.0)
EPS = 1e-7


def game_value(real_probs: np.ndarray, fake_probs: np.ndarray) -> float:
    """V(D, G) = E[log D(x)] + E[log(1 - D(G(z)))] estimated on the probe batches."""
    r = np.clip(real_probs.astype(np.float64), EPS, 1 - EPS)
    f = np.clip(fake_probs.astype(np.float64), EPS, 1 - EPS)
    return float(np.log(r).mean() + np.log1p(-f).mean())


def verdict(real_mean: float, fake_mean: float, step: int = 1) -> str:
    if step == 0:
        return "Not started: D's verdicts are those of random weights. Press Train."
    if abs(real_mean - 0.5) < 0.1 and abs(fake_mean - 0.5) < 0.1:
        return "Near equilibrium: D can hardly tell real from fake."
    if real_mean - fake_mean > 0.3:
        return "D is winning: it tells real from fake easily."
    if fake_mean > real_mean:
        return "G is fooling D: fakes look more real to D than real digits do."
    return "Contested: D leans the right way, but not by much."


class GameView(QWidget):
    def __init__(self) -> None:
        super().__init__()
        self.text = QLabel("Waiting for the first snapshot…")
        self.text.setTextFormat(Qt.TextFormat.RichText)
        self.text.setWordWrap(True)
        self.text.setToolTip(__doc__.split("\n\n", 1)[1].replace("\n", " "))
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.text)
        layout.addStretch(1)

    def set_snapshot(self, snap) -> None:
        if snap.model == "ae":
            self.text.setText("A plain autoencoder plays no game: it only learns to reconstruct "
                              "(see Reconstructions). The aae adds an adversary on its codes.")
            return
        if not len(snap.real_probs):
            self.text.setText("No game to show: this model was opened without its data set.")
            return
        rm, fm = float(snap.real_probs.mean()), float(snap.fake_probs.mean())
        v = game_value(snap.real_probs, snap.fake_probs)
        js = max(0.0, (v + LOG4) / 2)
        # An AAE's game is played in the latent space: prior samples are "real", codes "fake".
        real, fake = ("prior samples", "codes") if snap.model in ("aae", "saae") else (
            "real", "fake")
        self.text.setText(
            f"<b>{verdict(rm, fm, snap.step)}</b><br>"
            f"mean D: <span style='color:{hex_color(REAL)}'>{rm:.3f} {real}</span>, "
            f"<span style='color:{hex_color(FAKE)}'>{fm:.3f} {fake}</span> "
            f"(equilibrium: 0.5)<br>"
            f"V(D, G) = {v:.3f} (equilibrium: −log 4 = {-LOG4:.3f})<br>"
            f"JS(p<sub>data</sub> ‖ p<sub>g</sub>) ≈ (V + log 4) / 2 = {js:.3f} "
            f"<span style='color:#8b929c'>(if D were optimal; max log 2 = 0.693)</span>")
