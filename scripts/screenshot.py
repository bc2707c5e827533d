#!/usr/bin/env python3
"""Render the main window after N training steps and save it as PNG (offscreen or on Xvfb).

    python scripts/screenshot.py --train-steps 600 --out docs/images/studio.png
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--train-steps", type=int, default=300)
    ap.add_argument("--out", type=Path, default=Path("shot.png"))
    ap.add_argument("--model", default="dcgan")
    ap.add_argument("--prior", default=None, help="e.g. mog10 (with --model aae)")
    ap.add_argument("--data", default=None, help="a data spec the model trains on, e.g. grid25")
    ap.add_argument("--optimise-d", action="store_true",
                    help="gan2d: after training, press Optimise D for this G")
    ap.add_argument("--latent-dim", type=int, default=None)
    ap.add_argument("--open", help="open this model file or demo name and show Explore")
    ap.add_argument("--tab", type=int, default=0, help="with --open: Explore's tab")
    ap.add_argument("--digit", type=int, default=None, help="with --open: digit button")
    ap.add_argument("--size", default="1440x900", help="window size WxH")
    ap.add_argument("--timeout", type=float, default=600, help="give up after this many seconds")
    args = ap.parse_args(argv)
    if not os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    # A throwaway settings file: a screenshot never changes the user's layout or recent files.
    os.environ["GANVIS_SETTINGS"] = str(Path(tempfile.mkdtemp()) / "settings.ini")
    from PySide6.QtWidgets import QApplication, QMessageBox

    from ganvis.app.main_window import MainWindow
    from ganvis.app.theme import apply_theme

    app = QApplication.instance() or QApplication([sys.argv[0]])
    apply_theme(app)
    w, h = (int(v) for v in args.size.split("x"))
    win = MainWindow()
    win.resize(w, h)
    win.show()
    deadline = time.monotonic() + args.timeout

    def spin_until(cond) -> None:
        while not cond():
            if time.monotonic() > deadline:
                said = [b.text() for b in win.findChildren(QMessageBox) if b.isVisible()]
                raise SystemExit(f"screenshot: timed out ({'; '.join(said) or 'no message'})")
            app.processEvents()
            time.sleep(0.01)

    spin_until(lambda: win.config is not None and win.latest is not None)
    if win.config.model != args.model:
        win.panels.setup.model.setCurrentIndex(win.panels.setup.model.findData(args.model))
        spin_until(lambda: win.config.model == args.model and win.latest.step == 0)
    if args.data:
        setup = win.panels.setup
        setup.add_data(args.data)
        spin_until(lambda: win.config.data == args.data and win.latest.step == 0)
    if args.prior:
        win.panels.setup.prior.setCurrentIndex(win.panels.setup.prior.findData(args.prior))
        spin_until(lambda: win.config.prior == args.prior)
    if args.latent_dim:
        win.panels.setup.latent.setValue(args.latent_dim)
        spin_until(lambda: win.config.latent_dim == args.latent_dim)
    if args.open:
        from ganvis.engine.store import load_sampler
        from ganvis.engine.store.demos import resolve_model

        step = load_sampler(resolve_model(args.open)).step
        win.open_demo(args.open) if not Path(args.open).is_file() else win.open_model(args.open)
        spin_until(lambda: win.latest.step == step and win.panels.explore.sampler is not None)
        win.panels.docks["explore"].raise_()
        win.panels.explore.tabs.setCurrentIndex(args.tab)
        if args.digit is not None:
            win.panels.explore.digits.button(args.digit).click()
        win.panels.explore.t.setValue(400)
        args.train_steps = 0
    if args.train_steps > 0:
        win.toggle_training()
        spin_until(lambda: win.latest.step >= args.train_steps)
        win.toggle_training()
        spin_until(lambda: not win.training)
        spin_until(lambda: win.latest.step == win.session.worker.run.step)
    if args.optimise_d:
        d_steps = win.latest.d_steps
        win.panels.theory.optimise.click()
        spin_until(lambda: win.latest.d_steps >= d_steps + 500)
    t = time.monotonic()
    spin_until(lambda: time.monotonic() - t > 0.5)  # let the redraw timer run
    args.out.parent.mkdir(parents=True, exist_ok=True)
    win.grab().save(str(args.out))
    print(f"saved {args.out} at step {win.latest.step}")
    win.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
