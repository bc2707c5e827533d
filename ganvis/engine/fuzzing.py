"""Mutating valid files into broken ones, to check that loaders fail only with our own errors.

Used by the test suite (a short run) and by scripts/fuzz_loaders.py (a long one).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

from ganvis.engine.errors import GanvisError


def mutate(data: bytes, rng: random.Random) -> bytes:
    """One to four random edits: truncation, byte flips, overwrites with extreme values,
    inserted or deleted runs of bytes."""
    b = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        if not b:
            break
        kind = rng.randrange(5)
        i = rng.randrange(len(b))
        if kind == 0:
            del b[rng.randrange(len(b) + 1):]
        elif kind == 1:
            for _ in range(rng.randint(1, 8)):
                j = rng.randrange(len(b))
                b[j] ^= 1 << rng.randrange(8)
        elif kind == 2:
            b[i:i + 4] = rng.choice([b"\xff\xff\xff\xff", b"\0\0\0\0", b"\x7f\xff\xff\xff",
                                     b"\x80\0\0\0"])
        elif kind == 3:
            b[i:i] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        else:
            del b[i:i + rng.randint(1, 64)]
    return bytes(b)


def fuzz(load: Callable[[Path], object], valid: Path, cases: int, seed: int = 0,
         scratch: Path | None = None) -> dict[str, int]:
    """Load `cases` mutants of `valid`; count how they ended. Any exception that is not a
    GanvisError propagates (that is a bug)."""
    rng = random.Random(seed)
    original = valid.read_bytes()
    target = (scratch or valid.parent) / ("mutant-" + valid.name)
    outcome = {"loaded": 0, "refused": 0}
    for _ in range(cases):
        target.write_bytes(mutate(original, rng))
        try:
            load(target)
            outcome["loaded"] += 1
        except GanvisError:
            outcome["refused"] += 1
    target.unlink(missing_ok=True)
    return outcome
