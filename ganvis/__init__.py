"""ganvis: a desktop visual explorer for GANs and adversarial autoencoders."""

__version__ = "0.1.0"
