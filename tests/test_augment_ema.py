"""DiffAugment (what D is shown) and the moving average of the generator's weights (G_ema,
decoder_ema): the transforms themselves, the config field, the runs, and saved files."""

import json
import math

import h5py
import numpy as np
import pytest
import torch

from ganvis.engine import RunConfig, new_run
from ganvis.engine.config import AUGMENT_CHOICES
from ganvis.engine.errors import ConfigError
from ganvis.engine.family import family
from ganvis.engine.runs.augment import augment, cutout, translation
from ganvis.engine.runs.average import (
    RAMPUP,
    average_into,
    average_name,
    decay_at,
    half_life_decay,
    with_average,
)
from ganvis.engine.store import RunFile, load_run, load_sampler, save_run


@pytest.fixture(autouse=True)
def _one_thread():
    """One torch thread: these nets are tiny, and a second thread only waits on a busy CPU
    (conftest puts the count back after each test)."""
    torch.set_num_threads(1)


def gen(seed=0):
    return torch.Generator().manual_seed(seed)


BLACK = -1.0  # the background: what a shift uncovers and cutout blanks


def distinct(n=64, h=16, w=16):
    """Images whose pixels are all different and all far from the background (-1)."""
    x = torch.arange(n * h * w, dtype=torch.float32).reshape(n, 1, h, w)
    return x / x.max()  # in [0, 1]


def shifted(img, dy, dx):
    """out[i, j] = img[i + dy, j + dx], background where that is off the image."""
    h, w = img.shape
    out = np.full_like(img, BLACK)
    for i in range(h):
        for j in range(w):
            if 0 <= i + dy < h and 0 <= j + dx < w:
                out[i, j] = img[i + dy, j + dx]
    return out


def small(model="dcgan", **kw):
    base = dict(model=model, width=8, batch_size=16, device="cpu", metrics_every=0)
    if model in ("gan", "ae", "aae", "saae"):
        base.update(width=32, depth=1, latent_dim=4)
    return RunConfig(**{**base, **kw})


def same_weights(a, b):
    sa, sb = a.state_dict(), b.state_dict()
    return sa.keys() == sb.keys() and all(torch.equal(sa[k], sb[k]) for k in sa)


# --- the transforms ---------------------------------------------------------------------------


def test_off_returns_the_images_themselves():
    x = distinct(4)
    assert augment(x, "off", gen()) is x


def test_translation_shifts_each_image_by_up_to_an_eighth_with_background_moving_in():
    x = distinct(64, 16, 16)
    out = translation(x, gen(1))
    assert out.shape == x.shape
    shifts = []
    for img, res in zip(x[:, 0].numpy(), out[:, 0].numpy()):
        found = [(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3)
                 if np.array_equal(res, shifted(img, dy, dx))]
        assert len(found) == 1, "each image must be a whole-pixel shift of at most 16/8 = 2"
        shifts.append(found[0])
    # the shifts are drawn per image and cover the range, both ways
    assert len(set(shifts)) > 10
    assert {dy for dy, _ in shifts} == {-2, -1, 0, 1, 2}
    assert {dx for _, dx in shifts} == {-2, -1, 0, 1, 2}


def test_cutout_blanks_one_square_of_half_the_side_in_each_image():
    x = distinct(64, 16, 16)
    out = cutout(x, gen(2)).numpy()[:, 0]
    full = 0
    for img, res in zip(x[:, 0].numpy(), out):
        blank = res == BLACK
        kept = ~blank
        assert np.array_equal(res[kept], img[kept])  # the rest is untouched
        rows, cols = np.flatnonzero(blank.any(1)), np.flatnonzero(blank.any(0))
        assert 4 <= len(rows) <= 8 and 4 <= len(cols) <= 8  # side 8, may reach past an edge
        assert np.array_equal(rows, np.arange(rows[0], rows[-1] + 1))  # one rectangle
        assert np.array_equal(blank, np.outer(blank.any(1), blank.any(0)))
        full += blank.sum() == 64
    assert full > 10  # most squares lie wholly inside
    assert len({res.tobytes() for res in out}) == len(out)  # placed afresh for each image


