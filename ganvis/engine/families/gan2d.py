"""The GAN game in two dimensions (the theory lab): MLP G: z -> point, MLP D: point(s) ->
logit, on ring8, grid25, teaching sets or the user's own points, with every prior, loss, k and
learning-rate setting the image GANs have, and PacGAN packing."""

from __future__ import annotations

from ganvis.engine.config import RunConfig
from ganvis.engine.data.kinds import POINTS
from ganvis.engine.family import Family, Phase
from ganvis.engine.nets.plane import PointDiscriminator, PointGenerator
from ganvis.engine.quality.plane_live import KEYS
from ganvis.engine.runs.average import with_average
from ganvis.engine.runs.gan import GAN_SERIES
from ganvis.engine.runs.loop import Pacing
from ganvis.engine.runs.plane import PLANE_SETTINGS, POINT_PLAYERS, PlaneRun

# Settings to try from the theory lab, each measured on ring8 over 5 seeds (docs/THEORY.md).
PRESETS = {
    "learns the ring (the defaults)": {},
    "collapses: Adam momentum 0.9": {"lr_g": 2e-3, "lr_d": 2e-3, "betas_g": (0.9, 0.999),
                                     "betas_d": (0.9, 0.999), "g_ema": 0.0},
    "collapses: G learns 10 times faster than D": {"lr_g": 1e-2, "lr_d": 1e-3, "g_ema": 0.0},
    "remedy: momentum 0.9, with packing (PacGAN4)": {"lr_g": 2e-3, "lr_d": 2e-3,
                                                     "betas_g": (0.9, 0.999),
                                                     "betas_d": (0.9, 0.999), "g_ema": 0.0,
                                                     "pack": 4},
    "remedy: G 10 times faster, with packing (PacGAN4)": {"lr_g": 1e-2, "lr_d": 1e-3,
                                                          "g_ema": 0.0, "pack": 4},
    "minimax loss (G's push vanishes early)": {"loss": "minimax"},
}


def build(config: RunConfig, shape: tuple[int, ...], num_classes: int = 0,
          bernoulli: bool = False) -> dict:
    return with_average({"G": PointGenerator(config.latent_dim, config.width, config.depth),
                         "D": PointDiscriminator(config.width, config.depth, config.pack)}, config)


FAMILY = Family(
    name="gan2d",
    title="2-D GAN (the theory lab)",
    about="gan2d: the GAN game on points in the plane, with the exact D* and JS",
    # Chosen on ring8 (scripts/bench_toy.py; docs/THEORY.md): G's own points keep jittering
    # around the modes at this learning rate; samples from the average of its weights (decay
    # 0.98) sit on them.
    defaults={"latent_dim": 2, "width": 64, "depth": 3, "lr_g": 3e-3, "lr_d": 3e-3,
              "betas_g": (0.5, 0.9), "betas_d": (0.5, 0.9), "batch_size": 256, "g_ema": 0.98},
    settings=PLANE_SETTINGS,
    build_nets=build,
    run_class=PlaneRun,
    series=GAN_SERIES,
    phases=(
        Phase("train_steps", "Step", "One step: k discriminator updates, then one generator "
              "update"),
        Phase("step_d", "Step D", "One discriminator update; G stays put (press it often to "
              "bring D toward D*)"),
        Phase("step_g", "Step G", "One generator update; D stays put: each fake point moves "
              "along its arrow"),
    ),
    generator="G",
    data=POINTS,
    players=POINT_PLAYERS,
    metric_keys=KEYS,
    presets=PRESETS,
    # The plane is for watching: a snapshot every 40 ms at best (25 frames a second), letting
    # taking and drawing them have most of the time (scripts/bench_theory.py measures it).
    pacing=Pacing(every=0.04, budget=0.6, most=0.5, frames=True),
)
