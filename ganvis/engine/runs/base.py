"""Training runs: a Run owns the networks, steps its game and hands out snapshots.

`Run(config)` builds the run of the config's family: a GANRun here, an AAERun (aae.py) for
the autoencoder families. For a GAN one *step* is Goodfellow et al.'s Algorithm 1: k
discriminator updates, then one generator update. Losses and D(x) means accumulate on the
device and are read only at snapshot time, so the loop never waits for the host.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import torch

from ganvis.engine.config import RunConfig
from ganvis.engine.data import Dataset, DeviceData, load_dataset
from ganvis.engine.errors import ConfigError, DivergenceError
from ganvis.engine.latent.priors import sample_prior
from ganvis.engine.latent.sampler import Sampler
from ganvis.engine.nets.gan import (
    build_nets,
    check_size,
    frozen_norm_stats,
    prefer_channels_last,
    use_generator,
)
from ganvis.engine.quality.live import LiveMetrics
from ganvis.engine.runs.guard import Guard, capture, restore
from ganvis.engine.runs.losses import d_loss, g_loss
from ganvis.engine.runs.memory import release_cache, reports_out_of_memory
from ganvis.engine.runs.timeline import Timeline

GRID_SIZE = 64
PROBE_SIZE = 256
BASE_HISTORY = ("step", "d_steps", "elapsed")
GAN_SERIES = ("d_loss", "g_loss", "d_real", "d_fake")
D_SERIES = ("d_loss", "d_real", "d_fake")  # what every discriminator update accumulates
HISTORY_KEYS = BASE_HISTORY + GAN_SERIES + ("recon_loss",)  # every series a run file may hold


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
    grid_cols: int = 8
    metrics: dict = field(default_factory=dict)  # the latest quality measurement (with its step)
    metrics_note: str = ""  # why there are none, when there cannot be any


class Run:
    """What every family's run shares: device, data, seeds, counters, history, snapshots."""

    # Accumulated series: name -> the counter that divides it ("d", "g" or "r" updates).
    SERIES: ClassVar[dict[str, str]] = {}
    GENERATOR: ClassVar[str] = "G"  # the network a Sampler copies

    def __new__(cls, config: RunConfig, dataset: Dataset | None = None):
        if cls is Run:
            cls = run_class(config.model)
        return super().__new__(cls)

    def __init__(self, config: RunConfig, dataset: Dataset | None = None) -> None:
        self.config = config
        self.device = resolve_device(config.device)
        self.dataset = dataset if dataset is not None else load_dataset(config.data)
        self.data = DeviceData(self.dataset, self.device)
        self.num_classes = self.check_data(config, self.dataset)
        shape = self.dataset.image_shape
        check_size(config, shape, self.num_classes)
        self.bernoulli = config.likelihood == "bernoulli" or (
            config.likelihood == "auto" and self.dataset.binary)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(config.seed)
            nets = build_nets(config, shape, self.num_classes, self.bernoulli)
        self.nets = {k: v.to(self.device) for k, v in nets.items()}
        prefer_channels_last(self.nets)
        self.train_nets = dict(self.nets)  # what the steps call (DDP wrappers: distribute())
        self.opts = self.make_optimizers()
        self.gen = torch.Generator(self.device)
        self.gen.manual_seed(config.seed + 1)
        for net in self.nets.values():
            use_generator(net, self.gen)
        # Fixed probes (drawn on the CPU so every device shows the same z and the same digits);
        # snapshots use only these, so how often one snapshots never changes the training.
        probe = torch.Generator().manual_seed(config.seed + 2)
        prior, dim, dev = config.prior, config.latent_dim, self.device
        self.grid_z = sample_prior(prior, GRID_SIZE, dim, probe).to(dev)
        self.probe_z = sample_prior(prior, PROBE_SIZE, dim, probe).to(dev)
        self.probe_idx = torch.randperm(self.data.n, generator=probe)[:PROBE_SIZE].to(dev)
        self.probe_real = self.data.images[self.probe_idx]
        self.train_data = self.data  # where training batches come from (a shard: distribute())
        self.d_steps = 0
        self.g_steps = 0
        self.elapsed = 0.0
        self._seen_offset = 0  # images seen at earlier batch sizes (see rebuild)
        self.history: dict[str, list[float]] = {k: [] for k in self.history_keys()}
        self._acc = torch.zeros(len(self.SERIES), device=self.device)
        self._slots = {k: i for i, k in enumerate(self.SERIES)}  # each series' place in _acc
        self._d_slots = torch.tensor([self._slots.get(k, 0) for k in D_SERIES],
                                     device=self.device)  # _add_d's places (a plain AE has none)
        self._acc_n = {"d": 0, "g": 0, "r": 0}  # updates of each kind since the last snapshot
        self._mark = (0, 0.0)  # (images seen, elapsed) at the last snapshot
        self.timeline = Timeline()  # every snapshot's sample grid
        self.guard = Guard(self.device)
        self.live = LiveMetrics(self.dataset.name, self.dataset.binary, config.prior,
                                config.latent_dim, self.num_classes, config.seed,
                                config.metrics_every)

    # --- what a family defines -----------------------------------------------------------

    @classmethod
    def check_data(cls, config: RunConfig, dataset: Dataset) -> int:
        """Validate the data for this family; return the number of classes it conditions on."""
        return 0

    def history_keys(self) -> tuple[str, ...]:
        return BASE_HISTORY + tuple(self.SERIES)

    def make_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        raise NotImplementedError

    def train_steps(self, n: int = 1) -> None:
        raise NotImplementedError

    def step_d(self, n: int = 1) -> None:
        raise NotImplementedError

    def step_g(self, n: int = 1) -> None:
        raise NotImplementedError

    def observe(self) -> dict[str, Any]:
        """The family's part of a snapshot: grid, real_probs, fake_probs (+ extra)."""
        raise NotImplementedError

    # --- shared --------------------------------------------------------------------------

    @property
    def step(self) -> int:
        return self.g_steps

    @property
    def images_seen(self) -> int:
        return self._seen_offset + self.image_updates() * self.config.batch_size

    def image_updates(self) -> int:
        """How many updates have each drawn one batch of real images."""
        return self.d_steps

    @property
    def generator(self) -> torch.nn.Module:
        return self.nets[self.GENERATOR]

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

    def _z(self, n: int | None = None) -> torch.Tensor:
        c = self.config
        return sample_prior(c.prior, n or c.batch_size, c.latent_dim, self.gen, self.device)

    def _add(self, name: str, value: torch.Tensor) -> None:
        """Accumulate a series on the device (no host sync), and watch it for NaN."""
        self._acc[self._slots[name]] += value.detach()
        self.guard.watch(value)

    def _add_d(self, loss: torch.Tensor, real_logits: torch.Tensor,
               fake_logits: torch.Tensor) -> None:
        """D's loss and its mean D(x) and D(G(z)) in one accumulation: a few kernels per update
        instead of a dozen (on a CPU they cost as much as a small layer)."""
        with torch.no_grad():
            values = torch.stack((loss.detach(), torch.sigmoid(real_logits).mean(),
                                  torch.sigmoid(fake_logits).mean()))
            self._acc.index_add_(0, self._d_slots, values)
            self.guard.watch(values)

    def _timed(self, fn: Callable[[], None], n: int) -> None:
        t0 = time.perf_counter()
        try:
            self._steps(fn, n)
        finally:
            self.elapsed += time.perf_counter() - t0
        if self.live.due(self.step, self.elapsed):
            self.measure()

    @reports_out_of_memory
    def _steps(self, fn: Callable[[], None], n: int) -> None:
        for _ in range(n):
            fn()
            if self.guard.due(self.step):  # raises DivergenceError: nothing more is stepped
                self.guard.check(self, collective=True)

    def measure(self) -> dict[str, float]:
        """Score the generator now (FCD, coverage, ...); the row is kept in the history."""
        return self.live.measure(self.step, self.elapsed, self.generate, self.device)

    @torch.no_grad()
    def generate(self, z: torch.Tensor, digits: torch.Tensor | None = None) -> np.ndarray:
        """Generator images in eval mode as host arrays in [-1, 1]."""
        g = self.generator
        was = g.training
        g.eval()
        try:
            args = (z.to(self.device),) if digits is None else (z.to(self.device),
                                                                  digits.to(self.device))
            return g(*args).squeeze(1).float().cpu().numpy()
        finally:
            g.train(was)

    def sampler(self, device: str | torch.device = "cpu") -> Sampler:
        """A frozen eval-mode copy of the generator as it is now (for sliders and exports)."""
        return Sampler(self.generator, self.config, self.dataset.image_shape, self.step, device,
                       num_classes=self.num_classes, encoder=self.nets.get("encoder"))

    def rollback(self, lr_scale: float = 1.0) -> int:
        """After a DivergenceError: return to the last good state, with the learning rates
        multiplied by lr_scale (e.g. 0.5). Returns the step it went back to."""
        if self.guard.good is None:
            raise DivergenceError("no good state to roll back to: start the run again",
                                  self.step)
        restore(self, self.guard.good, lr_scale)
        self.guard = Guard(self.device)
        self.guard.good = capture(self)
        self._acc.zero_()
        self._acc_n = {"d": 0, "g": 0, "r": 0}
        self._mark = (self.images_seen, self.elapsed)
        return self.step

    def distribute(self) -> None:
        """Train as one rank of a process group (distributed.init first): DDP wrappers for the
        steps, this rank's shard of the data and its own random stream; only rank 0 measures."""
        from torch.nn.parallel import DistributedDataParallel

        from ganvis.engine.devices import distributed

        r, n = distributed.rank(), distributed.world_size()
        ids = [self.device.index] if self.device.type == "cuda" else None
        self.train_nets = {k: DistributedDataParallel(net, device_ids=ids)
                           for k, net in self.nets.items()}
        self.train_data = DeviceData(self.dataset.shard(r, n), self.device)
        self.gen.manual_seed(self.config.seed + 1 + 7919 * r)
        if r:
            self.live.enabled = False

    def rebuild(self, *, batch_size: int | None = None, device: str | None = None) -> Run:
        """The same run (weights, optimiser state, counters, history, random stream) with
        another batch size or on another device: the way on after running out of memory.
        Use the returned run; this one should be dropped."""
        changes = {k: v for k, v in (("batch_size", batch_size), ("device", device))
                   if v is not None}
        seen = self.images_seen
        release_cache(self.device)
        new = Run(self.config.replace(**changes), self.dataset)
        for k, net in new.nets.items():
            net.load_state_dict(self.nets[k].state_dict())
        for k, opt in new.opts.items():
            opt.load_state_dict(self.opts[k].state_dict())  # moves the state to the new device
        new.d_steps, new.g_steps, new.elapsed = self.d_steps, self.g_steps, self.elapsed
        new.history, new.timeline, new.live = self.history, self.timeline, self.live
        new._seen_offset = seen - new.image_updates() * new.config.batch_size
        new._mark = (new.images_seen, new.elapsed)
        try:
            new.gen.set_state(self.gen.get_state())
        except RuntimeError:  # another kind of device: a fresh, still reproducible stream
            reseed(new)
        new.guard.good = capture(new)
        return new

    @torch.no_grad()
    def record(self) -> dict[str, float]:
        """Close the accumulation window: append a history row (the means since the last row,
        if anything was updated) and return it. One host sync. Cheap enough to call between
        snapshots, so the curves keep their detail when snapshots are far apart."""
        self.guard.check(self)  # never record (or show, or save) a diverged run as fine
        acc = dict(zip(self.SERIES, self._acc.cpu().tolist()))  # the one host sync
        counts = dict(self._acc_n)
        nan = float("nan")
        means = {k: acc[k] / counts[phase] if counts[phase] else nan
                 for k, phase in self.SERIES.items()}
        self._acc.zero_()
        self._acc_n = {"d": 0, "g": 0, "r": 0}
        row = {"step": self.step, "d_steps": self.d_steps, "elapsed": self.elapsed, **means}
        if any(counts.values()):
            for k in self.history:
                self.history[k].append(float(row[k]))
        return row

    @reports_out_of_memory
    @torch.no_grad()
    def snapshot(self) -> Snapshot:
        means = self.record()
        seen_mark, t_mark = self._mark
        dt = self.elapsed - t_mark
        ips = (self.images_seen - seen_mark) / dt if dt > 0 else 0.0
        nan = float("nan")
        parts = self.observe()
        extra = dict(parts.pop("extra", {}))
        extra.update({k: v for k, v in means.items() if k in self.SERIES
                      and k not in GAN_SERIES})
        snap = Snapshot(
            step=self.step, d_steps=self.d_steps, g_steps=self.g_steps,
            images_seen=self.images_seen, elapsed=self.elapsed, images_per_s=ips,
            steps_per_s=ips / self.images_per_step(),
            d_loss=means.get("d_loss", nan), g_loss=means.get("g_loss", nan),
            d_real=means.get("d_real", nan), d_fake=means.get("d_fake", nan),
            grid=_frozen(parts.pop("grid")), real_probs=_frozen(parts.pop("real_probs")),
            fake_probs=_frozen(parts.pop("fake_probs")), device=str(self.device),
            model=self.config.model, extra=extra, metrics=self.live.latest,
            metrics_note=self.live.note, **parts,
        )
        self.timeline.add(self.step, snap.grid)
        self._mark = (self.images_seen, self.elapsed)
        return snap

    def images_per_step(self) -> int:
        return self.config.batch_size * self.config.k_disc


