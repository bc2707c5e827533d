"""What the GUI costs: the app's worker training a run inside the real window against the bare
engine on the same run, and the latent sliders' latency. Used by `ganvis bench`."""

from __future__ import annotations

import statistics
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import torch
from PySide6.QtCore import QEventLoop, QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication

from ganvis.app.main_window import MainWindow
from ganvis.app.theme import apply_theme
from ganvis.app.views.explore import T_STEPS, ExploreView
from ganvis.engine import Hooks, Run, RunConfig, TrainingLoop, new_run


def qt_app() -> QApplication:
    """The application, styled as `ganvis` styles it (the theme decides what painting costs:
    antialiasing, for one)."""
    app = QApplication.instance()
    if app is None:
        app = QApplication(["ganvis-bench"])
        apply_theme(app)
    return app


def _spin(app: QApplication, seconds: float, until=None) -> None:
    """Run the event loop as the app does (blocked waiting for events, not polling) for
    `seconds`, or until until() holds (checked every 50 ms)."""
    loop = QEventLoop()
    end = time.perf_counter() + seconds
    timer = QTimer()
    timer.setSingleShot(True)
    timer.setTimerType(Qt.TimerType.PreciseTimer)

    def wait(left: float) -> None:
        timer.start(50 if until is not None else max(1, int(left * 1000) + 1))

    def check() -> None:
        left = end - time.perf_counter()
        if left <= 0 or (until is not None and until()):
            loop.quit()
        else:  # a timer may fire a little early: wait out the rest
            wait(left)

    timer.timeout.connect(check)
    wait(seconds)
    loop.exec()
    timer.stop()


@contextmanager
def training_window(config: RunConfig):
    """A shown main window (offscreen without a display) set up with `config`, paused."""
    app = qt_app()
    with tempfile.TemporaryDirectory() as tmp:
        settings = QSettings(str(Path(tmp) / "settings.ini"), QSettings.Format.IniFormat)
        w = MainWindow(settings=settings)
        try:
            w.show()
            w.panels.setup.set_config(config)
            w.reset()
            _spin(app, 60, lambda: _same(w.config, config) and w.latest is not None
                  and w.latest.model == config.model)
            yield w
        finally:
            w.close_discarding()  # a measurement: nothing of it to keep


def _same(a: RunConfig | None, b: RunConfig) -> bool:
    return a is not None and (a.model, a.batch_size, a.width) == (b.model, b.batch_size, b.width)


def window_images_per_s(w, seconds: float, warmup: float = 0.5) -> float:
    """images/s of the window's run, trained by the app's worker for `seconds` while the
    window runs as it does for a user (snapshots, redraws), then paused again. Counted from
    the run's own image counter: snapshots can be 2 s apart, too coarse for a short round."""
    app = qt_app()
    w.toggle_training()
    _spin(app, 60, lambda: w.training)
    _spin(app, warmup)
    run = w.session.worker.run  # reading its counter from here is safe: a plain int
    t0, seen = time.perf_counter(), run.images_seen
    _spin(app, seconds)
    rate = (run.images_seen - seen) / (time.perf_counter() - t0)
    w.toggle_training()
    _spin(app, 60, lambda: not w.training)
    return rate


def engine_images_per_s(run: Run, seconds: float, warmup: float = 0.5) -> float:
    """images/s of a run driven directly, as `ganvis train` drives it."""
    TrainingLoop(run, Hooks(should_stop=_deadline(warmup))).train()
    seen, t0 = run.images_seen, time.perf_counter()
    TrainingLoop(run, Hooks(should_stop=_deadline(seconds))).train()
    return (run.images_seen - seen) / (time.perf_counter() - t0)


def bare_images_per_s(w, run: Run, seconds: float) -> float:
    """engine_images_per_s of `run` on the window's own training thread while the window is
    paused: the same thread and thread pool as the worker's rounds. (On a thread of its own it
    ran beside the paused worker's idle pool, which slows a pool down: see
    engine/devices/threads.py.)"""
    out: dict = {}

    def job() -> None:
        try:
            out["ips"] = engine_images_per_s(run, seconds)
        except Exception as e:  # noqa: BLE001 - reported below, on the GUI thread
            out["error"] = f"{type(e).__name__}: {e}"

    w.session.send("call", job)
    _spin(qt_app(), seconds + 60, lambda: out)
    if "ips" not in out:
        raise RuntimeError(f"the bare engine did not finish on the training thread: "
                           f"{out.get('error', 'no answer')}")
    return out["ips"]


def _deadline(seconds: float):
    end = time.perf_counter() + seconds
    return lambda: time.perf_counter() >= end


def app_speed_share(config: RunConfig, seconds: float = 6.0, rounds: int = 3) -> dict:
    """The app's images/s as a fraction of the bare engine's: rounds of the bare engine then
    the window's worker, back to back, so that a pair sees the machine alike (a small VM's
    speed drifts by 15% from one few-second stretch to the next); medians, and the median of
    the pairs' ratios. Call it from the GUI thread; the bare engine trains on the worker's
    thread while the window is paused (it draws nothing then)."""
    torch.set_num_threads(1)  # as the app's GUI thread (launch.gui_thread_torch)
    engine, window = [], []
    with training_window(config) as w:
        bare = new_run(config)
        for _ in range(rounds):
            engine.append(bare_images_per_s(w, bare, seconds))
            window.append(window_images_per_s(w, seconds))
    pairs = [a / e for e, a in zip(engine, window)]
    return {"engine_ips": statistics.median(engine), "app_ips": statistics.median(window),
            "app_speed_share": statistics.median(pairs), "app_share_rounds": pairs}


def slider_latency(config: RunConfig, repeats: int = 200, train_steps: int = 100) -> dict:
    """ms from a latent slider change to the repainted Explore view, p50 and p95, for the
    interpolation slider (image + 9-frame strip) and one dimension slider (image)."""
    app = qt_app()
    run = new_run(config)
    run.train_steps(train_steps)
    view = ExploreView()
    view.resize(600, 700)
    view.show()
    view.set_sampler(run.sampler())
    out = {}
    for tab, name in ((0, "interpolation"), (1, "dimension")):
        view.tabs.setCurrentIndex(tab)
        slider = view.t if tab == 0 else view.dims.dim_sliders[0]
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
