"""Exports from the window: a sample grid as PNG (rows, columns, scale and seed chosen in a
dialog) and the generator as ONNX (converted off the GUI thread)."""

from __future__ import annotations

import copy
import threading

import numpy as np
from PySide6.QtCore import QEventLoop, Qt
from PySide6.QtWidgets import (
    QApplication,
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

from ganvis.app.messages import tell
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
        add_save_cancel(self, form)
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


def add_save_cancel(dialog: QDialog, form: QFormLayout) -> None:
    """Save and Cancel buttons as the form's last row."""
    buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                               | QDialogButtonBox.StandardButton.Cancel)
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    form.addRow(buttons)


def export_onnx_dialog(parent: QWidget, sampler, path: str | None = None) -> str:
    """Ask for a file name and write the generator as ONNX; the conversion (seconds) runs on
    a thread of its own, on a private copy of the generator (the exporter swaps a module's
    parameters while it traces, so the sliders must not share it), while a busy dialog shows.
    Errors are shown, never raised."""
    from ganvis.engine.store.onnx_export import export_generator

    if not path:
        path, _ = QFileDialog.getSaveFileName(parent, "Export generator as ONNX",
                                              "generator.onnx", "ONNX models (*.onnx)")
    if not path:
        return ""
    private = copy.copy(sampler)
    private.G = copy.deepcopy(sampler.G)
    progress = QProgressDialog("Converting the generator to ONNX…", None, 0, 0, parent)
    progress.setWindowModality(Qt.WindowModality.WindowModal)
    progress.show()
    outcome: list[str] = []

    def convert() -> None:
        try:
            export_generator(private, path, quiet=False)  # the output streams: main thread's
            outcome.append("")
        except Exception as e:  # noqa: BLE001  whatever the exporter raises, say it
            outcome.append(f"{type(e).__name__}: {e}" if not isinstance(e, GanvisError)
                           else str(e))

    worker = threading.Thread(target=convert, name="onnx-export", daemon=True)
    worker.start()
    while worker.is_alive():
        QApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
        worker.join(0.05)
    progress.close()
    if outcome != [""]:
        why = outcome[0] if outcome else "the conversion stopped"
        tell(parent, QMessageBox.Icon.Warning, f"Could not write {path}: {why}")
        return ""
    if hasattr(parent, "statusBar"):
        parent.statusBar().showMessage(f"Saved {path}: the generator at step {sampler.step}, "
                                       "as ONNX", 5000)
    return path
