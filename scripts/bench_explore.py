"""Latent-slider latency: from a slider change to the repainted image, p50 and p95, for the
Explore view's interpolation and dimension sliders, idle and while a run trains beside it.

    python scripts/bench_explore.py [--model dcgan] [--repeats 300]

Each sample: set the slider, decode the one image (the interpolation tab also decodes its
9-frame strip), put it in the image item and let Qt paint the widget (repaint() returns after
the paint event), all timed on the GUI thread. Offscreen unless a display is set.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="dcgan", help="any family (default dcgan)")
    ap.add_argument("--repeats", type=int, default=300)
    ap.add_argument("--train-steps", type=int, default=200, help="train this much first")
    args = ap.parse_args(argv)
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    import torch
    from PySide6.QtWidgets import QApplication

    from ganvis.app.gui_bench import measure_slider, percentile
    from ganvis.app.views.explore import T_STEPS, ExploreView
    from ganvis.engine import RunConfig, new_run
    from ganvis.engine.devices.threads import set_training_threads

    app = QApplication.instance() or QApplication([sys.argv[0]])
    torch.set_num_threads(1)  # as the app's GUI thread does (main_window.gui_thread_torch)
    run = new_run(RunConfig(model=args.model, device="cpu", metrics_every=0))
    run.train_steps(args.train_steps)
    view = ExploreView()
    view.resize(600, 700)
    view.show()
    view.set_sampler(run.sampler())
    rows = []
    threads = torch.get_num_threads()
    for label, training in (("idle", False), ("while training", True)):
        stop = threading.Event()
        worker = None
        if training:  # as the app's worker does, in its own thread

            def loop(stop: threading.Event = stop) -> None:
                set_training_threads()
                while not stop.is_set():
                    run.train_steps(1)

            worker = threading.Thread(target=loop, daemon=True)
            worker.start()
            time.sleep(0.5)
        for tab, name in ((0, "interpolation (image + 9-frame strip)"),
                          (1, "one dimension (image)")):
            view.tabs.setCurrentIndex(tab)
            slider = view.t if tab == 0 else view.dims.dim_sliders[0]
            values = (list(range(0, T_STEPS + 1, 10)) if tab == 0
                      else list(range(-300, 301, 6)))
            times = measure_slider(app, view, slider, values, args.repeats)
            rows.append((label, name, percentile(times, 50), percentile(times, 95)))
        stop.set()
        if worker is not None:
            worker.join()
    print(f"# {args.model}, latent {run.config.latent_dim}, torch {torch.__version__}, CPU, "
          f"{os.cpu_count()} cores; torch threads: {threads} in the GUI thread, the training "
          "thread as the app's worker sets them")
    print("| training | slider | p50 ms | p95 ms |\n|---|---|---|---|")
    for label, name, p50, p95 in rows:
        print(f"| {label} | {name} | {p50:.1f} | {p95:.1f} |")
    view.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
