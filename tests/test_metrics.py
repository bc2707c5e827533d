"""Sample-quality metrics: real digits score near the floor, collapse and noise score badly,
the Frechet distance matches its closed form, and a damaged classifier file is refused."""

import shutil

import h5py
import numpy as np
import pytest
import torch

from ganvis.engine import ConfigError, ModelFileError
from ganvis.engine.data import load_dataset
from ganvis.engine.errors import DataError
from ganvis.engine.quality.evalnet import (
    EvalNet,
    default_path,
    load_eval_net,
    param_count,
    save_eval_net,
    split_indices,
)
from ganvis.engine.quality.metrics import evaluate, frechet_distance, real_floor, reference


@pytest.fixture(scope="module", autouse=True)
def one_thread():
    """The timings these metrics promise are for one core; restore the suite's setting after."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture(scope="module")
def ref():
    return reference("mnist5k")


@pytest.fixture(scope="module")
def floor():
    return real_floor("mnist5k")


@pytest.fixture(scope="module")
def real(ref):
    return evaluate(ref.held_images, ref.held_labels, ref=ref)


def test_split_is_deterministic_and_balanced():
    labels = load_dataset("mnist5k").labels
    train, held = split_indices(labels)
    again = split_indices(labels)
    assert np.array_equal(train, again[0]) and np.array_equal(held, again[1])
    assert len(train) == 4500 and len(held) == 500 and not set(train) & set(held)
    assert np.bincount(labels[held], minlength=10).tolist() == [50] * 10


def test_classifier_is_small_accurate_and_frozen(floor):
    net = load_eval_net()
    assert param_count(net) < 400_000 and not net.training
    assert not any(p.requires_grad for p in net.parameters())
    assert load_eval_net() is net  # cached
    assert floor["accuracy"] >= 0.97
    assert net.features(torch.zeros(3, 1, 28, 28)).shape == (3, EvalNet.num_features)


def test_held_out_real_digits_score_near_the_floor(real, floor):
    assert real["n"] == 500
    assert real["fcd"] == pytest.approx(floor["fcd_floor"])
    assert real["coverage"] == 10 and real["score"] > 8 and real["class_kl"] < 0.05
    assert real["confident_share"] > 0.95
    for v in real.values():
        assert type(v) in (int, float)


def test_one_class_collapse_gives_coverage_one(ref):
    ds = load_dataset("mnist5k")
    threes = ds.images[ds.labels == 3]
    r = evaluate(threes, ref=ref)
    assert r["coverage"] == 1 and r["class_kl"] > 1.5
    assert r["score"] == pytest.approx(1.0, abs=0.2)


def test_noise_and_blank_sit_far_above_the_floor(floor):
    assert floor["fcd_noise"] > 10 * floor["fcd_floor"]
    assert floor["fcd_blank"] > 10 * floor["fcd_floor"]
    assert floor["coverage_real"] == 10 and floor["score_real"] > 8


def test_binary_reference_also_scores_real_digits_well():
    f = real_floor("mnist5k-binary")
    assert f["accuracy"] >= 0.97 and f["fcd_noise"] > 10 * f["fcd_floor"]


def test_frechet_distance_matches_the_closed_form_for_diagonal_gaussians():
    rng = np.random.default_rng(0)
    mu1, mu2 = rng.normal(size=6), rng.normal(size=6)
    s1, s2 = rng.uniform(0.1, 3, 6), rng.uniform(0.1, 3, 6)
    expected = ((mu1 - mu2) ** 2).sum() + (s1 + s2 - 2 * np.sqrt(s1 * s2)).sum()
    assert frechet_distance(mu1, np.diag(s1), mu2, np.diag(s2)) == pytest.approx(expected)
    a = rng.normal(size=(50, 6))
    cov = np.cov(a, rowvar=False)
    assert frechet_distance(a.mean(0), cov, a.mean(0), cov) == pytest.approx(0, abs=1e-9)
    singular = np.zeros((6, 6))  # blank images: no spread at all
    assert frechet_distance(mu1, singular, mu1, np.diag(s2)) == pytest.approx(s2.sum())


def test_control_accuracy_follows_the_requested_digits(ref, real):
    assert real["control_accuracy"] >= 0.97
    shuffled = np.random.default_rng(1).permutation(ref.held_labels)
    r = evaluate(torch.tensor(ref.held_images), torch.from_numpy(shuffled), ref=ref)
    assert r["control_accuracy"] == pytest.approx(0.1, abs=0.06)
    with pytest.raises(ConfigError, match="digits"):
        evaluate(ref.held_images, shuffled[:10], ref=ref)


def test_memorisation_ratio_flags_copies_of_training_images(ref, real):
    copies = ref.train_images[:500].reshape(-1, 28, 28)
    r = evaluate(copies, ref=ref)
    assert r["memorisation_ratio"] < 0.2
    assert real["memorisation_ratio"] == pytest.approx(1.0, abs=0.05)
    assert real["nn_real"] == pytest.approx(ref.nn_real)


def test_bad_inputs_are_refused(ref):
    with pytest.raises(DataError, match="no such file"):  # a user's data set: its judge's,
        reference("h5:/elsewhere.h5")  # once there is one (tests/test_judge.py)
    with pytest.raises(ConfigError, match="28 x 28"):
        evaluate(np.zeros((4, 32, 32), np.float32), ref=ref)
    bad = np.zeros((4, 28, 28), np.float32)
    bad[0, 0, 0] = np.nan
    with pytest.raises(ConfigError, match="NaN"):
        evaluate(bad, ref=ref)
    one = evaluate(np.zeros((1, 28, 28), np.float32), ref=ref)
    assert np.isfinite(one["fcd"])


def _damaged(tmp_path, how):
    path = tmp_path / f"{how}.h5"
    shutil.copy(default_path(), path)
    if how == "truncated":
        data = path.read_bytes()
        path.write_bytes(data[: len(data) // 2])
        return path
    with h5py.File(path, "r+") as f:
        if how == "missing":
            del f["fc1.weight"]
        elif how == "nan":
            w = f["conv2.weight"][()]
            w[0, 0, 0, 0] = np.nan
            f["conv2.weight"][...] = w
        elif how == "shape":
            del f["fc2.bias"]
            f.create_dataset("fc2.bias", data=np.zeros(11, np.float32))
        elif how == "format":
            f.attrs["format"] = "something-else"
    return path


@pytest.mark.parametrize("how, message", [
    ("truncated", "classifier"), ("missing", "missing: \\['fc1.weight'\\]"),
    ("nan", "NaN"), ("shape", "shape"), ("format", "not a ganvis evaluation classifier"),
])
def test_damaged_classifier_files_are_refused(tmp_path, how, message):
    with pytest.raises(ModelFileError, match=message):
        load_eval_net(path=_damaged(tmp_path, how))
    with pytest.raises(ModelFileError, match="missing"):
        load_eval_net(path=tmp_path / "absent.h5")


def test_save_and_load_round_trip(tmp_path):
    net = load_eval_net()
    path = save_eval_net(net, tmp_path / "copy.h5", held_out_accuracy=0.5, seed=0)
    twin = load_eval_net(path=path)
    x = torch.from_numpy(reference().held_images[:8].copy())
    assert torch.equal(net(x), twin(x)) and twin is not net
    assert not list(tmp_path.glob("*.tmp"))
