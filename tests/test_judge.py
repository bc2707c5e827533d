"""The judge of a user's labelled data set: trained in seconds, kept in the cache by a hash of
the data, and then FCD, coverage and the score work on that data as on the built-in digits.

Every test keeps its cache under tmp_path ($GANVIS_CACHE) and trains for a few dozen steps."""

import json
import math
import os
import shutil
from types import SimpleNamespace

import h5py
import numpy as np
import pytest
import torch

import ganvis.engine.quality.judge as judge_mod
from ganvis.cli import main
from ganvis.engine import RunConfig, TrainingLoop, new_run
from ganvis.engine.data import load_dataset
from ganvis.engine.errors import ConfigError, GanvisError, ModelFileError
from ganvis.engine.quality.evalnet import ARCHITECTURE, EvalNet, load_eval_net
from ganvis.engine.quality.judge import (
    cache_dir,
    cached_judge,
    data_key,
    judge_path,
    judged,
    train_judge,
    why_no_judge,
)
from ganvis.engine.quality.live import LiveMetrics, metrics_note
from ganvis.engine.quality.metrics import evaluate, real_floor, reference

STEPS = 64  # judge training steps in these tests (the real ones take hundreds)


@pytest.fixture(autouse=True)
def _one_thread():
    """One torch thread: a second only waits on a busy CPU (conftest restores the count)."""
    torch.set_num_threads(1)


@pytest.fixture(autouse=True)
def cache(tmp_path, monkeypatch):
    """A cache of this test's own, and judges that train in STEPS steps."""
    root = tmp_path / "cache"
    monkeypatch.setenv("GANVIS_CACHE", str(root))
    monkeypatch.setattr(judge_mod, "MIN_STEPS", STEPS)
    monkeypatch.setattr(judge_mod, "MAX_STEPS", STEPS)
    return root


def digits(classes, per_class, side=28):
    """Built-in digits of some classes (relabelled 0..K-1) as uint8 images of side x side:
    cropped at the centre below 28, padded with black above."""
    ds = load_dataset("mnist5k")
    pick = [np.flatnonzero(ds.labels == c)[:per_class] for c in classes]
    images = np.concatenate([ds.images[i] for i in pick])
    labels = np.concatenate([np.full(len(i), k, np.int64) for k, i in enumerate(pick)])
    if side < 28:
        m = (28 - side) // 2
        images = images[:, m:m + side, m:m + side]
    elif side > 28:
        m = (side - 28) // 2
        images = np.pad(images, ((0, 0), (m, side - 28 - m), (m, side - 28 - m)),
                        constant_values=-1.0)
    return np.round((images + 1.0) * 127.5).astype(np.uint8), labels


def write_npz(path, images, labels=None):
    if labels is None:
        np.savez(path, images=images)
    else:
        np.savez(path, images=images, labels=labels)
    return path


def one_line(err: str) -> str:
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """One judge of three digit classes (80 images each: 30 to learn from, 50 held out),
    trained once for the module in a cache of its own."""
    d = tmp_path_factory.mktemp("judged")
    path = write_npz(d / "digits3.npz", *digits((0, 1, 2), 80))
    spec = f"npz:{path}"
    calls = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("GANVIS_CACHE", str(d / "cache"))
        mp.setattr(judge_mod, "MIN_STEPS", STEPS)
        mp.setattr(judge_mod, "MAX_STEPS", STEPS)
        n = torch.get_num_threads()
        torch.set_num_threads(1)
        try:
            ds = load_dataset(spec)
            judge = train_judge(ds, lambda done, total: calls.append((done, total)))
            where = cache_dir()
        finally:
            torch.set_num_threads(n)
    return SimpleNamespace(path=path, spec=spec, ds=ds, judge=judge, calls=calls,
                           cache=where.parent)


@pytest.fixture
def use_trained(trained, monkeypatch):
    """The module's judge, in the cache this test sees."""
    monkeypatch.setenv("GANVIS_CACHE", str(trained.cache))
    return trained


def copy_judge(trained, cache_root):
    """Put the module's judge into another cache (the key is the data's, not the place's)."""
    target = cache_root / "judges" / trained.judge.path.name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(trained.judge.path, target)
    return target


def restamp(path, k):
    """Give an edited file a modification time of its own, as a later edit would have."""
    t = 1_700_000_000_000_000_000 + k * 1_000_000_000
    os.utime(path, ns=(t, t))


