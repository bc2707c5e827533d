"""The adversarial autoencoder (Makhzani et al. 2015): an autoencoder whose codes a latent
discriminator pulls onto a chosen prior, so that decoding prior samples generates."""

from __future__ import annotations

from dataclasses import replace

from ganvis.engine.config import RunConfig
from ganvis.engine.data.kinds import IMAGES
from ganvis.engine.family import Family, Players
from ganvis.engine.nets.autoencoder import build_autoencoder
from ganvis.engine.quality.live import KEYS as LIVE_KEYS
from ganvis.engine.runs.aae import AAE_PHASES, AAE_SERIES, AAE_SETTINGS, CODE_PLAYERS, AAERun
from ganvis.engine.runs.average import with_average

# The latent adversary judges codes, not images: its verdict on a code z is D(z).
PLAYERS: Players = replace(CODE_PLAYERS, verdict="D(z)",
                           meaning="the probability D gives that z is a prior sample",
                           compared=("p(z)", "q(z)"))


def build(config: RunConfig, shape: tuple[int, int], num_classes: int = 0,
          bernoulli: bool = False) -> dict:
    nets = build_autoencoder(config, shape, bernoulli=bernoulli, adversarial=True)
    return with_average(nets, config, "decoder")


FAMILY = Family(
    name="aae",
    title="Adversarial autoencoder",
    about="aae: adversarial autoencoder (Makhzani et al.)",
    # lr_g drives the encoder and decoder, lr_d the regularisation phase (the latent
    # discriminator and the encoder as its generator). At lr_d 2e-4 the reconstruction phase
    # outpaces the adversary and the codes drift off the prior; 1e-3 keeps them on it. A small
    # latent (8) is what Makhzani et al. used on MNIST: the prior can then be filled.
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
    reconstructs=True,
    image_counter="g_steps",
)
