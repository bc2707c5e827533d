"""How big the timeline GIF of a real run is, beside other encoders on the same frames.

Trains a DCGAN (defaults) for 600 steps on the built-in digits, keeping a snapshot every 15
steps (40 frames, the app's 8 x 8 grid with its step above), then writes the frames with:
ganvis's writer (Pillow: palette, LZW, frames cropped to what changed), Pillow's plain
defaults, gifsicle -O3 (when installed: `apt-get install gifsicle`), and, for the record, the
size the old hand-written writer's layout gives (every pixel a 9-bit literal code).

    python scripts/bench_gif.py [--steps 600] [--every 15] [--run FILE.h5]

--run takes the timeline of an existing run file instead of training.
"""

from __future__ import annotations

import argparse
import io
import math
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from ganvis.engine import RunConfig, new_run
from ganvis.engine.runs.timeline import Timeline
from ganvis.engine.store import RunFile


def train_timeline(steps: int, every: int) -> Timeline:
    run = new_run(RunConfig(model="dcgan", device="cpu", seed=0, metrics_every=0))
    t0 = time.perf_counter()
    while run.step < steps:
        run.train_steps(every)
        run.snapshot()  # the run keeps the grid in its timeline
    print(f"trained {steps} steps in {time.perf_counter() - t0:.0f} s", file=sys.stderr)
    return run.timeline


def from_file(path: Path) -> Timeline:
    with RunFile(path) as rf:
        steps, grids = rf.timeline()
    t = Timeline()
    t.restore(steps, grids)
    return t


def old_writer_size(frames: np.ndarray) -> int:
    """Bytes the former writer laid out: header, grey palette, loop block; per frame a
    control block, an image descriptor and 9-bit literal codes with a clear code every 254."""
    size = 13 + 768 + 19 + 1
    for f in frames:
        pixels = f.size
        codes = pixels + math.ceil(pixels / 254) + 1
        data = math.ceil(codes * 9 / 8)
        size += 8 + 10 + 1 + data + math.ceil(data / 255) + 1
    return size


def pillow_plain(frames: np.ndarray, delay: int) -> int:
    buf = io.BytesIO()
    images = [Image.fromarray(f) for f in frames]
    images[0].save(buf, "GIF", save_all=True, append_images=images[1:], duration=delay, loop=0)
    return len(buf.getvalue())


def gifsicle_o3(data: bytes) -> int | None:
    if shutil.which("gifsicle") is None:
        return None
    with tempfile.TemporaryDirectory() as d:
        src, dst = Path(d) / "in.gif", Path(d) / "out.gif"
        src.write_bytes(data)
        subprocess.run(["gifsicle", "-O3", str(src), "-o", str(dst)], check=True)
        return dst.stat().st_size


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--steps", type=int, default=600)
    p.add_argument("--every", type=int, default=15)
    p.add_argument("--run", type=Path, default=None)
    args = p.parse_args()
    torch.set_num_threads(2)
    t = from_file(args.run) if args.run else train_timeline(args.steps, args.every)
    cols, delay = 8, 150
    ours = t.gif(cols, delay)
    # the same frames, as ganvis draws them (grid under its step), for the other encoders
    decoded = Image.open(io.BytesIO(ours))
    frames = []
    for i in range(decoded.n_frames):
        decoded.seek(i)
        frames.append(np.asarray(decoded.convert("L"), np.uint8))
    frames = np.stack(frames)
    rows = [("ganvis (Pillow: palette, LZW, changed region only)", len(ours)),
            ("Pillow, plain defaults", pillow_plain(frames, delay)),
            ("the former hand-written writer (9-bit literals)", old_writer_size(frames))]
    o3 = gifsicle_o3(ours)
    if o3 is not None:
        rows.insert(1, ("gifsicle -O3 (of ganvis's file)", o3))
    raw = frames.size
    print(f"{len(frames)} frames of {frames.shape[2]} x {frames.shape[1]} pixels "
          f"({raw / 1e6:.2f} MB of raw pixels)\n")
    print("| encoder | size | ratio to ganvis | ratio to raw pixels |")
    print("|---|---|---|---|")
    for name, size in rows:
        print(f"| {name} | {size / 1e6:.3f} MB | {size / len(ours):.2f} | {size / raw:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
