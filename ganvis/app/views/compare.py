"""Runs side by side: several run files (and the run in memory) in one table of their
settings, their curves and quality measurements overlaid, each run in its own colour."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from ganvis.app.messages import tell
from ganvis.app.theme import EQUILIBRIUM, clock, pen, plot_widget, title_label
from ganvis.engine.config import RunConfig
from ganvis.engine.errors import GanvisError
from ganvis.engine.family import family
from ganvis.engine.quality.game import LOG4
from ganvis.engine.store.compare import SETTINGS, RunView, differing, live_run, read_run, write_csv

# Eight hues apart from one another and bright enough on the dark theme; a run keeps its
# colour while it stays in the table, a new one takes the first colour no run holds.
PALETTE = ((86, 170, 255), (255, 152, 48), (102, 204, 120), (235, 87, 87),
           (190, 140, 255), (240, 220, 90), (80, 220, 220), (255, 130, 200))
MAX_POINTS = 2000  # per drawn series: a long run's history is thinned to this (peaks kept)
FIXED = ("", "file", "model", "data", "step", "trained")
EMPTY = ("Add run files (.h5, written by ganvis train or File > Export model) to overlay "
         "their curves and compare their settings.")
FILTER = "ganvis runs (*.h5 *.hdf5);;All files (*)"
# plot -> (y caption, [(series, dashed)]); a plot shows when some run holds its series
PLOTS = {"loss": ("D and G loss", [("d_loss", False), ("g_loss", True)]),
         "recon": ("reconstruction loss", [("recon_loss", False)]),
         "means": ("mean D", [("d_real", False), ("d_fake", True)]),
         "fcd": ("FCD", [("fcd", False)])}
# two short lines each: a plot is about 240 px wide in the docked view
TITLES = {"loss": "D loss (solid), G loss<br>(dashed); dotted: log 4",
          "recon": "Reconstruction loss", "fcd": "FCD (lower: better)<br>quality measurements"}


class CompareView(QWidget):
    """The table and plots; `add_file`, `add_live`, `remove_rows`, `export_csv` drive it."""

    def __init__(self) -> None:
        super().__init__()
        self.runs: list[RunView] = []
        self.keys: list[str] = []  # a file's resolved path, or "live:" and a run's name
        self.colors: list[tuple[int, int, int]] = []
        self.shown: list[str] = []  # the settings columns now shown (SETTINGS keys)
        self.curves: dict[str, list[pg.PlotDataItem]] = {}  # series -> one curve per run
        self.add_button = QPushButton("Add run file…")
        self.add_button.setToolTip("Open one or more run files (.h5) to compare.")
        self.add_button.clicked.connect(self.add_files_dialog)
        self.remove_button = QPushButton("Remove")
        self.remove_button.setToolTip("Take the selected runs out of the comparison.")
        self.remove_button.clicked.connect(self._on_remove)
        self.export_button = QPushButton("Export CSV…")
        self.export_button.setToolTip("Every run's curves and quality measurements in one "
                                      "CSV file (columns: run, series, step, value).")
        self.export_button.clicked.connect(self._on_export)
        top = QHBoxLayout()
        top.addWidget(title_label("Runs side by side"), 1)
        for b in (self.add_button, self.remove_button, self.export_button):
            top.addWidget(b)
        self.hint = QLabel(EMPTY)
        self.hint.setWordWrap(True)
        self.hint.setStyleSheet("color: #999999; padding: 2px 6px;")
        self.table = QTableWidget(0, len(FIXED))
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.itemSelectionChanged.connect(self._on_selection)
        self.plots = {k: self._plot(k, caption) for k, (caption, _) in PLOTS.items()}
        self.plots["means"].setYRange(0, 1, padding=0.05)
        self.plots["loss"].addItem(pg.InfiniteLine(LOG4, angle=0, pen=pg.mkPen(
            EQUILIBRIUM, width=1, style=Qt.PenStyle.DotLine)))
        self.grid = QGridLayout()
        self.grid.setContentsMargins(0, 0, 0, 0)
        plots = QWidget()
        plots.setLayout(self.grid)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(plots)
        split.setStretchFactor(1, 3)
        split.setSizes([160, 480])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.hint)
        layout.addWidget(split, 1)
        self._refresh()

    @staticmethod
    def _plot(key: str, caption: str) -> pg.PlotWidget:
        p = plot_widget("step", caption)
        p.showGrid(x=True, y=True, alpha=0.15)
        p.setMinimumHeight(140)
        p.getPlotItem().getAxis("left").setWidth(58)
        if key in TITLES:
            p.setTitle(TITLES[key], size="9pt")
        return p

    # --- adding and removing runs ---------------------------------------------------------

    def add_file(self, path: str | Path) -> bool:
        """Add the run file `path`; a file already here is not added twice. A bad file is
        told in a message box (one line) and leaves the view as it was."""
        try:
            run = read_run(path)
        except GanvisError as e:
            tell(self, QMessageBox.Icon.Warning, " ".join(str(e).split()))
            return False
        return self.add_run(run, run.source)

    def add_live(self, name: str, config: RunConfig, history: Mapping[str, Sequence[float]],
                 metrics: Mapping[str, Sequence[float]] | None = None,
                 elapsed: float = 0.0) -> None:
        """Put a run in memory in (RunHistory.series and .metrics, say); adding the same
        name again replaces it in place, keeping its colour."""
        self.add_run(live_run(name, config, history, metrics, elapsed), "live:" + name)

    def add_run(self, run: RunView, key: str) -> bool:
        """Add `run` under `key` (a key already here: replaced); returns whether it is new."""
        if key in self.keys:
            i = self.keys.index(key)
            self.runs[i] = dataclasses.replace(run, name=self.runs[i].name)
            self._refresh()
            return False
        names = {r.name for r in self.runs}
        name, n = run.name, 1
        while name in names:  # two files of one name from different folders
            n += 1
            name = f"{run.name} ({n})"
        self.runs.append(dataclasses.replace(run, name=name))
        self.keys.append(key)
        self.colors.append(next((c for c in PALETTE if c not in self.colors),
                                PALETTE[len(self.runs) % len(PALETTE)]))
        self._refresh()
        return True

    def remove_rows(self, rows: Sequence[int]) -> None:
        for i in sorted(set(rows), reverse=True):
            if 0 <= i < len(self.runs):
                del self.runs[i], self.keys[i], self.colors[i]
        self._refresh()

    def export_csv(self, path: str | Path) -> bool:
        """Write every run's series to `path` (CSV); a failure is told, not raised."""
        try:
            write_csv(self.runs, path)
        except (OSError, GanvisError) as e:
            tell(self, QMessageBox.Icon.Warning, f"Could not write {path}: {e}")
            return False
        return True

    # --- buttons --------------------------------------------------------------------------

    def add_files_dialog(self) -> None:
        paths, _ = QFileDialog.getOpenFileNames(self, "Add run files", "", FILTER)
        for p in paths:
            self.add_file(p)

    def _on_remove(self) -> None:
        self.remove_rows([i.row() for i in self.table.selectionModel().selectedRows()])

    def _on_export(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export curves as CSV", "runs.csv",
                                              "CSV (*.csv)")
        if path:
            self.export_csv(path if Path(path).suffix else path + ".csv")

    def _on_selection(self) -> None:
        self.remove_button.setEnabled(bool(self.table.selectionModel().selectedRows()))

    # --- drawing --------------------------------------------------------------------------

    def _refresh(self) -> None:
        self.hint.setVisible(not self.runs)
        self.export_button.setEnabled(bool(self.runs))
        self._fill_table()
        self._on_selection()
        self._draw()

    def _fill_table(self) -> None:
        self.shown = differing(self.runs) if self.runs else []
        heads = [*FIXED, *(SETTINGS[k] for k in self.shown)]
        t = self.table
        t.clearContents()
        t.setColumnCount(len(heads))
        t.setRowCount(len(self.runs))
        t.setHorizontalHeaderLabels(heads)
        for j, k in enumerate(self.shown):
            t.horizontalHeaderItem(len(FIXED) + j).setToolTip(f"RunConfig.{k}")
        for i, (run, color) in enumerate(zip(self.runs, self.colors)):
            swatch = QPixmap(14, 14)
            swatch.fill(QColor(*color))
            first = QTableWidgetItem(QIcon(swatch), "")
            first.setToolTip("this run's colour in the plots")
            t.setItem(i, 0, first)
            cells = [run.name, run.title, run.data, f"{run.step:,}",
                     clock(run.elapsed, tenths=True) if run.elapsed else "—",
                     *(run.setting(k) for k in self.shown)]
            for j, text in enumerate(cells, 1):
                item = QTableWidgetItem(text)
                item.setToolTip((run.source or "the run in memory") if j == 1 else text)
                if j == 1:
                    item.setForeground(QColor(*color))
                t.setItem(i, j, item)
        t.resizeColumnsToContents()
        t.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Fixed)
        t.setColumnWidth(0, 26)

    def _draw(self) -> None:
        self.curves = {}
        for key, (_, parts) in PLOTS.items():
            plot = self.plots[key]
            for item in plot.listDataItems():
                plot.removeItem(item)
            for run, color in zip(self.runs, self.colors):
                table = run.metrics if key == "fcd" else run.history
                for series, dashed in parts:
                    if series not in table:
                        continue
                    x, y = thin(table["step"], table[series])
                    marks = {"symbol": "o", "symbolSize": 5, "symbolBrush": color,
                             "symbolPen": None} if key == "fcd" else {}
                    curve = plot.plot(x, y, pen=pen(color, 1.5, dashed), **marks)
                    curve.opts["name"] = f"{run.name}: {series}"
                    self.curves.setdefault(series, []).append(curve)
        self.plots["means"].setTitle(_means_title(self.runs), size="9pt")
        # One step range for all: side by side, linked plots would align on screen, not step
        steps = [t["step"] for r in self.runs for t in (r.history, r.metrics) if "step" in t]
        if steps:
            lo, hi = min(s.min() for s in steps), max(s.max() for s in steps)
            for p in self.plots.values():
                p.setXRange(lo, hi, padding=0.02)
        self._place()

    def _place(self) -> None:
        """Lay the plots with something to show out in two columns (none with no runs: the
        hint above says what to add)."""
        for p in self.plots.values():
            self.grid.removeWidget(p)
            p.hide()
        shown = [k for k, (_, parts) in PLOTS.items()
                 if any(s in self.curves for s, _ in parts)]
        for n, k in enumerate(shown):
            self.grid.addWidget(self.plots[k], n // 2, n % 2, 1, 2 if len(shown) == 1 else 1)
            self.plots[k].show()


def _means_title(runs: Sequence[RunView]) -> str:
    """What the mean verdicts are, in the runs' families' words when they all agree."""
    words = {(p.real_mean, p.fake_mean) for r in runs
             if (p := family(r.config.model).players_for(r.data)) is not None}
    real, fake = words.pop() if len(words) == 1 else ("D on real", "D on fake")
    return f"{real} (solid),<br>{fake} (dashed)"


def thin(x: np.ndarray, y: np.ndarray, limit: int = MAX_POINTS
         ) -> tuple[np.ndarray, np.ndarray]:
    """The finite points of (x, y), at most `limit` of them: a longer series keeps the lowest
    and the highest point of each of limit/2 stretches, so spikes and oscillations stay."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if len(x) <= limit:
        return x, y
    edges = np.linspace(0, len(x), limit // 2 + 1).astype(int)
    keep = set()
    for a, b in zip(edges[:-1], edges[1:]):
        keep.update((a + int(np.argmin(y[a:b])), a + int(np.argmax(y[a:b]))))
    idx = np.fromiter(sorted(keep), dtype=np.int64)
    return x[idx], y[idx]
