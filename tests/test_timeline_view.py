"""The timeline view: scrubbing back while training holds the step the user picked."""

import numpy as np
import pytest

pytest.importorskip("pytestqt")
from PySide6.QtWidgets import QAbstractSlider  # noqa: E402

from ganvis.app.views.timeline import TimelineView  # noqa: E402
from ganvis.engine.runs.timeline import MAX_FRAMES, Timeline  # noqa: E402


def _grid(step: int) -> np.ndarray:
    return np.full((4, 28, 28), step % 200 / 100 - 1, np.float32)


def test_scrubbing_back_holds_the_step_while_snapshots_arrive(qtbot):
    view = TimelineView()
    qtbot.addWidget(view)
    t = Timeline()
    for step in range(0, 50, 10):
        t.add(step, _grid(step))
    view.set_timeline(t, 2)
    assert view.follow.isChecked() and view.slider.value() == 4
    view.slider.triggerAction(QAbstractSlider.SliderAction.SliderPageStepSub)  # the user
    qtbot.waitUntil(lambda: not view.follow.isChecked())
    picked = t.steps[view.slider.value()]
    assert picked < 40
    for step in range(50, 10 * (MAX_FRAMES + 20), 10):  # training goes on, and thins
        t.add(step, _grid(step))
        view.set_timeline(t, 2)
    assert t.steps[view.slider.value()] <= picked < t.steps[view.slider.value() + 1]
    assert f"step {t.steps[view.slider.value()]:,}" in view.label.text()
    view.slider.triggerAction(QAbstractSlider.SliderAction.SliderToMaximum)
    qtbot.waitUntil(view.follow.isChecked)
    t.add(10 * (MAX_FRAMES + 30), _grid(0))
    view.set_timeline(t, 2)
    assert view.slider.value() == len(t) - 1
