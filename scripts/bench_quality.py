"""Quality benchmark: every model family trained with fixed budgets and seeds, scored by the
evaluation classifier, in one table.

    python scripts/bench_quality.py            # the full table (about 20 minutes on 2 CPU cores)
    python scripts/bench_quality.py --quick    # a smoke run with tiny budgets
    python scripts/bench_quality.py --only dcgan-nonsat --seeds 0 1 2
    python scripts/bench_quality.py --ablation  # what EMA and DiffAugment buy (about 45 min)

FCD is measured on 2,000 samples; "FCD/floor" compares the first 500 of them with the
real-vs-real floor (500 held-out digits vs the training split), like with like. "FCD@500" is
the FCD after 500 steps: how fast a run gets going (the minimax vs non-saturating question).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time

import numpy as np
import torch

from ganvis.engine import RunConfig, new_run
from ganvis.engine.quality.latent_match import prior_match, style_consistency
from ganvis.engine.quality.live import score_sampler
from ganvis.engine.quality.metrics import real_floor

# name: (config fields, steps, seeds)
ROWS = {
    "gan": (dict(model="gan"), 3000, (0, 1)),
    "dcgan-nonsat": (dict(model="dcgan", loss="nonsat"), 3000, (0, 1)),
    "dcgan-minimax": (dict(model="dcgan", loss="minimax"), 3000, (0, 1)),
    "ae": (dict(model="ae"), 3000, (0,)),
    "aae": (dict(model="aae"), 3000, (0,)),
    "aae-mog10": (dict(model="aae", latent_dim=2, prior="mog10"), 3000, (0,)),
    "saae": (dict(model="saae"), 5000, (0,)),
    "gan-binary": (dict(model="gan", data="mnist5k-binary"), 3000, (0,)),
    "aae-binary": (dict(model="aae", data="mnist5k-binary"), 3000, (0,)),
}
EARLY = 500  # the step whose FCD shows early training speed
N_EVAL = 2000


def train_one(fields: dict, steps: int, seed: int, device: str) -> dict:
    run = new_run(RunConfig(**fields, seed=seed, device=device, metrics_every=0))
    early = float("nan")
    done = 0
    t0 = time.perf_counter()
    for stop in sorted({min(EARLY, steps), steps}):
        run.train_steps(stop - done)
        done = stop
        if done == EARLY:
            early = run.measure()["fcd"]  # not counted in the training time below
    wall = time.perf_counter() - t0
    m = score_sampler(run.sampler(), N_EVAL, seed=1000 + seed)
    m.update(seconds=run.elapsed, wall=wall, fcd_early=early, device=str(run.device))
    if run.family.adversarial and run.family.reconstructs:  # an AAE: codes vs its prior
        m.update(latent_report(run))
    return m


def latent_report(run) -> dict:
    """AAE: codes vs the prior. saae: is the style kept when the digit changes?"""
    codes = run.snapshot().autoencoder.codes
    out = prior_match(codes, run.config.prior, seed=run.config.seed)
    if run.family.conditional:
        images = run.dataset.images[:100]
        out.update(style_consistency(run.encode, run.sampler(), images))
    return out


def fmt(values: list[float], digits: int = 1) -> str:
    vals = [v for v in values if v == v]
    if not vals:
        return "-"
    if len(vals) == 1:
        return f"{vals[0]:.{digits}f}"
    return f"{statistics.mean(vals):.{digits}f} ± {statistics.stdev(vals):.{digits}f}"


def table(results: dict[str, list[dict]], steps: dict[str, int]) -> str:
    head = ("| run | data | steps | train s | device | FCD (2k) | FCD/floor | FCD@500 | "
            "coverage | class KL | score | control acc | memorisation |")
    lines = [head, "|" + "---|" * 13]
    for name, ms in results.items():
        def get(k: str, ms=ms) -> list[float]:
            return [float("nan") if m.get(k) is None else float(m[k]) for m in ms]

        cov = sorted({int(m["coverage"]) for m in ms})
        lines.append(
            f"| {name} | {ROWS_DATA.get(name, 'mnist5k')} | {steps[name]} | "
            f"{fmt(get('seconds'), 0)} | {ms[0]['device']} | {fmt(get('fcd'))} | "
            f"{fmt(get('fcd_ratio'), 2)} | {fmt(get('fcd_early'))} | "
            f"{'/'.join(map(str, cov))} | {fmt(get('class_kl'), 3)} | {fmt(get('score'), 2)} | "
            f"{fmt(get('control_accuracy'), 3)} | {fmt(get('memorisation_ratio'), 2)} |")
    return "\n".join(lines)


ROWS_DATA = {name: fields.get("data", "mnist5k") for name, (fields, _, _) in ROWS.items()}


def latent_table(results: dict[str, list[dict]]) -> str:
    lines = ["| run | mean abs per dim | var per dim (min..max) | MMD to prior | MMD floor | "
             "style drift / spread |", "|---|---|---|---|---|---|"]
    for name, ms in results.items():
        m = ms[0]
        if "mmd" not in m:
            continue
        style = (f"{m['style_drift']:.3f} / {m['style_spread']:.3f} = "
                 f"{m['style_consistency']:.2f}" if "style_drift" in m else "-")
        lines.append(f"| {name} | {m['code_mean_abs']:.3f} | {m['code_var_mean']:.2f} "
                     f"({m['code_var_min']:.2f}..{m['code_var_max']:.2f}) | {m['mmd']:.4f} | "
                     f"{m['mmd_floor']:.4f} | {style} |")
    return "\n".join(lines)


# The ablation: each image GAN trained as the textbook has it, plain, and with DiffAugment;
# every run is scored both from G itself and from the average of its weights (the average
# never feeds back into training, so "EMA off" and "EMA on" share one training run).
TEXTBOOK = dict(lr_g=2e-4, lr_d=2e-4, betas_g=(0.5, 0.999), betas_d=(0.5, 0.999))
ABLATION = {
    "dcgan": {"textbook (Radford et al.)": TEXTBOOK, "plain": {},
              "DiffAugment": {"augment": "translation,cutout"}},
    "gan": {"textbook (Goodfellow et al.)": TEXTBOOK, "plain": {},
            "DiffAugment": {"augment": "translation,cutout"}},
    "aae": {"defaults": {}},  # the decoder's average (D judges codes: nothing to augment)
}
STEP_MARKS = (500, 1000, 3000)
TIME_MARKS = (60.0, 180.0)  # seconds of training (measuring not counted)
ABLATION_EMA = 0.995  # a half-life of about 9,000 images at batch 64


def ablation_run(model: str, fields: dict, seed: int, device: str) -> dict:
    """FCD (2,000 samples) of G and of its average at each step and time mark; ms per step."""
    from ganvis.engine.quality.metrics import evaluate, reference

    fields = {"augment": "off", **fields} if model != "aae" else fields
    config = RunConfig(model=model, **fields, g_ema=ABLATION_EMA, seed=seed, device=device,
                       metrics_every=0)
    run = new_run(config)
    gen = run.family.generator
    ref = reference(config.data)
    z = torch.as_tensor(run.sampler().z(N_EVAL, 1000 + seed))

    @torch.no_grad()
    def fcd(net: torch.nn.Module) -> float:
        net.eval()
        try:
            x = torch.cat([net(z[i:i + 500].to(run.device)) for i in range(0, N_EVAL, 500)])
        finally:
            net.train()
        return evaluate(x.squeeze(1).float().cpu().numpy(), None, ref=ref)["fcd"]

    out: dict = {"marks": {}}
    times = list(TIME_MARKS)
    while run.step < STEP_MARKS[-1] or times:
        run.train_steps(10)
        marks = [f"{run.step} steps"] if run.step in STEP_MARKS else []
        while times and run.elapsed >= times[0]:
            marks.append(f"{times.pop(0):.0f} s")
        for mark in marks:
            out["marks"][mark] = (fcd(run.nets[gen]), fcd(run.nets[f"{gen}_ema"]), run.step)
    out["ms_per_step"] = 1000 * run.elapsed / run.step
    return out


def step_costs(device: str, rounds: int = 5, steps: int = 100) -> str:
    """ms per step of each image family with and without the average and DiffAugment,
    measured side by side (the runs take turns, `rounds` times), medians."""
    variants = {"neither": dict(g_ema=0.0, augment="off"), "EMA": dict(augment="off"),
                "EMA + DiffAugment": dict(augment="translation,cutout")}
    lines = ["| model | " + " | ".join(f"ms/step, {v}" for v in variants) + " | ratio "
             "EMA / neither | ratio EMA + DiffAugment / neither |", "|---|" + "---|" * 5]
    for model in ("dcgan", "gan"):
        runs = {v: new_run(RunConfig(model=model, device=device, metrics_every=0, **f))
                for v, f in variants.items()}
        times: dict[str, list[float]] = {v: [] for v in variants}
        for r in range(rounds + 1):
            for v, run in runs.items():
                t0 = run.elapsed
                run.train_steps(steps)
                if r:  # the first round warms up
                    times[v].append(1000 * (run.elapsed - t0) / steps)
        ms = {v: statistics.median(t) for v, t in times.items()}
        lines.append(f"| {model} | " + " | ".join(f"{ms[v]:.1f}" for v in variants) +
                     f" | {ms['EMA'] / ms['neither']:.2f} | "
                     f"{ms['EMA + DiffAugment'] / ms['neither']:.2f} |")
    return "\n".join(lines)


def ablation(seeds: tuple[int, ...], device: str, only: list[str] | None) -> str:
    cols = [f"{m} steps" for m in STEP_MARKS] + [f"{t:.0f} s" for t in TIME_MARKS]
    lines = ["| model | recipe | EMA | ms/step | " + " | ".join(f"FCD @{c}" for c in cols)
             + " |", "|---|---|---|---|" + "---|" * len(cols)]
    for model, recipes in ABLATION.items():
        if only and model not in only:
            continue
        for recipe, fields in recipes.items():
            runs = []
            for seed in seeds:
                runs.append(ablation_run(model, fields, seed, device))
                got = {k: f"{v[0]:.0f}/{v[1]:.0f}" for k, v in runs[-1]["marks"].items()}
                print(f"  {model} {recipe} seed {seed}: FCD G/EMA {got}", flush=True)
            ms = fmt([r["ms_per_step"] for r in runs])
            for ema in (0, 1):
                cells = []
                for c in cols:
                    cell = fmt([r["marks"][c][ema] for r in runs])
                    if c.endswith(" s"):  # where the time mark fell
                        cell += f" ({fmt([r['marks'][c][2] for r in runs], 0)} steps)"
                    cells.append(cell)
                lines.append(f"| {model} | {recipe} | {'on' if ema else 'off'} | {ms} | "
                             + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--only", nargs="+", choices=list(ROWS), help="these rows only")
    p.add_argument("--seeds", nargs="+", type=int, help="override every row's seeds")
    p.add_argument("--steps", type=int, help="override every row's step budget")
    p.add_argument("--quick", action="store_true", help="smoke run: 60 steps, one seed")
    p.add_argument("--device", default="auto")
    p.add_argument("--json", help="also write the raw results to this file")
    p.add_argument("--ablation", nargs="*", metavar="MODEL", help="the EMA and DiffAugment "
                   "ablation (of these models: dcgan, gan, aae; default all), 2 seeds")
    args = p.parse_args(argv)
    torch.set_num_threads(max(1, torch.get_num_threads()))
    floor = real_floor("mnist5k")
    print(f"evaluation classifier held-out accuracy {floor['accuracy']:.3f}; FCD floor "
          f"(500 held-out vs training) {floor['fcd_floor']:.2f}, binarised "
          f"{real_floor('mnist5k-binary')['fcd_floor']:.2f}; noise {floor['fcd_noise']:.0f}, "
          f"blank {floor['fcd_blank']:.0f}", flush=True)
    if args.ablation is not None:
        if args.quick:  # a smoke run of the ablation itself
            global STEP_MARKS, TIME_MARKS
            STEP_MARKS, TIME_MARKS = (20, 40), (1.0,)
        print(ablation(tuple(args.seeds or (0, 1)), args.device, args.ablation))
        print()
        print(step_costs(args.device, rounds=1 if args.quick else 5))
        return 0
    results: dict[str, list[dict]] = {}
    steps_used: dict[str, int] = {}
    for name in args.only or list(ROWS):
        fields, steps, seeds = ROWS[name]
        steps = 60 if args.quick else (args.steps or steps)
        seeds = (0,) if args.quick else tuple(args.seeds or seeds)
        steps_used[name] = steps
        for seed in seeds:
            m = train_one(fields, steps, seed, args.device)
            results.setdefault(name, []).append(m)
            print(f"  {name} seed {seed}: FCD {m['fcd']:.1f}, coverage {m['coverage']}, "
                  f"score {m['score']:.2f}, {m['seconds']:.0f} s", flush=True)
    print()
    print(table(results, steps_used))
    print()
    print(latent_table(results))
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"floor": floor, "results": results}, f, indent=1, default=float)
    return 0


if __name__ == "__main__":
    np.seterr(all="ignore")
    sys.exit(main())
