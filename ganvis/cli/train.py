"""`ganvis train`: train a model headless (on several processes under torchrun) and save it."""

from __future__ import annotations

import argparse
import contextlib
import sys
from pathlib import Path

from ganvis.cli.common import check_output, nonneg_int, positive_int, say, seed_int
from ganvis.cli.progress import Progress
from ganvis.cli.saving import Holder, final_save, trial_save


def add_parser(sub: argparse._SubParsersAction) -> None:
    from ganvis.engine.config import AUGMENTS, LIKELIHOODS, LOSSES, PRIORS
    from ganvis.engine.family import all_families, names

    t = sub.add_parser("train", help="train a model headless and save it",
                       description="Train a GAN or an autoencoder on a data set and save the "
                       "run as HDF5.")
    t.add_argument("--model", choices=names(), default="dcgan",
                   help="; ".join(f.about for f in all_families()))
    t.add_argument("--data", default=None, help="images: mnist5k, mnist5k-binary, "
                   "idx:DIR_OR_FILE, npz:FILE, h5:FILE or images:DIR (a folder of pictures; "
                   "one subfolder per class gives labels) (default mnist5k); points (gan2d): "
                   "ring8, grid25, gaussian, moons, spiral, line, csv:FILE, npy:FILE or "
                   "npz:FILE (default ring8)")
    t.add_argument("--image-size", type=positive_int, default=None, metavar="N",
                   help="images:DIR: fit each picture to N x N pixels (default 28)")
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
    t.add_argument("--beta1", type=float, default=None, help="Adam beta1 for both networks, "
                   "beta2 kept at the model's own (default: per model: dcgan (0, 0.99), the "
                   "2-D GAN (0.5, 0.9), the others (0.5, 0.999))")
    t.add_argument("--device", default="auto", help="auto, cpu, cuda, cuda:N or mps")
    t.add_argument("--seed", type=seed_int, default=0)
    t.add_argument("--out", type=Path, default=Path("run.h5"), help="run file (default run.h5)")
    t.add_argument("--grid", type=Path, help="also write the final sample grid as PNG")
    t.add_argument("--resume", type=Path, help="continue training this run file")
    t.add_argument("--on-oom", choices=("stop", "halve", "cpu"), default="stop",
                   help="when the device runs out of memory: stop (save the run and say how "
                   "to go on), halve the batch size and go on, or go on on the CPU")
    t.add_argument("--pack", type=positive_int, default=1, help="gan2d: D judges this many "
                   "points at once (PacGAN; 1: the plain GAN)")
    t.add_argument("--g-ema", type=float, default=None, metavar="DECAY", help="sample, score "
                   "and export from an average of the generator's weights (G, or an "
                   "autoencoder's decoder) with this decay; 0: from the generator itself "
                   "(default: the model's own; both are saved)")
    t.add_argument("--augment", choices=AUGMENTS, default=None, help="DiffAugment: what D's "
                   "images, real and fake, go through (gan and dcgan; default: the model's "
                   "own)")
    t.add_argument("--metrics-every", type=nonneg_int, default=100, metavar="STEPS",
                   help="measure FCD, coverage and score at most every STEPS steps, within 5%% "
                   "of the training time (the built-in digits, or a labelled data set with a "
                   "judge from `ganvis judge`; 0: never; default 100)")
    t.add_argument("--tensorboard", type=Path, default=None, metavar="DIR",
                   help="also write TensorBoard event files here: losses, D(x), quality "
                   "metrics, D(x) histograms and sample grids, as often as the progress line "
                   "(needs the tensorboard package)")
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
    betas = None
    if args.beta1 is not None:  # beta2 stays the model's own
        from ganvis.engine.family import family

        betas = (args.beta1, family(args.model).defaults["betas_g"][1])
    return new_run(RunConfig(
        model=args.model, data=_data_spec(args), latent_dim=args.latent_dim, width=args.width,
        depth=args.depth, loss=args.loss, prior=args.prior, k_disc=args.k_disc,
        lr_g=args.lr_g, lr_d=args.lr_d, betas_g=betas, betas_d=betas,
        batch_size=args.batch_size, seed=args.seed, device=args.device,
        likelihood=args.likelihood, metrics_every=args.metrics_every, pack=args.pack,
        g_ema=args.g_ema, augment=args.augment))


def _data_file(spec: str | None) -> Path | None:
    """The file or folder a --data spec reads, if it names one."""
    if not spec:
        return None
    kind, sep, rest = spec.partition(":")
    return Path(rest if sep and len(kind) > 1 else spec).expanduser()


def _data_spec(args: argparse.Namespace) -> str | None:
    """--data, with --image-size folded in (images:DIR at 32 pixels is images32:DIR)."""
    from ganvis.engine.errors import GanvisError

    if args.image_size is None:
        return args.data
    kind, sep, rest = (args.data or "").partition(":")
    if not sep or kind != "images":
        raise GanvisError("--image-size is for a folder of pictures: --data images:DIR")
    return f"images{args.image_size}:{rest}"


