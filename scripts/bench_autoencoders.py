#!/usr/bin/env python3
"""Autoencoder studies on MNIST-5k: patch compression, AE vs PCA, unsupervised pretraining.

Prints three tables (every number measured in this run, on this machine).
    python scripts/bench_autoencoders.py [--steps 3000] [--seeds 3]
"""

from __future__ import annotations

import argparse
import platform
import statistics
import sys
import time

import torch
from ganvis_dev import studies

from ganvis.engine.data import load_dataset


def _ms(values: list[float], digits: int = 4) -> str:
    if len(values) == 1:
        return f"{values[0]:.{digits}f}"
    return f"{statistics.mean(values):.{digits}f} ± {statistics.stdev(values):.{digits}f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--steps", type=int, default=3000, help="autoencoder training steps")
    ap.add_argument("--clf-steps", type=int, default=1000)
    ap.add_argument("--seeds", type=int, default=3)
    args = ap.parse_args(argv)
    ds = load_dataset("mnist5k")
    seeds = list(range(args.seeds))
    print(f"# machine: {platform.machine()}, {torch.get_num_threads()} torch threads, "
          f"torch {torch.__version__}, CPU; seeds {seeds}; images in [-1, 1]\n")

    t = time.perf_counter()
    patch = [studies.patch_study(ds, steps=args.steps, seed=s) for s in seeds]
    print("## 1. Compressing random 8x8 patches 4:1 (64-16-64 tanh MLP), held-out MSE")
    print("| predictor | MSE |\n|---|---|")
    print(f"| mean patch | {_ms([p.mean_mse for p in patch])} |")
    print(f"| PCA, 16 components | {_ms([p.pca_mse for p in patch])} |")
    print(f"| autoencoder 64-16-64 | {_ms([p.ae_mse for p in patch])} |")
    print(f"({patch[0].patches} patches per seed, 80/20 split; {time.perf_counter() - t:.0f} s)\n")

    t = time.perf_counter()
    runs = [studies.ae_vs_pca(ds, steps=args.steps, seed=s) for s in seeds]
    print("## 2. Dimensionality reduction: held-out reconstruction MSE at equal code size")
    print("| code size | PCA | autoencoder 784-256-k-256-784 | AE / PCA |\n|---|---|---|---|")
    for i, row in enumerate(runs[0]):
        pca = [r[i]["pca_mse"] for r in runs]
        ae = [r[i]["ae_mse"] for r in runs]
        print(f"| {row['latent']} | {_ms(pca)} | {_ms(ae)} | "
              f"{statistics.mean(ae) / statistics.mean(pca):.2f} |")
    print(f"(4,500 training images, 500 held out; {time.perf_counter() - t:.0f} s)\n")

    t = time.perf_counter()
    runs = [studies.pretraining_study(ds, ae_steps=args.steps, clf_steps=args.clf_steps, seed=s)
            for s in seeds]
    print("## 3. Pretraining: accuracy on 500 held-out digits with few labels")
    print("| labels | from scratch | pretrained encoder, frozen | pretrained, fine-tuned |")
    print("|---|---|---|---|")
    for i, row in enumerate(runs[0]):
        cols = [_ms([r[i][k] * 100 for r in runs], 1) + "%" for k in
                ("scratch", "frozen", "fine_tuned")]
        print(f"| {row['labels']} | " + " | ".join(cols) + " |")
    print(f"(autoencoder trained on all 4,500 training images without labels; "
          f"{time.perf_counter() - t:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
