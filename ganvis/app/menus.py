"""The window's actions, toolbar and menus (File, Train, View, Help) and the help text."""

from __future__ import annotations

import platform
from functools import partial
from typing import Any, Protocol

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QFileDialog, QMainWindow, QMessageBox, QToolBar

from ganvis.app.settings import recent
from ganvis.engine import Family
from ganvis.engine.store.demos import DEMOS, is_demo

HELP = """<h3>What am I looking at?</h3>
<p><b>Samples</b>: the generator G turns random codes z into images. The grid shows G(z)
for the same 64 codes all along, so you watch them turn from noise into digits. Click one to
see its nearest training images (is it a copy?).</p>
<p><b>D(x) histograms</b>: the discriminator D gives each image the probability that it is
real. Blue: real images; orange: generated ones (for an adversarial autoencoder: prior
samples and codes). Early on D separates them; at the game's equilibrium it cannot, and both
pile up at ½ (dashed line). The waterfall below shows the whole history, time running down.</p>
<p><b>The game</b>: who is winning, the value V(D, G) and the lower bound on the
Jensen-Shannon divergence it gives. <b>Curves</b>: the losses (D's tends to log 4 ≈ 1.386 at
equilibrium, dashed), D's mean verdicts, and the quality measured on the built-in digits, or
on your labelled data once it has a judge (Train menu): FCD, classes covered.</p>
<p><b>Latent space</b> and <b>Reconstructions</b> (autoencoders): the codes f(x) of real
images beside samples of the prior, and x beside its reconstruction g(f(x)).
<b>Explore</b>: walk from one code to another, drag single dimensions, and (supervised AAE)
write every digit in one style, or in your own hand. <b>Timeline</b>: the sample grid at
every snapshot, to scrub and export as GIF. <b>Compare runs</b>: several run files' curves
and settings side by side. The 2-D GAN shows the game itself on the plane: the data, G's
samples, D's surface and D*, its optimum.</p>
<p><b>Keys</b>: Space train/pause · S one step (k D updates + one G update) · D one
discriminator update · G one generator update · Ctrl+R reset · Ctrl+O open model ·
Ctrl+S export model · Ctrl+E export sample grid · F1 this help.</p>"""


class WindowCommands(Protocol):
    """What the actions call: the main window's commands."""

    settings: QSettings

    def toggle_training(self) -> None: ...
    def send(self, kind: str, arg: Any = None) -> None: ...
    def reset(self) -> None: ...
    def open_model(self, path: str | None = None) -> None: ...
    def open_data(self, folder: bool = False) -> None: ...
    def export_model(self, path: str | None = None) -> None: ...
    def export_grid(self) -> None: ...
    def export_onnx(self) -> None: ...
    def open_demo(self, name: str) -> None: ...
    def reset_layout(self) -> None: ...


