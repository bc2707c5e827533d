"""Training runs: they learn, they are reproducible, and each control does what it says."""

import math

import numpy as np
import pytest
import torch

from ganvis.engine import ConfigError, RunConfig, new_run
from ganvis.engine.data import load_dataset
from ganvis.engine.latent.priors import sample_prior
from ganvis.engine.runs.losses import EQUILIBRIUM_D_LOSS, d_loss, g_loss


def pixel_fd(a: np.ndarray, b: np.ndarray, k: int = 20) -> float:
    """Fréchet distance between two image sets in the top-k principal axes of `b`."""
    a, b = a.reshape(len(a), -1).astype(np.float64), b.reshape(len(b), -1).astype(np.float64)
    mu = b.mean(0)
    _, _, vt = np.linalg.svd(b - mu, full_matrices=False)
    pa, pb = (a - mu) @ vt[:k].T, (b - mu) @ vt[:k].T
    ma, mb = pa.mean(0), pb.mean(0)
    ca, cb = np.cov(pa, rowvar=False), np.cov(pb, rowvar=False)
    w, v = np.linalg.eigh(cb)
    sb = v @ np.diag(np.sqrt(np.clip(w, 0, None))) @ v.T
    m = np.linalg.eigvalsh(sb @ ca @ sb)
    cross = np.sqrt(np.clip(m, 0, None)).sum()
    return float(((ma - mb) ** 2).sum() + np.trace(ca) + np.trace(cb) - 2 * cross)


@pytest.mark.slow
def test_dcgan_really_learns_digits():
    real = load_dataset("mnist5k").images
    run = new_run(RunConfig(model="dcgan", device="cpu", seed=0))
    before = pixel_fd(run.sampler().sample(500, seed=1), real)
    run.train_steps(300)
    after = pixel_fd(run.sampler().sample(500, seed=1), real)
    # Noise from an untrained G is far from real digits; 300 steps close most of the gap.
    assert after < 0.15 * before, (before, after)
    snap = run.snapshot()
    assert 0.2 < snap.d_real < 0.95 and 0.05 < snap.d_fake < 0.8


def test_same_seed_same_first_losses_and_other_seed_differs():
    def first(seed):
        run = new_run(RunConfig(model="dcgan", width=8, batch_size=16, device="cpu", seed=seed))
        run.train_steps(3)
        s = run.snapshot()
        return s.d_loss, s.g_loss, s.grid

    a, b, c = first(1), first(1), first(2)
    assert a[0] == b[0] and a[1] == b[1] and np.array_equal(a[2], b[2])
    assert a[0] != c[0]


def test_snapshots_never_change_the_training():
    cfg = RunConfig(model="gan", width=32, batch_size=8, device="cpu", seed=4)
    quiet, chatty = new_run(cfg), new_run(cfg)
    quiet.train_steps(6)
    for _ in range(6):
        chatty.train_steps(1)
        chatty.snapshot()
    for a, b in zip(quiet.G.parameters(), chatty.G.parameters()):
        assert torch.equal(a, b)


def _params(m):
    return [p.detach().clone() for p in m.parameters()]


def _changed(before, m):
    return any(not torch.equal(a, b) for a, b in zip(before, m.parameters()))


def test_step_d_moves_only_d_and_step_g_only_g():
    run = new_run(RunConfig(model="dcgan", width=8, batch_size=16, device="cpu"))
    run.train_steps(2)
    g0, d0 = _params(run.G), _params(run.D)
    grid = run.snapshot().grid
    run.step_d()
    assert _changed(d0, run.D) and not _changed(g0, run.G)
    assert np.array_equal(run.snapshot().grid, grid)  # batch-norm statistics untouched too
    assert (run.d_steps, run.g_steps) == (3, 2)
    g1, d1 = _params(run.G), _params(run.D)
    run.step_g()
    assert _changed(g1, run.G) and not _changed(d1, run.D)
    assert (run.d_steps, run.g_steps) == (3, 3)
    assert all(p.grad is None or p.requires_grad for p in run.D.parameters())


