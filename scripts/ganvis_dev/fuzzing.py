"""Mutating valid files into broken ones, to check that loaders fail only with our own errors.

Used by the test suite (a short run) and by scripts/fuzz_loaders.py (a long one).
"""

from __future__ import annotations

import gzip
import random
import struct
from collections.abc import Callable
from pathlib import Path

import h5py
import numpy as np

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


def sample_files(folder: Path) -> dict[str, tuple[Path, Callable[[Path], object]]]:
    """One small valid file of every kind ganvis reads, each with its loader: IDX (gzipped,
    labels beside), .npz, HDF5 data, a run file (as a sampler and to continue training), and
    the evaluation classifier."""
    from ganvis.engine import RunConfig, new_run
    from ganvis.engine.data import load_dataset
    from ganvis.engine.quality.evalnet import default_path, load_eval_net
    from ganvis.engine.store import load_run, load_sampler, save_run

    folder = Path(folder)
    ds = load_dataset("mnist5k")
    pixels = ((ds.images[:30] + 1) * 127.5).astype(np.uint8)
    img = folder / "train-images-idx3-ubyte.gz"
    img.write_bytes(gzip.compress(struct.pack(">IIII", 2051, 30, 28, 28) + pixels.tobytes()))
    (folder / "train-labels-idx1-ubyte.gz").write_bytes(
        gzip.compress(struct.pack(">II", 2049, 30) + ds.labels[:30].astype(np.uint8).tobytes()))
    npz = folder / "d.npz"
    np.savez(npz, images=pixels, labels=ds.labels[:30])
    h5 = folder / "d.h5"
    with h5py.File(h5, "w") as f:
        f["images"] = pixels
        f["labels"] = ds.labels[:30]
    run = new_run(RunConfig(model="saae", width=16, depth=1, latent_dim=2, batch_size=8,
                        device="cpu", metrics_every=0))
    run.train_steps(2)
    run.snapshot()
    model = save_run(run, folder / "m.h5")
    clf = folder / "clf.h5"
    clf.write_bytes(default_path().read_bytes())
    return {
        "idx": (img, lambda p: load_dataset(f"idx:{p}")),
        "npz": (npz, lambda p: load_dataset(f"npz:{p}")),
        "h5 data": (h5, lambda p: load_dataset(f"h5:{p}")),
        "run (sampler)": (model, load_sampler),
        "run (continue)": (model, load_run),
        "eval classifier": (clf, lambda p: load_eval_net(path=p)),
    }
