"""`ganvis info`: what a model file holds (family, data, step, settings, last losses, quality)."""

from __future__ import annotations

import argparse

from ganvis.cli.common import MODEL_HELP


def add_parser(sub: argparse._SubParsersAction) -> None:
    i = sub.add_parser("info", help="describe a model file")
    i.add_argument("model", help=MODEL_HELP)
    i.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ganvis.engine.runs.snapshot import SERIES_LABELS
    from ganvis.engine.store import RunFile
    from ganvis.engine.store.demos import resolve_model
    from ganvis.engine.store.runfile import reading

    path = resolve_model(args.model)
    with reading(path), RunFile(path) as rf:
        hist, metrics = rf.history(), rf.history("metrics")
        print(f"{args.model}: {rf.config.model} trained on {rf.data_name}, "
              f"{_samples(rf.shape)}, step {rf.counters['step']}, "
              f"{rf.counters['elapsed']:.1f} s of training")
        for k, v in rf.config.to_dict().items():
            print(f"  {k}: {v}")
        last = [f"{label} {hist[k][-1]:.4f}" for k, label in SERIES_LABELS.items()
                if hist.get(k)]
        if last:
            print("  last " + ", ".join(last))
        if metrics["step"]:
            m = {k: v[-1] for k, v in metrics.items() if v}
            if "fcd" in m:
                what = (f"FCD {m['fcd']:.3f}, {int(m['coverage'])}/10 digits covered, "
                        f"score {m['score']:.2f}")
            else:  # the 2-D game's measurement
                what = ", ".join(f"{k} {v:.4g}" for k, v in m.items()
                                 if k not in ("step", "seconds"))
            print(f"  quality at step {int(m['step'])}: {what}")
    return 0


def _samples(shape: tuple[int, ...]) -> str:
    return "points in the plane" if shape == (2,) else f"{shape[0]}x{shape[1]} images"
