"""The window's actions, toolbar and menus (File, Train, View, Help) and the help text."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMessageBox, QToolBar

from ganvis.app.settings import recent
from ganvis.engine.store.demos import DEMOS

HELP = """<h3>What am I looking at?</h3>
<p><b>Samples</b>: the generator G turns random codes z into images. The grid shows G(z)
for the same 64 codes all along, so you watch them turn from noise into digits.</p>
<p><b>D(x) histograms</b>: the discriminator D gives each image the probability that it is
real. Blue: real digits; orange: generated ones. Early on D separates them; at the game's
equilibrium it cannot, and both pile up at ½ (dashed line). The waterfall below shows the
whole history, time running down.</p>
<p><b>Curves</b>: D's loss tends to log 4 ≈ 1.386 at equilibrium (dashed line).</p>
<p><b>Keys</b>: Space train/pause · S one step (k D updates + one G update) · D one
discriminator update · G one generator update · Ctrl+R reset · Ctrl+O open model ·
Ctrl+S export model · Ctrl+E export sample grid.</p>"""


class MenusMixin:
    """Builds the actions (act_train, act_step, ...) the window and its tests drive."""

    def _action(self, text: str, slot, shortcut: str | None = None, tip: str = "") -> QAction:
        a = QAction(text, self)
        if shortcut:
            a.setShortcut(QKeySequence(shortcut))
        a.setToolTip(f"{tip} ({shortcut})" if shortcut and tip else tip or text)
        a.setStatusTip(tip)
        a.triggered.connect(slot)
        return a

    def _build_actions(self) -> None:
        self.act_train = self._action("Train", self.toggle_training, "Space",
                                      "Train continuously, or pause")
        self.act_step = self._action("Step", lambda: self._send("step"), "S",
                                     "One step: k discriminator updates, then one generator update")
        self.act_step_d = self._action("Step D", lambda: self._send("step_d"), "D",
                                       "One discriminator update; G stays put")
        self.act_step_g = self._action("Step G", lambda: self._send("step_g"), "G",
                                       "One generator update; D stays put")
        self.act_reset = self._action("Reset", self.reset, "Ctrl+R",
                                      "Start again from step 0 with the setup panel's settings")
        self.act_open = self._action("Open model…", self.open_model, "Ctrl+O",
                                     "Open a saved run to look at it or continue training it")
        self.act_open_data = self._action("Open data set…", self.open_data, None,
                                          "Train on IDX, .npz or HDF5 images")
        self.act_save = self._action("Export model…", self.export_model, "Ctrl+S",
                                     "Save the run (weights, optimiser, history) as HDF5")
        self.act_grid = self._action("Export sample grid…", self.export_grid, "Ctrl+E",
                                     "Save a grid of samples as PNG")
        quit_ = self._action("Quit", self.close, "Ctrl+Q")
        tb = QToolBar("Training")
        tb.setObjectName("toolbar_training")
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for a in (self.act_train, self.act_step, self.act_step_d, self.act_step_g,
                  self.act_reset):
            tb.addAction(a)
        tb.widgetForAction(self.act_train).setObjectName("trainButton")
        tb.addSeparator()
        tb.addAction(self.act_grid)
        tb.addAction(self.act_save)
        self.addToolBar(tb)
        m = self.menuBar()
        f = m.addMenu("&File")
        for a in (self.act_open, self.act_open_data):
            f.addAction(a)
        self.recent_menu = f.addMenu("Open recent")
        f.addSeparator()
        f.addAction(self.act_save)
        f.addAction(self.act_grid)
        f.addSeparator()
        f.addAction(quit_)
        t = m.addMenu("&Train")
        for a in (self.act_train, self.act_step, self.act_step_d, self.act_step_g,
                  self.act_reset):
            t.addAction(a)
        v = m.addMenu("&View")
        for dock in self.docks.values():
            v.addAction(dock.toggleViewAction())
        h = m.addMenu("&Help")
        h.addAction(self._action("What am I looking at?", self.show_help, "F1"))
        demos = h.addMenu("Demo models")
        for name, about in DEMOS.items():
            demos.addAction(self._action(f"{name}: {about}", partial(self.open_demo, name),
                                         tip=f"Open the trained {name} to explore it at once"))
        self._rebuild_recent()

    def show_help(self) -> None:
        QMessageBox.information(self, "ganvis: help", HELP)

    def _rebuild_recent(self) -> None:
        self.recent_menu.clear()
        items = recent(self.settings, "models")
        for path in items:
            self.recent_menu.addAction(path, lambda p=path: self.open_model(p))
        self.recent_menu.setEnabled(bool(items))
