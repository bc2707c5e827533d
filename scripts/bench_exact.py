#!/usr/bin/env python3
"""The theory lab's exact quantities, checked: JS_h of each built-in set against fresh samples
of itself (near 0), and Theorem 1 of Goodfellow et al. with D trained alone against a fixed G
(V(D, G) approaches -log 4 + 2 JS as D approaches D*). Printed as Markdown tables.

    python scripts/bench_exact.py
"""

from __future__ import annotations

import argparse
import math

import numpy as np
import torch
from torch import nn

from ganvis.engine import RunConfig, new_run
from ganvis.engine.data.points import builtin_points
from ganvis.engine.quality.game import LOG4
from ganvis.engine.quality.plane import data_density, divergences, grid_for, kde, resolution

SETS = ("ring8", "grid25", "moons", "spiral")
SHIFT, SD, MEAN = (0.9, 0.5), 0.3, (0.5, 0.5)  # G: N(SHIFT, SD^2 I); the gaussian set: N(MEAN, ..)


class Shifted(nn.Module):
    """A fixed generator: z -> SD z + SHIFT, exactly N(SHIFT, SD^2 I) from the normal prior."""

    def __init__(self) -> None:
        super().__init__()
        self.shift = torch.tensor(SHIFT)

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return SD * z + self.shift


def against_itself() -> None:
    print("| set | h | grid | JS_h against 20,000 fresh samples of itself | KL either way |")
    print("|---|---|---|---|---|")
    for name in SETS:
        data = builtin_points(name)
        h = resolution(data)
        grid = grid_for(data, h)
        d = divergences(data_density(data, grid, h),
                        kde(data.mixture.sample(20_000, seed=5), grid, h), grid.area)
        print(f"| {name} | {h:.3g} | {grid.n}² | {d['js']:.4f} | "
              f"{d['kl_data_g']:.4f} / {d['kl_g_data']:.4f} |")


def true_js(n: int = 1_000_000, seed: int = 0) -> float:
    """JS between N(MEAN, SD^2 I) and N(SHIFT, SD^2 I), by Monte Carlo on n samples of each."""
    rng = np.random.default_rng(seed)
    m1, m2 = np.array(MEAN), np.array(SHIFT)

    def log_ratio(x: np.ndarray, own: np.ndarray, other: np.ndarray) -> np.ndarray:
        a = -((x - own) ** 2).sum(1) / (2 * SD ** 2)
        b = -((x - other) ** 2).sum(1) / (2 * SD ** 2)
        return math.log(2) + a - np.logaddexp(a, b)  # log(2p / (p + q))

    x, y = rng.normal(m1, SD, (n, 2)), rng.normal(m2, SD, (n, 2))
    return float(0.5 * log_ratio(x, m1, m2).mean() + 0.5 * log_ratio(y, m2, m1).mean())


def theorem_1(updates: list[int]) -> None:
    run = new_run(RunConfig(model="gan2d", data="gaussian", device="cpu", metrics_every=0,
                            width=64, batch_size=64, lr_d=1e-3, g_ema=0.0))
    run.nets["G"] = run.train_nets["G"] = Shifted()
    js = true_js()
    print(f"\nD (64 units, 3 layers, Adam 1e-3, batch 64) trained alone against a fixed G; the "
          f"true JS (Monte Carlo, 10^6 samples of each) is {js:.3f}, so at D* the bound "
          f"(V + log 4)/2 would be {js:.3f} and V would be {-LOG4 + 2 * js:.3f}.\n")
    print("| D updates | max \\|D − D\\*\\| | V(D, G) | −log 4 + 2 JS_h | JS_h | (V + log 4)/2 |")
    print("|---|---|---|---|---|---|")
    done = 0
    for n in updates:
        if n > done:
            run.step_d(n - done)
            done = n
        m = run.measure()
        print(f"| {n:,} | {m['d_gap']:.3f} | {m['v']:.3f} | {-LOG4 + 2 * m['js']:.3f} | "
              f"{m['js']:.3f} | {m['v_bound']:.3f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--updates", nargs="+", type=int, default=[0, 250, 1000, 3000])
    args = ap.parse_args()
    torch.set_num_threads(1)
    torch.manual_seed(0)
    against_itself()
    theorem_1(args.updates)


if __name__ == "__main__":
    main()
