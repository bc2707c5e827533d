"""Training speed, measured side by side: ganvis's engine against the standard loop.

The standard loop is written the way common references write it (the PyTorch DCGAN
tutorial, most GAN/AAE repositories): a DataLoader over host tensors, each batch copied to
the device, `.item()` on every loss for logging each step and a log line every 50 steps. It
trains the same networks with the same optimisers, losses and batch sizes as the engine, so
the ratio is the cost of the loop, not of the model. The engine keeps the data on the device,
draws batches by index and reads its accumulated losses only at snapshot time.

Both run in the same process, alternating, and the median of the rounds is reported.
"""

from __future__ import annotations

import io
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch.utils.data import DataLoader, TensorDataset

from ganvis.engine.config import RunConfig
from ganvis.engine.data import Dataset, load_dataset
from ganvis.engine.devices.device import synchronize
from ganvis.engine.family import all_families, family
from ganvis.engine.latent.priors import sample_prior
from ganvis.engine.runs.base import new_run
from ganvis.engine.runs.loop import TrainingLoop
from ganvis.engine.runs.losses import d_loss, g_loss

LOG_EVERY = 50


@dataclass(frozen=True)
class SpeedRow:
    family: str
    batch: int
    standard_ips: float  # images per second, median of the rounds
    engine_ips: float
    ratio: float  # engine / standard: the median of each round's pair (robust to drift)
    rounds: int

    def as_dict(self) -> dict:
        return asdict(self)


class StandardLoop:
    """One family's training loop written the common way (see the module docstring)."""

    def __init__(self, config: RunConfig, dataset: Dataset) -> None:
        self.config = config
        self.device = torch.device(config.device)
        labels = (dataset.labels.copy() if dataset.labels is not None
                  else np.zeros(dataset.size, np.int64))
        tensors = TensorDataset(torch.from_numpy(dataset.images.copy()).unsqueeze(1),
                                torch.as_tensor(labels, dtype=torch.long))
        self.loader = DataLoader(tensors, batch_size=config.batch_size, shuffle=True,
                                 drop_last=True)
        self._batches = self._forever()
        self.family = fam = family(config.model)
        num_classes = dataset.num_classes if fam.conditional else 0
        torch.manual_seed(config.seed)
        nets = fam.build_nets(config, dataset.sample_shape, num_classes, False)
        self.nets = {k: v.to(self.device) for k, v in nets.items()}
        c = config
        if not fam.reconstructs:  # the GAN game
            self.G, self.D = self.nets["G"], self.nets["D"]
            self.opt_g = torch.optim.Adam(self.G.parameters(), lr=c.lr_g, betas=c.betas_g)
            self.opt_d = torch.optim.Adam(self.D.parameters(), lr=c.lr_d, betas=c.betas_d)
            self.step = self._gan_step
        else:
            self.enc, self.dec, self.D = (self.nets[k] for k in ("encoder", "decoder", "D"))
            ae = [*self.enc.parameters(), *self.dec.parameters()]
            self.opt_ae = torch.optim.Adam(ae, lr=c.lr_g, betas=c.betas_g)
            self.opt_d = torch.optim.Adam(self.D.parameters(), lr=c.lr_d, betas=c.betas_d)
            self.opt_e = torch.optim.Adam(self.enc.parameters(), lr=c.lr_d, betas=c.betas_d)
            self.step = self._aae_step
        self.log: list[tuple[float, ...]] = []
        self.out = io.StringIO()  # where the log lines go (a console in the references)
        self.steps = 0

    def _forever(self) -> Iterator[tuple[torch.Tensor, torch.Tensor]]:
        while True:
            yield from self.loader

    def _next(self) -> tuple[torch.Tensor, torch.Tensor]:
        x, y = next(self._batches)
        return x.to(self.device), y.to(self.device)

    def _z(self, n: int) -> torch.Tensor:
        c = self.config
        return sample_prior(c.prior, n, c.latent_dim, None, self.device)

    def _gan_step(self) -> None:
        c = self.config
        for i in range(c.k_disc):
            real, _ = self._next()
            with torch.set_grad_enabled(i == c.k_disc - 1):
                fake = self.G(self._z(c.batch_size))
            self.opt_d.zero_grad()
            out_real, out_fake = self.D(real), self.D(fake.detach())
            err_d = d_loss(out_real, out_fake)
            err_d.backward()
            self.opt_d.step()
            d_x = torch.sigmoid(out_real).mean().item()
            d_g_z1 = torch.sigmoid(out_fake).mean().item()
        self.opt_g.zero_grad()
        out = self.D(fake)
        err_g = g_loss(out, c.loss)
        err_g.backward()
        self.opt_g.step()
        d_g_z2 = torch.sigmoid(out).mean().item()
        self._record(err_d.item(), err_g.item(), d_x, d_g_z1, d_g_z2)

    def _aae_step(self) -> None:
        c = self.config
        x, y = self._next()
        y = y if self.family.conditional else None
        self.opt_ae.zero_grad()
        recon = self.dec.recon_loss(self.enc(x), x, y)
        recon.backward()
        self.opt_ae.step()
        for i in range(c.k_disc):
            if i:
                x, y = self._next()
                y = y if self.family.conditional else None
            with torch.no_grad():
                codes = self.enc(x)
            self.opt_d.zero_grad()
            out_real, out_fake = self.D(self._z(len(x)), y), self.D(codes, y)
            err_d = d_loss(out_real, out_fake)
            err_d.backward()
            self.opt_d.step()
        self.opt_e.zero_grad()
        err_g = g_loss(self.D(self.enc(x), y), c.loss)
        err_g.backward()
        self.opt_e.step()
        self._record(recon.item(), err_d.item(), err_g.item())

    def _record(self, *values: float) -> None:
        self.log.append(values)
        if self.steps % LOG_EVERY == 0:
            print(f"[{self.steps}] " + " ".join(f"{v:.4f}" for v in values), file=self.out)
        self.steps += 1

    def train_steps(self, n: int) -> None:
        for _ in range(n):
            self.step()

    def images_per_step(self) -> int:
        return self.family.images_seen({"d_steps": self.config.k_disc, "g_steps": 1},
                                       self.config.batch_size)


