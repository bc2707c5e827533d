"""What every family's run shares: device, data, seeds, counters, history, snapshots, state.

A Run owns the networks and steps its family's game; `new_run(config)` builds the run class
its family declares (gan.py: the GAN game; aae.py: the autoencoders). Losses and D(x) means
accumulate on the device and are read only when a history row is recorded, so stepping
never waits for the host.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np
import torch

from ganvis.engine.config import RunConfig
from ganvis.engine.data import Dataset, DeviceData
from ganvis.engine.devices.device import resolve_device
from ganvis.engine.errors import DivergenceError
from ganvis.engine.family import Family, family
from ganvis.engine.latent.priors import sample_prior
from ganvis.engine.latent.sampler import Sampler
from ganvis.engine.nets.layers import prefer_channels_last, use_generator
from ganvis.engine.nets.size import check_size
from ganvis.engine.quality.live import LiveMetrics
from ganvis.engine.runs.guard import Guard
from ganvis.engine.runs.memory import release_cache, reports_out_of_memory
from ganvis.engine.runs.series import Accumulator
from ganvis.engine.runs.snapshot import SERIES_LABELS, Observation, Snapshot, frozen
from ganvis.engine.runs.state import RunRecord, RunState
from ganvis.engine.runs.timeline import Timeline
from ganvis.engine.runs.waterfall import Waterfall

GRID_SIZE = 64
PROBE_SIZE = 256
BASE_HISTORY = ("step", "d_steps", "elapsed")
HISTORY_KEYS = BASE_HISTORY + tuple(SERIES_LABELS)  # every series a run file may hold


def new_run(config: RunConfig, dataset: Dataset | None = None) -> Run:
    """A fresh run of the config's family (on its own data set unless one is given)."""
    return family(config.model).run_class(config, dataset)


