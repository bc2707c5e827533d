"""The training timeline: the sample grid of every snapshot, as 8-bit images.

Grids are kept as uint8 (a 64-image grid of 28x28 digits is 50 KB). Past MAX_FRAMES the
timeline keeps every other frame (always the first and the newest), so a long run stays
within about 50 MB and still spans its whole history, evenly.
"""

from __future__ import annotations

import math

import numpy as np

from ganvis.engine.files.gif import gif_bytes
from ganvis.engine.files.images import caption, tile, to_uint8

MAX_FRAMES = 1000
BACKGROUND = 40  # the grey between samples and behind captions
STRIP_FRAMES = 10  # pictures in a strip, evenly spread over the run
MAX_GIF_PIXELS = 300_000_000  # all frames of a GIF together, scaled: about 300 MB to encode


class Timeline:
    def __init__(self) -> None:
        self.steps: list[int] = []
        self.frames: list[np.ndarray] = []

    def __len__(self) -> int:
        return len(self.steps)

    def add(self, step: int, grid: np.ndarray) -> None:
        """Keep this snapshot's grid (floats in [-1, 1] or uint8); a second snapshot at the
        same step replaces the first."""
        frame = grid if grid.dtype == np.uint8 else to_uint8(grid)
        frame = np.array(frame)  # own copy, never a view of a snapshot
        if self.steps and self.steps[-1] == step:
            self.frames[-1] = frame
            return
        if self.frames and frame.shape != self.frames[-1].shape:
            self.steps, self.frames = [], []  # a new kind of grid: a new timeline
        self.steps.append(int(step))
        self.frames.append(frame)
        if len(self.steps) > MAX_FRAMES:
            keep = list(range(0, len(self.steps) - 1, 2)) + [len(self.steps) - 1]
            self.steps = [self.steps[i] for i in keep]
            self.frames = [self.frames[i] for i in keep]

    def arrays(self) -> tuple[np.ndarray, np.ndarray]:
        """(steps (N,) int64, grids (N, n, H, W) uint8)."""
        if not self.steps:
            return np.zeros(0, np.int64), np.zeros((0, 0, 0, 0), np.uint8)
        return np.asarray(self.steps, np.int64), np.stack(self.frames)

    def restore(self, steps: np.ndarray, grids: np.ndarray) -> None:
        self.steps = [int(s) for s in steps]
        self.frames = [np.array(g) for g in grids]

    # --- as pictures: what the app shows and what the exports write --------------------------

    def picture(self, i: int, cols: int) -> np.ndarray:
        """Snapshot i's grid as one grey picture (H, W) uint8, `cols` samples wide."""
        return tile(self.frames[i], cols=cols, pad=2, background=BACKGROUND)

    def label(self, i: int) -> str:
        return f"step {self.steps[i]:,}"

    def max_gif_scale(self, cols: int) -> int:
        """The largest pixel scale that keeps a GIF of every frame within MAX_GIF_PIXELS."""
        h, w = self.picture(0, cols).shape
        return max(1, min(8, math.isqrt(MAX_GIF_PIXELS // (len(self) * h * w))))

    def gif(self, cols: int, delay_ms: int = 150, scale: int = 1) -> bytes:
        """Every kept snapshot as a frame of an animated GIF, each under its step; the scale
        is lowered where needed to keep the file within MAX_GIF_PIXELS."""
        scale = min(scale, self.max_gif_scale(cols))
        frames = np.stack([self.picture(i, cols) for i in range(len(self))])
        return gif_bytes(frames, delay_ms, scale=scale,
                         captions=[self.label(i) for i in range(len(self))])

    def strip(self, cols: int, count: int = STRIP_FRAMES) -> np.ndarray:
        """`count` snapshots spread evenly over the run, side by side, each under its step."""
        pick = np.unique(np.linspace(0, len(self) - 1, min(count, len(self))).round()
                         .astype(int))
        pictures = [caption(self.picture(i, cols), self.label(i), BACKGROUND) for i in pick]
        h = max(p.shape[0] for p in pictures)
        gap = np.full((h, 8), BACKGROUND, np.uint8)
        return np.concatenate([x for p in pictures for x in (p, gap)][:-1], axis=1)