class Actions:
    """The window's actions, its toolbar and its menus (File, Train, View, Help)."""

    def __init__(self, window: QMainWindow, on: WindowCommands,
                 docks: dict[str, QDockWidget]) -> None:
        self.window, self.on, self.docks = window, on, docks
        self.train = self._action("Train", on.toggle_training, "Space",
                                  "Train continuously, or pause")
        self.step = self._action("Step", lambda: on.send("step"), "S", "")
        self.step_d = self._action("Step D", lambda: on.send("step_d"), "D", "")
        self.step_g = self._action("Step G", lambda: on.send("step_g"), "G", "")
        self.phases = {"train_steps": self.step, "step_d": self.step_d, "step_g": self.step_g}
        self.reset = self._action("Reset", on.reset, "Ctrl+R",
                                  "Start again from step 0 with the setup panel's settings")
        self.open = self._action("Open model…", on.open_model, "Ctrl+O",
                                 "Open a saved run to look at it or continue training it")
        self.open_data = self._action("Open data set…", on.open_data, None,
                                      "Train on your own data: images (IDX, .npz, HDF5) or, "
                                      "for the 2-D GAN, points (.csv, .npy, .npz)")
        self.open_folder = self._action("Open image folder…", lambda: on.open_data(folder=True),
                                        None, "Train on a folder of pictures (PNG, JPEG, ...): "
                                        "one subfolder per class gives labels; each picture is "
                                        "made grey and fitted to 28 x 28")
        self.save = self._action("Export model…", on.export_model, "Ctrl+S",
                                 "Save the run (weights, optimiser, history) as HDF5")
        self.grid = self._action("Export sample grid…", on.export_grid, "Ctrl+E",
                                 "Save a grid of samples as PNG")
        self.onnx = self._action("Export generator as ONNX…", on.export_onnx, None,
                                 "The generator (the one the samples come from) as an ONNX "
                                 "graph, to run with onnxruntime, in a browser or elsewhere")
        self.board = self._action("Log to TensorBoard…", self._toggle_board, None,
                                  "Write each run's curves, D(x) histograms, sample grids and "
                                  "quality metrics as TensorBoard event files, one subfolder "
                                  "per run in the folder you choose")
        self.board.setCheckable(True)
        self._toolbar()
        self._menus(docks)

    def _toggle_board(self, on: bool) -> None:
        folder = ""
        if on:
            folder = QFileDialog.getExistingDirectory(
                self.window, "Log runs to TensorBoard in", str(self.on.settings.value(
                    "tensorboard/folder", "")))
            if not folder:
                self.board.setChecked(False)
                return
            self.on.settings.setValue("tensorboard/folder", folder)
        self.on.send("tensorboard", folder)

    def _action(self, text: str, slot, shortcut: str | None = None, tip: str = "") -> QAction:
        a = QAction(text, self.window)
        if shortcut:
            a.setShortcut(QKeySequence(shortcut))
        a.triggered.connect(slot)
        self._tip(a, tip)
        return a

    @staticmethod
    def _tip(a: QAction, tip: str) -> None:
        shortcut = a.shortcut().toString()
        a.setToolTip(f"{tip} ({shortcut})" if shortcut and tip else tip or a.text())
        a.setStatusTip(tip)

    def _toolbar(self) -> None:
        tb = QToolBar("Training")
        tb.setObjectName("toolbar_training")
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for a in (self.train, self.step, self.step_d, self.step_g, self.reset):
            tb.addAction(a)
        tb.widgetForAction(self.train).setObjectName("trainButton")
        tb.addSeparator()
        tb.addAction(self.grid)
        tb.addAction(self.save)
        self.window.addToolBar(tb)

    def _menus(self, docks: dict[str, QDockWidget]) -> None:
        m = self.window.menuBar()
        f = m.addMenu("&File")
        for a in (self.open, self.open_data, self.open_folder):
            f.addAction(a)
        f.addAction(self._action("Compare run files…", self._compare, None,
                                 "Overlay several runs' curves and quality, their settings in "
                                 "a table; export them as CSV"))
        self.recent_menu = f.addMenu("Open recent")
        f.addSeparator()
        for a in (self.save, self.onnx, self.grid):
            f.addAction(a)
        f.addAction(self.board)
        f.addSeparator()
        f.addAction(self._action("Quit", self.window.close, "Ctrl+Q"))
        t = m.addMenu("&Train")
        for a in (self.train, self.step, self.step_d, self.step_g, self.reset):
            t.addAction(a)
        t.addSeparator()
        t.addAction(self._action("Train a judge for this data set…", self._judge, None,
                                 "A classifier of your labelled data set's classes (seconds to "
                                 "a minute for 28 x 28 images), so FCD, coverage and the "
                                 "score can be measured"))
        v = m.addMenu("&View")
        for dock in docks.values():
            v.addAction(dock.toggleViewAction())
        v.addSeparator()
        v.addAction(self._action("Reset layout", self.on.reset_layout, None,
                                 "Every view back in its place, at its first size"))
        h = m.addMenu("&Help")
        h.addAction(self._action("What am I looking at?", self.show_help, "F1"))
        h.addAction(self._action("About ganvis", self.show_about))
        demos = h.addMenu("Demo models")
        for name, about in DEMOS.items():
            demos.addAction(self._action(f"{name}: {about}", partial(self.on.open_demo, name),
                                         tip=f"Open the trained {name} to explore it at once"))
        self.rebuild_recent()

    def set_family(self, family: Family, trainable: bool) -> None:
        """The manual steps this family has, each with what it does here; none while only
        exploring a model."""
        for command, action in self.phases.items():
            phase = family.phase(command)
            action.setEnabled(trainable and phase is not None)
            if phase is not None:
                self._tip(action, phase.tip)
        for a in (self.train, self.save):
            a.setEnabled(trainable)

    def set_training(self, training: bool) -> None:
        self.train.setText("Pause" if training else "Train")

    def show_help(self) -> None:
        QMessageBox.information(self.window, "ganvis: help", HELP)

    def _judge(self) -> None:
        from ganvis.app.judge_dialog import train_judge_for  # noqa: PLC0415

        self.judge_trainer = train_judge_for(self.window, getattr(self.window, "config", None))

    def _compare(self) -> None:
        self.docks["compare"].show()
        self.docks["compare"].raise_()
        self.docks["compare"].widget().add_files_dialog()

    def show_about(self) -> None:
        import torch  # noqa: PLC0415 (loaded already by the engine)
        from PySide6 import __version__ as qt_version  # noqa: PLC0415

        from ganvis import __version__  # noqa: PLC0415

        QMessageBox.about(self.window, "About ganvis", f"<h3>ganvis {__version__}</h3><p>A "
                          f"visual explorer for GANs and adversarial autoencoders: train one, "
                          f"watch the game, explore what it learnt.</p><p>torch "
                          f"{torch.__version__} · PySide6 {qt_version} · Python "
                          f"{platform.python_version()}</p>")

    def rebuild_recent(self) -> None:
        self.recent_menu.clear()
        items = [p for p in recent(self.on.settings, "models") if not is_demo(p)]
        for path in items:
            self.recent_menu.addAction(path, partial(self.on.open_model, path))
        self.recent_menu.setEnabled(bool(items))
