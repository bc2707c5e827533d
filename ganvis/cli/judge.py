"""`ganvis judge`: train (or find) the judge of a labelled data set, so that FCD, coverage and
the classifier score can be measured on it, against its own real-data floor."""

from __future__ import annotations

import argparse
import json
import sys


def add_parser(sub: argparse._SubParsersAction) -> None:
    j = sub.add_parser("judge", help="train the classifier that scores models of a labelled "
                       "data set (FCD, coverage) and show its accuracy and floor",
                       description="Train a judge for a labelled data set (IDX, npz, HDF5 or "
                       "an image folder with one sub-folder per class): the evaluation "
                       "classifier's layers, learned from the data's training split in "
                       "seconds to a minute, with its accuracy on the held-out images (50 per "
                       "class). It is kept in the user's cache, keyed by a hash of the data, "
                       "and used from then on by `ganvis eval`, the app and `ganvis train`.")
    j.add_argument("data", help="the data set: idx:DIR, npz:FILE, h5:FILE, images:DIR or a "
                   "file path")
    j.add_argument("--retrain", action="store_true", help="train it again even if the cache "
                   "has one")
    j.add_argument("--json", action="store_true", help="print one JSON object")
    j.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ganvis.cli.eval import _plain
    from ganvis.engine.data import BUILTIN, load_dataset
    from ganvis.engine.errors import GanvisError
    from ganvis.engine.quality.judge import cached_judge, train_judge, why_no_judge
    from ganvis.engine.quality.metrics import real_floor

    if args.data in BUILTIN:
        raise GanvisError(f"{args.data} is judged by the shipped classifier "
                          "(`ganvis eval --real` shows its floor)")
    ds = load_dataset(args.data)
    why = why_no_judge(ds)
    if why:
        raise GanvisError(why)
    judge = None if args.retrain else cached_judge(ds)
    trained = judge is None
    if trained:
        judge = train_judge(ds, _bar(args.json))
    floor = real_floor(args.data)
    result = _plain({"data": ds.name, "images": ds.size, "classes": judge.num_classes,
                     "held_out_accuracy": judge.accuracy, "trained_now": trained,
                     "train_steps": judge.steps, "train_seconds": judge.seconds,
                     "fcd_floor": floor["fcd_floor"], "score_real": floor["score_real"],
                     "fcd_noise": floor["fcd_noise"], "fcd_blank": floor["fcd_blank"],
                     "path": str(judge.path)})
    if args.json:
        print(json.dumps(result, sort_keys=True))
        return 0
    how = (f"trained in {judge.seconds:.0f} s ({judge.steps} steps)" if trained
           else f"from the cache (trained in {judge.seconds:.0f} s)")
    print(f"ganvis judge: {ds.name}, {ds.size:,} images, {judge.num_classes} classes\n"
          f"  judge {how}: {judge.path}\n"
          f"  held-out accuracy (50 images per class, never trained on)  "
          f"{judge.accuracy:.1%}\n"
          f"  FCD floor: 500 held-out vs training images                 "
          f"{floor['fcd_floor']:.2f}\n"
          f"  classifier score of held-out images                        "
          f"{floor['score_real']:.2f}\n"
          f"  FCD of uniform noise / of blank images                     "
          f"{floor['fcd_noise']:.0f} / {floor['fcd_blank']:.0f}")
    return 0


def _bar(quiet: bool):
    """progress(done, total) drawing a tqdm bar on stderr (nothing when quiet)."""
    if quiet:
        return None
    from tqdm import tqdm

    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = tqdm(total=total, unit=" steps", file=sys.stderr, ascii=not sys.stderr.isatty(),
                       bar_format="judge {n_fmt}/{total_fmt} {bar:24} {rate_fmt}  ETA "
                                  "{remaining}")
        bar.update(done - bar.n)
        if done >= total:
            bar.close()

    return progress
