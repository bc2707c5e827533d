"""The MLP GAN (Goodfellow et al. 2014): fully connected G and D playing the GAN game."""

from __future__ import annotations

from dataclasses import replace

from ganvis.engine.config import RunConfig
from ganvis.engine.data import BUILTIN
from ganvis.engine.data.kinds import IMAGES
from ganvis.engine.family import Family, Players
from ganvis.engine.nets.mlp import MLPDiscriminator, MLPGenerator
from ganvis.engine.quality.live import KEYS as LIVE_KEYS
from ganvis.engine.runs.average import with_average
from ganvis.engine.runs.gan import GAN_PHASES, GAN_SERIES, IMAGE_GAN_SETTINGS, IMAGE_PLAYERS, GANRun

# The image GANs' words: a user's data set holds images, the built-in ones digits.
PLAYERS: Players = replace(IMAGE_PLAYERS, nouns=dict.fromkeys(BUILTIN, "digits"))


def build(config: RunConfig, shape: tuple[int, int], num_classes: int = 0,
          bernoulli: bool = False) -> dict:
    return with_average({"G": MLPGenerator(config.latent_dim, config.width, config.depth, shape),
                         "D": MLPDiscriminator(config.width, config.depth, shape)}, config)


FAMILY = Family(
    name="gan",
    title="MLP GAN (Goodfellow et al.)",
    about="gan: MLP GAN (Goodfellow et al.)",
    # `width` is the narrowest hidden layer (the layers double `depth` times). Learning rate
    # 1e-3 and Adam without momentum, as the DCGAN, and samples from the average of G's weights:
    # FCD after 3,000 steps fell from 246 (2e-4, beta1 0.5, G itself) to about 140
    # (docs/QUALITY.md).
    defaults={"latent_dim": 64, "width": 256, "depth": 3, "lr_g": 1e-3, "lr_d": 1e-3,
              "betas_g": (0.0, 0.99), "betas_d": (0.0, 0.99), "batch_size": 64,
              "g_ema": 0.995, "augment": "off"},
    settings=IMAGE_GAN_SETTINGS | {"depth"},
    build_nets=build,
    run_class=GANRun,
    series=GAN_SERIES,
    phases=GAN_PHASES,
    generator="G",
    data=IMAGES,
    metric_keys=LIVE_KEYS,
    players=PLAYERS,
)
