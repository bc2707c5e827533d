"""The theory lab's engine: exact densities, JS and KL at resolution h, D*, Theorem 1, the
VEEGAN/PacGAN protocol, the 2-D GAN family and its point files."""

import math

import numpy as np
import pytest
import torch
from torch import nn

from ganvis.engine import ConfigError, DataError, RunConfig, TrainingLoop, new_run
from ganvis.engine.data.points import builtin_points, load_points
from ganvis.engine.nets.plane import PointDiscriminator
from ganvis.engine.quality.game import LOG4
from ganvis.engine.quality.plane import (
    data_density,
    divergences,
    grid_for,
    kde,
    modes_report,
    optimal_d,
    resolution,
)
from ganvis.engine.store import explore_file, load_run, load_sampler, save_run

SMALL = dict(model="gan2d", device="cpu", metrics_every=0, width=32, batch_size=64)


@pytest.mark.parametrize("name", ["ring8", "grid25", "moons"])
def test_js_is_near_0_for_the_same_distribution_and_log_2_for_far_apart_ones(name):
    data = builtin_points(name)
    h = resolution(data)
    grid = grid_for(data, h)
    p = data_density(data, grid, h)
    same = data.mixture.sample(20_000, seed=5)
    near = divergences(p, kde(same, grid, h), grid.area)
    assert near["js"] < 0.01 and near["kl_data_g"] < 0.05 and near["kl_g_data"] < 0.05
    x0, x1, y0, y1 = grid.x0, grid.x1, grid.y0, grid.y1
    corner = np.array([x0, y0]) + 0.02 * np.array([x1 - x0, y1 - y0])  # where no data is
    far = divergences(p, kde(corner + 0.001 * same, grid, h), grid.area)
    assert far["js"] == pytest.approx(math.log(2), abs=0.002) and far["kl_data_g"] > 10


def test_d_star_is_one_half_where_the_two_densities_agree():
    data = builtin_points("gaussian")
    h = resolution(data)
    grid = grid_for(data, h)
    p = data_density(data, grid, h)
    d = optimal_d(p, p)
    assert np.allclose(d[np.isfinite(d)], 0.5) and np.isfinite(d).mean() > 0.5


class Shifted(nn.Module):
    """A fixed generator: z -> 0.3 z + shift, exactly N(shift, 0.3^2 I) from the normal prior."""

    def __init__(self, shift):
        super().__init__()
        self.shift = torch.tensor(shift)

    def forward(self, z):
        return 0.3 * z + self.shift


def test_a_d_trained_against_a_fixed_g_reaches_d_star_and_v_reaches_theorem_1():
    """Goodfellow et al., Theorem 1, measured: with G fixed, D trained long enough matches
    D* where the data lives, and V(D, G) = -log 4 + 2 JS (within 0.15 and 0.05 here: D is
    trained on samples, and JS is at resolution h, a little below the true JS)."""
    run = new_run(RunConfig(**{**SMALL, "data": "gaussian", "width": 64, "lr_d": 1e-3,
                               "g_ema": 0.0}))
    run.nets["G"] = run.train_nets["G"] = Shifted([0.9, 0.5])  # the data: N((0.5, 0.5), 0.3^2)
    first = run.measure()
    assert first["d_gap"] > 0.3 and first["v"] < -1.3  # an untrained D: about 1/2 everywhere
    run.step_d(1500)
    m = run.measure()
    assert m["d_gap"] < 0.15, m
    assert m["v"] == pytest.approx(-LOG4 + 2 * m["js"], abs=0.05), m
    assert 0.12 < m["js"] < 0.25  # two Gaussians of sd 0.3, 0.4 apart


def test_the_mode_protocol_counts_modes_quality_and_balance():
    data = builtin_points("ring8")
    means = data.mixture.means
    three = np.repeat(means[:3], [500, 300, 200], axis=0) + 0.001
    r = modes_report(three, data)
    assert r["modes"] == 3 and r["high_quality"] == 1.0
    share = np.array([0.5, 0.3, 0.2])
    assert r["reverse_kl"] == pytest.approx(float((share * np.log(share * 8)).sum()))
    r = modes_report(np.zeros((100, 2)), data)  # the centre of the ring: no mode near
    assert r["modes"] == 0 and r["high_quality"] == 0.0
    assert math.isnan(modes_report(three, builtin_points("moons"))["modes"])  # no modes to count


