"""Labels are true: every caption, legend and readout names what the plot shows, in the words
of the family that trains and of the data it trains on."""

import numpy as np
import pytest

pytest.importorskip("pytestqt")

from PySide6.QtCore import QPointF  # noqa: E402

from ganvis.app.history import RunHistory  # noqa: E402
from ganvis.app.theme import PRIOR_COLOR  # noqa: E402
from ganvis.app.views.autoencoder import DIGIT_COLORS, LatentView  # noqa: E402
from ganvis.app.views.curves import CurvesView  # noqa: E402
from ganvis.app.views.histograms import HistogramView  # noqa: E402
from ganvis.engine import families  # noqa: E402, F401  (registers them)
from ganvis.engine.family import all_families, family  # noqa: E402

WAIT = 30_000


def _legend(plot) -> str:
    return plot.getPlotItem().titleLabel.text


def _caption(plot, axis: str) -> str:
    return plot.getAxis(axis).labelText


def _history(steps, metric_steps=()) -> RunHistory:
    h = RunHistory()
    n = len(steps)
    h.load({"step": list(steps), "d_loss": [1.2] * n, "g_loss": [0.9] * n,
            "recon_loss": [float("nan")] * n, "d_real": [0.6] * n, "d_fake": [0.4] * n,
            "metrics": {"step": list(metric_steps), "fcd": [150.0] * len(metric_steps),
                        "coverage": [9.0] * len(metric_steps),
                        "score": [7.0] * len(metric_steps)}})
    return h


def test_each_family_names_only_the_losses_it_records(qtbot):
    view = CurvesView()
    qtbot.addWidget(view)
    for fam in all_families():
        view.set_family(fam, fam.data.default)
        legend = _legend(view.loss)
        for key, curve, word in (("d_loss", view.d_curve, "D loss"),
                                 ("g_loss", view.g_curve, "G loss"),
                                 ("recon_loss", view.r_curve, "reconstruction")):
            recorded = key in fam.series
            assert (word in legend) == recorded, (fam.name, word, legend)
            assert curve.isVisible() == recorded, (fam.name, key)
        # log 4 is where a GAN's D loss settles: no D loss, no such line
        assert view.eq_line.isVisible() == ("d_loss" in fam.series)
    view.set_family(family("dcgan"), "mnist5k")
    assert "reconstruction" not in _legend(view.loss)


def test_a_gan_run_shows_no_reconstruction_legend(qtbot, window):
    w = window
    assert w.config.model in ("gan", "dcgan")
    assert "D loss" in _legend(w.panels.curves.loss)
    assert "reconstruction" not in _legend(w.panels.curves.loss)
    assert not w.panels.curves.r_curve.isVisible()
    w.panels.setup.model.setCurrentIndex(w.panels.setup.model.findData("aae"))
    qtbot.waitUntil(lambda: w.latest.model == "aae", timeout=WAIT)
    assert "reconstruction" in _legend(w.panels.curves.loss)


def test_an_aae_histogram_speaks_of_prior_samples_and_codes(qtbot, window):
    w = window
    w.panels.setup.model.setCurrentIndex(w.panels.setup.model.findData("aae"))
    qtbot.waitUntil(lambda: w.latest.model == "aae" and len(w.latest.real_probs) > 0,
                    timeout=WAIT)
    hists, curves = w.panels.hists, w.panels.curves
    qtbot.waitUntil(lambda: "prior samples" in hists.title.text(), timeout=WAIT)
    said = " ".join([hists.title.text(), _caption(hists.hist, "bottom"),
                     _caption(hists.fall, "bottom"), hists.fall_hint.textItem.toPlainText(),
                     hists.title.toolTip(), _legend(curves.means)])
    assert "codes" in said and "D(z)" in said and "prior sample" in _caption(hists.hist, "bottom")
    for wrong in ("image is real", "x is real", "D(G(z))", "fake", "real images"):
        assert wrong not in said, wrong


