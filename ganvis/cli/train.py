"""`ganvis train`: train a model headless (on several processes under torchrun) and save it."""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

from ganvis.cli.common import check_writable, nonneg_int, positive_int


def add_parser(sub: argparse._SubParsersAction) -> None:
    from ganvis.engine.config import LIKELIHOODS, LOSSES, PRIORS
    from ganvis.engine.family import all_families, names

    t = sub.add_parser("train", help="train a model headless and save it",
                       description="Train a GAN or an autoencoder on a data set and save the "
                       "run as HDF5.")
    t.add_argument("--model", choices=names(), default="dcgan",
                   help="; ".join(f.about for f in all_families()))
    t.add_argument("--data", default=None, help="images: mnist5k, mnist5k-binary, "
                   "idx:DIR_OR_FILE, npz:FILE or h5:FILE (default mnist5k); points (gan2d): "
                   "ring8, grid25, gaussian, moons, spiral, line, csv:FILE, npy:FILE or "
                   "npz:FILE (default ring8)")
    t.add_argument("--steps", type=positive_int, default=1000,
                   help="generator steps (default 1000)")
    t.add_argument("--batch-size", type=positive_int, default=None,
                   help="images per update (default 64; with --resume, the run's own)")
    t.add_argument("--k-disc", type=positive_int, default=1,
                   help="discriminator updates per generator update (k in Goodfellow et al.)")
    t.add_argument("--loss", choices=LOSSES, default="nonsat",
                   help="generator loss: non-saturating -log D(G(z)), or the paper's minimax "
                   "log(1 - D(G(z)))")
    t.add_argument("--prior", choices=PRIORS, default="normal",
                   help="p(z): N(0, I), U(-1, 1), or (aae) a mixture of 10 Gaussians in 2-D")
    t.add_argument("--likelihood", choices=LIKELIHOODS, default="auto",
                   help="autoencoders' pixel model: Gaussian (tanh, squared error) or Bernoulli "
                   "(sigmoid, cross-entropy); auto picks Bernoulli for binarised data")
    t.add_argument("--latent-dim", type=positive_int, default=None)
    t.add_argument("--width", type=positive_int, default=None,
                   help="hidden units (gan, autoencoders) or base channels (dcgan)")
    t.add_argument("--depth", type=positive_int, default=None,
                   help="hidden layers (gan: 3, autoencoders: 2; dcgan: fixed)")
    t.add_argument("--lr-g", type=float, default=None, help="learning rate of the generator, "
                   "or of the autoencoders' reconstruction phase (default: per model)")
    t.add_argument("--lr-d", type=float, default=None, help="learning rate of the "
                   "discriminator, or of the AAE's regularisation phase (default: per model)")
    t.add_argument("--beta1", type=float, default=None, help="Adam beta1 for both networks "
                   "(beta2 0.999; default: per model, 0 for dcgan, 0.5 for the others)")
    t.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N or mps")
    t.add_argument("--seed", type=nonneg_int, default=0)
    t.add_argument("--out", type=Path, default=Path("run.h5"), help="run file (default run.h5)")
    t.add_argument("--grid", type=Path, help="also write the final sample grid as PNG")
    t.add_argument("--resume", type=Path, help="continue training this run file")
    t.add_argument("--on-oom", choices=("stop", "halve", "cpu"), default="stop",
                   help="when the device runs out of memory: stop (save the run and say how "
                   "to go on), halve the batch size and go on, or go on on the CPU")
    t.add_argument("--pack", type=positive_int, default=1, help="gan2d: D judges this many "
                   "points at once (PacGAN; 1: the plain GAN)")
    t.add_argument("--g-ema", type=float, default=None, metavar="DECAY", help="sample from an "
                   "average of G's weights with this decay (gan2d default 0.98; 0: from G)")
    t.add_argument("--metrics-every", type=nonneg_int, default=100, metavar="STEPS",
                   help="measure FCD, coverage and score at most every STEPS steps, within 5%% "
                   "of the training time (built-in digits only; 0: never; default 100)")
    t.add_argument("--quiet", action="store_true", help="no progress bar")
    t.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
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


