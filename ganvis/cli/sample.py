"""`ganvis sample`: a PNG grid of samples from a model file (a digit or a style for a saae)."""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from ganvis.cli.common import MODEL_HELP, bounded_int, check_output, nonneg_int, seed_int

MAX_IMAGES = 10_000  # a grid of more is a picture no one can look at
MAX_POINTS = 1_000_000
MAX_PIXELS = 100_000_000  # one PNG: about 100 MB of pixels while it is made


def add_parser(sub: argparse._SubParsersAction) -> None:
    s = sub.add_parser("sample", help="write a PNG grid of samples from a model file")
    s.add_argument("model", help=MODEL_HELP)
    s.add_argument("--n", type=bounded_int(1, MAX_POINTS), default=None,
                   help="how many samples (default 64 images, 2,500 points; 10 with "
                   "--style-from)")
    s.add_argument("--digit", type=nonneg_int, default=None,
                   help="saae: draw this digit in every sample (styles vary)")
    s.add_argument("--style-from", type=nonneg_int, default=None, metavar="INDEX",
                   help="saae: copy the style (slant, width, stroke) of image INDEX of the "
                   "model's data set; the samples cycle through the digits in that hand")
    s.add_argument("--seed", type=seed_int, default=0)
    s.add_argument("--cols", type=bounded_int(1, 1024), default=None)
    s.add_argument("--scale", type=bounded_int(1, 16), default=2,
                   help="pixel scale, 1 to 16 (default 2)")
    s.add_argument("--out", type=Path, default=Path("samples.png"),
                   help="a PNG; for a 2-D model also .npy or .csv (the points themselves)")
    s.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    import numpy as np

    from ganvis.engine.errors import GanvisError
    from ganvis.engine.files.images import save_grid
    from ganvis.engine.store import load_sampler, load_style
    from ganvis.engine.store.demos import resolve_model

    path = resolve_model(args.model)
    args.out = check_output(args.out, not_same_as={"the model file": path})
    sampler = load_sampler(path)
    if sampler.shape == (2,):  # a 2-D model: points
        return _points(args, sampler)
    conditional = args.digit is not None or args.style_from is not None
    if conditional and not sampler.conditional:
        raise GanvisError(f"{args.model}: --digit and --style-from need a model that takes a "
                          f"digit (saae); this one is a {sampler.config.model}")
    n = args.n or (10 if args.style_from is not None else 64)
    if n > MAX_IMAGES:
        raise GanvisError(f"--n {n}: a grid holds at most {MAX_IMAGES:,} images")
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
    cols = args.cols or (10 if sampler.conditional and args.digit is None else None)
    side = math.ceil(math.sqrt(n)) if cols is None else min(cols, n)
    h, w = sampler.shape
    pixels = side * (w * args.scale + 2) * math.ceil(n / side) * (h * args.scale + 2)
    if pixels > MAX_PIXELS:
        raise GanvisError(f"a picture of {pixels:,} pixels; at most {MAX_PIXELS:,} (fewer "
                          "samples, or a smaller --scale)")
    images = sampler(z, digits)
    save_grid(args.out, images, cols=cols, scale=args.scale)
    print(f"saved {args.out}: {n} samples from {args.model} (step {sampler.step}, {what})",
          file=sys.stderr)
    return 0


def _points(args: argparse.Namespace, sampler) -> int:
    from ganvis.engine.errors import GanvisError
    from ganvis.engine.files.images import save_points

    if args.digit is not None or args.style_from is not None:
        raise GanvisError(f"{args.model}: a 2-D model draws points; --digit and --style-from "
                          "are for a saae")
    n = args.n or 2500
    points = sampler.sample(n, args.seed)
    save_points(args.out, points)
    what = "points" if args.out.suffix.lower() in (".npy", ".csv") else "points, as a scatter,"
    print(f"saved {args.out}: {n} {what} sampled from {args.model} (step {sampler.step}, "
          f"seed {args.seed})", file=sys.stderr)
    return 0
