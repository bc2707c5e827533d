"""`ganvis export`: a model file's generator (and encoder) as ONNX, to run outside ganvis."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ganvis.cli.common import MODEL_HELP, check_output


def add_parser(sub: argparse._SubParsersAction) -> None:
    e = sub.add_parser("export", help="write a model's generator as ONNX",
                       description="Write a model file's generator as an ONNX graph: input z "
                       "(N x latent size; a supervised AAE also takes digits, N int64), output "
                       "images (N x 1 x H x W in [-1, 1]) or, for a 2-D model, points (N x 2). "
                       "onnxruntime runs it with no torch and no ganvis.")
    e.add_argument("model", help=MODEL_HELP)
    e.add_argument("--format", choices=("onnx",), default="onnx",
                   help="the file format (onnx, the only one for now)")
    e.add_argument("--out", type=Path, default=Path("generator.onnx"),
                   help="the generator's file (default generator.onnx)")
    e.add_argument("--encoder-out", type=Path, default=None, metavar="FILE",
                   help="autoencoders: also write the encoder (images -> codes) here")
    e.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ganvis.engine.errors import GanvisError
    from ganvis.engine.store import load_sampler
    from ganvis.engine.store.demos import resolve_model
    from ganvis.engine.store.onnx_export import export_encoder, export_generator

    path = resolve_model(args.model)
    args.out = check_output(args.out, not_same_as={"the model file": path})
    if args.encoder_out:
        args.encoder_out = check_output(args.encoder_out, not_same_as={
            "the model file": path, "the generator's file (--out)": args.out})
    sampler = load_sampler(path)
    if args.encoder_out and sampler.encoder is None:
        raise GanvisError(f"--encoder-out: a {sampler.config.model} has no encoder")
    export_generator(sampler, args.out)
    print(f"saved {args.out}: the {sampler.config.model} generator of {args.model} "
          f"(step {sampler.step}) as ONNX", file=sys.stderr)
    if args.encoder_out:
        export_encoder(sampler, args.encoder_out)
        print(f"saved {args.encoder_out}: its encoder as ONNX", file=sys.stderr)
    return 0