def _rate(train: Callable[[int], None], n: int, images_per_step: int,
          device: torch.device) -> float:
    synchronize(device)
    t0 = time.perf_counter()
    train(n)
    synchronize(device)
    return n * images_per_step / (time.perf_counter() - t0)


def bench_families() -> tuple[str, ...]:
    """The families the standard loop is written for: those with an adversary."""
    return tuple(f.name for f in all_families() if f.adversarial and f.data.name == "images")


def bench_config(family: str, batch: int, device: str, seed: int = 0) -> RunConfig:
    """The family's defaults, without the work the standard loop does not do (averaging G's
    weights, augmenting D's images): the ratio compares loops, not recipes."""
    return RunConfig(model=family, batch_size=batch, device=device, seed=seed, metrics_every=0,
                     g_ema=0.0, augment="off")


def compare(family: str, batch: int, device: str = "cpu", seconds: float = 6.0,
            rounds: int = 6, dataset: Dataset | None = None) -> SpeedRow:
    """images/s of the standard loop and of the engine on the same model, alternating."""
    config = bench_config(family, batch, device)
    dataset = dataset if dataset is not None else load_dataset(config.data)
    engine = new_run(config, dataset)
    standard = StandardLoop(engine.config, dataset)
    dev = engine.device
    # The engine as ganvis trains: through its one training loop (here with no hooks to call).
    contenders = ((standard.train_steps, standard.images_per_step()),
                  (TrainingLoop(engine).train, engine.images_per_step()))
    # Warm up both, and size each round from the warm-up's speed.
    warm = [_rate(fn, 3, ips, dev) for fn, ips in contenders]
    per_round = seconds / (2 * rounds)
    steps = [max(2, int(per_round * w / ips)) for w, (_, ips) in zip(warm, contenders)]
    rates: list[list[float]] = [[], []]
    for _ in range(rounds):
        for i, (fn, ips) in enumerate(contenders):
            rates[i].append(_rate(fn, steps[i], ips, dev))
    pairs = [e / s for s, e in zip(*rates)]
    return SpeedRow(family, batch, statistics.median(rates[0]), statistics.median(rates[1]),
                    statistics.median(pairs), rounds)
