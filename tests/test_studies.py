"""Autoencoder studies, run small: they learn, and PCA's numbers are what the theory says."""

import numpy as np
import torch
from ganvis_dev import studies

from ganvis.engine.data import load_dataset


def test_split_is_balanced_and_disjoint():
    ds = load_dataset("mnist5k")
    tr, te = studies.split(ds)
    assert len(te) == 500 and len(tr) == 4500 and not set(tr) & set(te)
    assert np.bincount(ds.labels[te]).tolist() == [50] * 10


def test_pca_error_equals_the_discarded_variance():
    g = torch.Generator().manual_seed(0)
    x = torch.randn(2000, 6, generator=g) * torch.tensor([5.0, 3, 2, 1, 0.5, 0.1])
    # On its own training data, PCA-k leaves exactly the smallest eigenvalues' share.
    ev = torch.linalg.eigvalsh(torch.cov(x.T.double(), correction=0)).flip(0)
    for k in (1, 3, 6):
        assert abs(studies.pca_mse(x, x, k) - float(ev[k:].sum()) / 6) < 1e-6


def test_patch_autoencoder_compresses_far_better_than_the_mean():
    r = studies.patch_study(load_dataset("mnist5k"), n=4000, steps=400)
    assert r.ae_mse < 0.35 * r.mean_mse and r.pca_mse < 0.35 * r.mean_mse


def test_autoencoder_learns_and_beats_pca_at_a_tiny_code():
    rows = studies.ae_vs_pca(load_dataset("mnist5k"), sizes=(2,), steps=600)
    (row,) = rows
    mean_mse = float(np.var(load_dataset("mnist5k").images, axis=0).mean())
    assert row["ae_mse"] < 0.8 * mean_mse
    assert row["ae_mse"] < row["pca_mse"]  # non-linear codes beat a 2-D linear projection


def test_pretraining_study_reports_all_three_classifiers():
    rows = studies.pretraining_study(load_dataset("mnist5k"), label_counts=(100,), ae_steps=200,
                                     clf_steps=100)
    (row,) = rows
    assert set(row) == {"labels", "scratch", "frozen", "fine_tuned"}
    assert all(0.3 < row[k] <= 1 for k in ("scratch", "frozen", "fine_tuned"))  # chance: 0.1
