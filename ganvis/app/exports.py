"""Exporting a sample grid as PNG: rows, columns, scale and seed chosen in a dialog."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QMessageBox,
    QProgressDialog,
    QSpinBox,
    QWidget,
)

from ganvis.engine import GanvisError
from ganvis.engine.files.images import save_grid

CHUNK = 256


class GridExportDialog(QDialog):
    def __init__(self, parent: QWidget | None, shape: tuple[int, int], settings=None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Export sample grid")
        self.shape = shape
        self.settings = settings
        form = QFormLayout(self)
        self.rows = self._spin(1, 64, 8, "Rows of samples")
        self.cols = self._spin(1, 64, 8, "Columns of samples")
        self.scale = self._spin(1, 16, 2, "Each pixel becomes a scale x scale block (crisp)")
        self.seed = self._spin(0, 2**31 - 1, 0, "Which latent codes: the same seed gives the "
                               "same samples from the same model")
        if settings is not None:
            for name in ("rows", "cols", "scale", "seed"):
                v = settings.value(f"export/{name}")
                if v is not None:
                    getattr(self, name).setValue(int(v))
        self.size = QLabel()
        form.addRow("Rows", self.rows)
        form.addRow("Columns", self.cols)
        form.addRow("Pixel scale", self.scale)
        form.addRow("Seed", self.seed)
        form.addRow("Picture", self.size)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        for s in (self.rows, self.cols, self.scale):
            s.valueChanged.connect(self._update_size)
        self._update_size()

    def _spin(self, lo: int, hi: int, value: int, tip: str) -> QSpinBox:
        s = QSpinBox()
        s.setRange(lo, hi)
        s.setValue(value)
        s.setToolTip(tip)
        return s

    def _update_size(self) -> None:
        h, w = self.shape
        r, c, k = self.rows.value(), self.cols.value(), self.scale.value()
        self.size.setText(f"{r * c} samples, {c * w * k + (c + 1) * 2} x "
                          f"{r * h * k + (r + 1) * 2} pixels")

    def remember(self) -> None:
        if self.settings is not None:
            for name in ("rows", "cols", "scale", "seed"):
                self.settings.setValue(f"export/{name}", getattr(self, name).value())


def render_grid(sampler, n: int, seed: int, progress=None) -> np.ndarray | None:
    """n samples in chunks (so a long export can show progress and be cancelled)."""
    z = sampler.z(n, seed)
    out = []
    for i in range(0, n, CHUNK):
        out.append(sampler(z[i:i + CHUNK]))
        if progress is not None:
            progress.setValue(min(n, i + CHUNK))
            if progress.wasCanceled():
                return None
    return np.concatenate(out)


def export_grid_dialog(parent: QWidget, sampler, settings=None) -> str:
    """Ask for rows/columns/scale/seed and a file name, then write the grid."""
    dlg = GridExportDialog(parent, sampler.shape, settings)
    if dlg.exec() != QDialog.DialogCode.Accepted:
        return ""
    dlg.remember()
    path, _ = QFileDialog.getSaveFileName(parent, "Export sample grid", "samples.png",
                                          "PNG images (*.png)")
    if not path:
        return ""
    ok = write_grid(parent, sampler, path, dlg.rows.value(), dlg.cols.value(),
                    dlg.scale.value(), dlg.seed.value())
    return path if ok else ""


def write_grid(parent: QWidget, sampler, path: str, rows: int, cols: int, scale: int,
               seed: int) -> bool:
    """Generate rows x cols samples (with a progress dialog when it takes a while) and save
    them as one PNG, atomically. Errors are shown, never raised."""
    n = rows * cols
    progress = QProgressDialog("Generating samples…", "Cancel", 0, n, parent)
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.setMinimumDuration(300)
    images = render_grid(sampler, n, seed, progress)
    progress.close()
    if images is None:
        return False
    try:
        save_grid(path, images, cols=cols, scale=scale)
    except (OSError, GanvisError) as e:
        QMessageBox.warning(parent, "ganvis", f"Could not write {path}: {e}")
        return False
    if hasattr(parent, "statusBar"):
        parent.statusBar().showMessage(f"Saved {path} ({n} samples)", 5000)
    return True
