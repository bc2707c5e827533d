"""DCGAN (Radford et al. 2015): convolutional G and D playing the GAN game on images."""

from __future__ import annotations

from ganvis.engine.config import RunConfig
from ganvis.engine.data.kinds import IMAGES
from ganvis.engine.errors import ConfigError
from ganvis.engine.families.gan import PLAYERS
from ganvis.engine.family import Family
from ganvis.engine.nets.dcgan import DCGANDiscriminator, DCGANGenerator
from ganvis.engine.quality.live import KEYS as LIVE_KEYS
from ganvis.engine.runs.average import with_average
from ganvis.engine.runs.gan import GAN_PHASES, GAN_SERIES, IMAGE_GAN_SETTINGS, GANRun


def build(config: RunConfig, shape: tuple[int, int], num_classes: int = 0,
          bernoulli: bool = False) -> dict:
    if shape[0] % 4 or shape[1] % 4:
        raise ConfigError(f"dcgan: image sides must be multiples of 4, got "
                          f"{shape[0]}x{shape[1]}; use --model gan for these images")
    return with_average({"G": DCGANGenerator(config.latent_dim, config.width, shape),
                         "D": DCGANDiscriminator(config.width, shape)}, config)


FAMILY = Family(
    name="dcgan",
    title="DCGAN (convolutional)",
    about="dcgan: convolutional (Radford et al.)",
    # Adam without momentum (beta1 0) reached a lower FCD than the paper's beta1 0.5 at every
    # checkpoint up to 3,000 steps (docs/QUALITY.md has the comparison). `width` is the base
    # channel count; the depth is fixed.
    defaults={"latent_dim": 64, "width": 32, "depth": 2, "lr_g": 1e-3, "lr_d": 1e-3,
              "betas_g": (0.0, 0.99), "betas_d": (0.0, 0.99), "batch_size": 64,
              "g_ema": 0.995, "augment": "off"},
    settings=IMAGE_GAN_SETTINGS,
    build_nets=build,
    run_class=GANRun,
    series=GAN_SERIES,
    phases=GAN_PHASES,
    generator="G",
    data=IMAGES,
    metric_keys=LIVE_KEYS,
    players=PLAYERS,
)
