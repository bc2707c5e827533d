"""The supervised adversarial autoencoder (Makhzani et al. 2015, style and digit): the decoder
gets the one-hot label beside z, and the latent discriminator sees the label too, so z must
match the prior for every digit and keeps only the style."""

from __future__ import annotations

from ganvis.engine.config import RunConfig
from ganvis.engine.data.kinds import IMAGES
from ganvis.engine.families.aae import PLAYERS
from ganvis.engine.family import Family
from ganvis.engine.nets.autoencoder import build_autoencoder
from ganvis.engine.quality.live import KEYS as LIVE_KEYS
from ganvis.engine.runs.aae import AAE_PHASES, AAE_SERIES, AAE_SETTINGS, AAERun
from ganvis.engine.runs.average import with_average


def build(config: RunConfig, shape: tuple[int, int], num_classes: int = 0,
          bernoulli: bool = False) -> dict:
    nets = build_autoencoder(config, shape, num_classes, bernoulli, adversarial=True)
    return with_average(nets, config, "decoder")


FAMILY = Family(
    name="saae",
    title="Supervised AAE (style × digit)",
    about="saae: supervised AAE, the decoder also gets the digit",
    defaults={"latent_dim": 8, "width": 512, "depth": 2, "lr_g": 1e-3, "lr_d": 1e-3,
              "betas_g": (0.5, 0.999), "betas_d": (0.5, 0.999), "batch_size": 64,
              "g_ema": 0.995},
    settings=AAE_SETTINGS,
    build_nets=build,
    run_class=AAERun,
    series=AAE_SERIES,
    phases=AAE_PHASES,
    generator="decoder",
    data=IMAGES,
    metric_keys=LIVE_KEYS,
    encoder="encoder",
    players=PLAYERS,
    conditional=True,
    reconstructs=True,
    image_counter="g_steps",
)