def test_players_words_fit_the_data(qtbot):
    """The built-in sets hold digits; a user's data set (Fashion-MNIST, say) holds images."""
    for name in ("gan", "dcgan"):
        fam = family(name)
        assert fam.players_for("mnist5k").real == "real digits"
        assert fam.players_for("mnist5k-binary").real == "real digits"
        words = fam.players_for("idx:/data/fashion/train-images-idx3-ubyte.gz")
        assert "digit" not in " ".join(str(v) for v in vars(words).values())
        assert words.real == "real images"
    assert family("gan2d").players_for("ring8").real == "real points"
    assert family("ae").players_for("mnist5k") is None
    view = HistogramView()
    qtbot.addWidget(view)
    view.set_family(family("dcgan"), "npz:/data/fashion.npz")
    rng = np.random.default_rng(0)
    view.set_probs(rng.uniform(0, 1, 64), rng.uniform(0, 1, 64))
    assert "real images" in view.title.text() and "digit" not in view.title.text()
    view.set_family(family("dcgan"), "mnist5k")
    view.set_probs(rng.uniform(0, 1, 64), rng.uniform(0, 1, 64))
    assert "real digits" in view.title.text()


def test_user_data_is_called_images_in_the_window(qtbot, window, tmp_path):
    from ganvis.engine.data import load_dataset

    data = tmp_path / "fashion.npz"
    ds = load_dataset("mnist5k")
    np.savez(data, images=((ds.images[::20] + 1) * 127.5).astype(np.uint8))
    w = window
    qtbot.waitUntil(lambda: "real digits" in w.panels.hists.title.text(), timeout=WAIT)
    w.data_files.use(str(data))
    qtbot.waitUntil(lambda: w.config.data.endswith("fashion.npz"), timeout=WAIT)
    qtbot.waitUntil(lambda: "real images" in w.panels.hists.title.text(), timeout=WAIT)
    assert "digit" not in w.panels.hists.title.text()


def test_the_empty_waterfall_shows_no_made_up_steps(qtbot):
    view = HistogramView()
    qtbot.addWidget(view)
    view.set_family(family("dcgan"), "mnist5k")
    view.set_waterfall(RunHistory())
    axis = view.fall.getAxis("left")
    assert view.fall_hint.isVisible() and axis._tickLevels == [[]]

    class Rows:  # a history's waterfall: rows from step 0 to step 20
        def waterfall(self):
            return np.zeros((3, 20, 3), np.uint8), 0.0, 20.0

    view.set_waterfall(Rows())
    assert not view.fall_hint.isVisible() and axis._tickLevels is None
    assert view.fall.getViewBox().viewRange()[1] == [0, 20]


def test_the_quality_chart_shows_the_demos_one_measurement(qtbot, window):
    from ganvis.engine.store import load_sampler
    from ganvis.engine.store.demos import demo_path

    w = window
    w.open_demo("demo-dcgan")
    step = load_sampler(demo_path("demo-dcgan")).step
    curves = w.panels.curves
    qtbot.waitUntil(lambda: w.latest.step == step and curves.showing_metrics, timeout=WAIT)
    w.panels.docks["curves"].raise_()
    qtbot.wait(100)
    (x,), (fcd,) = curves.fcd_curve.getOriginalDataset()
    (x0, x1), (y0, y1) = curves.quality.getViewBox().viewRange()
    assert x0 < x < x1 and y0 < fcd < y1
    # the coverage axis: counts 0 to 10, readable
    ticks = [v for v, _ in curves.quality.getAxis("right")._tickLevels[0]]
    assert ticks[0] == 0 and ticks[-1] == 10 and len(ticks) >= 3
    assert not curves.quality.getAxis("right").autoSIPrefix
    assert len(_caption(curves.quality, "left")) <= 4  # fits the shortest plot
    curves.log.setChecked(True)
    (y0, y1) = curves.quality.getViewBox().viewRange()[1]
    assert y0 < np.log10(fcd) < y1
    labels = curves.quality.getAxis("left")._tickLevels[0]
    gaps = np.diff([v for v, _ in labels]) * curves.quality.getViewBox().height() / (y1 - y0)
    assert len(labels) >= 2 and (gaps >= 18).all()  # no label over another


