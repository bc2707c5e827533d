#!/usr/bin/env python3
"""Train the evaluation classifier on MNIST-5k's training split and write its weights (run once).

    .venv/bin/python scripts/train_eval_classifier.py

Trains EvalNet on the 4,500 training images (seed 0, random shifts/rotations/scaling, and a
quarter of the batches binarised so binary-pixel models are judged fairly too), reports the
accuracy on the 500 held-out images and writes resources/models/eval_classifier.h5.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ganvis.engine.data import load_dataset  # noqa: E402
from ganvis.engine.quality.evalnet import (  # noqa: E402
    EvalNet,
    default_path,
    param_count,
    save_eval_net,
    split_indices,
)


def augment(x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    """Random shift (+-2 px), rotation (+-10 degrees) and scale (0.9-1.1), one affine warp.
    The background is -1, so warp x+1 (zero padding then means background) and shift back."""
    n = x.shape[0]
    u = torch.rand(n, 4, generator=gen) * 2 - 1
    angle, scale = u[:, 0] * math.radians(10), 1 + 0.1 * u[:, 1]
    shift = u[:, 2:] * (2 / 14)  # 2 pixels in [-1, 1] grid units (14 px per unit)
    cos, sin = torch.cos(angle) / scale, torch.sin(angle) / scale
    theta = torch.stack([torch.stack([cos, -sin, shift[:, 0]], 1),
                         torch.stack([sin, cos, shift[:, 1]], 1)], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    return F.grid_sample(x + 1, grid, align_corners=False) - 1


def accuracy(net: EvalNet, x: torch.Tensor, y: torch.Tensor) -> float:
    net.eval()
    with torch.no_grad():
        return int((net(x).argmax(1) == y).sum()) / len(y)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=default_path())
    ap.add_argument("--epochs", type=int, default=24)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    gen = torch.Generator().manual_seed(args.seed)

    ds = load_dataset("mnist5k")
    train_idx, held_idx = split_indices(ds.labels)
    images = torch.from_numpy(np.array(ds.images)).unsqueeze(1)
    labels = torch.from_numpy(ds.labels.astype(np.int64))
    xt, yt = images[train_idx], labels[train_idx]
    xh, yh = images[held_idx], labels[held_idx]

    net = EvalNet()
    batch = 64
    steps = args.epochs * math.ceil(len(xt) / batch)
    opt = torch.optim.Adam(net.parameters(), lr=2e-3)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=3e-3, total_steps=steps)
    t0 = time.perf_counter()
    for epoch in range(args.epochs):
        net.train()
        order = torch.randperm(len(xt), generator=gen)
        for i in range(0, len(xt), batch):
            idx = order[i:i + batch]
            x = augment(xt[idx], gen)
            if torch.rand((), generator=gen) < 0.25:  # binary-pixel data sets are judged too
                x = torch.where(x > 0, 1.0, -1.0)
            loss = F.cross_entropy(net(x), yt[idx])
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            sched.step()
        if epoch % 4 == 3 or epoch == args.epochs - 1:
            print(f"epoch {epoch + 1:2d}  loss {loss.item():.3f}  held-out "
                  f"{accuracy(net, xh, yh):.4f}  ({time.perf_counter() - t0:.0f} s)")
    acc = accuracy(net, xh, yh)
    acc_bin = accuracy(net, torch.where(xh > 0, 1.0, -1.0), yh)
    print(f"held-out accuracy {acc:.4f} (binarised {acc_bin:.4f}); {param_count(net)} "
          f"parameters; {time.perf_counter() - t0:.0f} s")
    if acc < 0.97:
        print("error: held-out accuracy below 0.97; not written", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    save_eval_net(net.eval(), args.out, held_out_accuracy=acc, held_out_accuracy_binary=acc_bin,
                  seed=args.seed, epochs=args.epochs, train_size=len(xt), data="mnist5k")
    print(f"wrote {args.out} ({args.out.stat().st_size} bytes)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
