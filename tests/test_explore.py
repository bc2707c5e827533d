"""Exploring a generator: interpolation ends are the samples, dragging is smooth, sliders and
digit buttons drive the image."""

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from ganvis.app.views.dimensions import SLIDERS  # noqa: E402
from ganvis.app.views.explore import T_STEPS, ExploreView  # noqa: E402
from ganvis.engine import RunConfig, new_run  # noqa: E402
from ganvis.engine.latent.paths import interpolate, path  # noqa: E402


@pytest.fixture(scope="module")
def gan_sampler():
    run = new_run(RunConfig(model="dcgan", batch_size=32, device="cpu", metrics_every=0))
    run.train_steps(150)
    return run.sampler()


@pytest.fixture
def view(qtbot):
    v = ExploreView()
    qtbot.addWidget(v)
    v.resize(500, 600)
    v.show()
    return v


def test_interpolation_math_keeps_the_ends_exactly():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=8).astype(np.float32), rng.normal(size=8).astype(np.float32)
    for mode in ("linear", "spherical"):
        assert np.array_equal(interpolate(a, b, 0.0, mode), a)
        assert np.array_equal(interpolate(a, b, 1.0, mode), b)
        mid = interpolate(a, b, 0.5, mode)
        assert not np.allclose(mid, a) and not np.allclose(mid, b)
    # slerp keeps the norm between the ends' norms; the straight line dips below both
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    assert np.linalg.norm(interpolate(a, b, 0.5, "spherical")) >= min(na, nb) - 1e-4
    assert np.linalg.norm(interpolate(a, b, 0.5, "linear")) < min(na, nb)
    assert path(a, b, 5).shape == (5, 8)
    with pytest.raises(ValueError):
        interpolate(a, b, 0.5, "zigzag")


@pytest.mark.parametrize("mode", ["linear", "spherical"])
def test_t0_and_t1_reproduce_samples_a_and_b(view, gan_sampler, mode):
    view.set_sampler(gan_sampler)
    view.mode.setCurrentIndex(view.mode.findData(mode))
    za, zb = view.codes()
    view.t.setValue(0)
    view.render_now()
    assert np.array_equal(view.frame, gan_sampler(za[None])[0])
    view.t.setValue(T_STEPS)
    view.render_now()
    assert np.array_equal(view.frame, gan_sampler(zb[None])[0])