# --- where judges live ------------------------------------------------------------------------


def test_the_cache_is_ganvis_cache_or_else_under_xdg(tmp_path, monkeypatch, cache):
    assert cache_dir() == cache / "judges"
    monkeypatch.delenv("GANVIS_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "ganvis" / "judges"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir().parent.parent == tmp_path / "home" / ".cache"


# --- training and finding a judge -------------------------------------------------------------


def test_a_judge_tells_a_few_digit_classes_apart_well_above_chance(trained):
    j = trained.judge
    assert j.num_classes == 3 and j.shape == (28, 28) and j.steps == STEPS
    assert j.accuracy > 0.85  # held-out images, three-way chance 1/3
    assert j.key == data_key(trained.ds) and j.seconds > 0
    assert j.path == trained.cache / "judges" / f"{j.key}.h5" and j.path.is_file()
    done = [d for d, _ in trained.calls]
    assert done == sorted(done) and trained.calls[-1] == (STEPS, STEPS)
    with h5py.File(j.path, "r") as f:
        assert f.attrs["data_key"] == j.key
        assert f.attrs["held_out_accuracy"] == pytest.approx(j.accuracy)
        assert int(f.attrs["num_classes"]) == 3 and f.attrs["architecture"] != ARCHITECTURE
    # its own verdict on the held-out images agrees with the accuracy it states
    from ganvis.engine.quality.evalnet import split_indices

    _, held = split_indices(trained.ds.labels)
    with torch.no_grad():
        pred = j.net(torch.tensor(trained.ds.images[held])).argmax(1).numpy()
    assert np.mean(pred == trained.ds.labels[held]) == pytest.approx(j.accuracy)


def test_the_cache_gives_the_judge_back_whatever_the_file_is_called(use_trained, tmp_path):
    t = use_trained
    again = cached_judge(t.ds)
    assert again is not None and again.key == t.judge.key
    assert again.accuracy == pytest.approx(t.judge.accuracy) and again.num_classes == 3
    for (name, a), b in zip(again.net.state_dict().items(), t.judge.net.state_dict().values()):
        assert torch.equal(a, b), name
    renamed = tmp_path / "other-name.npz"
    shutil.copyfile(t.path, renamed)
    other = load_dataset(str(renamed))
    assert data_key(other) == t.judge.key and cached_judge(other).key == t.judge.key
    ds, found = judged(t.spec)
    assert ds.name == "digits3" and found.key == t.judge.key


def test_the_key_follows_the_pixels_and_the_labels(trained, tmp_path):
    images, labels = digits((0, 1, 2), 80)
    base = load_dataset(str(write_npz(tmp_path / "a.npz", images, labels)))
    assert data_key(base) == trained.judge.key
    pixel = images.copy()
    pixel[17, 14, 14] ^= 1
    moved = load_dataset(str(write_npz(tmp_path / "b.npz", pixel, labels)))
    assert data_key(moved) != data_key(base)
    relabelled = labels.copy()
    relabelled[[0, -1]] = relabelled[[-1, 0]]
    other = load_dataset(str(write_npz(tmp_path / "c.npz", images, relabelled)))
    assert data_key(other) != data_key(base)
    unlabelled = load_dataset(str(write_npz(tmp_path / "d.npz", images)))
    assert len({data_key(base), data_key(moved), data_key(other), data_key(unlabelled)}) == 4
    assert judge_path(moved).name == f"{data_key(moved)}.h5"


def test_changed_data_never_meets_a_stale_judge(use_trained, tmp_path):
    images, labels = digits((0, 1, 2), 80)
    images[0, 0, 0] ^= 1
    ds = load_dataset(str(write_npz(tmp_path / "changed.npz", images, labels)))
    assert cached_judge(ds) is None
    with pytest.raises(ConfigError, match="ganvis judge"):
        judged(str(tmp_path / "changed.npz"))


def test_what_cannot_have_a_judge_says_why(tmp_path):
    images, labels = digits((0, 1, 2), 80)
    unlabelled = write_npz(tmp_path / "plain.npz", images)
    few_images, few_labels = digits((0, 1), 50)  # 50 per class: nothing left to learn from
    few = write_npz(tmp_path / "few.npz", few_images, few_labels)
    labelled = write_npz(tmp_path / "ok.npz", images, labels)
    assert "no labels" in why_no_judge(load_dataset(str(unlabelled)))
    assert "too small" in why_no_judge(load_dataset(str(few)))
    assert why_no_judge(load_dataset(str(labelled))) == ""
    for spec, words in ((f"npz:{unlabelled}", "no labels"), (f"npz:{few}", "too small"),
                        ("mnist5k", "shipped classifier"), (f"npz:{labelled}", "ganvis judge")):
        with pytest.raises(ConfigError, match=words):
            judged(spec)
    with pytest.raises(ConfigError, match="no labels"):
        train_judge(load_dataset(str(unlabelled)))
    assert not cache_dir().exists() or not any(cache_dir().iterdir())  # nothing half-written


# --- what the runs and the metrics make of it --------------------------------------------------


def test_metrics_note_says_why_there_are_no_metrics_and_clears_once_judged(trained, tmp_path,
                                                                           cache):
    assert metrics_note("mnist5k") == "" and metrics_note("mnist5k-binary") == ""
    unlabelled = write_npz(tmp_path / "plain.npz", digits((0, 1, 2), 80)[0])
    assert "no labels" in metrics_note(f"npz:{unlabelled}")
    assert "no labels" in metrics_note(load_dataset(f"npz:{unlabelled}"))
    spec = trained.spec
    note = metrics_note(spec)
    assert "no judge" in note and f"`ganvis judge {spec}`" in note
    ds = load_dataset(spec)
    assert "`ganvis judge" in metrics_note(ds)
    live = LiveMetrics(ds, "normal", 8, 0, 0, every=10)
    assert not live.enabled and "ganvis judge" in live.note
    copy_judge(trained, cache)
    assert live.due(10, 1e9) and live.enabled and live.note == ""  # measures from now on
    assert metrics_note(spec) == "" and metrics_note(ds) == ""
    live = LiveMetrics(ds, "normal", 8, 0, 0, every=10)
    assert live.enabled and live.note == ""
    assert not LiveMetrics(ds, "normal", 8, 0, 0, every=0).enabled  # off is off


def test_the_floor_of_a_judged_data_set(use_trained):
    t = use_trained
    ref = reference(t.spec)
    assert ref.net.num_classes == 3 and ref.held_images.shape == (150, 28, 28)
    assert len(ref.train_sq) == 90 and ref.nn_real > 0
    floor = real_floor(t.spec)
    assert math.isfinite(floor["fcd_floor"]) and floor["fcd_floor"] >= 0
    assert floor["fcd_noise"] > 5 * floor["fcd_floor"] + 1
    assert floor["fcd_blank"] > 5 * floor["fcd_floor"] + 1
    assert floor["classes"] == 3 and floor["train_size"] == 90
    assert floor["coverage_real"] == 3 and floor["accuracy"] > 0.85
    real = evaluate(ref.held_images, ref=ref)
    assert real["coverage"] == 3 and real["fcd"] == pytest.approx(floor["fcd_floor"])
    # K classes, not ten: images of one class alone are log K nats from balanced
    with torch.no_grad():
        p = torch.softmax(ref.net(torch.tensor(ref.held_images)), 1)[:, 0].numpy()
    surest = ref.held_images[int(np.argmax(p))]
    one = evaluate(np.repeat(surest[None], 50, 0), ref=ref)
    assert one["coverage"] == 1
    assert one["class_kl"] == pytest.approx(math.log(3), abs=1e-4)
    assert real["class_kl"] < 0.1
    assert one["fcd"] > 3 * real["fcd"]
    with pytest.raises(ConfigError, match="28 x 28"):
        evaluate(np.zeros((4, 20, 20), np.float32), ref=ref)


def test_a_judge_of_other_sizes_and_more_classes(tmp_path):
    path = write_npz(tmp_path / "small.npz", *digits((3, 4, 6, 7), 80, side=20))
    spec = f"npz:{path}"
    ds = load_dataset(spec)
    assert ds.image_shape == (20, 20) and ds.num_classes == 4
    j = train_judge(ds)
    assert j.shape == (20, 20) and j.num_classes == 4
    assert j.accuracy > 0.6  # four-way chance 1/4
    assert j.net.architecture.endswith("-fc4@20x20")
    again = cached_judge(load_dataset(spec))
    assert again.shape == (20, 20) and again.net.fc2.out_features == 4
    ref = reference(spec)
    assert ref.held_images.shape == (200, 20, 20)
    assert evaluate(ref.held_images, ref=ref)["coverage"] == 4
    with pytest.raises(ConfigError, match="20 x 20"):
        evaluate(np.zeros((4, 28, 28), np.float32), ref=ref)
    floor = real_floor(spec)
    assert math.isfinite(floor["fcd_floor"]) and floor["fcd_noise"] > 5 * floor["fcd_floor"] + 1
    assert floor["classes"] == 4


def test_evalnet_takes_any_size_and_class_count():
    assert EvalNet().architecture == ARCHITECTURE
    assert EvalNet(10, (28, 28)).architecture == ARCHITECTURE
    for k, shape in ((4, (20, 20)), (5, (32, 32)), (3, (28, 28)), (10, (32, 24))):
        net = EvalNet(k, shape).eval()
        x = torch.zeros(2, *shape)
        assert net(x).shape == (2, k) and net.features(x).shape == (2, EvalNet.num_features)
        assert net.architecture != ARCHITECTURE
        assert net.architecture.endswith(f"-fc{k}@{shape[0]}x{shape[1]}")
    assert EvalNet(5, (32, 32)).architecture != EvalNet(5, (28, 28)).architecture
    shipped = load_eval_net()
    assert shipped.architecture == ARCHITECTURE and shipped.fc2.out_features == 10


def test_a_judge_file_reads_back_with_its_factory_and_not_as_the_shipped_one(trained):
    path = trained.judge.path

    def factory(attrs):
        return EvalNet(int(attrs["num_classes"]), (int(attrs["height"]), int(attrs["width"])))

    net, attrs = load_eval_net("cpu", path, factory=factory, with_attrs=True)
    assert int(attrs["num_classes"]) == 3 and attrs["data_key"] == trained.judge.key
    assert not any(p.requires_grad for p in net.parameters()) and not net.training
    for a, b in zip(net.state_dict().values(), trained.judge.net.state_dict().values()):
        assert torch.equal(a, b)
    assert isinstance(load_eval_net("cpu", path, factory=factory), EvalNet)
    with pytest.raises(ModelFileError, match="architecture"):
        load_eval_net("cpu", path)  # a judge is not the digits' classifier
    with pytest.raises(ModelFileError, match="architecture"):
        load_eval_net("cpu", path, factory=lambda a: EvalNet(4, (28, 28)))


def test_a_damaged_judge_in_the_cache_is_reported_not_trusted(trained, cache):
    target = copy_judge(trained, cache)
    ds = load_dataset(trained.spec)
    assert cached_judge(ds) is not None
    good = target.read_bytes()

    target.write_bytes(b"not a judge at all")
    with pytest.raises(ModelFileError):
        cached_judge(ds)
    assert "quality metrics are off" in metrics_note(ds)
    assert not LiveMetrics(ds, "normal", 8, 0, 0, every=10).enabled

    target.write_bytes(good[:len(good) // 2])
    restamp(target, 1)
    with pytest.raises(GanvisError):
        cached_judge(ds)

    for k, (name, value, words) in enumerate((
            ("num_classes", 5000, "out of range"),  # refused before anything is allocated
            ("height", 2, "out of range"), ("width", 10**6, "out of range"),
            ("num_classes", None, "missing"), ("num_classes", 4, "architecture")), start=2):
        damage_attr(target, good, name, value, k)
        with pytest.raises(ModelFileError, match=words):
            cached_judge(ds)
    target.write_bytes(good)
    restamp(target, 10)
    assert cached_judge(ds).key == trained.judge.key


def damage_attr(target, good, name, value, k):
    """The good judge file again, with attribute `name` set to value (None: removed)."""
    target.write_bytes(good)
    with h5py.File(target, "r+") as f:
        if value is None:
            del f.attrs[name]
        else:
            f.attrs[name] = value
    restamp(target, k)


# --- the command ------------------------------------------------------------------------------


def test_cli_judge_trains_once_then_finds_it_in_the_cache(trained, cache, capsys, monkeypatch):
    spec = trained.spec
    assert main(["judge", spec]) == 0
    out = capsys.readouterr().out
    assert f"{STEPS} steps" in out and "held-out accuracy" in out
    line = next(s for s in out.splitlines() if "held-out accuracy" in s)
    assert float(line.split()[-1].rstrip("%")) > 85
    assert "FCD floor" in out
    assert cached_judge(load_dataset(spec)) is not None

    def no_training(*a, **kw):
        raise AssertionError("the judge was trained again")

    monkeypatch.setattr(judge_mod, "train_judge", no_training)
    assert main(["judge", str(trained.path), "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["trained_now"] is False and result["classes"] == 3
    assert result["held_out_accuracy"] > 0.85 and result["images"] == 240
    assert result["fcd_noise"] > 5 * result["fcd_floor"]
    assert result["path"] == str(cache / "judges" / f"{trained.judge.key}.h5")


def test_cli_judge_retrain_replaces_a_damaged_judge(trained, cache, capsys):
    target = copy_judge(trained, cache)
    target.write_bytes(b"garbage")
    assert main(["judge", trained.spec]) == 1
    assert "judge" in one_line(capsys.readouterr().err)
    assert main(["judge", trained.spec, "--retrain", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["trained_now"] is True and result["held_out_accuracy"] > 0.85
    assert cached_judge(load_dataset(trained.spec)).key == trained.judge.key


def test_cli_judge_refuses_what_it_cannot_judge_in_one_line(tmp_path, capsys):
    images, _ = digits((0, 1, 2), 80)
    unlabelled = write_npz(tmp_path / "plain.npz", images)
    few = write_npz(tmp_path / "few.npz", *digits((0, 1), 40))
    for args, words in (([f"npz:{unlabelled}"], "no labels"),
                        ([str(unlabelled), "--json"], "no labels"),
                        ([str(few)], "too small"),
                        (["mnist5k"], "shipped classifier"),
                        ([str(tmp_path / "missing.npz")], "no such")):
        assert main(["judge", *args]) == 1, args
        captured = capsys.readouterr()
        line = one_line(captured.err)
        assert line.startswith("ganvis judge: error:") and words in line, line
        assert captured.out == ""
    assert not cache_dir().exists() or not any(cache_dir().iterdir())


# --- a run on judged data ---------------------------------------------------------------------


def _dcgan(spec, **kw):
    return RunConfig(model="dcgan", data=spec, width=8, batch_size=16, device="cpu",
                     metrics_every=5, **kw)


def test_a_dcgan_run_on_judged_data_measures_its_quality(use_trained):
    run = new_run(_dcgan(use_trained.spec))
    assert run.live.enabled and run.snapshot().metrics_note == ""
    assert run.live.collapse_below == 2  # of three classes (7 of the ten digits)
    TrainingLoop(run).train(12)
    h = run.live.history
    assert h["step"] and h["step"][0] >= 5
    assert all(math.isfinite(v) and v > 0 for v in h["fcd"])
    assert all(0 <= v <= 3 for v in h["coverage"])  # three classes, not ten
    snap = run.snapshot()
    assert snap.metrics["fcd"] == h["fcd"][-1] and snap.metrics_note == ""
    row = run.measure()
    assert math.isfinite(row["fcd"]) and 0 <= row["coverage"] <= 3


def test_a_dcgan_run_without_a_judge_says_how_to_get_one(trained, cache):
    run = new_run(_dcgan(trained.spec))  # this test's cache is empty
    TrainingLoop(run).train(12)
    snap = run.snapshot()
    assert snap.metrics == {} and not run.live.history["step"]
    assert "`ganvis judge" in snap.metrics_note and "no judge" in snap.metrics_note
    copy_judge(trained, cache)  # `ganvis judge` done meanwhile: the run starts measuring
    TrainingLoop(run).train(6)
    snap = run.snapshot()
    assert run.live.history["step"] and snap.metrics_note == ""
    assert math.isfinite(snap.metrics["fcd"])


# A damaged attribute is a ModelFileError (it once raised AttributeError while reporting it).
def test_a_judge_file_missing_a_descriptive_attribute_is_a_model_file_error(trained, cache):
    target = copy_judge(trained, cache)
    good = target.read_bytes()
    ds = load_dataset(trained.spec)
    for k, name in enumerate(("held_out_accuracy", "data_key", "steps"), start=20):
        damage_attr(target, good, name, None, k)
        with pytest.raises(ModelFileError, match="damaged"):
            cached_judge(ds)
        assert "quality metrics are off" in metrics_note(ds)  # a run on it starts, unmeasured
