"""Hostile and broken files: mutants of valid files, and files whose headers lie, end in the
project's own errors (never a crash, never a huge allocation). A short run; the long one is
scripts/fuzz_loaders.py."""

import struct

import h5py
import numpy as np
import pytest
from ganvis_dev.fuzzing import fuzz, sample_files

from ganvis.engine import RunConfig, new_run
from ganvis.engine.data import load_dataset
from ganvis.engine.errors import DataError, ModelFileError
from ganvis.engine.store import load_sampler, save_run

CASES = 40


def test_mutants_of_every_kind_of_file_fail_only_with_our_errors(tmp_path):
    for name, (valid, load) in sample_files(tmp_path).items():
        load(valid)  # the original is fine
        scratch = tmp_path / name.replace(" ", "_")
        scratch.mkdir()
        outcome = fuzz(load, valid, CASES, seed=1, scratch=scratch)
        assert sum(outcome.values()) == CASES, name
        assert outcome["refused"] > 0, name  # mutations do get noticed


def test_a_run_file_whose_weights_claim_a_billion_values_is_refused_cheaply(tmp_path):
    run = new_run(RunConfig(model="gan", width=16, depth=1, batch_size=8, device="cpu",
                            metrics_every=0, g_ema=0.0))  # G itself is sampled
    path = save_run(run, tmp_path / "m.h5")
    with h5py.File(path, "r+") as f:
        name = next(iter(f["weights/G"]))
        del f[f"weights/G/{name}"]
        f["weights/G"].create_dataset(name, shape=(10**9,), dtype="f4")  # never written
    with pytest.raises(ModelFileError, match="shape"):
        load_sampler(path)


def test_data_files_whose_headers_claim_huge_sizes_are_refused_cheaply(tmp_path):
    idx = tmp_path / "x-images-idx3-ubyte"
    idx.write_bytes(struct.pack(">IIII", 2051, 10**9, 28, 28) + b"\0" * 784)
    with pytest.raises(DataError):
        load_dataset(f"idx:{idx}")
    h5 = tmp_path / "big.h5"
    with h5py.File(h5, "w") as f:
        f.create_dataset("images", shape=(10**7, 28, 28, 28), dtype="u1")  # never written
    with pytest.raises(DataError, match="too large"):
        load_dataset(f"h5:{h5}")


def test_non_finite_weights_and_future_versions_are_refused(tmp_path):
    run = new_run(RunConfig(model="gan", width=16, depth=1, batch_size=8, device="cpu",
                            metrics_every=0, g_ema=0.0))  # G itself is sampled
    path = save_run(run, tmp_path / "m.h5")
    with h5py.File(path, "r+") as f:
        name = next(k for k in f["weights/G"] if f[f"weights/G/{k}"].dtype.kind == "f")
        a = f[f"weights/G/{name}"][()]
        a.flat[0] = np.nan
        f[f"weights/G/{name}"][...] = a
    with pytest.raises(ModelFileError, match="NaN"):
        load_sampler(path)
    path = save_run(run, tmp_path / "n.h5")
    with h5py.File(path, "r+") as f:
        f.attrs["format_version"] = 99
    with pytest.raises(ModelFileError, match="99|newer|version"):
        load_sampler(path)


def test_an_npz_whose_array_header_is_garbled_is_refused(tmp_path):
    path = tmp_path / "d.npz"
    np.savez(path, images=np.zeros((30, 28, 28), np.uint8))  # larger than zipfile's first read
    data = path.read_bytes()
    assert b"28), }" in data
    # A NUL byte and an unclosed bracket: numpy's header parser fails with a tokenize error
    # (found by scripts/fuzz_loaders.py).
    path.write_bytes(data.replace(b" 28), }", b"\x80\0\0\0, }", 1))
    with pytest.raises(DataError, match="header|npz|zip"):
        load_dataset(f"npz:{path}")