class Run:
    """A training run. Subclasses (one per kind of game) define the optimisers, the steps
    and observe(); everything else is here."""

    def __init__(self, config: RunConfig, dataset: Dataset | None = None) -> None:
        if type(self) is Run:
            raise TypeError("Run is what every family's run shares: build one with "
                            "new_run(config)")
        self.config = config
        self.family: Family = family(config.model)
        self.device = resolve_device(config.device)
        self.dataset = dataset if dataset is not None else self.family.data.load(config.data)
        self.data = DeviceData(self.dataset, self.device)
        self.num_classes = self.check_data(config, self.dataset)
        shape = self.dataset.sample_shape
        check_size(config, shape, self.num_classes)
        self.bernoulli = config.likelihood == "bernoulli" or (
            config.likelihood == "auto" and self.dataset.binary)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(config.seed)
            nets = self.family.build_nets(config, shape, self.num_classes, self.bernoulli)
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
        self._seen_offset = 0  # images seen at earlier batch sizes (see load_state)
        self.history: dict[str, list[float]] = {k: [] for k in self.history_keys()}
        self._mark = (0, 0.0)  # (images seen, elapsed) at the last snapshot
        self.timeline = Timeline()  # every snapshot's sample grid
        self.waterfall = Waterfall()  # every snapshot's D(x) histograms
        self.guard = Guard(self.device)
        # the series since the last row; what is added is watched by the run's guard
        self.acc = Accumulator(self.family.series, self.device, lambda v: self.guard.watch(v))
        self.live = self.make_live()

    # --- what a kind of game defines ------------------------------------------------------

    @classmethod
    def check_data(cls, config: RunConfig, dataset: Dataset) -> int:
        """Validate the data for this family; return the number of classes it conditions on."""
        return 0

    def make_optimizers(self) -> dict[str, torch.optim.Optimizer]:
        raise NotImplementedError

    def make_live(self):
        """What measures the run while it trains (quality/live.py for images)."""
        c = self.config
        return LiveMetrics(self.dataset, c.prior, c.latent_dim,
                           self.num_classes, c.seed, c.metrics_every)

    def train_steps(self, n: int = 1) -> None:
        raise NotImplementedError

    def step_d(self, n: int = 1) -> None:
        raise NotImplementedError

    def step_g(self, n: int = 1) -> None:
        raise NotImplementedError

    def observe(self) -> Observation:
        """The family's part of a snapshot, from the fixed probes."""
        raise NotImplementedError

    # --- counters ------------------------------------------------------------------------

    def history_keys(self) -> tuple[str, ...]:
        return BASE_HISTORY + tuple(self.family.series)

    @property
    def step(self) -> int:
        return self.g_steps

    @property
    def images_seen(self) -> int:
        return self._seen_offset + self.family.images_seen(self._counters(), self.config.batch_size)

    def _counters(self) -> dict[str, int]:
        return {"d_steps": self.d_steps, "g_steps": self.g_steps}

    def images_per_step(self) -> int:
        """Real images one full step draws (k batches for a GAN, one for an autoencoder)."""
        return self.family.images_seen({"d_steps": self.config.k_disc, "g_steps": 1},
                                       self.config.batch_size)

    @property
    def generator(self) -> torch.nn.Module:
        """What samples come from (the averaged G, when the run keeps one)."""
        return self.nets[self.family.sampling_net(self.nets)]

    # --- stepping ------------------------------------------------------------------------

    def _z(self, n: int | None = None) -> torch.Tensor:
        c = self.config
        return sample_prior(c.prior, n or c.batch_size, c.latent_dim, self.gen, self.device)

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

    # --- looking at it -------------------------------------------------------------------

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
        encoder = self.nets.get(self.family.encoder) if self.family.encoder else None
        return Sampler(self.generator, self.config, self.dataset.sample_shape, self.step, device,
                       num_classes=self.num_classes, encoder=encoder)

    @torch.no_grad()
    def record(self) -> dict[str, float]:
        """Close the accumulation window: append a history row (the means since the last row,
        if anything was updated) and return it. One host sync. Cheap enough to call between
        snapshots, so the curves keep their detail when snapshots are far apart."""
        self.guard.check(self)  # never record (or show, or save) a diverged run as fine
        means, updated = self.acc.means()  # the one host sync
        row = {"step": self.step, "d_steps": self.d_steps, "elapsed": self.elapsed, **means}
        if updated:
            for k in self.history:
                self.history[k].append(float(row[k]))
        return row

    @reports_out_of_memory
    @torch.no_grad()
    def snapshot(self) -> Snapshot:
        row = self.record()
        seen_mark, t_mark = self._mark
        dt = self.elapsed - t_mark
        ips = (self.images_seen - seen_mark) / dt if dt > 0 else 0.0
        o = self.observe()
        snap = Snapshot(
            model=self.config.model, step=self.step, d_steps=self.d_steps,
            g_steps=self.g_steps, images_seen=self.images_seen, elapsed=self.elapsed,
            images_per_s=ips, steps_per_s=ips / self.images_per_step(),
            losses={k: row[k] for k in self.family.series}, grid=frozen(o.grid),
            real_probs=frozen(o.real_probs), fake_probs=frozen(o.fake_probs),
            device=str(self.device), grid_cols=o.grid_cols, metrics=self.live.latest,
            metrics_note=self.live.note, autoencoder=o.autoencoder, plane=o.plane,
            shown_real=None if o.shown_real is None else frozen(o.shown_real))
        if snap.grid.ndim == 3:  # the timeline keeps image grids
            self.timeline.add(self.step, snap.grid)
        self.waterfall.add(self.step, snap.real_probs, snap.fake_probs)
        self._mark = (self.images_seen, self.elapsed)
        return snap

    # --- the run's state: saved, rolled back to, carried to a rebuilt run ----------------------

    def state(self, record: bool = True) -> RunState:
        """Everything that must survive (live references: RunState.copied() to keep it)."""
        rec = None
        if record:
            rec = RunRecord(history=self.history, metrics=self.live.state(),
                            timeline=self.timeline.arrays(), waterfall=self.waterfall.arrays())
        return RunState(
            d_steps=self.d_steps, g_steps=self.g_steps, elapsed=self.elapsed,
            images_seen=self.images_seen,
            nets={k: net.state_dict() for k, net in self.nets.items()},
            optimizers={k: opt.state_dict() for k, opt in self.opts.items()},
            rng=(self.device.type, self.gen.get_state()), record=rec)

    def load_state(self, state: RunState, lr_scale: float = 1.0) -> None:
        """Put a state back (this run's or another's of the same family and sizes, from any
        device): weights, optimisers (learning rates times lr_scale), counters, random stream
        and, when the state has it, the record."""
        for k, net in self.nets.items():
            net.load_state_dict(state.nets[k])
        for k, opt in self.opts.items():
            if k in state.optimizers:
                opt.load_state_dict(state.optimizers[k])  # moves it to this run's device
            for group in opt.param_groups:
                group["lr"] *= lr_scale
        self.d_steps, self.g_steps, self.elapsed = state.d_steps, state.g_steps, state.elapsed
        counted = self.family.images_seen(self._counters(), self.config.batch_size)
        self._seen_offset = state.images_seen - counted
        try:
            if state.rng is None or state.rng[0] != self.device.type:
                raise RuntimeError("no random state for this kind of device")
            self.gen.set_state(state.rng[1])
        except RuntimeError:  # e.g. from a CUDA generator to a CPU one: fresh, reproducible
            self.gen.manual_seed(self.config.seed + 1 + 1_000_003 * self.g_steps)
        if state.record is not None:
            r = state.record
            self.history = {k: list(r.history.get(k) or [float("nan")] * _rows(r.history))
                            for k in self.history_keys()}
            self.live.load_state(r.metrics)
            self.timeline.restore(*r.timeline)
            self.waterfall.restore(*r.waterfall)
        self.acc.reset()
        self._mark = (self.images_seen, self.elapsed)

    def rollback(self, lr_scale: float = 1.0) -> int:
        """After a DivergenceError: return to the last good state, with the learning rates
        multiplied by lr_scale (e.g. 0.5). Returns the step it went back to."""
        if self.guard.good is None:
            raise DivergenceError("no good state to roll back to: start the run again",
                                  self.step)
        self.load_state(self.guard.good, lr_scale)
        self.guard.clear()
        self.guard.keep(self)
        return self.step

    def rebuild(self, *, batch_size: int | None = None, device: str | None = None) -> Run:
        """The same run (its whole state) with another batch size or on another device: the
        way on after running out of memory. Use the returned run; drop this one."""
        if batch_size is not None:  # whole packs (PacGAN), at least one
            pack = self.config.pack
            batch_size = max(pack, batch_size // pack * pack)
        changes = {k: v for k, v in (("batch_size", batch_size), ("device", device))
                   if v is not None}
        release_cache(self.device)
        new = new_run(self.config.replace(**changes), self.dataset)
        new.load_state(self.state())
        new.guard.keep(new)
        return new


def _rows(history: dict[str, list[float]]) -> int:
    return max((len(v) for v in history.values()), default=0)
