#!/usr/bin/env python3
"""How smoothly the theory lab draws while the 2-D GAN trains: the main window (offscreen
unless there is a display) trains gan2d on ring8 for a while; counted are the Theory view's
redraws per second, the training steps per second and what one redraw takes.

    python scripts/bench_theory.py --seconds 20
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=20.0)
    ap.add_argument("--size", default="1366x768", help="window size WxH")
    args = ap.parse_args()
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    os.environ["GANVIS_SETTINGS"] = str(Path(tempfile.mkdtemp()) / "settings.ini")
    from PySide6.QtWidgets import QApplication

    from ganvis.app.main_window import MainWindow
    from ganvis.app.theme import apply_theme
    from ganvis.engine.devices.threads import training_threads

    app = QApplication.instance() or QApplication([sys.argv[0]])
    apply_theme(app)
    win = MainWindow()
    win.resize(*(int(v) for v in args.size.split("x")))
    win.show()
    theory = win.panels.theory
    draws: list[tuple[float, float]] = []  # (when, seconds it took)
    real = theory.set_snapshot

    def counted(*a, **k):
        t0 = time.perf_counter()
        real(*a, **k)
        draws.append((t0, time.perf_counter() - t0))

    theory.set_snapshot = counted
    from PySide6.QtCore import QEvent, QObject  # noqa: E402

    class Paints(QObject):  # frames that reached the screen: paints of the plane's viewport
        count = 0

        def eventFilter(self, obj, event):  # noqa: N802 (Qt's name)
            if event.type() == QEvent.Type.Paint:
                Paints.count += 1
            return False

    paints = Paints()
    theory.plane.viewport().installEventFilter(paints)

    from PySide6.QtCore import QEventLoop, QTimer

    def spin(until, limit: float = 120.0) -> None:
        """Run the event loop as the app does (blocked in Qt until an event comes) until
        until() holds, checked every 50 ms, or for `limit` seconds."""
        loop, end = QEventLoop(), time.monotonic() + limit
        check = QTimer()
        check.timeout.connect(lambda: loop.quit() if until() or time.monotonic() > end
                              else None)
        check.start(50)
        loop.exec()
        check.stop()

    setup = win.panels.setup
    setup.model.setCurrentIndex(setup.model.findData("gan2d"))
    spin(lambda: win.latest is not None and win.latest.model == "gan2d")
    win.toggle_training()
    spin(lambda: win.training)
    spin(lambda: False, limit=2.0)  # warm up
    step0, n0, p0, t0 = win.latest.step, len(draws), Paints.count, time.perf_counter()
    spin(lambda: False, limit=args.seconds)
    wall = time.perf_counter() - t0
    painted = Paints.count - p0
    took = [d for _, d in draws[n0:]]
    steps = win.latest.step - step0
    win.toggle_training()
    spin(lambda: not win.training)
    win.close_discarding()
    print(f"| theory lab, gan2d on ring8, window {args.size}, {os.cpu_count()} cores, training "
          f"thread {training_threads()} threads | |")
    print("|---|---|")
    print(f"| Theory view redraws per second (new snapshots drawn) | {len(took) / wall:.1f} |")
    print(f"| the plane's paints per second (frames on screen) | {painted / wall:.1f} |")
    if took:
        print(f"| one redraw, median / 95th percentile | {1000 * statistics.median(took):.1f} ms"
              f" / {1000 * sorted(took)[int(0.95 * (len(took) - 1))]:.1f} ms |")
    print(f"| training steps per second meanwhile | {steps / wall:.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
