"""`ganvis eval`: the quality metrics of a model file, or of real held-out digits (the floor)."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path

from ganvis.cli.common import bounded_int, seed_int

LABELS = {
    "fcd": "FCD (Frechet classifier distance; lower is better)",
    "fcd_floor": "  real-vs-real floor (held-out vs training digits)",
    "fcd_500": "  FCD of the first 500 images (the floor's sample size)",
    "fcd_ratio": "  FCD of 500 / floor",
    "coverage": "digits covered (of 10, each >= 2% of confident predictions)",
    "class_kl": "KL(predicted digits || uniform), nats (0: balanced)",
    "score": "classifier score (real digits: about 10)",
    "control_accuracy": "control accuracy (asked-for digit recognised)",
    "confident_share": "confident predictions (max p >= 0.5)",
    "memorisation_ratio": "nearest-training-image distance, generated / held-out real",
    "nn_gen": "  generated images' distance to their nearest training image",
    "nn_real": "  held-out real images' distance to theirs",
    "accuracy": "evaluation classifier's held-out accuracy",
    "score_real": "classifier score of held-out real digits",
    "coverage_real": "coverage of held-out real digits",
    "fcd_noise": "FCD of uniform noise (ceiling)",
    "fcd_blank": "FCD of blank images",
    "classes": "classes the classifier tells apart",
    "train_size": "training images the samples are compared with",
    "n": "images scored",
    "seconds": "seconds to generate and score",
    # the 2-D game (gan2d)
    "modes": "modes captured (VEEGAN/PacGAN protocol, 2,500 samples)",
    "high_quality": "share of high-quality samples (within 3 std of a mode)",
    "reverse_kl": "KL(mode histogram of those || uniform), nats",
    "js": "JS(p_data || p_g) of G itself at resolution h, nats (max 0.693)",
    "kl_data_g": "KL(p_data || p_g) at h, nats (cells floored at 1e-12)",
    "kl_g_data": "KL(p_g || p_data) at h, nats (cells floored at 1e-12)",
    "v": "V(D, G) on 10,000 real and fake points (equilibrium -1.386)",
    "v_bound": "(V + log 4) / 2, at least 0: a lower bound on JS (= JS at D*)",
    "d_gap": "max |D - D*| where the data or the samples live",
    "resolution": "h: both densities blurred by N(0, h^2) before comparing",
    "step": "training step",
    "pack": "points D judges at once (1: the plain GAN)",
    "g_ema": "decay of the weight average samples come from (0: G itself)",
}
USER_DATA = {  # a user's labelled data set, measured by its own judge (`ganvis judge`)
    "fcd_500": "  FCD of as many images as the floor (50 per class)",
    "fcd_floor": "  real-vs-real floor (held-out vs training images)",
    "coverage": "classes covered (each >= 2% of confident predictions)",
    "class_kl": "KL(predicted classes || uniform), nats (0: balanced)",
    "score": "classifier score (see the held-out real images' below)",
    "control_accuracy": "control accuracy (asked-for class recognised)",
    "accuracy": "the data set's judge's held-out accuracy",
    "score_real": "classifier score of held-out real images",
    "coverage_real": "coverage of held-out real images",
}
PACKED = {  # what V and D mean when D judges packs of m points
    "v": "V(D, G) on packs of m real and of m fake points",
    "v_bound": "(V + log 4) / 2: a lower bound on JS between packs of m points",
    "d_gap": "max |D - D*_m| on m copies of a point, D*_m = p^m / (p^m + q^m)",
}
AVERAGED = {  # what the modes are counted on when samples come from an average of G
    "modes": "modes captured by the averaged G (VEEGAN/PacGAN, 2,500 samples)",
    "high_quality": "share of its samples within 3 std of a mode",
}


def labels_for(result: dict, data: str = "mnist5k") -> dict[str, str]:
    """LABELS, as they read for this model (a 2-D GAN that packs or averages G) and data."""
    from ganvis.engine.data import BUILTIN

    return {**LABELS, **({} if data in BUILTIN else USER_DATA),
            **(PACKED if (result.get("pack") or 1) > 1 else {}),
            **(AVERAGED if (result.get("g_ema") or 0) > 0 else {})}


def add_parser(sub: argparse._SubParsersAction) -> None:
    e = sub.add_parser("eval", help="quality metrics of a model file (FCD, coverage, ...)",
                       description="Generate N images from a model and score them with the "
                       "evaluation classifier: FCD, digit coverage, classifier score, control "
                       "accuracy (models that take a digit) and memorisation.")
    e.add_argument("model", nargs="?", help="a run/model file (.h5), or a demo model: "
                   "demo-dcgan, demo-saae or demo-aae2d")
    e.add_argument("--n", type=bounded_int(2, 100_000), default=2000,
                   help="images to generate, 2 to 100,000 (2000; a 2-D model is measured on "
                   "its own fixed samples)")
    e.add_argument("--seed", type=seed_int, default=0, help="seed of the codes (0; not "
                   "for 2-D models)")
    e.add_argument("--real", action="store_true", help="score real held-out images instead: "
                   "the floor, the ceiling and the classifier's accuracy")
    e.add_argument("--data", default=None, help="with --real: mnist5k (default), "
                   "mnist5k-binary, or a labelled data set of yours once `ganvis judge` has "
                   "trained its judge")
    e.add_argument("--json", action="store_true", help="print one JSON object")
    e.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ganvis.engine.errors import GanvisError
    from ganvis.engine.store.demos import resolve_model

    if args.real == (args.model is not None):
        raise GanvisError("give a model file, or --real for the real-data floor (not both)")
    if args.data is not None and not args.real:
        raise GanvisError("--data goes with --real; a model is scored on its own data set")
    data = args.data or "mnist5k"
    if args.real:
        result = _real(data)
    else:
        path = resolve_model(args.model)
        data = _data_of(path)
        result = evaluate_file(path, args.n, args.seed)
    if args.json:
        print(json.dumps(result, sort_keys=True))
    else:
        title = f"real {data} images" if args.real else str(args.model)
        print(f"ganvis eval: {title}")
        labels = labels_for(result, data)
        for k, v in result.items():
            label = labels.get(k, k)
            if v is None:
                v = "n/a"
            elif isinstance(v, float):
                v = f"{v:.4g}"
            print(f"  {label:<62} {v}")
    return 0


def _real(data: str) -> dict:
    from ganvis.engine.quality.metrics import real_floor

    return _plain(real_floor(data))


def _data_of(path: Path) -> str:
    from ganvis.engine.store import RunFile
    from ganvis.engine.store.runfile import reading

    with reading(path), RunFile(path) as rf:
        return rf.config.data


def evaluate_file(path: Path, n: int, seed: int) -> dict:
    from ganvis.engine.errors import GanvisError
    from ganvis.engine.quality.live import score_sampler
    from ganvis.engine.store import RunFile, load_run, load_sampler
    from ganvis.engine.store.runfile import reading

    with reading(path), RunFile(path) as rf:
        points = rf.family.data.name == "points"
    if points:  # the 2-D game: measured exactly, against its own data set
        run = load_run(path, device="cpu")
        return _plain({**run.measure(), "resolution": run.live.h, "pack": run.config.pack,
                       "g_ema": run.config.g_ema})
    sampler = load_sampler(path)
    try:
        return _plain(score_sampler(sampler, n, seed))
    except GanvisError as e:
        raise GanvisError(f"{path}: {e}") from None


def _plain(d: dict) -> dict:
    """JSON-safe: numpy scalars become Python numbers, NaN becomes None."""
    out = {}
    for k, v in d.items():
        if hasattr(v, "item"):
            v = v.item()
        if isinstance(v, float) and not math.isfinite(v):
            v = None
        out[k] = v
    return out
