"""What the theory lab's controls ask of the run: Optimise D for this G, slow motion, and the
presets (which go through the setup panel, as any change of settings)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QMainWindow

from ganvis.app.panels import Panels
from ganvis.engine import RunConfig


class TheoryLab(QObject):
    def __init__(self, window: QMainWindow, panels: Panels, send: Callable[[str, Any], None],
                 settings_changed: Callable[[], None]) -> None:
        super().__init__(window)
        self.window, self.panels, self.send = window, panels, send
        self.settings_changed = settings_changed
        panels.theory.optimise_d.connect(self.optimise_d)
        panels.theory.speed_changed.connect(self.pace)
        panels.theory.preset_chosen.connect(self.apply_preset)

    def optimise_d(self, steps: int) -> None:
        self.window.statusBar().showMessage(f"Optimising D for this G: {steps} D updates…",
                                            5000)
        self.send("optimise_d", steps)

    def pace(self, steps_per_s: float) -> None:
        self.send("pace", steps_per_s)

    def apply_preset(self, changes: dict) -> None:
        """Put a preset's settings in the setup panel: the family's defaults with the preset's
        changes (nothing left over from an earlier preset), on the same data, seed and device.
        As any change, it starts a new run only if nothing has been trained yet (else Reset
        does: nothing trained is dropped)."""
        setup = self.panels.setup
        c = setup.config()
        if c is not None:
            setup.set_config(RunConfig(model=c.model, data=c.data, seed=c.seed, device=c.device,
                                       metrics_every=c.metrics_every, **changes))
            self.settings_changed()