class GANRun(Run):
    """The GAN game: generator G against discriminator D on images."""

    SERIES = {"d_loss": "d", "g_loss": "g", "d_real": "d", "d_fake": "d"}

    @property
    def G(self) -> torch.nn.Module:  # noqa: N802 (the paper's name)
        return self.nets["G"]

    @property
    def D(self) -> torch.nn.Module:  # noqa: N802
        return self.nets["D"]

    @property
    def opt_g(self) -> torch.optim.Optimizer:
        return self.opts["G"]

    @property
    def opt_d(self) -> torch.optim.Optimizer:
        return self.opts["D"]

    def make_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        c = self.config
        return {"G": torch.optim.Adam(self.G.parameters(), lr=c.lr_g, betas=c.betas_g),
                "D": torch.optim.Adam(self.D.parameters(), lr=c.lr_d, betas=c.betas_d)}

    def train_steps(self, n: int = 1) -> None:
        """n full steps: k discriminator updates, then one generator update, each."""
        def one() -> None:
            for i in range(self.config.k_disc):
                last = i == self.config.k_disc - 1
                with torch.set_grad_enabled(last):  # the last fake batch also trains G
                    fake = self.train_nets["G"](self._z())
                self._d_update(fake)
            self._g_update(fake)
        self._timed(one, n)

    def step_d(self, n: int = 1) -> None:
        """n discriminator updates only (G frozen, batch-norm statistics included)."""
        def one() -> None:
            with torch.no_grad(), frozen_norm_stats(self.G):
                fake = self.G(self._z())
            self._d_update(fake)
        self._timed(one, n)

    def step_g(self, n: int = 1) -> None:
        """n generator updates only (D frozen)."""
        self._timed(lambda: self._g_update(self.train_nets["G"](self._z())), n)

    def _d_update(self, fake: torch.Tensor) -> None:
        real = self.train_data.batch(self.config.batch_size, self.gen)
        D = self.train_nets["D"]
        real_logits, fake_logits = D(real), D(fake.detach())
        loss = d_loss(real_logits, fake_logits)
        self.opt_d.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_d.step()
        self._add_d(loss, real_logits, fake_logits)
        self._acc_n["d"] += 1
        self.d_steps += 1

    def _g_update(self, fake: torch.Tensor) -> None:
        # Gradients flow through D to G; D's weights stay put (its plain module: no DDP sync).
        self.D.requires_grad_(False)
        loss = g_loss(self.D(fake), self.config.loss)
        self.opt_g.zero_grad(set_to_none=True)
        loss.backward()
        self.opt_g.step()
        self.D.requires_grad_(True)
        self._add("g_loss", loss)
        self._acc_n["g"] += 1
        self.g_steps += 1

    @torch.no_grad()
    def observe(self) -> dict[str, Any]:
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
        return {"grid": grid, "real_probs": real_p, "fake_probs": fake_p}


def reseed(run: Run) -> None:
    """Seed the training stream from the seed and the step (when its state cannot be carried
    over, e.g. from a CUDA generator to a CPU one)."""
    run.gen.manual_seed(run.config.seed + 1 + 1_000_003 * run.g_steps)


def run_class(model: str) -> type[Run]:
    if model in ("gan", "dcgan"):
        return GANRun
    from ganvis.engine.runs.aae import AAERun  # the autoencoder families (imports this module)

    return AAERun


def _frozen(a: np.ndarray) -> np.ndarray:
    a = np.ascontiguousarray(a, dtype=np.float32)
    a.flags.writeable = False
    return a
