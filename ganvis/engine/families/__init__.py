"""Every model family, each declared once in its own module; importing this package registers
them (in the order the app lists them). To add a family: write its module (a Family with its
defaults, networks, run class, series, phases and words) and add it to this list."""

from ganvis.engine.families import aae, ae, dcgan, gan, saae

__all__ = ["aae", "ae", "dcgan", "gan", "saae"]
