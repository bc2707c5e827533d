"""Latent-space measures: MMD against a prior, and style consistency of a supervised AAE."""

import numpy as np

from ganvis.engine.quality.latent_match import mmd, prior_match, style_consistency


def test_mmd_is_near_zero_for_one_distribution_and_grows_with_a_shift():
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(400, 3)), rng.normal(size=(400, 3))
    same, shifted = mmd(a, b), mmd(a, b + 0.5)
    assert abs(same) < 0.01 and shifted > 10 * abs(same) and shifted > 0.05
    assert mmd(a, b + 2.0) > shifted


def test_prior_match_reports_moments_and_a_floor():
    rng = np.random.default_rng(1)
    good = prior_match(rng.normal(size=(500, 4)), "normal")
    bad = prior_match(rng.normal(2.0, 3.0, size=(500, 4)), "normal")
    assert abs(good["code_mean_abs"]) < 0.15 and 0.8 < good["code_var_mean"] < 1.2
    assert good["mmd"] < 0.01 and abs(good["mmd_floor"]) < 0.01
    assert bad["code_mean_abs"] > 1.5 and bad["code_var_mean"] > 6 and bad["mmd"] > 0.3


def _encode(images):
    return images.reshape(len(images), -1)[:, :2].astype(np.float64)


def test_style_consistency_is_zero_when_kept_and_near_one_when_ignored():
    rng = np.random.default_rng(2)
    images = rng.normal(size=(20, 4, 4)).astype(np.float32)

    def keeps(styles, digits):  # draws every digit in the given style
        out = np.zeros((len(styles), 4, 4), np.float32)
        out.reshape(len(styles), -1)[:, :2] = styles
        return out

    def ignores(styles, digits):  # draws a random other image's style
        return images[rng.integers(0, len(images), len(styles))]

    assert style_consistency(_encode, keeps, images)["style_consistency"] < 1e-6
    lost = style_consistency(_encode, ignores, images)["style_consistency"]
    assert 0.8 < lost < 1.2
