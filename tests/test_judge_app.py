"""A judge trained from the app (Train > Train a judge for this data set): loaded and trained
on a thread of its own behind a progress dialog, its accuracy told in a message, and the
running run's quality metrics start as soon as it is in the cache."""

import numpy as np
import pytest

pytest.importorskip("PySide6")

from qtmessages import said  # noqa: E402

import ganvis.engine.quality.judge as judge_mod  # noqa: E402
from ganvis.app.judge_dialog import train_judge_for  # noqa: E402
from ganvis.engine.data import load_dataset  # noqa: E402

WAIT = 60_000


def test_a_judge_trained_from_the_app_starts_the_runs_metrics(qtbot, window, tmp_path,
                                                                monkeypatch):
    monkeypatch.setenv("GANVIS_CACHE", str(tmp_path / "cache"))
    monkeypatch.setattr(judge_mod, "MIN_STEPS", 40)
    monkeypatch.setattr(judge_mod, "MAX_STEPS", 40)
    ds = load_dataset("mnist5k")
    pick = np.concatenate([np.flatnonzero(ds.labels == c)[:80] for c in range(3)])
    data = tmp_path / "three.npz"
    np.savez(data, images=((ds.images[pick] + 1) * 127.5).round().astype(np.uint8),
             labels=ds.labels[pick])
    w = window
    w.data_files.use(str(data))
    qtbot.waitUntil(lambda: "no judge for three yet" in w.history.metrics_note, timeout=WAIT)
    qtbot.waitUntil(lambda: "Train a judge" in w.panels.curves.quality_hint.text(),
                    timeout=WAIT)
    trainer = train_judge_for(w, w.config)
    assert trainer is not None
    qtbot.waitUntil(lambda: said(w, "classifies"), timeout=WAIT)
    assert said(w, "50 per class") and said(w, "three (3 classes)")
    assert judge_mod.cached_judge(load_dataset(f"npz:{data}")) is not None
    # the run made before the judge existed measures from now on, against this data's judge
    if not w.training:
        w.acts.train.trigger()
    qtbot.waitUntil(lambda: len(w.history.metrics.get("step", [])) >= 1, timeout=WAIT)
    assert w.history.metrics_note == ""
    coverage = w.history.metrics["coverage"][-1]
    assert 0 <= coverage <= 3


def test_what_cannot_have_a_judge_is_told_in_a_line(qtbot, window):
    w = window
    assert train_judge_for(w, None) is None
    assert said(w, "There is no run yet")
    assert train_judge_for(w, w.config) is None  # the built-in digits
    assert said(w, "shipped evaluation classifier")
    gan2d = w.config.replace(model="gan2d")
    assert train_judge_for(w, gan2d) is None
    assert said(w, "Judges are for images")
