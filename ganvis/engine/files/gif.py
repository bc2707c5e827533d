"""Animated GIFs of grey pictures (a run's timeline), written with Pillow: a grey palette,
LZW-compressed, each frame cropped to what changed since the one before."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image

from ganvis.engine.files.atomic import atomic_write_bytes
from ganvis.engine.files.images import caption

MIN_DELAY_MS, MAX_DELAY_MS = 20, 10_000  # browsers show faster frames at 100 ms
MAX_SCALE = 8


def gif_bytes(frames: np.ndarray, delay_ms: int = 150, loop: bool = True, scale: int = 1,
              captions: list[str] | None = None) -> bytes:
    """frames: (n, H, W) uint8 grey pictures -> an animated GIF; each pixel a scale x scale
    block; each frame under its caption when captions (one per frame) are given."""
    frames = np.asarray(frames)
    if frames.ndim != 3 or frames.dtype != np.uint8 or len(frames) == 0:
        raise ValueError("frames must be a non-empty (n, H, W) uint8 array")
    if not 1 <= scale <= MAX_SCALE:
        raise ValueError(f"scale must be 1 to {MAX_SCALE}")
    if captions is not None and len(captions) != len(frames):
        raise ValueError("one caption per frame")
    pictures = []
    for i, f in enumerate(frames):
        if scale > 1:
            f = f.repeat(scale, axis=0).repeat(scale, axis=1)
        if captions is not None:
            f = caption(f, captions[i])
        pictures.append(f)
    h, w = pictures[0].shape
    if h > 65535 or w > 65535:
        raise ValueError("a GIF is at most 65535 pixels a side")
    images = [Image.fromarray(p) for p in pictures]
    delay = int(np.clip(delay_ms, MIN_DELAY_MS, MAX_DELAY_MS))
    buf = io.BytesIO()
    extra = {"loop": 0} if loop else {}
    images[0].save(buf, "GIF", save_all=True, append_images=images[1:], duration=delay,
                   optimize=True, **extra)
    return buf.getvalue()


def save_gif(path: str | Path, frames: np.ndarray, delay_ms: int = 150, scale: int = 1,
             captions: list[str] | None = None) -> Path:
    return atomic_write_bytes(path, gif_bytes(frames, delay_ms, scale=scale, captions=captions))
