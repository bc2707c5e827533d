"""The user's own data: a sample's nearest training images in pixels (no judge classifier
needed), and a ganvis model file offered as a data set refused at once, in the app and the CLI."""

import shutil

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from conftest import write_idx  # noqa: E402
from qtmessages import said  # noqa: E402

from ganvis.app.views.neighbours import K  # noqa: E402
from ganvis.cli import main  # noqa: E402
from ganvis.engine.data import load_dataset  # noqa: E402
from ganvis.engine.data.points import load_points  # noqa: E402
from ganvis.engine.errors import ConfigError, DataError  # noqa: E402
from ganvis.engine.quality.pixels import nearest_pixels, pixel_reference  # noqa: E402
from ganvis.resources import resource  # noqa: E402

WAIT = 30_000
REFUSED = "is a ganvis model file, not a data set: open it with File > Open model"


@pytest.fixture
def model_file(tmp_path):
    """A run file as ganvis writes it (a shipped demo), under a name a data set could have."""
    path = tmp_path / "model.h5"
    shutil.copyfile(resource("models", "demo-dcgan.h5"), path)
    return path


@pytest.fixture
def digits_npz(tmp_path):
    path = tmp_path / "digits.npz"
    ds = load_dataset("mnist5k")
    np.savez(path, images=((ds.images[::25] + 1) * 127.5).astype(np.uint8))
    return path


# --- engine ----------------------------------------------------------------------------------


def test_pixel_neighbours_of_a_user_data_set_need_no_classifier(digits_npz):
    from ganvis.engine.quality.metrics import reference

    spec = f"npz:{digits_npz}"
    ref = pixel_reference(spec)
    assert pixel_reference(spec) is ref  # cached while the file is unchanged
    images = load_dataset(spec).images
    assert ref.nn_measured == len(images) == 200 and ref.nn_real > 0
    # The typical real-to-real distance agrees with the built-in digits' held-out one.
    assert 0.7 < ref.nn_real / reference("mnist5k").nn_real < 1.5
    r = nearest_pixels(images[42], 5, ref)
    assert r["pixel"][0][0] == 42 and r["pixel"][0][1] < 1e-2
    dist = [d for _, d in r["pixel"]]
    assert len(dist) == 5 and dist == sorted(dist) and r["held_out_nn"] == ref.nn_real
    flat = images.reshape(len(images), -1)
    exact = np.sort(np.linalg.norm(flat - flat[42], axis=1))[:5]
    assert np.allclose(dist, exact, atol=1e-2)
    with pytest.raises(ConfigError, match="32x32"):
        nearest_pixels(np.zeros((32, 32), np.float32), 5, ref)


def test_a_model_file_is_refused_as_data_with_one_clear_line(model_file):
    from ganvis.engine.data.arrays import RUN_FORMAT
    from ganvis.engine.store.runfile import FORMAT

    assert RUN_FORMAT == FORMAT
    for spec in (str(model_file), f"h5:{model_file}", f"npz:{model_file}"):
        with pytest.raises(DataError, match=REFUSED) as e:
            load_dataset(spec)
        assert "\n" not in str(e.value)
    with pytest.raises(DataError, match=REFUSED):
        load_points(f"npz:{model_file}")
    with pytest.raises(DataError, match="not a data set"):
        load_dataset(f"h5:{resource('models', 'eval_classifier.h5')}")
    assert load_dataset(f"h5:{resource('datasets', 'mnist5k.h5')}").size == 5000  # data is fine


# --- CLI -------------------------------------------------------------------------------------


def test_cli_train_on_a_model_file_exits_1_with_one_line(model_file, tmp_path, capsys):
    out = tmp_path / "out.h5"
    assert main(["train", "--data", str(model_file), "--steps", "1", "--out", str(out)]) == 1
    err = capsys.readouterr().err.strip()
    assert REFUSED in err and len(err.splitlines()) == 1 and "Traceback" not in err
    assert not out.exists()


# --- app -------------------------------------------------------------------------------------


def _use(qtbot, w, path, spec):
    w.data_files.use(str(path))
    qtbot.waitUntil(lambda: w.config.data == spec and w.latest.step == 0
                    and w.panels.samples.images is not None, timeout=WAIT)


def test_clicking_a_sample_of_user_data_shows_its_nearest_training_images(qtbot, window,
                                                                          digits_npz):
    w = window
    spec = f"npz:{digits_npz}"
    _use(qtbot, w, digits_npz, spec)
    grid = w.panels.samples
    grid.sample_clicked.emit(5)  # what a click on the sixth sample sends
    d = w.neighbours
    assert d is not None and d.isVisible()
    assert len(d.result["pixel"]) == K and "feature" not in d.result
    assert d.pane.pixels.shape[1] == (K + 1) * 28 * 2 + (K + 2) * 3  # the sample, then K
    text = d.text.text()
    assert "Pixel distances" in text and "built-in digits" in text and "judge" in text
    assert "nearest training images" in d.title.text() and "digit" not in d.title.text()
    assert d.windowTitle() == "Nearest training images"
    # A training image itself: found at distance ~0, and called a copy.
    grid.images = np.array(grid.images)
    grid.images[5] = load_dataset(spec).images[7]
    grid.sample_clicked.emit(5)
    assert d.result["pixel"][0][0] == 7 and d.result["pixel"][0][1] < 0.1
    assert "look for a copy" in d.text.text() and "(200 measured)" in d.text.text()
    # The run is replaced: the window forgets the discarded model's sample.
    d.forget()
    assert not d.isVisible() and d.result is None and d.pane.pixels is None
    assert d.text.text() == "" and d.title.text() == ""


def test_idx_data_shows_pixel_neighbours_too(qtbot, window, tmp_path):
    ipath, _, imgs, _ = write_idx(tmp_path, n=30)
    w = window
    _use(qtbot, w, ipath, f"idx:{ipath}")
    w.show_neighbours(0)
    d = w.neighbours
    assert d.isVisible() and len(d.result["pixel"]) == K
    assert "Pixel distances" in d.text.text() and "(30 measured)" in d.text.text()


def test_a_model_file_opened_as_data_is_refused_at_once(qtbot, window, model_file):
    w = window
    before = w.config.data
    w.data_files.use(str(model_file))
    qtbot.waitUntil(lambda: said(w, REFUSED), timeout=WAIT)
    assert w.config.data == before == "mnist5k"
    setup = w.panels.setup
    assert setup.data.currentData() == "mnist5k"
    assert all(str(model_file) not in (setup.data.itemData(i) or "")
               for i in range(setup.data.count()))
    qtbot.wait(200)  # no late reset onto it either
    assert w.config.data == "mnist5k" and not w.panels.setup.banner.isVisibleTo(setup)