def test_dragging_changes_the_image_smoothly(view, gan_sampler):
    view.set_sampler(gan_sampler)
    frames = []
    for v in range(0, T_STEPS + 1, T_STEPS // 20):
        view.t.setValue(v)
        view.render_now()
        frames.append(view.frame.copy())
    steps = [np.abs(a - b).mean() for a, b in zip(frames, frames[1:])]
    ends = np.abs(frames[0] - frames[-1]).mean()
    assert max(steps) < ends and np.mean(steps) < 0.25 * ends


def test_the_timer_redraws_after_a_drag(qtbot, view, gan_sampler):
    view.set_sampler(gan_sampler)
    qtbot.waitUntil(lambda: view.frame is not None, timeout=5000)
    first = view.frame.copy()
    view.t.setValue(T_STEPS // 2)
    qtbot.waitUntil(lambda: not np.array_equal(view.frame, first), timeout=5000)


def test_dimension_sliders_set_the_code(view, gan_sampler):
    view.set_sampler(gan_sampler)
    view.tabs.setCurrentIndex(1)
    assert gan_sampler.latent_dim > SLIDERS and view.dims.first_dim.isVisibleTo(view)
    start = gan_sampler.z(1, view.dims.base_seed.value())[0]
    view.render_now()
    before = view.frame.copy()
    view.dims.first_dim.setValue(10)
    view.dims.dim_sliders[0].setValue(250)
    view.render_now()
    want = start.copy()
    want[10] = 2.5
    assert np.allclose(view.dims.z_dims, want)
    assert np.array_equal(view.frame, gan_sampler(want[None])[0])
    assert not np.array_equal(view.frame, before)
    assert view.dims.dim_labels[0].text() == "z11"


def test_digit_buttons_and_style_grid_for_a_supervised_aae(view):
    run = new_run(RunConfig(model="saae", latent_dim=2, width=64, depth=1, batch_size=32,
                        device="cpu", metrics_every=0))
    run.train_steps(20)
    sampler = run.sampler()
    view.set_sampler(sampler)
    assert view.digits.button(3).isVisibleTo(view) and view.tabs.count() == 3
    view.t.setValue(0)
    za, _ = view.codes()
    for d in (3, 7):
        view.digits.button(d).click()
        view.render_now()
        assert np.array_equal(view.frame, sampler(za[None], np.array([d]))[0])
    view.tabs.setCurrentIndex(2)
    view.render_now()
    pane = view.style_tab.style_pane
    assert pane.pixels.shape[1] > pane.pixels.shape[0]  # 10 columns
    gan = new_run(RunConfig(model="gan", width=16, depth=1, batch_size=8, device="cpu",
                        metrics_every=0)).sampler()
    view.set_sampler(gan)
    assert not view.digits.button(3).isVisibleTo(view) and view.tabs.count() == 2


def test_each_digit_button_on_the_demo_saae_draws_that_digit(view):
    from ganvis.engine.quality.metrics import evaluate
    from ganvis.engine.store import load_sampler
    from ganvis.engine.store.demos import resolve_model

    sampler = load_sampler(resolve_model("demo-saae"))
    view.set_sampler(sampler)
    view.t.setValue(T_STEPS // 3)
    frames = []
    for d in range(10):
        view.digits.button(d).click()
        view.render_now()
        frames.append(view.frame.copy())
    hits = evaluate(np.stack(frames), np.arange(10))["control_accuracy"]
    assert hits >= 0.9  # the classifier names the asked-for digit for at least 9 of 10


def test_mnistify_centres_and_scales_a_drawing():
    from ganvis.engine.data.mnistify import to_mnist

    ink = np.zeros((200, 200))
    ink[20:60, 150:160] = 1.0  # a short bar in a corner
    d = to_mnist(ink)
    assert d.shape == (28, 28) and d.min() >= -1 and d.max() <= 1
    on = np.argwhere(d > 0)
    assert abs(on[:, 0].mean() - 13.5) < 1.5 and abs(on[:, 1].mean() - 13.5) < 1.5
    assert on[:, 0].max() - on[:, 0].min() + 1 in (19, 20, 21)  # the tall side fills 20 px
    assert (to_mnist(np.zeros((50, 50))) == -1).all()


def test_a_drawn_stroke_yields_ten_digits_in_its_style(view):
    from ganvis.engine.quality.metrics import evaluate
    from ganvis.engine.store import load_sampler
    from ganvis.engine.store.demos import resolve_model

    sampler = load_sampler(resolve_model("demo-saae"))
    view.set_sampler(sampler)
    view.tabs.setCurrentIndex(2)
    view.render_now()
    panel = view.style_tab
    # a slanted one: a stroke from top right to bottom left
    panel.canvas.draw_stroke([(0.62, 0.12), (0.5, 0.5), (0.38, 0.88)])
    assert not panel.canvas.is_blank()
    panel.canvas.stroke_finished.emit()
    assert panel.hand_images is not None and panel.hand_images.shape == (10, 28, 28)
    pairwise = np.abs(panel.hand_images[:, None] - panel.hand_images[None]).mean((2, 3))
    assert pairwise[~np.eye(10, dtype=bool)].min() > 0.01  # ten different digits
    assert evaluate(panel.hand_images, np.arange(10))["control_accuracy"] >= 0.8
    panel.image_index.setValue(7)
    panel.use_dataset_image()
    style = sampler.encode(np.array(load_dataset_image(sampler, 7))[None])
    assert np.allclose(panel.hand_images[3], sampler(style, np.array([3]))[0], atol=1e-5)


def load_dataset_image(sampler, i):
    from ganvis.engine.data import load_dataset

    return load_dataset(sampler.config.data).images[i]


def test_a_2d_latent_map_decodes_the_clicked_point(qtbot):
    from ganvis.app.views.autoencoder import LatentView
    from ganvis.engine.store import load_sampler
    from ganvis.engine.store.demos import resolve_model

    view = LatentView()
    qtbot.addWidget(view)
    view.show()
    sampler = load_sampler(resolve_model("demo-aae2d"))
    view.set_sampler(sampler)
    assert view.decoded.isVisibleTo(view)
    images = view.decode_at(1.5, -2.0)
    assert np.array_equal(images, sampler(np.array([[1.5, -2.0]], np.float32)))
    assert list(view.marker.getData()[0]) == [1.5]
    far = view.decode_at(-4.0, 0.0)
    assert np.abs(far - images).mean() > 0.01  # another place, another digit
    gan = new_run(RunConfig(model="gan", width=16, depth=1, batch_size=8, device="cpu",
                        metrics_every=0)).sampler()
    view.set_sampler(gan)  # 64-D: not a map
    assert not view.decoded.isVisibleTo(view) and view.decode_at(0, 0) is None


def test_the_sliders_can_start_from_the_interpolated_code_and_keep_edits(view, gan_sampler):
    view.set_sampler(gan_sampler)
    view.mode.setCurrentIndex(view.mode.findData("spherical"))
    view.t.setValue(T_STEPS // 4)
    a, b = view.codes()
    view.take_interpolated()
    assert view.tabs.currentIndex() == 1
    want = interpolate(a, b, 0.25, "spherical")
    assert np.array_equal(view.dims.z_dims, want)
    view.dims.dim_sliders[2].setValue(-150)
    view.dims.first_dim.setValue(20)  # look at other dimensions: the edit stays
    view.dims.first_dim.setValue(0)
    want[2] = -1.5
    assert np.allclose(view.dims.z_dims, want) and view.dims.dim_sliders[2].value() == -150
    view.render_now()
    assert np.array_equal(view.frame, gan_sampler(want[None])[0])
