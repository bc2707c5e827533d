#!/usr/bin/env python3
"""Train the demo models that ship in resources/models/ (fixed seeds), score them, write them.

    .venv/bin/python scripts/train_demo_models.py                 # all three, all threads
    .venv/bin/python scripts/train_demo_models.py --only demo-saae --threads 1

demo-dcgan, demo-saae and demo-aae2d (see ganvis/engine/demos.py) are trained on the built-in
digits with the package defaults, except the autoencoders' width (512 would make files of
6.5 MB each): 256 for the saae (its digit control passes the check below) and 192 for the
2-D AAE (at 256 the three files came to 6.6 MB before they kept the average of the generator's
weights beside the generator itself; with it they came to 11.4 MB, under 12 MB). They are
written without the optimiser state (a demo opened to train on starts Adam afresh). Each is
scored like `ganvis eval` (2,000 images, seed 1000), the supervised AAE's digit control is
checked digit by digit, and a markdown table ends the run.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ganvis.engine import Run, RunConfig, new_run  # noqa: E402
from ganvis.engine.quality.live import score_sampler  # noqa: E402
from ganvis.engine.store import save_run  # noqa: E402
from ganvis.engine.store.demos import DEMOS, demo_path, digit_predictions  # noqa: E402

# name: (config fields beyond the defaults, generator steps)
RECIPES: dict[str, tuple[dict, int]] = {
    "demo-dcgan": (dict(model="dcgan"), 3000),
    "demo-saae": (dict(model="saae", width=256), 5000),
    "demo-aae2d": (dict(model="aae", latent_dim=2, prior="mog10", width=192), 3000),
}
SEED = 0
SNAPSHOT_EVERY = 100   # steps between history rows (the loss curves a demo opens with)
EVAL_N, EVAL_SEED = 2000, 1000
CHECK_STYLES, CHECK_SEED = 20, 2024  # saae: prior styles decoded as every digit
MAX_TOTAL = 12_000_000  # bytes, all demo files together (each keeps its generator twice)


def train(name: str, out_dir: Path) -> dict:
    fields, steps = RECIPES[name]
    run = new_run(RunConfig(**fields, seed=SEED, device="cpu", metrics_every=0))
    print(f"{name}: {run.config.model}, width {run.config.width}, latent "
          f"{run.config.latent_dim} ({run.config.prior}), {steps} steps ...", flush=True)
    while run.step < steps:
        run.train_steps(min(SNAPSHOT_EVERY, steps - run.step))
        run.snapshot()
    run.measure()  # one quality row for `ganvis info` and the app's curves
    # not measured while training here; a user who trains a demo on gets the usual curves
    run.config = run.config.replace(metrics_every=RunConfig().metrics_every)
    path = save_run(run, out_dir / f"{name}.h5", optimizer=False)
    m = score_sampler(run.sampler(), EVAL_N, seed=EVAL_SEED)
    row = {k: m.get(k) for k in ("fcd", "fcd_ratio", "coverage", "score", "control_accuracy")}
    row.update(name=name, steps=steps, seconds=run.elapsed, bytes=path.stat().st_size, ok=True)
    ctrl = row["control_accuracy"]
    print(f"  FCD {row['fcd']:.1f}, FCD/floor {row['fcd_ratio']:.2f}, coverage "
          f"{row['coverage']}, score {row['score']:.2f}, control accuracy "
          f"{'-' if ctrl is None else f'{ctrl:.3f}'}, trained in {row['seconds']:.0f} s, "
          f"{path} {row['bytes'] / 1e6:.2f} MB", flush=True)
    if run.num_classes:
        row["ok"] = check_digits(run)
    return row


def check_digits(run: Run) -> bool:
    """Every digit d decoded from the same prior styles must be recognised as d: accuracy
    >= 0.9 over all of them, and d the majority prediction for at least 9 of the 10 digits."""
    pred = digit_predictions(run.sampler(), CHECK_STYLES, CHECK_SEED)
    want = np.arange(len(pred))[:, None]
    acc = float((pred == want).mean())
    majority = [int(np.bincount(row, minlength=10).argmax()) for row in pred]
    hits = sum(int(m == d) for d, m in enumerate(majority))
    ok = acc >= 0.9 and hits >= len(pred) - 1
    print(f"  digit check ({CHECK_STYLES} prior styles x each digit): accuracy {acc:.3f}, "
          f"majority right for {hits}/{len(pred)} digits: {'passed' if ok else 'FAILED'}")
    for d, row in enumerate(pred):
        print(f"    digit {d}: {int((row == d).sum())}/{len(row)} recognised, majority "
              f"{majority[d]}")
    return ok


def table(rows: list[dict]) -> str:
    def num(v, fmt: str) -> str:
        return "-" if v is None or v != v else format(v, fmt)

    lines = ["| demo | steps | train s | FCD | FCD/floor | coverage | score | control acc | "
             "file MB |", "|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['name']} | {r['steps']} | {r['seconds']:.0f} | {num(r['fcd'], '.1f')} "
                     f"| {num(r['fcd_ratio'], '.2f')} | {r['coverage']} | "
                     f"{num(r['score'], '.2f')} | {num(r['control_accuracy'], '.3f')} | "
                     f"{r['bytes'] / 1e6:.2f} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="+", choices=list(DEMOS), metavar="NAME",
                    help=f"train these demos only ({', '.join(DEMOS)})")
    ap.add_argument("--out-dir", type=Path, default=demo_path("demo-dcgan").parent,
                    help="where to write NAME.h5 (default resources/models)")
    ap.add_argument("--threads", type=int, default=torch.get_num_threads(),
                    help=f"CPU threads for torch (default: all, {torch.get_num_threads()})")
    args = ap.parse_args(argv)
    if not args.out_dir.is_dir():
        ap.error(f"--out-dir {args.out_dir}: no such folder")
    if args.threads < 1:
        ap.error("--threads: expected 1 or more")
    torch.set_num_threads(args.threads)
    t0 = time.perf_counter()
    rows = [train(name, args.out_dir) for name in (args.only or DEMOS)]
    print(f"\n{len(rows)} demo(s) in {time.perf_counter() - t0:.0f} s, {args.threads} "
          f"thread(s)\n\n{table(rows)}\n")
    total = sum((args.out_dir / f"{name}.h5").stat().st_size for name in DEMOS
                if (args.out_dir / f"{name}.h5").is_file())
    print(f"demo files together: {total / 1e6:.2f} MB (limit {MAX_TOTAL / 1e6:.2f} MB)")
    failed = [r["name"] for r in rows if not r["ok"]]
    if failed:
        print(f"FAILED the digit check: {', '.join(failed)}; train a wider saae", file=sys.stderr)
    if total > MAX_TOTAL:
        print("the demo files are too large; train narrower models", file=sys.stderr)
    return 1 if failed or total > MAX_TOTAL else 0


if __name__ == "__main__":
    sys.exit(main())
