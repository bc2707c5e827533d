"""The PCA baseline beside an autoencoder's reconstructions: the right axes, the right error."""

import numpy as np
import torch

from ganvis.engine import RunConfig, new_run
from ganvis.engine.data import load_dataset
from ganvis.engine.quality.pca import PcaBaseline


def test_data_of_rank_k_is_reconstructed_exactly_by_k_components():
    gen = torch.Generator().manual_seed(0)
    basis = torch.randn(3, 64, generator=gen)
    x = torch.randn(500, 3, generator=gen) @ basis * 0.05 + 0.2
    assert x.abs().max() < 1  # nothing clipped: the data lie in a 3-D affine subspace
    pca = PcaBaseline(x.reshape(500, 8, 8), 3)
    assert torch.allclose(pca.reconstruct(x.reshape(500, 8, 8)).reshape(500, 64), x, atol=1e-4)
    assert abs(pca.explained - 1) < 1e-6


def test_the_error_matches_an_independent_svd_on_digits():
    images = np.asarray(load_dataset("mnist5k").images[:1000], np.float64).reshape(1000, -1)
    mu = images.mean(0)
    _, s, vt = np.linalg.svd(images - mu, full_matrices=False)
    v = vt[:8].T
    want = np.clip((images[:50] - mu) @ v @ v.T + mu, -1, 1)
    pca = PcaBaseline(torch.tensor(images, dtype=torch.float32).reshape(1000, 28, 28), 8)
    got = pca.reconstruct(torch.tensor(images[:50], dtype=torch.float32).reshape(50, 28, 28))
    assert np.abs(got.numpy().reshape(50, -1) - want).max() < 1e-3
    assert abs(pca.explained - (s[:8] ** 2).sum() / (s ** 2).sum()) < 1e-4


def test_an_autoencoder_snapshot_carries_pca_at_its_code_size():
    run = new_run(RunConfig(model="ae", latent_dim=4, width=32, depth=1, batch_size=16,
                            device="cpu", metrics_every=0))
    run.train_steps(2)
    part = run.snapshot().autoencoder
    assert part.pca_outputs.shape == part.recon_inputs.shape
    assert 0 < part.pca_explained < 1 and run.pca.k == 4
    pca_err = float(((part.pca_outputs - part.recon_inputs) ** 2).mean())
    assert 0 < pca_err < float((part.recon_inputs ** 2).mean())  # better than all zeros


def test_the_reconstruction_view_shows_pca_beside_the_autoencoder(qtbot):
    from ganvis.app.views.autoencoder import ReconstructionView

    run = new_run(RunConfig(model="aae", latent_dim=8, width=32, depth=1, batch_size=16,
                            device="cpu", metrics_every=0))
    run.train_steps(2)
    part = run.snapshot().autoencoder
    view = ReconstructionView()
    qtbot.addWidget(view)
    view.set_images(part.recon_inputs, part.recon_outputs, 2, part.pca_outputs, 8)
    ae = float(((part.recon_inputs - part.recon_outputs) ** 2).mean())
    pca = float(((part.recon_inputs - part.pca_outputs) ** 2).mean())
    assert view.errors == (ae, pca)
    assert "PCA with 8 components" in view.title.text() and f"PCA {pca:.4f}" in view.title.text()
    h, w = part.recon_inputs.shape[1:]
    assert view.pane.pixels.shape[0] > 3 * 2 * h  # three bands of two rows