def test_k_discriminator_steps_per_generator_step():
    run = new_run(RunConfig(model="gan", width=16, batch_size=8, k_disc=3, device="cpu"))
    run.train_steps(4)
    assert (run.step, run.d_steps, run.images_seen) == (4, 12, 96)


def test_snapshot_is_host_data_in_range():
    run = new_run(RunConfig(model="dcgan", width=8, batch_size=16, device="cpu"))
    run.train_steps(2)
    s = run.snapshot()
    assert s.grid.shape == (64, 28, 28) and -1 <= s.grid.min() and s.grid.max() <= 1
    for p in (s.real_probs, s.fake_probs):
        assert p.shape == (256,) and isinstance(p, np.ndarray) and ((p >= 0) & (p <= 1)).all()
        assert not p.flags.writeable
    assert s.step == 2 and s.images_seen == 32 and s.images_per_s > 0
    assert math.isfinite(s.d_loss) and run.history["step"] == [2.0]
    empty = run.snapshot()  # nothing trained since: no fake averages, no history row
    assert math.isnan(empty.d_loss) and len(run.history["step"]) == 1


def test_losses_at_equilibrium_and_their_signs():
    zero = torch.zeros(10)
    assert d_loss(zero, zero).item() == pytest.approx(EQUILIBRIUM_D_LOSS)
    assert g_loss(zero, "minimax").item() == pytest.approx(-math.log(2))
    assert g_loss(zero, "nonsat").item() == pytest.approx(math.log(2))
    # The saturating loss gives G almost no gradient when D confidently rejects its samples.
    confident_fake = torch.full((10,), -8.0, requires_grad=True)
    g_loss(confident_fake, "minimax").backward()
    sat = confident_fake.grad.abs().sum().item()
    confident_fake.grad = None
    g_loss(confident_fake, "nonsat").backward()
    assert confident_fake.grad.abs().sum().item() > 100 * sat


def test_priors():
    gen = torch.Generator().manual_seed(0)
    u = sample_prior("uniform", 1000, 8, gen)
    assert u.min() >= -1 and u.max() <= 1 and abs(u.mean()) < 0.05
    n = sample_prior("normal", 4000, 8, gen)
    assert abs(n.std().item() - 1) < 0.05


def test_minimax_and_uniform_prior_train():
    run = new_run(RunConfig(model="gan", width=16, batch_size=8, loss="minimax", prior="uniform",
                        device="cpu"))
    run.train_steps(3)
    assert run.snapshot().g_loss < 0  # log(1 - D) is negative


def test_bad_configs_are_refused_clearly():
    with pytest.raises(ConfigError, match="model"):
        RunConfig(model="vae")
    with pytest.raises(ConfigError, match="k_disc"):
        RunConfig(k_disc=0)
    with pytest.raises(ConfigError, match="learning rate"):
        RunConfig(lr_g=float("nan"))
    with pytest.raises(ConfigError, match="device"):
        RunConfig(device="tpu")
    with pytest.raises(ConfigError, match="unknown field"):
        RunConfig.from_json('{"modle": "gan"}')
    with pytest.raises(ConfigError, match="parameters"):
        new_run(RunConfig(model="dcgan", width=4096, latent_dim=1024, device="cpu"))
    if not torch.cuda.is_available():
        with pytest.raises(ConfigError, match="no CUDA"):
            new_run(RunConfig(device="cuda"))


def test_config_json_round_trip():
    c = RunConfig(model="gan", loss="minimax", betas_g=(0.1, 0.9), seed=9)
    assert RunConfig.from_json(c.to_json()) == c
    assert c.replace(model="dcgan").width == 32


def test_separation_is_the_share_of_real_fake_pairs_d_ranks_right():
    from ganvis.engine.quality.game import js_lower_bound, separation

    assert separation(np.array([0.9, 0.8]), np.array([0.1, 0.2])) == 1.0
    assert separation(np.array([0.1, 0.2]), np.array([0.9, 0.8])) == 0.0
    assert separation(np.full(10, 0.5), np.full(7, 0.5)) == 0.5  # ties count half
    assert separation(np.array([0.3, 0.7]), np.array([0.5])) == 0.5
    assert js_lower_bound(-math.log(4)) == 0.0 and js_lower_bound(0.0) == pytest.approx(
        math.log(2))