def _start(args: argparse.Namespace):
    from ganvis.engine import RunConfig, new_run
    from ganvis.engine.store import load_run

    if args.resume:
        return load_run(args.resume, device=None if args.device == "auto" else args.device,
                        batch_size=args.batch_size)
    betas = None if args.beta1 is None else (args.beta1, 0.999)
    return new_run(RunConfig(
        model=args.model, data=args.data, latent_dim=args.latent_dim, width=args.width,
        depth=args.depth, loss=args.loss, prior=args.prior, k_disc=args.k_disc,
        lr_g=args.lr_g, lr_d=args.lr_d, betas_g=betas, betas_d=betas,
        batch_size=args.batch_size, seed=args.seed, device=args.device,
        likelihood=args.likelihood, metrics_every=args.metrics_every, pack=args.pack,
        g_ema=args.g_ema))


def _train(args: argparse.Namespace) -> int:
    from ganvis.engine.devices import distributed
    from ganvis.engine.files.images import save_grid
    from ganvis.engine.store import save_run

    lead = distributed.rank() == 0  # the one process that prints and writes files
    for p in (args.out, args.grid):
        if p is not None:
            check_writable(p)
    run = _start(args)
    c = run.config
    ranks = ""
    if distributed.active():
        from ganvis.engine.runs.ranks import distribute

        distribute(run)
        ranks = f" per process, {distributed.world_size()} processes ({run.device} here)"
    if lead:
        print(f"ganvis train: {c.model} on {run.dataset.name} ({run.dataset.size} "
              f"{run.family.data.name}), "
              f"{run.device}, batch {c.batch_size}{ranks}, k={c.k_disc}, {c.loss} loss, "
              f"seed {c.seed}", file=sys.stderr)
    bar = Progress(args.steps, quiet=args.quiet)
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


def _train_through_oom(run, target: int, bar: Progress, args: argparse.Namespace):
    """Train up to step `target`. When the device runs out of memory, go on as --on-oom says:
    with half the batch, on the CPU, or not at all (the run is saved, with how to resume)."""
    from ganvis.engine import Hooks, TrainingLoop
    from ganvis.engine.devices import distributed
    from ganvis.engine.errors import GanvisError, OutOfMemoryError
    from ganvis.engine.runs.loop import CLI_PACING
    from ganvis.engine.store import save_run

    while run.step < target:
        hooks = Hooks(on_step=bar.tick, on_snapshot=bar.snapshot)
        try:
            TrainingLoop(run, hooks, CLI_PACING).train(target - run.step)
            return run
        except OutOfMemoryError as e:
            if distributed.active():  # the other ranks cannot follow a rebuild: stop them all
                raise
            bs = run.config.batch_size
            if args.on_oom == "halve" and bs > run.config.pack:  # whole packs, at least one
                run = run.rebuild(batch_size=bs // 2)
                print(f"\nganvis train: {e}\n  going on with batch size "
                      f"{run.config.batch_size}", file=sys.stderr)
            elif args.on_oom == "cpu" and run.device.type != "cpu":
                print(f"\nganvis train: {e}\n  going on on the CPU", file=sys.stderr)
                run = run.rebuild(device="cpu")
            else:
                save_run(run, args.out)
                pack = run.config.pack
                how = f"--batch-size {max(pack, bs // 2 // pack * pack)}"
                if run.device.type != "cpu":
                    how += " (or --device cpu)"
                raise GanvisError(f"{e}\nSaved the run so far to {args.out} (step {run.step}). "
                                  f"Go on with: ganvis train --resume {args.out} {how}, or "
                                  "train with --on-oom halve") from None
    return run


class Progress:
    """A one-line progress bar on stderr: step, steps/s, ETA and the latest losses."""

    def __init__(self, total: int, quiet: bool = False) -> None:
        self.total, self.quiet = total, quiet
        self.tty = sys.stderr.isatty()
        self.t0 = self.last = time.perf_counter()
        self.done = 0
        self.losses = ""
        self.next_line = 0.1

    def tick(self) -> None:
        """After each step (the loop's on_step): Python counters only, never a device sync."""
        self.done += 1
        now = time.perf_counter()
        if not self.quiet and now - self.last > 0.25:
            self.last = now
            self._draw(now)

    def snapshot(self, snap) -> None:
        """The latest losses of the run's own series (the loop's on_snapshot)."""
        from ganvis.engine.runs.snapshot import SERIES_LABELS

        self.losses = "".join(f"  {SERIES_LABELS.get(k, k)} {v:.3f}"
                              for k, v in snap.losses.items() if math.isfinite(v))

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
