"""What the GUI costs: the app's worker training a run inside the real window against the bare
engine on the same run, and the latent sliders' latency. Used by `ganvis bench`."""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import torch
from PySide6.QtCore import QEventLoop, QSettings, QTimer
from PySide6.QtWidgets import QApplication

from ganvis.engine import Run, RunConfig
from ganvis.engine.threads import on_fresh_thread


def qt_app() -> QApplication:
    return QApplication.instance() or QApplication(["ganvis-bench"])


def _spin(app: QApplication, seconds: float, until=None) -> None:
    """Run the event loop as the app does (blocked waiting for events, not polling) for
    `seconds`, or until until() holds (checked every 50 ms)."""
    loop = QEventLoop()
    end = time.perf_counter() + seconds

    def check() -> None:
        if time.perf_counter() >= end or (until is not None and until()):
            loop.quit()

    timer = QTimer()
    timer.timeout.connect(check)
    timer.start(50 if until is not None else max(1, int(seconds * 1000)))
    loop.exec()
    timer.stop()


def window_images_per_s(config: RunConfig, seconds: float, warmup: float = 1.5) -> float:
    """images/s of a run trained by the app's worker in a shown main window (offscreen
    without a display): from the snapshots' image counts over `seconds` of wall time."""
    from ganvis.app.main_window import MainWindow

    app = qt_app()
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
        w = MainWindow(settings=settings)
        try:
            w.show()
            w.setup.set_config(config)
            w.reset()
            _spin(app, 60, lambda: _same(w.config, config) and w.latest is not None
                  and w.latest.model == config.model)
            w.toggle_training()
            _spin(app, 60, lambda: w.training)
            _spin(app, warmup)
            first = (time.perf_counter(), w.latest.images_seen)
            _spin(app, seconds)
            last = (time.perf_counter(), w.latest.images_seen)
            w.toggle_training()
            _spin(app, 10, lambda: not w.training)
        finally:
            w.close()
    # The newest snapshot is up to one snapshot interval old at both ends: time it by the
    # snapshots' own counts over the wall time between them, both lagging alike.
    return (last[1] - first[1]) / (last[0] - first[0])


def _same(a: RunConfig | None, b: RunConfig) -> bool:
    return a is not None and (a.model, a.batch_size, a.width) == (b.model, b.batch_size, b.width)


def engine_images_per_s(config: RunConfig, seconds: float, warmup: float = 1.5) -> float:
    """images/s of the same run driven directly, as `ganvis train` drives it."""
    run = Run(config)
    run.train(10**9, should_stop=_deadline(warmup))
    seen, t0 = run.images_seen, time.perf_counter()
    run.train(10**9, should_stop=_deadline(seconds))
    return (run.images_seen - seen) / (time.perf_counter() - t0)


def _deadline(seconds: float):
    end = time.perf_counter() + seconds
    return lambda: time.perf_counter() >= end


def gui_overhead(config: RunConfig, seconds: float = 6.0, rounds: int = 3) -> dict:
    """The app's images/s as a fraction of the bare engine's, alternating; medians, and the
    median of the paired rounds' ratios. Call it from the GUI thread; the bare engine trains
    on a fresh thread set up like the worker's."""
    torch.set_num_threads(1)  # as the app's GUI thread (main_window.gui_thread_torch)
    engine, window = [], []
    for _ in range(rounds):
        engine.append(on_fresh_thread(engine_images_per_s, config, seconds))
        window.append(window_images_per_s(config, seconds))
    pairs = [w / e for e, w in zip(engine, window)]
    return {"engine_ips": statistics.median(engine), "app_ips": statistics.median(window),
            "gui_overhead": statistics.median(pairs), "gui_rounds": pairs}


def slider_latency(config: RunConfig, repeats: int = 200, train_steps: int = 100) -> dict:
    """ms from a latent slider change to the repainted Explore view, p50 and p95, for the
    interpolation slider (image + 9-frame strip) and one dimension slider (image)."""
    from ganvis.app.views.explore import T_STEPS, ExploreView

    app = qt_app()
    run = Run(config)
    run.train_steps(train_steps)
    view = ExploreView()
    view.resize(600, 700)
    view.show()
    view.set_sampler(run.sampler())
    out = {}
    for tab, name in ((0, "interpolation"), (1, "dimension")):
        view.tabs.setCurrentIndex(tab)
        slider = view.t if tab == 0 else view.dim_sliders[0]
        values = list(range(0, T_STEPS + 1, 10)) if tab == 0 else list(range(-300, 301, 6))
        times = measure_slider(app, view, slider, values, repeats)
        out[name] = {"p50_ms": percentile(times, 50), "p95_ms": percentile(times, 95)}
    view.close()
    return out


def measure_slider(app, view, slider, values, repeats: int) -> list[float]:
    times = []
    for i in range(repeats):
        t0 = time.perf_counter()
        slider.setValue(values[i % len(values)])
        view.render_now()
        view.repaint()
        app.processEvents()
        times.append((time.perf_counter() - t0) * 1000)
    return times


def percentile(xs: list[float], q: float) -> float:
    return statistics.quantiles(xs, n=100)[int(q) - 1]