def test_hovering_a_curve_reads_off_the_step_and_values(qtbot):
    view = CurvesView()
    qtbot.addWidget(view)
    view.resize(500, 700)
    view.show()
    view.set_family(family("dcgan"), "mnist5k")
    view.set_history(_history(range(0, 1000, 100), metric_steps=[500]))
    readout = view.readouts[0]
    vb = view.loss.getPlotItem().vb
    qtbot.waitUntil(lambda: vb.viewRange()[0][1] > 800)
    readout._on_move((vb.mapViewToScene(QPointF(310, 1.0)),))
    text = readout.text.textItem.toPlainText()
    assert "step 300" in text and "D loss 1.2" in text and "G loss 0.9" in text
    assert "reconstruction" not in text and readout.line.value() == 300
    quality = view.readouts[2].show_at(480)
    assert "step 500" in quality and "FCD 150" in quality and "digits covered 9" in quality
    readout._on_move((QPointF(-100, -100),))  # off the plot
    assert not readout.text.isVisible()


def test_latent_axes_say_what_they_plot_and_the_prior_has_its_own_colour(qtbot):
    view = LatentView()
    qtbot.addWidget(view)
    rng = np.random.default_rng(0)
    labels = np.arange(100) % 10
    view.set_codes(rng.normal(size=(100, 8)), labels, rng.normal(size=(200, 8)), 5)
    assert _caption(view.plot, "bottom") == "principal axis 1"
    assert _caption(view.plot, "left") == "principal axis 2"
    view.set_codes(rng.normal(size=(100, 2)), labels, rng.normal(size=(200, 2)), 6)
    assert (_caption(view.plot, "bottom"), _caption(view.plot, "left")) == ("z₁", "z₂")
    far = min(np.abs(np.subtract(PRIOR_COLOR, c)).sum() for c in DIGIT_COLORS)
    assert far >= 90, "the prior's colour is too near a digit's"
    assert tuple(view.prior.opts["brush"].color().getRgb()[:3]) == PRIOR_COLOR


def test_the_game_names_the_distributions_its_bound_is_between(qtbot):
    from ganvis.app.views.game import GameView
    from ganvis.engine import RunConfig, new_run

    view = GameView()
    qtbot.addWidget(view)
    for model, want in (("aae", "JS(p(z) ‖ q(z))"),
                        ("gan", "JS(p<sub>data</sub> ‖ p<sub>g</sub>)")):
        run = new_run(RunConfig(model=model, width=16, depth=1, batch_size=8, device="cpu",
                                metrics_every=0, latent_dim=2))
        view.set_snapshot(run.snapshot())
        assert want in view.text.text(), view.text.text()


def test_the_latent_map_is_ranged_to_the_prior_and_opens_in_explore(qtbot, window):
    w = window
    w.open_demo("demo-aae2d")
    latent = w.panels.latent
    qtbot.waitUntil(lambda: latent.sampler is not None and latent.points is not None,
                    timeout=30_000)
    (x0, x1), (y0, y1) = latent.plot.getPlotItem().vb.viewRange()
    # the ring (radius 4) and its spread, not the stray codes far out (aspect kept: the longer
    # side of the plot gets the longer range)
    assert -12 < x0 < -4.5 and 4.5 < x1 < 12 and -12 < y0 < -4.5 and 4.5 < y1 < 12
    assert latent.decoded_images is not None  # a point decoded from the start: no empty band
    images = latent.decode_at(4.0, 0.0)
    latent.to_explore.click()
    explore = w.panels.explore
    assert explore.tabs.currentWidget() is explore.dims
    assert np.allclose(explore.dims.z_dims, [4.0, 0.0])
    assert [s.maximum() for s in explore.dims.dim_sliders[:2]] == [550, 550]  # ring + 3 sd
    assert explore.dims.dim_values[0].text() == "4.00"
    explore.render_now()
    assert np.array_equal(explore.frame, images[0])