def test_packing_judges_packs_and_the_batch_must_be_a_multiple():
    d = PointDiscriminator(width=8, depth=1, pack=4)
    assert d(torch.zeros(8, 2)).shape == (2,) and d.single(torch.zeros(5, 2)).shape == (5,)
    with pytest.raises(ConfigError, match="multiple of 4"):
        RunConfig(**{**SMALL, "pack": 4, "batch_size": 30})
    with pytest.raises(ConfigError, match="packing is for"):
        RunConfig(model="dcgan", pack=2)


def test_the_2d_gan_trains_and_shows_its_plane():
    run = new_run(RunConfig(**SMALL, seed=1))
    TrainingLoop(run).train(30)
    run.measure()
    s = run.snapshot()
    part = s.plane
    assert s.grid.shape == (600, 2) and part.real.shape == part.fake.shape == (600, 2)
    assert part.push.shape == (600, 2) and np.abs(part.push).sum() > 0
    assert part.surface.shape == (64, 64) and ((part.surface >= 0) & (part.surface <= 1)).all()
    assert part.manifold.shape == (26, 60, 2) and part.d_star is not None
    assert part.samples is not None  # the averaged G (the default keeps one)
    assert {"js", "v_bound", "modes", "high_quality", "d_gap"} <= set(s.metrics)


def test_minimax_pushes_rejected_fakes_far_less_than_the_non_saturating_loss():
    """Where D confidently calls the fakes fake, log(1 - D(G(z))) is flat: G gets almost no
    push; -log D(G(z)) pushes hard (Goodfellow et al., section 3)."""
    runs = {loss: new_run(RunConfig(**SMALL, loss=loss, seed=2)) for loss in ("nonsat",
                                                                               "minimax")}
    for run in runs.values():
        run.step_d(200)  # D learns to reject G's untrained points
    push = {k: float(np.linalg.norm(r.snapshot().plane.push, axis=1).mean())
            for k, r in runs.items()}
    assert push["minimax"] < 0.2 * push["nonsat"], push


def test_a_2d_run_saves_reopens_samples_and_explores_without_its_points(tmp_path):
    pts = tmp_path / "mine.csv"
    pts.write_text("x,y\n" + "".join(f"{math.cos(t):.4f},{math.sin(2 * t):.4f}\n"
                                      for t in np.linspace(0, 6.28, 400)))
    run = new_run(RunConfig(**SMALL, data=f"csv:{pts}"))
    run.train_steps(20)
    run.snapshot()
    path = save_run(run, tmp_path / "r.h5")
    again = load_run(path)
    assert again.step == 20 and again.images_seen == run.images_seen
    assert load_sampler(path).sample(7, 0).shape == (7, 2)
    pts.unlink()
    found = explore_file(path)
    assert found.snapshot.grid.shape == (600, 2) and found.snapshot.plane is None


@pytest.mark.parametrize("content, why", [
    ("1,2,3\n4,5,6\n", "expected x, y"),
    ("0,0\nnan,1\n", "NaN"),
    ("x,y\n1,2\nnot,numbers\n", "not two numbers"),
    ("1,2\n", "2 to"),
    ("1,2\n1,3\n1,4\n", "vertical line"),
])
def test_bad_point_files_are_refused_in_one_line(tmp_path, content, why):
    f = tmp_path / "p.csv"
    f.write_text(content)
    with pytest.raises(DataError, match=why):
        load_points(f"csv:{f}")


