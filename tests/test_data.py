"""Data loaders: the built-in set, IDX, npz and HDF5 files, good and malformed."""

import gzip
import struct
import zipfile

import h5py
import numpy as np
import pytest
import torch
from conftest import write_idx

from ganvis.engine.data import DeviceData, load_dataset
from ganvis.engine.errors import DataError


def test_builtin_mnist5k_is_balanced_and_scaled():
    ds = load_dataset("mnist5k")
    assert ds.images.shape == (5000, 28, 28) and ds.images.dtype == np.float32
    assert ds.images.min() == -1.0 and ds.images.max() == 1.0
    assert np.bincount(ds.labels).tolist() == [500] * 10
    # Real digits: mostly background with a minority of bright stroke pixels.
    assert 0.05 < (ds.images > 0).mean() < 0.3


def test_binarised_variant_has_exactly_two_values():
    ds = load_dataset("mnist5k-binary")
    assert set(np.unique(ds.images).tolist()) == {-1.0, 1.0}
    assert ds.binary and ds.name == "mnist5k-binary"
    assert (ds.labels == load_dataset("mnist5k").labels).all()


@pytest.mark.parametrize("gz", [False, True])
def test_idx_folder_and_file_round_trip(tmp_path, gz):
    ipath, _, imgs, labs = write_idx(tmp_path, gz=gz)
    for spec in (f"idx:{tmp_path}", f"idx:{ipath}", str(ipath)):
        ds = load_dataset(spec)
        np.testing.assert_allclose(ds.images, imgs / 127.5 - 1.0, atol=1e-6)
        assert ds.labels.tolist() == labs.tolist()


def test_idx_prefers_train_set_when_folder_holds_two(tmp_path):
    write_idx(tmp_path, "train", n=12)
    write_idx(tmp_path, "t10k", n=7)
    assert load_dataset(f"idx:{tmp_path}").size == 12


def test_idx_without_labels_loads_images(tmp_path):
    ipath, *_ = write_idx(tmp_path, labels=False)
    ds = load_dataset(f"idx:{ipath}")
    assert ds.labels is None and ds.size == 20


def _err(spec):
    with pytest.raises(DataError) as e:
        load_dataset(spec)
    return str(e.value)


def test_idx_truncated(tmp_path):
    ipath, *_ = write_idx(tmp_path)
    ipath.write_bytes(ipath.read_bytes()[:-100])
    msg = _err(f"idx:{ipath}")
    assert "truncated" in msg and ipath.name in msg


def test_idx_wrong_magic(tmp_path):
    ipath, *_ = write_idx(tmp_path)
    data = bytearray(ipath.read_bytes())
    data[2:4] = b"\x0d\x03"  # float data
    ipath.write_bytes(bytes(data))
    assert "magic" in _err(f"idx:{ipath}")


def test_idx_label_count_mismatch(tmp_path):
    ipath, lpath, _, labs = write_idx(tmp_path)
    lpath.write_bytes(struct.pack(">II", 0x801, 19) + labs[:19].tobytes())
    msg = _err(f"idx:{ipath}")
    assert "19 labels" in msg and "20 images" in msg


def test_idx_header_claiming_a_billion_images_is_refused_without_allocating(tmp_path):
    path = tmp_path / "huge-images-idx3-ubyte"
    path.write_bytes(struct.pack(">IIII", 0x803, 10**9, 28, 28) + b"\0" * 784)
    assert "GiB" in _err(f"idx:{path}")
    # Within the cap but far beyond the data present: refused as truncated, in chunks.
    path.write_bytes(struct.pack(">IIII", 0x803, 2_000_000, 28, 28) + b"\0" * 784)
    assert "truncated" in _err(f"idx:{path}")


def test_idx_gz_that_is_not_gzip(tmp_path):
    path = tmp_path / "x-images-idx3-ubyte.gz"
    path.write_bytes(b"this is not gzip data at all")
    assert path.name in _err(f"idx:{path}")


def test_idx_trailing_data_and_absurd_dims(tmp_path):
    ipath, *_ = write_idx(tmp_path, labels=False)
    ipath.write_bytes(ipath.read_bytes() + b"\0" * 10)
    assert "more data" in _err(f"idx:{ipath}")
    ipath.write_bytes(struct.pack(">IIII", 0x803, 5, 100000, 28))
    assert "pixels" in _err(f"idx:{ipath}")


def test_npz_good_variants(tmp_path):
    rng = np.random.default_rng(1)
    u8 = rng.integers(0, 256, (10, 28, 28), dtype=np.uint8)
    y = np.arange(10)
    np.savez(tmp_path / "a.npz", x=u8, y=y)
    np.savez_compressed(tmp_path / "b.npz", images=(u8 / 255.0).astype(np.float32), labels=y)
    np.savez(tmp_path / "c.npz", u8.reshape(10, 784))  # one unnamed array, flat images
    np.savez(tmp_path / "d.npz", images=u8[:, None], labels=y.reshape(10, 1))  # N x 1 x H x W
    ref = u8 / 127.5 - 1.0
    for name in "abcd":
        ds = load_dataset(f"npz:{tmp_path / name}.npz")
        np.testing.assert_allclose(ds.images, ref, atol=1e-5)
        assert name == "c" or ds.labels.tolist() == list(range(10))