@pytest.mark.parametrize("policy", list(AUGMENT_CHOICES))
def test_every_policy_keeps_shape_range_and_gradients(policy):
    x = (torch.rand(8, 1, 20, 20, generator=gen(3)) * 2 - 1).requires_grad_(True)
    out = augment(x, policy, gen(4))
    assert out.shape == x.shape and out.dtype == x.dtype
    assert out.min() >= -1 and out.max() <= 1
    out.sum().backward()  # differentiable: G learns through what D is shown
    assert x.grad is not None and x.grad.abs().sum() > 0
    same = augment(x.detach(), policy, gen(4))
    assert torch.equal(same, out.detach())  # the generator decides everything
    if policy != "off":
        assert not torch.equal(out.detach(), x.detach())
        assert not torch.equal(augment(x.detach(), policy, gen(5)), out.detach())


def test_both_transforms_apply_translation_then_cutout():
    x = distinct(16)
    both = augment(x, "translation,cutout", gen(6))
    g = gen(6)
    assert torch.equal(both, cutout(translation(x, g), g))
    assert not torch.equal(both, translation(x, gen(6)))


# --- the config field ---------------------------------------------------------------------


def test_augment_is_a_checked_choice_of_the_image_gans_only():
    for model in ("gan", "dcgan", "gan2d", "ae", "aae", "saae"):
        assert RunConfig(model=model).augment == "off"
    for policy in AUGMENT_CHOICES:
        assert RunConfig(model="gan", augment=policy).augment == policy
        assert RunConfig(model="dcgan", augment=policy).augment == policy
    assert {"augment", "g_ema"} <= family("dcgan").settings
    with pytest.raises(ConfigError, match="augment"):
        RunConfig(model="dcgan", augment="flip")
    with pytest.raises(ConfigError, match="augment"):
        RunConfig(model="dcgan", augment="cutout,translation")
    for model in ("aae", "gan2d", "ae", "saae"):
        assert "augment" not in family(model).settings
        with pytest.raises(ConfigError, match="augment"):
            RunConfig(model=model, augment="cutout")


def test_changing_the_model_resets_augment_and_g_ema_to_its_defaults():
    c = RunConfig(model="dcgan", augment="cutout", g_ema=0.9)
    assert c.replace(seed=3).augment == "cutout"  # same model: kept
    aae = c.replace(model="aae")  # no error: the new family's defaults
    assert aae.augment == "off" and aae.g_ema == family("aae").defaults["g_ema"] == 0.995
    gan = c.replace(model="gan")
    assert gan.augment == "off" and gan.g_ema == family("gan").defaults["g_ema"] == 0.995
    assert c.replace(model="gan2d").g_ema == 0.98  # gan2d averages by default
    assert c.replace(model="gan", augment="translation").augment == "translation"
    with pytest.raises(ConfigError, match="augment"):
        c.replace(model="aae", augment="cutout")


def test_from_json_fills_absent_fields_and_round_trips():
    c = RunConfig(model="dcgan", augment="translation,cutout", g_ema=0.99)
    assert RunConfig.from_json(c.to_json()) == c
    d = json.loads(c.to_json())
    del d["augment"], d["g_ema"]
    text = json.dumps(d)
    assert RunConfig.from_json(text).augment == "off"  # the family's default
    filled = RunConfig.from_json(text, absent={"augment": "cutout", "g_ema": 0.5})
    assert filled.augment == "cutout" and filled.g_ema == 0.5
    # what the text holds wins over `absent`
    kept = RunConfig.from_json(c.to_json(), absent={"augment": "off", "g_ema": 0.0})
    assert kept.augment == "translation,cutout" and kept.g_ema == 0.99
    with pytest.raises(ConfigError, match="augment"):
        RunConfig.from_json(text, absent={"augment": "sideways"})


def _strip_config(path, *keys):
    """Rewrite a run file's config as a ganvis from before `keys` existed wrote it."""
    with h5py.File(path, "r+") as f:
        d = json.loads(f.attrs["config"])
        for k in keys:
            del d[k]
        f.attrs["config"] = json.dumps(d, sort_keys=True)


def test_an_old_file_without_the_new_settings_loads_with_them_off(tmp_path, monkeypatch):
    run = new_run(small("dcgan"))
    run.train_steps(2)
    path = save_run(run, tmp_path / "old.h5")
    _strip_config(path, "augment", "g_ema")
    # Were today's defaults to augment and average, an old file still trained without them.
    defaults = family("dcgan").defaults
    monkeypatch.setitem(defaults, "augment", "translation")
    monkeypatch.setitem(defaults, "g_ema", 0.5)
    assert RunConfig(model="dcgan").augment == "translation"
    with RunFile(path) as rf:
        assert rf.config.augment == "off" and rf.config.g_ema == 0.0
    again = load_run(path)
    assert again.config.augment == "off" and "G_ema" not in again.nets
    assert same_weights(again.nets["G"], run.nets["G"])


