"""The GAN game on points in the plane (the gan2d family): the image GAN's game (gan.py), with
what two dimensions let one see exactly: D's whole surface, D* and the divergences
(quality/plane.py), the push G's loss puts on every fake point, and the generator's manifold.
"""

from __future__ import annotations

import numpy as np
import torch

from ganvis.engine.config import COMMON_SETTINGS, RunConfig
from ganvis.engine.data.points import PointSet
from ganvis.engine.errors import ConfigError
from ganvis.engine.family import Players
from ganvis.engine.latent.priors import sample_prior
from ganvis.engine.quality.plane import PlaneGrid
from ganvis.engine.quality.plane_live import PlaneMetrics
from ganvis.engine.runs.gan import GANRun
from ganvis.engine.runs.losses import g_loss
from ganvis.engine.runs.snapshot import Observation, PlanePart

POINTS = 600  # real and fake points each snapshot shows
SURFACE = 64  # cells a side of D's surface
LINES, ALONG = 13, 60  # the manifold: lines of codes, points along each
PLANE_SETTINGS = COMMON_SETTINGS | {"loss", "k_disc", "lr_d", "betas_d", "depth", "pack",
                                    "g_ema"}
POINT_PLAYERS = Players(real="real points", fake="generated G(z)", real_short="real",
                        fake_short="fake", real_mean="D(x) on real", fake_mean="D(G(z)) on fake")
CODE_SPAN = {"normal": 2.5, "uniform": 1.0, "mog10": 5.0}  # the manifold's z range


