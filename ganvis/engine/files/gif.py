"""Animated GIF writing for grey images, with no imaging library.

The image data use GIF's LZW with a trick that keeps it trivial: a 256-grey palette, every
pixel written as its own 9-bit literal code, and a clear code before the code table could
grow past 9 bits. That is valid LZW that any GIF reader decodes; the file is about 9/8 of the
raw pixels, which is fine for sample-grid timelines.
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np

from ganvis.engine.files.atomic import atomic_write_bytes

CLEAR, END = 256, 257
RUN = 254  # literals between clear codes: the table never reaches 512 entries


def _lzw_literals(pixels: np.ndarray) -> bytes:
    codes = []
    flat = pixels.reshape(-1).astype(np.int64)
    for i in range(0, len(flat), RUN):
        codes.append(CLEAR)
        codes.extend(flat[i:i + RUN].tolist())
    codes.append(END)
    # Pack 9-bit codes little-endian, least significant bit first.
    c = np.asarray(codes, np.int64)
    bits = ((c[:, None] >> np.arange(9)) & 1).astype(np.uint8).reshape(-1)
    bits = np.concatenate([bits, np.zeros((-len(bits)) % 8, np.uint8)])
    data = np.packbits(bits.reshape(-1, 8), axis=1, bitorder="little").reshape(-1).tobytes()
    blocks = b"".join(bytes([len(data[i:i + 255])]) + data[i:i + 255]
                      for i in range(0, len(data), 255))
    return bytes([8]) + blocks + b"\x00"


def gif_bytes(frames: np.ndarray, delay_ms: int = 100, loop: bool = True) -> bytes:
    """frames: (n, H, W) uint8 grey images -> an animated GIF."""
    frames = np.asarray(frames)
    if frames.ndim != 3 or frames.dtype != np.uint8 or len(frames) == 0:
        raise ValueError("frames must be a non-empty (n, H, W) uint8 array")
    n, h, w = frames.shape
    if h > 65535 or w > 65535:
        raise ValueError("a GIF is at most 65535 pixels a side")
    palette = np.repeat(np.arange(256, dtype=np.uint8), 3).tobytes()
    out = [b"GIF89a", struct.pack("<HHBBB", w, h, 0xF7, 0, 0), palette]
    if loop:
        out.append(b"!\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00")
    delay = max(1, round(delay_ms / 10))
    for f in frames:
        out.append(b"!\xf9\x04" + struct.pack("<BHB", 0, delay, 0) + b"\x00")
        out.append(b"," + struct.pack("<HHHHB", 0, 0, w, h, 0))
        out.append(_lzw_literals(f))
    out.append(b";")
    return b"".join(out)


def save_gif(path: str | Path, frames: np.ndarray, delay_ms: int = 100) -> Path:
    return atomic_write_bytes(path, gif_bytes(frames, delay_ms))


def read_gif_frames(data: bytes) -> np.ndarray:
    """Decode a GIF written by gif_bytes (any LZW stream of 8-bit codes): (n, H, W) uint8.
    For checking files; a small general LZW decoder."""
    w, h = struct.unpack("<HH", data[6:10])
    pos = 13 + (3 << ((data[10] & 7) + 1)) if data[10] & 0x80 else 13
    frames = []
    while pos < len(data):
        tag = data[pos]
        if tag == 0x3B:
            break
        if tag == 0x21:  # extension: skip its sub-blocks
            pos += 2
            while data[pos]:
                pos += data[pos] + 1
            pos += 1
            continue
        if tag != 0x2C:
            raise ValueError(f"unexpected GIF block {tag:#x}")
        pos += 10
        min_size = data[pos]
        pos += 1
        raw = bytearray()
        while data[pos]:
            raw += data[pos + 1:pos + 1 + data[pos]]
            pos += data[pos] + 1
        pos += 1
        frames.append(np.frombuffer(_lzw_decode(bytes(raw), min_size), np.uint8)[:w * h]
                      .reshape(h, w))
    return np.stack(frames)


def _lzw_decode(raw: bytes, min_size: int) -> bytes:
    clear, end = 1 << min_size, (1 << min_size) + 1
    bits = np.unpackbits(np.frombuffer(raw, np.uint8), bitorder="little")
    out = bytearray()
    size, table, prev, i = min_size + 1, None, None, 0
    while i + size <= len(bits):
        code = int((bits[i:i + size] * (1 << np.arange(size))).sum())
        i += size
        if code == clear:
            table = [bytes([k]) for k in range(clear)] + [b"", b""]
            size, prev = min_size + 1, None
            continue
        if code == end:
            break
        entry = table[code] if code < len(table) else table[prev] + table[prev][:1]
        out += entry
        if prev is not None:
            table.append(table[prev] + entry[:1])
            if len(table) == (1 << size) and size < 12:
                size += 1
        prev = code
    return bytes(out)
