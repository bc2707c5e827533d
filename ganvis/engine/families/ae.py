"""A plain autoencoder: an MLP encoder f and decoder g trained on reconstruction error alone,
with no adversary; its codes go wherever reconstruction puts them."""

from __future__ import annotations

from ganvis.engine.config import RunConfig
from ganvis.engine.data.kinds import IMAGES
from ganvis.engine.family import Family
from ganvis.engine.nets.autoencoder import build_autoencoder
from ganvis.engine.quality.live import KEYS as LIVE_KEYS
from ganvis.engine.runs.aae import AE_PHASES, AE_SETTINGS, RECON_SERIES, AAERun
from ganvis.engine.runs.average import with_average


def build(config: RunConfig, shape: tuple[int, int], num_classes: int = 0,
          bernoulli: bool = False) -> dict:
    return with_average(build_autoencoder(config, shape, bernoulli=bernoulli), config, "decoder")


FAMILY = Family(
    name="ae",
    title="Autoencoder (no adversary)",
    about="ae: autoencoder",
    defaults={"latent_dim": 16, "width": 512, "depth": 2, "lr_g": 1e-3, "lr_d": 1e-3,
              "betas_g": (0.5, 0.999), "betas_d": (0.5, 0.999), "batch_size": 64,
              "g_ema": 0.995},
    settings=AE_SETTINGS,
    build_nets=build,
    run_class=AAERun,
    series=RECON_SERIES,
    phases=AE_PHASES,
    generator="decoder",
    data=IMAGES,
    metric_keys=LIVE_KEYS,
    encoder="encoder",
    reconstructs=True,
    image_counter="g_steps",
)