class PlaneRun(GANRun):
    def __init__(self, config: RunConfig, dataset: PointSet | None = None) -> None:
        super().__init__(config, dataset)
        probe = torch.Generator().manual_seed(config.seed + 5)
        n = min(POINTS, self.data.n)
        self.show_idx = torch.randperm(self.data.n, generator=probe)[:n].to(self.device)
        self.show_z = self._codes(POINTS, probe)
        self.manifold_z = self._manifold_codes().to(self.device)
        x0, x1, y0, y1 = self.dataset.bounds()
        self.bounds = (float(x0), float(x1), float(y0), float(y1))
        xs, ys = np.linspace(x0, x1, SURFACE), np.linspace(y0, y1, SURFACE)
        gx, gy = np.meshgrid(xs, ys)
        self.surface_xy = torch.tensor(np.stack([gx.ravel(), gy.ravel()], 1),
                                       dtype=torch.float32, device=self.device)

    @classmethod
    def check_data(cls, config: RunConfig, dataset) -> int:
        if not isinstance(dataset, PointSet):
            raise ConfigError(f"{config.model} trains on points in the plane; {dataset.name} "
                              "holds images (use ring8, grid25, csv:FILE, npy:FILE, ...)")
        return 0

    def _codes(self, n: int, gen: torch.Generator) -> torch.Tensor:
        c = self.config
        return sample_prior(c.prior, n, c.latent_dim, gen).to(self.device)

    def _manifold_codes(self) -> torch.Tensor:
        """Lines of a grid over the first two code dimensions (the others 0): G bends it."""
        span = CODE_SPAN.get(self.config.prior, 2.5)
        t = torch.linspace(-span, span, ALONG)
        at = torch.linspace(-span, span, LINES)
        lines = [torch.stack([t, torch.full_like(t, a)], 1) for a in at]
        lines += [torch.stack([torch.full_like(t, a), t], 1) for a in at]
        z2 = torch.stack(lines)  # (2 * LINES, ALONG, 2)
        z = torch.zeros(*z2.shape[:2], self.config.latent_dim)
        z[..., :min(2, self.config.latent_dim)] = z2[..., :self.config.latent_dim]
        return z

    # --- measuring: the exact quantities, within a share of the training time ----------------

    def make_live(self) -> PlaneMetrics:
        c = self.config
        return PlaneMetrics(self.dataset, c.prior, c.latent_dim, c.seed, c.metrics_every,
                            c.pack)

    def measure(self) -> dict[str, float]:
        return self.live.measure(self.step, self.elapsed, self._fakes, self._samples,
                                 self._verdicts, self._surface)

    @torch.no_grad()
    def _fakes(self, z: torch.Tensor) -> np.ndarray:
        """G's own points: the fakes D is shown."""
        G = self.G
        was = G.training
        G.eval()
        try:
            return G(z.to(self.device)).double().cpu().numpy()
        finally:
            G.train(was)

    def _samples(self, z: torch.Tensor) -> np.ndarray:
        """What samples are drawn as (the averaged G when the run keeps one)."""
        return self.generate(z).astype(np.float64)

    @torch.no_grad()
    def _verdicts(self, x: torch.Tensor) -> np.ndarray:
        n = len(x) // self.config.pack * self.config.pack
        return self._eval(lambda D: torch.sigmoid(D(x[:n].float().to(self.device))))

    @torch.no_grad()
    def _surface(self, x: torch.Tensor) -> np.ndarray:
        return self._eval(lambda D: torch.sigmoid(D.single(x.to(self.device))))

    def _eval(self, fn) -> np.ndarray:
        D = self.D
        was = D.training
        D.eval()
        try:
            return fn(D).float().cpu().numpy()
        finally:
            D.train(was)

    # --- looking at it -------------------------------------------------------------------

    def observe(self) -> Observation:
        """Everything the plane shows, in few calls (at 20 snapshots a second, the number of
        small torch calls is what they cost): G once on the shown codes and the manifold's,
        D once on real, fake and surface points (twice when it judges packs)."""
        G, D = self.G, self.D
        n, k = len(self.show_z), self.config.latent_dim
        G.eval()
        try:
            with torch.no_grad():
                out = G(torch.cat([self.show_z, self.manifold_z.reshape(-1, k)]))
                fake, manifold = out[:n], out[n:]
                averaged = self.nets.get("G_ema")
                samples = None if averaged is None else _host(averaged(self.show_z))
            real = self.data.images[self.show_idx]
            push = self._push(fake)
            with torch.no_grad():
                if D.pack == 1:
                    p = torch.sigmoid(D(torch.cat([real, fake, self.surface_xy])))
                    real_p, fake_p, surface = p[:len(real)], p[len(real):len(real) + n], \
                        p[len(real) + n:]
                else:
                    real_p = torch.sigmoid(D(real[:len(real) // D.pack * D.pack]))
                    fake_p = torch.sigmoid(D(fake[:n // D.pack * D.pack]))
                    surface = torch.sigmoid(D.single(self.surface_xy))
        finally:
            G.train()
        live = self.live
        part = PlanePart(
            real=_host(real), fake=_host(fake), push=_host(push), bounds=self.bounds,
            surface=_host(surface.view(SURFACE, SURFACE)),
            manifold=_host(manifold.view(2 * LINES, ALONG, 2)),
            pack=D.pack, d_star=live.d_star,
            d_star_bounds=None if live.view_grid is None else _centres(live.view_grid),
            resolution=live.h, samples=samples,
            modes_total=len(self.dataset.mixture.means) if self.dataset.modes else 0)
        shown = _host(fake) if samples is None else samples  # what samples are drawn as
        return Observation(shown, _host(real_p), _host(fake_p), plane=part)

    def _push(self, fake: torch.Tensor) -> torch.Tensor:
        """Minus the gradient of G's loss (as configured) with respect to each fake point: the
        direction, and the strength, with which the next G update moves it."""
        x = fake.detach().clone().requires_grad_(True)
        with torch.enable_grad():
            n = len(x) // self.D.pack * self.D.pack
            logits = self.D(x[:n])
            loss = g_loss(logits, self.config.loss) * len(logits)  # per pack, not averaged
            (grad,) = torch.autograd.grad(loss, x)
        return -grad.detach()


def _host(t: torch.Tensor) -> np.ndarray:
    a = t.detach().float().cpu().numpy()
    a.flags.writeable = False
    return a


def _centres(g: PlaneGrid) -> tuple[float, float, float, float]:
    """(x0, x1, y0, y1) of the centres of a grid's corner cells (where D* is computed)."""
    hx, hy = g.cell / 2, (g.y1 - g.y0) / g.n / 2
    return (g.x0 + hx, g.x1 - hx, g.y0 + hy, g.y1 - hy)
