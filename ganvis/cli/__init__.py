"""The `ganvis` command: the app with no arguments; train, sample, info and eval for the shell."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from ganvis import __version__

STEPS_MAX = 10_000_000


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] == "app":
        return _launch_app(argv[1:])
    parser = _parser()
    args = parser.parse_args(argv)
    from ganvis.engine.errors import GanvisError

    try:
        return args.func(args)
    except GanvisError as e:
        print(f"ganvis {args.command}: error: {e}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print(f"\nganvis {args.command}: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # e.g. `ganvis info r.h5 | head`: the reader left; stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="ganvis", description="A visual explorer for GANs and "
                                "adversarial autoencoders. With no command, opens the app.")
    p.add_argument("--version", action="version", version=f"ganvis {__version__}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)
    sub.add_parser("app", help="open the desktop app (the default)")

    t = sub.add_parser("train", help="train a model headless and save it",
                       description="Train a GAN on a data set and save the run as HDF5.")
    t.add_argument("--model", choices=("gan", "dcgan", "ae", "aae", "saae"), default="dcgan",
                   help="gan: MLP GAN (Goodfellow et al.); dcgan: convolutional (Radford et "
                   "al.); ae: autoencoder; aae: adversarial autoencoder (Makhzani et al.); "
                   "saae: supervised AAE, the decoder also gets the digit")
    t.add_argument("--data", default="mnist5k", help="mnist5k, mnist5k-binary, idx:DIR_OR_FILE, "
                   "npz:FILE or h5:FILE (default: mnist5k)")
    t.add_argument("--steps", type=_positive_int, default=1000,
                   help="generator steps (default 1000)")
    t.add_argument("--batch-size", type=_positive_int, default=None,
                   help="images per update (default 64; with --resume, the run's own)")
    t.add_argument("--k-disc", type=_positive_int, default=1,
                   help="discriminator updates per generator update (k in Goodfellow et al.)")
    t.add_argument("--loss", choices=("nonsat", "minimax"), default="nonsat",
                   help="generator loss: non-saturating -log D(G(z)), or the paper's minimax "
                   "log(1 - D(G(z)))")
    t.add_argument("--prior", choices=("normal", "uniform", "mog10"), default="normal",
                   help="p(z): N(0, I), U(-1, 1), or (aae) a mixture of 10 Gaussians in 2-D")
    t.add_argument("--likelihood", choices=("auto", "gaussian", "bernoulli"), default="auto",
                   help="autoencoders' pixel model: Gaussian (tanh, squared error) or Bernoulli "
                   "(sigmoid, cross-entropy); auto picks Bernoulli for binarised data")
    t.add_argument("--latent-dim", type=_positive_int, default=None)
    t.add_argument("--width", type=_positive_int, default=None,
                   help="hidden units (gan, autoencoders) or base channels (dcgan)")
    t.add_argument("--depth", type=_positive_int, default=None,
                   help="hidden layers (gan: 3, autoencoders: 2; dcgan: fixed)")
    t.add_argument("--lr-g", type=float, default=None, help="learning rate of the generator, "
                   "or of the autoencoders' reconstruction phase (default: per model)")
    t.add_argument("--lr-d", type=float, default=None, help="learning rate of the "
                   "discriminator, or of the AAE's regularisation phase (default: per model)")
    t.add_argument("--beta1", type=float, default=None, help="Adam beta1 for both networks "
                   "(beta2 0.999; default: per model, 0 for dcgan, 0.5 for the others)")
    t.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N or mps")
    t.add_argument("--seed", type=_nonneg_int, default=0)
    t.add_argument("--out", type=Path, default=Path("run.h5"), help="run file (default run.h5)")
    t.add_argument("--grid", type=Path, help="also write the final sample grid as PNG")
    t.add_argument("--resume", type=Path, help="continue training this run file")
    t.add_argument("--on-oom", choices=("stop", "halve", "cpu"), default="stop",
                   help="when the device runs out of memory: stop (save the run and say how "
                   "to go on), halve the batch size and go on, or go on on the CPU")
    t.add_argument("--metrics-every", type=_nonneg_int, default=100, metavar="STEPS",
                   help="measure FCD, coverage and score at most every STEPS steps, within 5%% "
                   "of the training time (built-in digits only; 0: never; default 100)")
    t.add_argument("--quiet", action="store_true", help="no progress bar")
    t.set_defaults(func=_cmd_train)

    s = sub.add_parser("sample", help="write a PNG grid of samples from a model file")
    s.add_argument("model", help="a run/model file (.h5), or a demo model: demo-dcgan, "
                   "demo-saae or demo-aae2d")
    s.add_argument("--n", type=_positive_int, default=None,
                   help="how many samples (default 64; 10 with --style-from)")
    s.add_argument("--digit", type=_nonneg_int, default=None,
                   help="saae: draw this digit in every sample (styles vary)")
    s.add_argument("--style-from", type=_nonneg_int, default=None, metavar="INDEX",
                   help="saae: copy the style (slant, width, stroke) of image INDEX of the "
                   "model's data set; the samples cycle through the digits in that hand")
    s.add_argument("--seed", type=_nonneg_int, default=0)
    s.add_argument("--cols", type=_positive_int, default=None)
    s.add_argument("--scale", type=_positive_int, default=2, help="pixel scale (default 2)")
    s.add_argument("--out", type=Path, default=Path("samples.png"))
    s.set_defaults(func=_cmd_sample)

    i = sub.add_parser("info", help="describe a model file")
    i.add_argument("model", help="a run/model file (.h5), or a demo model: demo-dcgan, "
                   "demo-saae or demo-aae2d")
    i.set_defaults(func=_cmd_info)

    from ganvis.cli.eval import add_parser as add_eval

    add_eval(sub, _positive_int, _nonneg_int)
    from ganvis.cli.bench import add_parser as add_bench

    add_bench(sub, _positive_int)
    return p


def _positive_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if not 1 <= v <= STEPS_MAX:
        raise argparse.ArgumentTypeError(f"expected a whole number from 1 to {STEPS_MAX}, got {v}")
    return v


def _nonneg_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if v < 0:
        raise argparse.ArgumentTypeError(f"expected 0 or more, got {v}")
    return v


def _check_writable(path: Path) -> None:
    from ganvis.engine.errors import GanvisError

    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise GanvisError(f"{path}: folder {folder} does not exist")
    if not os.access(folder, os.W_OK):
        raise GanvisError(f"{path}: folder {folder} is not writable")


def _cmd_train(args: argparse.Namespace) -> int:
    from ganvis.engine.devices import distributed

    if not distributed.launched():
        return _train(args)
    args.device = distributed.init(args.device)  # one process per GPU, or gloo on the CPU
    if distributed.rank():
        args.quiet = True
    try:
        return _train(args)
    finally:
        distributed.finish()


def _train(args: argparse.Namespace) -> int:
    from ganvis.engine import Run, RunConfig
    from ganvis.engine.devices import distributed
    from ganvis.engine.files.images import save_grid
    from ganvis.engine.store import load_run, save_run

    lead = distributed.rank() == 0  # the one process that prints and writes files
    for p in (args.out, args.grid):
        if p is not None:
            _check_writable(p)
    if args.resume:
        run = load_run(args.resume, device=None if args.device == "auto" else args.device,
                       batch_size=args.batch_size)
    else:
        config = RunConfig(
            model=args.model, data=args.data, latent_dim=args.latent_dim, width=args.width,
            depth=args.depth, loss=args.loss, prior=args.prior, k_disc=args.k_disc,
            lr_g=args.lr_g, lr_d=args.lr_d,
            betas_g=None if args.beta1 is None else (args.beta1, 0.999),
            betas_d=None if args.beta1 is None else (args.beta1, 0.999),
            batch_size=args.batch_size or 64, seed=args.seed,
            device=args.device, likelihood=args.likelihood, metrics_every=args.metrics_every,
        )
        run = Run(config)
    c = run.config
    ranks = ""
    if distributed.active():
        run.distribute()
        ranks = f" per process, {distributed.world_size()} processes ({run.device} here)"
    if lead:
        print(f"ganvis train: {c.model} on {run.dataset.name} ({run.dataset.size} images), "
              f"{run.device}, batch {c.batch_size}{ranks}, k={c.k_disc}, {c.loss} loss, "
              f"seed {c.seed}", file=sys.stderr)
    bar = _Progress(args.steps, quiet=args.quiet)
    start, interrupted = run.step, False
    try:
        run = _train_through_oom(run, start + args.steps, bar, args)
    except KeyboardInterrupt:  # keep what was trained: save it below, then exit 130
        interrupted = True
    snap = run.snapshot()
    bar.finish(snap, run.step - start)
    distributed.check_in_step(run.nets, run.device)
    if not lead:
        return 130 if interrupted else 0
    save_run(run, args.out)
    print(f"saved {args.out} at step {run.step}", file=sys.stderr)
    if args.grid:
        save_grid(args.grid, snap.grid, cols=8, scale=2)
        print(f"saved {args.grid}", file=sys.stderr)
    return 130 if interrupted else 0


def _train_through_oom(run, target: int, bar, args: argparse.Namespace):
    """Train up to step `target`. When the device runs out of memory, go on as --on-oom says:
    with half the batch, on the CPU, or not at all (the run is saved, with how to resume)."""
    from ganvis.engine.devices import distributed
    from ganvis.engine.errors import GanvisError, OutOfMemoryError
    from ganvis.engine.store import save_run

    while run.step < target:
        try:
            run.train(target - run.step, on_snapshot=bar.snapshot, snapshot_every=2.0,
                      should_stop=bar.tick)
            return run
        except OutOfMemoryError as e:
            if distributed.active():  # the other ranks cannot follow a rebuild: stop them all
                raise
            bs = run.config.batch_size
            if args.on_oom == "halve" and bs > 1:
                print(f"\nganvis train: {e}\n  going on with batch size {bs // 2}",
                      file=sys.stderr)
                run = run.rebuild(batch_size=bs // 2)
            elif args.on_oom == "cpu" and run.device.type != "cpu":
                print(f"\nganvis train: {e}\n  going on on the CPU", file=sys.stderr)
                run = run.rebuild(device="cpu")
            else:
                save_run(run, args.out)
                how = f"--batch-size {max(1, bs // 2)}"
                if run.device.type != "cpu":
                    how += " (or --device cpu)"
                raise GanvisError(f"{e}\nSaved the run so far to {args.out} (step {run.step}). "
                                  f"Go on with: ganvis train --resume {args.out} {how}, or "
                                  "train with --on-oom halve") from None
    return run


class _Progress:
    """A one-line progress bar on stderr: step, steps/s, ETA and the latest losses."""

    def __init__(self, total: int, quiet: bool = False) -> None:
        self.total, self.quiet = total, quiet
        self.tty = sys.stderr.isatty()
        self.t0 = self.last = time.perf_counter()
        self.done = -1  # tick() runs before each step
        self.losses = ""
        self.next_line = 0.1

    def tick(self) -> bool:
        # Called between steps: Python counters only, never a device sync.
        self.done += 1
        now = time.perf_counter()
        if not self.quiet and now - self.last > 0.25:
            self.last = now
            self._draw(now)
        return False

    def snapshot(self, snap) -> None:
        self.losses = (f"  D {snap.d_loss:.3f}  G {snap.g_loss:.3f}  "
                       f"D(x) {snap.d_real:.2f}  D(G(z)) {snap.d_fake:.2f}")

    def _draw(self, now: float) -> None:
        rate = self.done / (now - self.t0)
        eta = (self.total - self.done) / rate if rate > 0 else float("nan")
        eta_s = "--:--" if eta != eta else f"{int(eta) // 60}:{int(eta) % 60:02d}"
        frac = self.done / self.total
        bar = "#" * int(frac * 24) + "." * (24 - int(frac * 24))
        line = f"step {self.done}/{self.total} [{bar}] {rate:.1f} steps/s  ETA {eta_s}{self.losses}"
        if self.tty:
            sys.stderr.write("\r" + line[:150].ljust(150))
            sys.stderr.flush()
        elif frac >= self.next_line:  # a log file gets a line every 10%
            self.next_line += 0.1
            print(line, file=sys.stderr)

    def finish(self, snap, steps: int) -> None:
        if self.quiet:
            return
        if self.tty:
            sys.stderr.write("\n")
        self.snapshot(snap)
        secs = time.perf_counter() - self.t0
        print(f"{steps} steps in {secs:.1f} s ({steps / secs:.1f} steps/s, "
              f"{snap.images_per_s:.0f} images/s){self.losses}", file=sys.stderr)


def _cmd_sample(args: argparse.Namespace) -> int:
    import numpy as np

    from ganvis.engine.errors import GanvisError
    from ganvis.engine.files.images import save_grid
    from ganvis.engine.store import load_sampler, load_style
    from ganvis.engine.store.demos import resolve_model

    _check_writable(args.out)
    path = resolve_model(args.model)
    sampler = load_sampler(path)
    conditional = args.digit is not None or args.style_from is not None
    if conditional and not sampler.conditional:
        raise GanvisError(f"{args.model}: --digit and --style-from need a model that takes a "
                          f"digit (saae); this one is a {sampler.config.model}")
    n = args.n or (10 if args.style_from is not None else 64)
    if args.digit is not None and args.digit >= sampler.num_classes:
        raise GanvisError(f"--digit {args.digit}: the model knows digits 0 to "
                          f"{sampler.num_classes - 1}")
    digits = (np.full(n, args.digit) if args.digit is not None
              else sampler.default_digits(n) if sampler.conditional else None)
    z = sampler.z(n, args.seed)
    what = f"seed {args.seed}"
    if args.style_from is not None:
        style = load_style(path, args.style_from)
        z = np.repeat(style[None], n, axis=0)
        what = f"the style of image {args.style_from}"
    images = sampler(z, digits)
    cols = args.cols or (10 if sampler.conditional and args.digit is None else None)
    save_grid(args.out, images, cols=cols, scale=args.scale)
    print(f"saved {args.out}: {n} samples from {args.model} (step {sampler.step}, {what})",
          file=sys.stderr)
    return 0


def _cmd_info(args: argparse.Namespace) -> int:
    from ganvis.engine.store import RunFile
    from ganvis.engine.store.demos import resolve_model

    with RunFile(resolve_model(args.model)) as rf:
        hist, metrics = rf.history(), rf.history("metrics")
        print(f"{args.model}: {rf.config.model} trained on {rf.data_name}, "
              f"{rf.shape[0]}x{rf.shape[1]} images, step {rf.counters['step']}, "
              f"{rf.counters['elapsed']:.1f} s of training")
        for k, v in rf.config.to_dict().items():
            print(f"  {k}: {v}")
        names = {"d_loss": "D loss", "g_loss": "G loss", "d_real": "D(x)",
                 "d_fake": "D(G(z))", "recon_loss": "reconstruction"}
        last = [f"{label} {hist[k][-1]:.4f}" for k, label in names.items() if hist[k]]
        if last:
            print("  last " + ", ".join(last))
        if metrics["step"]:
            m = {k: v[-1] for k, v in metrics.items() if v}
            print(f"  quality at step {int(m['step'])}: FCD {m['fcd']:.3f}, "
                  f"{int(m['coverage'])}/10 digits covered, score {m['score']:.2f}")
    return 0


def _launch_app(argv: list[str]) -> int:
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
        or os.environ.get("QT_QPA_PLATFORM")
    ):
        print("ganvis: no display found (DISPLAY is not set), so the app cannot open.\n"
              "To train without a screen: ganvis train --help", file=sys.stderr)
        return 1
    try:
        from ganvis.app import launch
    except ImportError as e:
        print(f"ganvis: the app needs PySide6 and pyqtgraph ({e}); "
              "reinstall with scripts/run, or use `ganvis train`", file=sys.stderr)
        return 1
    return launch(argv)
