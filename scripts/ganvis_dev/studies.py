"""Autoencoder studies: patch compression, autoencoder vs PCA, and unsupervised pretraining.

Each study trains for real on the built-in digits and returns plain numbers; the benchmark
script prints them as tables and the tests run them small.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from ganvis.engine.data import Dataset
from ganvis.engine.nets.autoencoder import Decoder, Encoder


def split(ds: Dataset, held_per_class: int = 50, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Indices of a training set and a class-balanced held-out set."""
    rng = np.random.default_rng(seed)
    held = np.concatenate([rng.permutation(np.flatnonzero(ds.labels == c))[:held_per_class]
                           for c in range(ds.num_classes)])
    train = np.setdiff1d(np.arange(ds.size), held)
    return rng.permutation(train), np.sort(held)


def flat(ds: Dataset, idx: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.array(ds.images[idx])).reshape(len(idx), -1)


def pca_mse(train: torch.Tensor, test: torch.Tensor, k: int) -> float:
    """Mean squared error of projecting `test` onto the top-k principal axes of `train`."""
    mu = train.mean(0)
    _, _, vt = torch.linalg.svd((train - mu).double(), full_matrices=False)
    v = vt[:k].T
    rec = ((test - mu).double() @ v) @ v.T + mu
    return float(((rec - test) ** 2).mean())


def _batches(n: int, batch: int, steps: int, gen: torch.Generator):
    for _ in range(steps):
        yield torch.randint(n, (batch,), generator=gen)


def train_autoencoder(x: torch.Tensor, latent: int, steps: int, width: int = 256,
                      depth: int = 1, seed: int = 0, lr: float = 1e-3,
                      batch: int = 64) -> tuple[Encoder, Decoder]:
    """An MLP autoencoder trained on reconstruction error alone (no labels)."""
    side = int(round(x.shape[1] ** 0.5))
    torch.manual_seed(seed)
    enc, dec = Encoder((side, side), width, depth, latent), Decoder((side, side), width, depth,
                                                                    latent)
    opt = torch.optim.Adam([*enc.parameters(), *dec.parameters()], lr=lr)
    gen = torch.Generator().manual_seed(seed)
    for idx in _batches(len(x), batch, steps, gen):
        xb = x[idx].view(-1, 1, side, side)
        loss = dec.recon_loss(enc(xb), xb)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return enc.eval(), dec.eval()


@torch.no_grad()
def ae_mse(enc: Encoder, dec: Decoder, x: torch.Tensor) -> float:
    side = dec.shape[0]
    xb = x.view(-1, 1, side, side)
    return float(((dec(enc(xb)) - xb) ** 2).mean())


@dataclass(frozen=True)
class PatchResult:
    ae_mse: float
    pca_mse: float
    mean_mse: float
    patches: int


def patch_study(ds: Dataset, n: int = 20000, steps: int = 3000, seed: int = 0) -> PatchResult:
    """A 64-16-64 tanh MLP compresses random 8x8 patches of the digits 4:1; compared with the
    16-component PCA and with predicting the mean patch."""
    rng = np.random.default_rng(seed)
    imgs = np.asarray(ds.images)
    which = rng.integers(len(imgs), size=n)
    ys, xs = rng.integers(21, size=n), rng.integers(21, size=n)
    p = np.stack([imgs[i, y:y + 8, x:x + 8].reshape(64) for i, y, x in zip(which, ys, xs)])
    p = torch.from_numpy(p.astype(np.float32))
    train, test = p[: n * 4 // 5], p[n * 4 // 5:]
    torch.manual_seed(seed)
    net = nn.Sequential(nn.Linear(64, 16), nn.Tanh(), nn.Linear(16, 64))
    opt = torch.optim.Adam(net.parameters(), lr=2e-3)
    gen = torch.Generator().manual_seed(seed)
    for idx in _batches(len(train), 128, steps, gen):
        loss = F.mse_loss(net(train[idx]), train[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    with torch.no_grad():
        ae = float(F.mse_loss(net(test), test))
    mean = float(((test - train.mean(0)) ** 2).mean())
    return PatchResult(ae, pca_mse(train, test, 16), mean, n)


def ae_vs_pca(ds: Dataset, sizes=(2, 8, 16, 32), steps: int = 3000,
              seed: int = 0) -> list[dict[str, float]]:
    """Held-out reconstruction MSE of an MLP autoencoder and of PCA at the same code sizes."""
    tr, te = split(ds, seed=seed)
    xtr, xte = flat(ds, tr), flat(ds, te)
    rows = []
    for k in sizes:
        enc, dec = train_autoencoder(xtr, k, steps, seed=seed)
        rows.append({"latent": k, "ae_mse": ae_mse(enc, dec, xte), "pca_mse": pca_mse(xtr, xte, k)})
    return rows


def _classifier_accuracy(enc: Encoder, head: nn.Linear, x: torch.Tensor, y: torch.Tensor) -> float:
    with torch.no_grad():
        return float((head(enc(x.view(-1, 1, 28, 28))).argmax(1) == y).float().mean())


def _fit_classifier(enc: Encoder, head: nn.Linear, x, y, steps: int, seed: int,
                    train_encoder: bool) -> None:
    params = [*head.parameters()] + ([*enc.parameters()] if train_encoder else [])
    opt = torch.optim.Adam(params, lr=1e-3)
    gen = torch.Generator().manual_seed(seed)
    enc.train(train_encoder)
    for idx in _batches(len(x), min(64, len(x)), steps, gen):
        loss = F.cross_entropy(head(enc(x[idx].view(-1, 1, 28, 28))), y[idx])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    enc.eval()


def pretraining_study(ds: Dataset, label_counts=(100, 1000), latent: int = 32,
                      ae_steps: int = 3000, clf_steps: int = 1000,
                      seed: int = 0) -> list[dict[str, float]]:
    """Train an autoencoder on every training image without labels; then put a linear
    classifier on its encoder and train with only a few labels (encoder frozen, or fine-tuned),
    against the same network trained from scratch on those labels."""
    tr, te = split(ds, seed=seed)
    xtr, xte = flat(ds, tr), flat(ds, te)
    ytr, yte = (torch.from_numpy(np.array(ds.labels[i])) for i in (tr, te))
    pre_enc, _ = train_autoencoder(xtr, latent, ae_steps, seed=seed)
    pre_state = {k: v.clone() for k, v in pre_enc.state_dict().items()}
    rows = []
    rng = np.random.default_rng(seed + 1)
    for n in label_counts:
        pick = np.concatenate([rng.permutation(np.flatnonzero(ytr.numpy() == c))[: n // 10]
                               for c in range(10)])
        x, y = xtr[pick], ytr[pick]
        row: dict[str, float] = {"labels": n}
        for name, pretrained, fine_tune in (("scratch", False, True), ("frozen", True, False),
                                            ("fine_tuned", True, True)):
            torch.manual_seed(seed + 2)
            enc = Encoder((28, 28), 256, 1, latent)
            if pretrained:
                enc.load_state_dict(pre_state)
            head = nn.Linear(latent, 10)
            _fit_classifier(enc, head, x, y, clf_steps, seed, fine_tune)
            row[name] = _classifier_accuracy(enc, head, xte, yte)
        rows.append(row)
    return rows