def _train(args: argparse.Namespace) -> int:
    from ganvis.engine.devices import distributed

    lead = distributed.rank() == 0  # the one process that prints and writes files
    args.out = check_output(args.out, not_same_as={"the data set": _data_file(args.data)})
    if args.grid is not None:
        args.grid = check_output(args.grid, not_same_as={
            "the run file (--out)": args.out, "the data set": _data_file(args.data)})
    run = _start(args)
    if lead:
        trial_save(run, args.out)
    c = run.config
    board = None
    if args.tensorboard is not None and lead:
        from ganvis.engine.runs.tensorboard import TensorBoardLog

        board = TensorBoardLog(args.tensorboard, c)
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
        if run.dataset.note:
            print(f"ganvis train: {run.dataset.note}", file=sys.stderr)
    bar = Progress(args.steps, quiet=args.quiet)
    start, seen = run.step, run.images_seen
    holder = Holder(args.out)
    try:
        run, interrupted = _train_through_oom(run, start + args.steps, bar, args, board, holder)
        return _finish(run, args, bar, board, holder, start, seen, interrupted, lead)
    finally:
        holder.stop()


def _finish(run, args, bar, board, holder, start: int, seen: int, interrupted: bool,
            lead: bool) -> int:
    """After training (interrupts held off): the summary, then the save. Lines go out on a
    best-effort basis: a closed terminal must not cost the run."""
    from ganvis.engine.devices import distributed
    from ganvis.engine.files.images import save_grid

    snap = run.snapshot()
    with contextlib.suppress(OSError, ValueError):
        bar.finish(snap, run.step - start, run.images_seen - seen)
    if board is not None:  # never raises: a failed write turned logging off
        board.close(final=snap)
        say(f"ganvis train: {board.failed}" if board.failed else
            f"wrote TensorBoard events to {args.tensorboard} (tensorboard --logdir "
            f"{args.tensorboard})")
    distributed.check_in_step(run.nets, run.device)
    stopped = 130 if interrupted or holder.count else 0
    if not lead:
        return stopped
    saved, why = final_save(run, args.out)
    if why:
        say(f"ganvis train: error: {why}\n  the run (step {run.step}) is saved in {saved} "
            "instead")
        return 1
    say(f"saved {args.out} at step {run.step}")
    if args.grid:
        save_grid(args.grid, snap.grid, cols=8, scale=2)
        say(f"saved {args.grid}")
    return 130 if interrupted or holder.count else 0


def _train_through_oom(run, target: int, bar: Progress, args: argparse.Namespace, board,
                       holder: Holder):
    """Train up to step `target`; returns the run (rebuilt, maybe: holder.run follows it)
    and whether an interrupt stopped it, with interrupts held off from then on."""
    holder.run = run
    try:
        _oom_loop(target, bar, args, board, holder)
        return holder.run, False
    except KeyboardInterrupt:
        return holder.run, True
    finally:
        holder.start()


def _oom_loop(target: int, bar: Progress, args: argparse.Namespace, board, holder) -> None:
    """When the device runs out of memory, go on as --on-oom says: with half the batch, on
    the CPU, or not at all (the run is saved, with how to resume)."""
    from ganvis.engine import Hooks, TrainingLoop
    from ganvis.engine.devices import distributed
    from ganvis.engine.errors import GanvisError, OutOfMemoryError
    from ganvis.engine.runs.loop import CLI_PACING
    from ganvis.engine.store import save_run

    run = holder.run
    while run.step < target:
        hooks = Hooks(on_step=bar.tick, on_snapshot=bar.snapshot)
        if board is not None:
            hooks = Hooks(on_step=bar.tick, on_snapshot=lambda s: (bar.snapshot(s),
                                                                   board.snapshot(s)))
        try:
            TrainingLoop(run, hooks, CLI_PACING).train(target - run.step)
            return
        except OutOfMemoryError as e:
            if distributed.active():  # the other ranks cannot follow a rebuild: stop them all
                raise
            bs = run.config.batch_size
            if args.on_oom == "halve" and bs > run.config.pack:  # whole packs, at least one
                run = holder.run = run.rebuild(batch_size=bs // 2)
                print(f"\nganvis train: {e}\n  going on with batch size "
                      f"{run.config.batch_size}", file=sys.stderr)
            elif args.on_oom == "cpu" and run.device.type != "cpu":
                print(f"\nganvis train: {e}\n  going on on the CPU", file=sys.stderr)
                run = holder.run = run.rebuild(device="cpu")
            else:
                save_run(run, args.out)
                pack = run.config.pack
                how = f"--batch-size {max(pack, bs // 2 // pack * pack)}"
                if run.device.type != "cpu":
                    how += " (or --device cpu)"
                raise GanvisError(f"{e}\nSaved the run so far to {args.out} (step {run.step}). "
                                  f"Go on with: ganvis train --resume {args.out} {how}, or "
                                  "train with --on-oom halve") from None
