#!/usr/bin/env python3
"""Render the main window after N training steps and save it as PNG (offscreen or on Xvfb).

    python scripts/screenshot.py --train-steps 600 --out docs/images/studio.png
    python scripts/screenshot.py --size 1366x768 --out laptop.png
    python scripts/screenshot.py --size 2560x1600 --scale 2 --out hidpi.png

--size is the screen's size: with no display and xvfb-run installed, the script runs itself on
an Xvfb screen of that size and the window fits itself to it, as it would for a user (the PNG
is the whole screen); otherwise (offscreen) the window is resized to it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
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
    ap.add_argument("--augment", default=None, help="e.g. translation,cutout (gan, dcgan)")
    ap.add_argument("--open", help="open this model file or demo name and show Explore")
    ap.add_argument("--tab", type=int, default=0, help="with --open: Explore's tab")
    ap.add_argument("--digit", type=int, default=None, help="with --open: digit button")
    ap.add_argument("--hand", type=int, default=None,
                    help="with --open of a supervised AAE: 'your hand' from this data-set image")
    ap.add_argument("--dock", default=None, help="bring this dock to the front: hists, curves, "
                    "latent, recon, explore, timeline, setup, game")
    ap.add_argument("--size", default="1440x900", help="screen size WxH (see above)")
    ap.add_argument("--scale", type=float, default=1.0, help="QT_SCALE_FACTOR, e.g. 2")
    ap.add_argument("--timeout", type=float, default=600, help="give up after this many seconds")
    args = ap.parse_args(argv)
    w, h = (int(v) for v in args.size.split("x"))
    if not os.environ.get("DISPLAY") and shutil.which("xvfb-run"):
        screen = ["-s", f"-screen 0 {w}x{h}x24"]
        env = {**os.environ, "QT_QPA_PLATFORM": "xcb", "QT_SCALE_FACTOR": f"{args.scale:g}"}
        return subprocess.call(["xvfb-run", "-a", *screen, sys.executable, __file__,
                                *(argv if argv is not None else sys.argv[1:])], env=env)
    on_screen = bool(os.environ.get("DISPLAY"))
    if not on_screen:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    # A throwaway settings file: a screenshot never changes the user's layout or recent files.
    os.environ["GANVIS_SETTINGS"] = str(Path(tempfile.mkdtemp()) / "settings.ini")
    from PySide6.QtWidgets import QApplication, QMessageBox

    from ganvis.app.main_window import MainWindow
    from ganvis.app.theme import apply_theme

    app = QApplication.instance() or QApplication([sys.argv[0]])
    apply_theme(app)
    win = MainWindow()
    if not on_screen:
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
        from ganvis.app.data_files import data_label

        path = args.data.split(":", 1)[-1]
        setup.add_data(args.data, data_label(path) if Path(path).exists() else args.data)
        spin_until(lambda: win.config.data == args.data and win.latest.step == 0)
    if args.prior:
        win.panels.setup.prior.setCurrentIndex(win.panels.setup.prior.findData(args.prior))
        spin_until(lambda: win.config.prior == args.prior)
    if args.latent_dim:
        win.panels.setup.latent.setValue(args.latent_dim)
        spin_until(lambda: win.config.latent_dim == args.latent_dim)
    if args.augment:  # through the setup panel, as a user would
        win.panels.setup.augment.setCurrentIndex(win.panels.setup.augment.findData(args.augment))
        spin_until(lambda: win.config.augment == args.augment)
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
        if args.hand is not None:
            style = win.panels.explore.style_tab
            style.image_index.setValue(args.hand)
            style.use_dataset_image()
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
    if args.dock:
        win.panels.docks[args.dock].raise_()
    t = time.monotonic()
    spin_until(lambda: time.monotonic() - t > 0.5)  # let the redraw timer run
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if on_screen:  # what the user sees: the whole screen, whatever lies off it is missing
        app.primaryScreen().grabWindow(0).save(str(args.out))
    else:
        win.grab().save(str(args.out))
    area, frame = win.screen().availableGeometry(), win.frameGeometry()
    fits = "fits the screen" if area.contains(frame) else "DOES NOT FIT the screen"
    print(f"saved {args.out} at step {win.latest.step}: window {frame.width()}x"
          f"{frame.height()} {fits} ({area.width()}x{area.height()} available)")
    win.close_discarding()
    return 0


if __name__ == "__main__":
    sys.exit(main())