def test_an_old_gan2d_file_does_not_gain_an_average(tmp_path):
    run = new_run(RunConfig(model="gan2d", g_ema=0.0, device="cpu", metrics_every=0))
    run.train_steps(2)
    path = save_run(run, tmp_path / "old2d.h5")
    _strip_config(path, "augment", "g_ema")
    with RunFile(path) as rf:
        assert rf.config.g_ema == 0.0  # not gan2d's default of today (0.98)
    again = load_sampler(path)
    assert same_weights(again.G, run.nets["G"])


# --- the average of the generator ---------------------------------------------------------


def test_average_names():
    assert average_name("G") == "G_ema" and average_name("decoder") == "decoder_ema"


def test_average_into_is_the_lerp_of_the_weights_and_copies_the_buffers():
    torch.manual_seed(0)
    avg = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
    net = torch.nn.Sequential(torch.nn.Linear(3, 2), torch.nn.BatchNorm1d(2))
    with torch.no_grad():
        net[0].weight.copy_(torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
        net[0].bias.copy_(torch.tensor([10.0, -10.0]))
        avg[0].weight.zero_()
        avg[0].bias.copy_(torch.tensor([2.0, 2.0]))
    net(torch.randn(8, 3))  # train mode: running statistics move
    before = {k: v.clone() for k, v in net.state_dict().items()}
    average_into(avg, net, 0.75)
    w = avg[0].weight.detach()
    assert torch.allclose(w, 0.25 * torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
    assert torch.allclose(avg[0].bias.detach(), torch.tensor([0.75 * 2 + 2.5, 0.75 * 2 - 2.5]))
    for name in ("running_mean", "running_var", "num_batches_tracked"):
        assert torch.equal(getattr(avg[1], name), getattr(net[1], name))
    assert all(torch.equal(v, net.state_dict()[k]) for k, v in before.items())  # net untouched
    average_into(avg, net, 0.0)  # decay 0: the net itself
    assert same_weights(avg, net)
    old = avg[0].weight.detach().clone()
    with torch.no_grad():
        net[0].weight.add_(1.0)
    average_into(avg, net, 0.9)
    assert torch.allclose(avg[0].weight, 0.9 * old + 0.1 * net[0].weight)


def test_the_average_ramps_up_to_its_decay():
    """Early on, the half-life is RAMPUP x the steps so far; then the decay itself."""
    assert decay_at(0.995, 1) < 1e-5 and decay_at(0.0, 500) == 0.0
    half_life = math.log(0.5) / math.log(0.995)  # about 138 steps
    assert decay_at(0.995, 100) == pytest.approx(0.5 ** (1 / (RAMPUP * 100)))
    ramp = [decay_at(0.995, s) for s in (1, 10, 100, 1000, 2000)]
    assert ramp == sorted(ramp) and ramp[-2] < 0.995
    assert decay_at(0.995, int(half_life / RAMPUP) + 1) == pytest.approx(0.995)
    assert decay_at(0.995, 10**6) == pytest.approx(0.995)


def test_half_life_decay_halves_the_weight_after_half_life_images():
    assert half_life_decay(64, 64) == pytest.approx(0.5)
    d = half_life_decay(32, 10_000)
    assert 0.99 < d < 1
    assert d ** (10_000 / 32) == pytest.approx(0.5)
    assert half_life_decay(64, 10_000) < half_life_decay(32, 10_000)


def test_with_average_adds_a_frozen_independent_copy_only_when_asked():
    nets = {"G": torch.nn.Linear(2, 2), "D": torch.nn.Linear(2, 1)}
    assert set(with_average(dict(nets), RunConfig(model="gan", g_ema=0.0))) == {"G", "D"}
    out = with_average(dict(nets), RunConfig(model="gan", g_ema=0.9))
    assert set(out) == {"G", "D", "G_ema"} and out["G_ema"] is not nets["G"]
    assert same_weights(out["G_ema"], nets["G"])
    assert not any(p.requires_grad for p in out["G_ema"].parameters())
    with torch.no_grad():
        nets["G"].weight.add_(1.0)
    assert not same_weights(out["G_ema"], nets["G"])
    dec = with_average({"decoder": torch.nn.Linear(2, 2)}, RunConfig(model="ae", g_ema=0.5),
                       "decoder")
    assert set(dec) == {"decoder", "decoder_ema"}


@pytest.mark.parametrize("model, generator", [
    ("gan", "G"), ("dcgan", "G"), ("ae", "decoder"), ("aae", "decoder"), ("saae", "decoder"),
])
def test_each_family_samples_from_its_average(model, generator):
    plain = new_run(small(model, g_ema=0.0))
    assert not any(k.endswith("_ema") for k in plain.nets)
    assert plain.family.sampling_net(plain.nets) == generator
    assert plain.generator is plain.nets[generator]
    run = new_run(small(model, g_ema=0.9))
    name = f"{generator}_ema"
    assert name in run.nets and run.family.sampling_net(run.nets) == name
    assert run.generator is run.nets[name]
    assert same_weights(run.nets[name], run.nets[generator])  # starts as the generator
    run.train_steps(3)
    assert not same_weights(run.nets[name], run.nets[generator])
    # samples, the sliders and exports come from the average
    z = run.grid_z[:4]
    with torch.no_grad():
        ema = run.nets[name].eval()
        args = (z,) if not run.num_classes else (z, torch.arange(4) % run.num_classes)
        expected = ema(*args).squeeze(1).numpy()
        live = run.nets[generator].eval()(*args).squeeze(1).numpy()
    run.nets[name].train()
    run.nets[generator].train()
    assert not np.allclose(expected, live)
    digits = None if not run.num_classes else torch.arange(4) % run.num_classes
    assert np.allclose(run.generate(z, digits), expected, atol=1e-6)
    s = run.sampler()
    assert same_weights(s.G, run.nets[name])
    assert np.allclose(s(z.numpy(), None if digits is None else digits.numpy()), expected,
                       atol=1e-6)


def test_a_generator_step_moves_the_average_by_exactly_the_decay():
    run = new_run(small("dcgan", g_ema=0.8))
    run.train_steps(2)
    old = {k: v.detach().clone() for k, v in run.nets["G_ema"].named_parameters()}
    run.step_g(1)
    d = decay_at(0.8, 3)  # the third G update: the half-life is still ramping up
    assert 0.0 < d < 0.8
    G, avg = run.nets["G"], run.nets["G_ema"]
    for k, p in G.named_parameters():
        assert torch.allclose(dict(avg.named_parameters())[k], d * old[k] + (1 - d) * p,
                              atol=1e-6), k
    for (k, a), b in zip(avg.named_buffers(), G.buffers()):
        assert torch.equal(a, b), k  # batch-norm statistics: G's own
    moved = {k: v.detach().clone() for k, v in avg.named_parameters()}
    run.step_d(2)  # D's updates leave both G and its average alone
    assert all(torch.equal(moved[k], v) for k, v in avg.named_parameters())


def test_an_autoencoder_step_averages_the_decoder():
    run = new_run(small("aae", g_ema=0.5))
    run.train_steps(1)
    old = {k: v.detach().clone() for k, v in run.nets["decoder_ema"].named_parameters()}
    run.train_steps(1)  # one reconstruction update of the decoder per step
    d = decay_at(0.5, 2)
    dec = dict(run.nets["decoder"].named_parameters())
    for k, a in run.nets["decoder_ema"].named_parameters():
        assert torch.allclose(a, d * old[k] + (1 - d) * dec[k], atol=1e-6), k


@pytest.mark.parametrize("model, generator", [("dcgan", "G"), ("ae", "decoder")])
def test_both_weights_are_saved_and_the_file_samples_from_the_average(model, generator,
                                                                        tmp_path):
    run = new_run(small(model, g_ema=0.9))
    run.train_steps(4)
    name = f"{generator}_ema"
    path = save_run(run, tmp_path / "r.h5")
    with h5py.File(path, "r") as f:
        assert {generator, name} <= set(f["weights"])
    s = load_sampler(path)
    assert same_weights(s.G, run.nets[name]) and not same_weights(s.G, run.nets[generator])
    z = run.grid_z[:4]
    assert np.allclose(s(z.numpy()), run.generate(z), atol=1e-6)
    again = load_run(path)
    assert again.config.g_ema == 0.9
    assert same_weights(again.nets[generator], run.nets[generator])
    assert same_weights(again.nets[name], run.nets[name])
    assert again.generator is again.nets[name]
    # training on from the file continues exactly as the run itself does
    run.train_steps(2)
    again.train_steps(2)
    assert same_weights(again.nets[name], run.nets[name])


# --- what D is shown ------------------------------------------------------------------------


def test_snapshots_carry_what_d_is_shown_when_the_run_augments():
    assert new_run(small("dcgan")).snapshot().shown_real is None
    run = new_run(small("dcgan", augment="translation,cutout"))
    run.train_steps(2)
    snap = run.snapshot()
    shown = snap.shown_real
    assert shown is not None and shown.shape == (16, 28, 28) and shown.dtype == np.float32
    assert not shown.flags.writeable
    with pytest.raises(ValueError):
        shown[0, 0, 0] = 0.0
    assert shown.min() >= -1.0 and shown.max() <= 1.0
    probes = run.probe_real[:16].squeeze(1).numpy()
    assert not np.allclose(shown, probes)  # augmented, not the images themselves
    assert (shown == -1.0).sum() > (probes == -1.0).sum()  # cutout squares are background
    # taken twice at one step: the same look (and it moves nothing the run trains with)
    state = run.gen.get_state()
    again = run.snapshot()
    assert torch.equal(run.gen.get_state(), state)
    assert np.array_equal(again.shown_real, shown)
    assert np.array_equal(again.real_probs, snap.real_probs)
    assert np.array_equal(again.fake_probs, snap.fake_probs)
    run.train_steps(1)
    assert not np.array_equal(run.snapshot().shown_real, shown)  # a new step, a new look


def test_looking_does_not_change_an_augmenting_run():
    a = new_run(small("dcgan", augment="translation,cutout"))
    b = new_run(small("dcgan", augment="translation,cutout"))
    for _ in range(3):
        a.train_steps(1)
        a.snapshot()
        b.train_steps(1)
    assert same_weights(a.nets["G"], b.nets["G"]) and same_weights(a.nets["D"], b.nets["D"])


def _inputs_of_d(run, monkeypatch):
    """What D is called on, each call; real batches are all white (+1) images."""
    seen = []
    run.nets["D"].register_forward_pre_hook(lambda m, args: seen.append(args[0].detach()))
    monkeypatch.setattr(run.train_data, "batch",
                        lambda n, gen: torch.ones(n, 1, 28, 28, device=run.device))
    return seen


def _blanked(x):
    """Pixels exactly at the background, per image (tanh and white images have none)."""
    return (x == -1.0).flatten(1).sum(1)


def test_d_is_shown_augmented_real_and_fake_images_in_both_updates(monkeypatch):
    run = new_run(small("dcgan", augment="cutout"))
    seen = _inputs_of_d(run, monkeypatch)
    run.step_d(1)
    real, fake = seen
    assert real.shape == fake.shape == (16, 1, 28, 28)
    assert ((_blanked(real) >= 7 * 7) & (_blanked(real) <= 14 * 14)).all()  # a 14 x 14 square
    assert ((_blanked(fake) >= 7 * 7) & (_blanked(fake) <= 14 * 14)).all()
    assert not torch.equal(_blanked(real), _blanked(fake))  # drawn for each batch afresh
    seen.clear()
    run.step_g(1)
    (g_fake,) = seen
    assert (_blanked(g_fake) >= 7 * 7).all()  # G learns through what D is shown
    seen.clear()
    run.train_steps(1)
    assert len(seen) == 3 and all((_blanked(x) >= 7 * 7).all() for x in seen)

    plain = new_run(small("dcgan"))
    seen = _inputs_of_d(plain, monkeypatch)
    plain.train_steps(1)
    assert len(seen) == 3 and all((_blanked(x) == 0).all() for x in seen)


def test_whole_number_adam_betas_are_floats_and_train():
    """A config (JSON, the CLI) may write beta1 = 0 as a whole number; Adam refuses ints."""
    config = RunConfig.from_json(small("gan").replace(betas_g=(0.5, 0.9)).to_json()
                                 .replace('"betas_g": [0.5, 0.9]', '"betas_g": [0, 0.9]'))
    assert config.betas_g == (0.0, 0.9) and isinstance(config.betas_g[0], float)
    run = new_run(config)
    run.train_steps(2)
    assert run.step == 2
