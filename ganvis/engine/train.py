"""Training runs: a Run owns the models, steps the GAN game and hands out snapshots.

One *step* is Goodfellow et al.'s Algorithm 1: k discriminator updates, then one generator
update. Losses and D(x) means accumulate on the device and are read only at snapshot time,
so the loop never waits for the host.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from ganvis.engine.config import RunConfig
from ganvis.engine.data import Dataset, DeviceData, load_dataset
from ganvis.engine.errors import ConfigError
from ganvis.engine.losses import d_loss, g_loss
from ganvis.engine.models import build_gan, check_size, frozen_norm_stats, use_generator
from ganvis.engine.priors import sample_prior
from ganvis.engine.sampler import Sampler

GRID_SIZE = 64
PROBE_SIZE = 256
HISTORY_KEYS = ("step", "d_steps", "elapsed", "d_loss", "g_loss", "d_real", "d_fake")


def resolve_device(name: str) -> torch.device:
    """`auto` picks CUDA, then Apple MPS, then the CPU; an explicit device must exist."""
    if name == "auto":
        if torch.cuda.is_available():
            return torch.device("cuda")
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return torch.device("mps")
        return torch.device("cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ConfigError(f"device {name}: no CUDA GPU is available here; use --device cpu or auto")
    mps = getattr(torch.backends, "mps", None)
    if name == "mps" and not (mps is not None and mps.is_available()):
        raise ConfigError("device mps: Apple's Metal backend is not available; use cpu or auto")
    return torch.device(name)


@dataclass(frozen=True)
class Snapshot:
    """A frozen, host-side picture of a run between steps (floats and numpy arrays only)."""

    step: int
    d_steps: int
    g_steps: int
    images_seen: int
    elapsed: float
    images_per_s: float
    steps_per_s: float
    d_loss: float
    g_loss: float
    d_real: float
    d_fake: float
    grid: np.ndarray
    real_probs: np.ndarray
    fake_probs: np.ndarray
    device: str
    model: str
    extra: dict = field(default_factory=dict)


class Run:
    """A GAN training run: models, optimisers, data on the device, counters and history."""

    def __init__(self, config: RunConfig, dataset: Dataset | None = None) -> None:
        self.config = config
        self.device = resolve_device(config.device)
        self.dataset = dataset if dataset is not None else load_dataset(config.data)
        self.data = DeviceData(self.dataset, self.device)
        shape = self.dataset.image_shape
        check_size(config, shape)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(config.seed)
            G, D = build_gan(config, shape)
        self.G, self.D = G.to(self.device), D.to(self.device)
        self.opt_g = torch.optim.Adam(self.G.parameters(), lr=config.lr_g, betas=config.betas_g)
        self.opt_d = torch.optim.Adam(self.D.parameters(), lr=config.lr_d, betas=config.betas_d)
        self.gen = torch.Generator(self.device)
        self.gen.manual_seed(config.seed + 1)
        use_generator(self.D, self.gen)
        # Fixed probes (drawn on the CPU so every device shows the same z and the same digits);
        # snapshots use only these, so how often one snapshots never changes the training.
        probe = torch.Generator().manual_seed(config.seed + 2)
        prior, dim, dev = config.prior, config.latent_dim, self.device
        self.grid_z = sample_prior(prior, GRID_SIZE, dim, probe).to(dev)
        self.probe_z = sample_prior(prior, PROBE_SIZE, dim, probe).to(dev)
        idx = torch.randperm(self.data.n, generator=probe)[:PROBE_SIZE].to(self.device)
        self.probe_real = self.data.images[idx]
        self.d_steps = 0
        self.g_steps = 0
        self.elapsed = 0.0
        self.history: dict[str, list[float]] = {k: [] for k in HISTORY_KEYS}
        self._acc = torch.zeros(4, device=self.device)  # d_loss, g_loss, D(real), D(fake) sums
        self._acc_n = [0, 0]  # D updates, G updates since the last snapshot
        self._mark = (0, 0.0)  # (d_steps, elapsed) at the last snapshot

    # --- stepping ------------------------------------------------------------------------

    @property
    def step(self) -> int:
        return self.g_steps

    @property
    def images_seen(self) -> int:
        return self.d_steps * self.config.batch_size

    def train_steps(self, n: int = 1) -> None:
        """n full steps: k discriminator updates, then one generator update, each."""
        t0 = time.perf_counter()
        for _ in range(n):
            for i in range(self.config.k_disc):
                last = i == self.config.k_disc - 1
                with torch.set_grad_enabled(last):  # the last fake batch also trains G
                    fake = self.G(self._z())
                self._d_update(fake)
            self._g_update(fake)
        self.elapsed += time.perf_counter() - t0

    def step_d(self, n: int = 1) -> None:
        """n discriminator updates only (G frozen)."""
        t0 = time.perf_counter()
        for _ in range(n):
            with torch.no_grad(), frozen_norm_stats(self.G):
                fake = self.G(self._z())
            self._d_update(fake)
        self.elapsed += time.perf_counter() - t0

    def step_g(self, n: int = 1) -> None:
        """n generator updates only (D frozen)."""
        t0 = time.perf_counter()
        for _ in range(n):
            self._g_update(self.G(self._z()))
        self.elapsed += time.perf_counter() - t0

    def train(self, steps: int, *, should_stop: Callable[[], bool] = lambda: False,
              on_snapshot: Callable[[Snapshot], None] | None = None,
              snapshot_every: float = 1.0) -> int:
        """Run up to `steps` full steps, snapshotting every `snapshot_every` seconds of wall
        time; return early when should_stop() says so. Returns the steps done."""
        last = time.perf_counter()
        done = 0
        while done < steps and not should_stop():
            self.train_steps(1)
            done += 1
            now = time.perf_counter()
            if on_snapshot is not None and now - last >= snapshot_every:
                on_snapshot(self.snapshot())
                last = now
        return done

    def _z(self) -> torch.Tensor:
        c = self.config
        return sample_prior(c.prior, c.batch_size, c.latent_dim, self.gen, self.device)

    def _d_update(self, fake: torch.Tensor) -> None:
        real = self.data.batch(self.config.batch_size, self.gen)
        real_logits, fake_logits = self.D(real), self.D(fake.detach())
        loss = d_loss(real_logits, fake_logits)
        self.opt_d.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_d.step()
        with torch.no_grad():
            self._acc[0] += loss
            self._acc[2] += torch.sigmoid(real_logits).mean()
            self._acc[3] += torch.sigmoid(fake_logits).mean()
        self._acc_n[0] += 1
        self.d_steps += 1

    def _g_update(self, fake: torch.Tensor) -> None:
        self.D.requires_grad_(False)  # gradients flow through D to G, D's weights stay put
        loss = g_loss(self.D(fake), self.config.loss)
        self.opt_g.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_g.step()
        self.D.requires_grad_(True)
        with torch.no_grad():
            self._acc[1] += loss
        self._acc_n[1] += 1
        self.g_steps += 1

    # --- looking at it ---------------------------------------------------------------------

    @torch.no_grad()
    def generate(self, z: torch.Tensor) -> np.ndarray:
        """G(z) in eval mode (batch-norm running statistics) as host images in [-1, 1]."""
        was = self.G.training
        self.G.eval()
        try:
            return self.G(z.to(self.device)).squeeze(1).float().cpu().numpy()
        finally:
            self.G.train(was)

    def sampler(self, device: str | torch.device = "cpu") -> Sampler:
        """A frozen eval-mode copy of the generator as it is now (for sliders and exports)."""
        return Sampler(self.G, self.config, self.dataset.image_shape, self.step, device)

    @torch.no_grad()
    def snapshot(self) -> Snapshot:
        acc = self._acc.cpu().tolist()  # the one host sync per snapshot
        nd, ng = self._acc_n
        d_mark, t_mark = self._mark
        dt = self.elapsed - t_mark
        ips = (self.d_steps - d_mark) * self.config.batch_size / dt if dt > 0 else 0.0
        grid = self.generate(self.grid_z)
        self.G.eval()
        self.D.eval()  # no dropout in what the views show
        try:
            fake = self.G(self.probe_z)
            real_p = torch.sigmoid(self.D(self.probe_real)).float().cpu().numpy()
            fake_p = torch.sigmoid(self.D(fake)).float().cpu().numpy()
        finally:
            self.G.train()
            self.D.train()
        nan = float("nan")
        snap = Snapshot(
            step=self.step, d_steps=self.d_steps, g_steps=self.g_steps,
            images_seen=self.images_seen, elapsed=self.elapsed, images_per_s=ips,
            steps_per_s=ips / (self.config.batch_size * self.config.k_disc),
            d_loss=acc[0] / nd if nd else nan, g_loss=acc[1] / ng if ng else nan,
            d_real=acc[2] / nd if nd else nan, d_fake=acc[3] / nd if nd else nan,
            grid=_frozen(grid), real_probs=_frozen(real_p), fake_probs=_frozen(fake_p),
            device=str(self.device), model=self.config.model,
        )
        self._acc.zero_()
        self._acc_n = [0, 0]
        self._mark = (self.d_steps, self.elapsed)
        if nd or ng:
            for k in HISTORY_KEYS:
                self.history[k].append(float(getattr(snap, k)))
        return snap


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a, dtype=np.float32)
    a.flags.writeable = False
    return a
