#!/usr/bin/env python3
"""The 2-D GAN on ring8 and grid25, over seeds: modes captured and high-quality samples by the
VEEGAN/PacGAN protocol (2,500 samples), with and without packing, and the mode-collapse
presets; printed as a Markdown table beside the published rows.

    python scripts/bench_toy.py                      # the defaults, ring8 and grid25, 5 seeds
    python scripts/bench_toy.py --only collapse --seeds 0 1 2 3 4 5 6 7 8 9
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import time

import ganvis.engine  # noqa: F401  (registers the families)
from ganvis.engine.family import family

CASES = {
    # name: (config fields, data, steps)
    "ring8": ({}, "ring8", 2000),
    "ring8 pack 4": ({"pack": 4}, "ring8", 2000),
    "grid25": ({}, "grid25", 2000),
    "grid25 pack 4": ({"pack": 4}, "grid25", 2000),
    "grid25 8000 steps": ({}, "grid25", 8000),
    "grid25 pack 4, 8000 steps": ({"pack": 4}, "grid25", 8000),
    # the theory lab's presets, on ring8
    **{f"preset: {name}": (dict(fields), "ring8", 2000)
       for name, fields in family("gan2d").presets.items() if fields},
}
PUBLISHED = """Published (2,500 samples; PacGAN, Table 1, and the VEEGAN paper's GAN row):
| model | ring8 modes | ring8 high quality | grid25 modes | grid25 high quality |
|---|---|---|---|---|
| GAN (PacGAN's runs) | 6.3 ± 0.5 | 98.2% | 17.3 ± 0.8 | 94.8% |
| PacGAN4 | 7.8 ± 0.1 | 95.9% | 24.8 ± 0.2 | 93.6% |
| GAN (the VEEGAN paper) | 1 | 99.3% | 3.3 | 0.5% |"""


def one(job: tuple[str, int]) -> dict:
    import torch

    torch.set_num_threads(1)
    from ganvis.engine import RunConfig, TrainingLoop, new_run

    name, seed = job
    fields, data, steps = CASES[name]
    run = new_run(RunConfig(model="gan2d", data=data, device="cpu", seed=seed,
                            metrics_every=0, **fields))
    t0 = time.perf_counter()
    TrainingLoop(run).train(steps)
    seconds = time.perf_counter() - t0
    m = run.measure()
    raw = run.live.measure(run.step, run.elapsed, run._fakes, run._fakes, run._verdicts,
                           run._surface)  # G itself, not its average
    return {"name": name, "seed": seed, "seconds": seconds, "modes": m["modes"],
            "hq": m["high_quality"], "rkl": m["reverse_kl"], "js": m["js"],
            "raw_modes": raw["modes"], "raw_hq": raw["high_quality"]}


def fmt(xs: list[float], pct: bool = False, digits: int = 1) -> str:
    xs = [x * 100 if pct else x for x in xs if x == x]
    if not xs:
        return "-"
    unit = "%" if pct else ""
    if len(xs) == 1:
        return f"{xs[0]:.{digits}f}{unit}"
    return f"{statistics.mean(xs):.{digits}f} ± {statistics.stdev(xs):.{digits}f}{unit}"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2, 3, 4])
    ap.add_argument("--only", nargs="+", default=None,
                    help="cases whose name contains one of these words")
    ap.add_argument("--jobs", type=int, default=2, help="processes (one thread each)")
    args = ap.parse_args()
    names = [n for n in CASES if args.only is None or any(w in n for w in args.only)]
    jobs = [(n, s) for n in names for s in args.seeds]
    with multiprocessing.get_context("spawn").Pool(args.jobs) as pool:
        results = pool.map(one, jobs)
    print(f"2-D GAN, defaults unless named; seeds {args.seeds}; one CPU thread per run\n")
    print("| case | steps | modes | high quality | reverse KL | JS at resolution h | "
          "G itself: modes / high quality | collapsed (< half the modes) | train s |")
    print("|---|---|---|---|---|---|---|---|---|")
    for n in names:
        rs = [r for r in results if r["name"] == n]
        fields, data, steps = CASES[n]
        total = 8 if data == "ring8" else 25
        collapsed = sum(r["modes"] < total / 2 for r in rs)
        print(f"| {n} | {steps} | {fmt([r['modes'] for r in rs])} | "
              f"{fmt([r['hq'] for r in rs], pct=True)} | {fmt([r['rkl'] for r in rs], digits=2)}"
              f" | {fmt([r['js'] for r in rs], digits=3)} | "
              f"{fmt([r['raw_modes'] for r in rs])} / {fmt([r['raw_hq'] for r in rs], True)} | "
              f"{collapsed} of {len(rs)} | {fmt([r['seconds'] for r in rs], digits=0)} |")
    print("\n" + PUBLISHED)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