def test_npz_refuses_object_arrays_without_unpickling(tmp_path):
    path = tmp_path / "evil.npz"
    np.savez(path, images=np.array([{"a": 1}, None], dtype=object))
    msg = _err(f"npz:{path}")
    assert "never unpickled" in msg


def test_npz_header_bigger_than_its_member(tmp_path):
    path = tmp_path / "big.npz"
    header = b"\x93NUMPY\x01\x00"
    d = "{'descr': '|u1', 'fortran_order': False, 'shape': (1000000000, 28, 28), }"
    d = d + " " * (118 - len(d)) + "\n"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("images.npy", header + struct.pack("<H", len(d)) + d.encode() + b"\0" * 64)
    assert "claims shape" in _err(f"npz:{path}")


@pytest.mark.parametrize("method", [99, zipfile.ZIP_LZMA, zipfile.ZIP_BZIP2, "encrypted"])
def test_npz_with_an_unknown_or_damaged_compression_is_refused(tmp_path, method):
    """Found by the long fuzz run: zipfile raised NotImplementedError for a method it lacks
    (and raises RuntimeError for an encrypted member)."""
    path = tmp_path / "m.npz"
    np.savez(path, images=np.zeros((4, 28, 28), np.uint8))
    raw = bytearray(path.read_bytes())
    local, central = raw.index(b"PK\x03\x04"), raw.index(b"PK\x01\x02")
    if method == "encrypted":  # bit 0 of the general-purpose flags, in both headers
        fields, value = (local + 6, central + 8), 1
    else:  # the member's compression method, in both headers
        fields, value = (local + 8, central + 10), method
    for at in fields:
        raw[at:at + 2] = struct.pack("<H", value)
    path.write_bytes(raw)
    assert "m.npz" in _err(f"npz:{path}")


def test_npz_not_a_zip_and_bad_values(tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"PK\x03\x04 garbage")
    assert "bad.npz" in _err(f"npz:{bad}")
    np.savez(tmp_path / "nan.npz", images=np.full((4, 28, 28), np.nan, np.float32))
    assert "NaN" in _err(f"npz:{tmp_path / 'nan.npz'}")
    np.savez(tmp_path / "range.npz", images=np.full((4, 28, 28), 300.0))
    assert "0..255" in _err(f"npz:{tmp_path / 'range.npz'}")
    np.savez(tmp_path / "lab.npz", images=np.zeros((4, 28, 28), np.uint8), labels=np.arange(3))
    assert "one label per image" in _err(f"npz:{tmp_path / 'lab.npz'}")


def test_h5_good_and_bad(tmp_path):
    u8 = np.random.default_rng(2).integers(0, 256, (6, 20, 24), dtype=np.uint8)
    with h5py.File(tmp_path / "good.h5", "w") as f:
        f["images"] = u8
        f["labels"] = np.arange(6)
    ds = load_dataset(f"h5:{tmp_path / 'good.h5'}")
    assert ds.image_shape == (20, 24) and ds.labels.tolist() == list(range(6))
    with h5py.File(tmp_path / "strings.h5", "w") as f:
        f["images"] = np.array([b"a", b"b"])
    assert "dtype" in _err(f"h5:{tmp_path / 'strings.h5'}")
    (tmp_path / "trunc.h5").write_bytes((tmp_path / "good.h5").read_bytes()[:300])
    assert "trunc.h5" in _err(f"h5:{tmp_path / 'trunc.h5'}")
    with h5py.File(tmp_path / "huge.h5", "w") as f:  # legal, sparse, and far too large
        f.create_dataset("images", shape=(10**9, 28, 28), dtype=np.uint8, chunks=(1, 28, 28))
    assert "too large" in _err(f"h5:{tmp_path / 'huge.h5'}")


def test_unknown_specs_and_missing_files(tmp_path):
    assert "no such data set" in _err("mnist-60k")
    assert "no such file" in _err(f"npz:{tmp_path / 'missing.npz'}")
    (tmp_path / "x.txt").write_text("hello")
    assert "unknown data format" in _err(str(tmp_path / "x.txt"))
    assert "no '*-images-idx3-ubyte" in _err(f"idx:{tmp_path}")


def test_gz_truncated_stream(tmp_path):
    ipath, *_ = write_idx(tmp_path, gz=True)
    raw = gzip.decompress(ipath.read_bytes())
    ipath.write_bytes(gzip.compress(raw[:-50]))
    assert "truncated" in _err(f"idx:{ipath}")


def test_device_data_draws_batches_by_index():
    ds = load_dataset("mnist5k")
    dd = DeviceData(ds, torch.device("cpu"))
    g1, g2 = torch.Generator().manual_seed(3), torch.Generator().manual_seed(3)
    a, b = dd.batch(16, g1), dd.batch(16, g2)
    assert a.shape == (16, 1, 28, 28) and torch.equal(a, b)
    idx = dd.indices(16, torch.Generator().manual_seed(3))
    assert torch.equal(a, torch.from_numpy(np.array(ds.images))[idx].unsqueeze(1))
