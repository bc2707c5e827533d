"""Every model family, each declared once in its own module; this list is the registry's one
entry per family, in the order the app lists them. To add a family: write its module (a
Family with its defaults, networks, run class, series, phases and words) and add it here."""

from ganvis.engine.families import aae, ae, dcgan, gan, gan2d, saae
from ganvis.engine.family import register

for _module in (dcgan, gan, aae, saae, ae, gan2d):
    register(_module.FAMILY)
