"""Shared test set-up: Qt offscreen, small thread counts, and tiny data sets written on the fly."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import gzip  # noqa: E402
import struct  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

torch.set_num_threads(min(2, os.cpu_count() or 1))


@pytest.fixture(autouse=True)
def _own_cache(tmp_path_factory, monkeypatch):
    """Judges (quality/judge.py) live in a cache of the tests' own, never the user's."""
    monkeypatch.setenv("GANVIS_CACHE", str(tmp_path_factory.getbasetemp() / "cache"))


@pytest.fixture(autouse=True)
def _keep_torch_threads():
    """The app's window sets the GUI thread to one torch thread; later tests get theirs back."""
    n = torch.get_num_threads()
    yield
    torch.set_num_threads(n)


def write_idx(folder, prefix="train", n=20, h=28, w=28, gz=False, labels=True, seed=0):
    """Write a valid MNIST-format pair of files; returns (images_path, labels_path, arrays)."""
    rng = np.random.default_rng(seed)
    imgs = rng.integers(0, 256, size=(n, h, w), dtype=np.uint8)
    labs = rng.integers(0, 10, size=n, dtype=np.uint8)
    suffix = ".gz" if gz else ""
    ipath = folder / f"{prefix}-images-idx3-ubyte{suffix}"
    lpath = folder / f"{prefix}-labels-idx1-ubyte{suffix}"
    opener = gzip.open if gz else open
    with opener(ipath, "wb") as f:
        f.write(struct.pack(">IIII", 0x803, n, h, w) + imgs.tobytes())
    if labels:
        with opener(lpath, "wb") as f:
            f.write(struct.pack(">II", 0x801, n) + labs.tobytes())
    return ipath, lpath, imgs, labs


@pytest.fixture
def idx_pair(tmp_path):
    return write_idx(tmp_path)


@pytest.fixture
def make_window(qtbot, tmp_path, monkeypatch):
    """Main windows with settings of their own, shown and with their first samples drawn;
    closed after the test, their training threads stopped."""
    from ganvis.app.main_window import MainWindow

    monkeypatch.setenv("GANVIS_SETTINGS", str(tmp_path / "settings.ini"))
    made = []

    def make():
        w = MainWindow()
        qtbot.addWidget(w)
        w.show()
        qtbot.waitUntil(lambda: w.panels.samples.pane.pixels is not None, timeout=30_000)
        made.append(w)
        return w

    yield make
    for w in made:
        w.close_discarding()
        assert not w.session.thread.isRunning()


@pytest.fixture
def window(make_window):
    return make_window()