def test_point_arrays_load_and_hostile_ones_are_refused(tmp_path):
    good = tmp_path / "p.npy"
    np.save(good, np.random.default_rng(0).normal(size=(50, 2)))
    assert load_points(f"npy:{good}").size == 50
    np.savez(tmp_path / "p.npz", points=np.random.default_rng(0).normal(size=(40, 2)))
    assert load_points(f"npz:{tmp_path / 'p.npz'}").size == 40
    objects = tmp_path / "o.npy"
    np.save(objects, np.array([{"a": 1}, None], dtype=object), allow_pickle=True)
    with pytest.raises(DataError, match="never unpickled"):
        load_points(f"npy:{objects}")
    liar = tmp_path / "liar.npy"
    np.save(liar, np.zeros((4, 2)))
    raw = liar.read_bytes().replace(b"(4, 2)", b"(4000000, 2)")  # within the count, beyond the file
    liar.write_bytes(raw)
    with pytest.raises(DataError, match="claims shape"):
        load_points(f"npy:{liar}")
    with pytest.raises(DataError, match="no such point set"):
        load_points("ring9")
    with pytest.raises(DataError, match="no such point set"):
        new_run(RunConfig(**{**SMALL, "data": "mnist5k"}))  # images are not points


def test_mass_off_the_grid_is_compared_not_renormalised_away():
    data = builtin_points("ring8")
    h = resolution(data)
    grid = grid_for(data, h)
    p = data_density(data, grid, h)
    same = data.mixture.sample(20_000, seed=3)
    gone = divergences(p, kde(same + 100.0, grid, h), grid.area)  # every sample off the grid
    assert gone["js"] == pytest.approx(math.log(2), abs=1e-3)
    half = np.concatenate([same[:10_000], same[10_000:] + 100.0])  # half of them off it
    js_half = divergences(p, kde(half, grid, h), grid.area)["js"]
    assert 0.1 < js_half < 0.6  # not the ~0 renormalising would say


def test_a_packing_d_is_measured_against_the_best_d_for_packs():
    run = new_run(RunConfig(**{**SMALL, "pack": 4, "metrics_every": 1}, seed=4))
    TrainingLoop(run).train(5)
    row = run.measure()
    assert math.isfinite(row["d_gap"]) and 0 <= row["v_bound"] <= math.log(2)
    part = run.snapshot().plane
    assert part.pack == 4 and part.modes_total == 8
    x0, x1, y0, y1 = part.d_star_bounds  # the centres of the corner cells
    g = run.live.view_grid
    assert x0 == pytest.approx(g.x0 + g.cell / 2) and x1 == pytest.approx(g.x1 - g.cell / 2)


def test_a_rebuild_keeps_the_batch_in_whole_packs_and_other_models_do_not_pack():
    run = new_run(RunConfig(**{**SMALL, "pack": 4}))
    run.train_steps(2)
    assert run.rebuild(batch_size=30).config.batch_size == 28
    assert run.rebuild(batch_size=2).config.batch_size == 4
    c = RunConfig(**{**SMALL, "pack": 4}).replace(model="dcgan")
    assert c.pack == 1 and c.data == "mnist5k"


def test_point_files_are_checked_from_the_header_and_read_line_by_line(tmp_path):
    wide = tmp_path / "wide.npy"
    np.save(wide, np.zeros((10, 3)))
    with pytest.raises(DataError, match="N x 2"):
        load_points(f"npy:{wide}")
    many = tmp_path / "many.npz"
    np.savez(many, points=np.zeros((1, 2)))
    with pytest.raises(DataError, match="2 to"):
        load_points(f"npz:{many}")
    huge_field = tmp_path / "field.csv"
    huge_field.write_text("x,y\n1,2\n\"" + "9" * 200_000 + "\",1\n")
    with pytest.raises(DataError, match="comma-separated"):
        load_points(f"csv:{huge_field}")
    ok = tmp_path / "ok.csv"
    ok.write_text("# my points\nx, y\n0, 0\n\n1, 2\n3, 1\n")
    assert load_points(f"csv:{ok}").points.tolist() == [[0, 0], [1, 2], [3, 1]]


def test_eval_labels_say_what_packing_and_averaging_change():
    from ganvis.cli.eval import LABELS, labels_for

    assert labels_for({"pack": 1, "g_ema": 0.0}) == LABELS
    both = labels_for({"pack": 4, "g_ema": 0.98})
    assert "packs of m" in both["v_bound"] and "D*_m" in both["d_gap"]
    assert "averaged G" in both["modes"] and both["js"] == LABELS["js"]
