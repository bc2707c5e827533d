"""Run and model files: HDF5 with a format version, the config as JSON, weights as data sets.

Layout (format_version 1; see the README for the full description):
  attrs    format="ganvis-run", format_version, ganvis_version, config (JSON), image_shape,
           step, d_steps, g_steps, images_seen, elapsed, created, data_name
  attrs    num_classes (digits a conditional decoder takes), bernoulli (its pixel model)
  weights/<net>/<name>                    state_dict tensors (float32; int64 counters); nets
                                          G, D (GANs) or encoder, decoder, D (autoencoders)
  optim/<opt>/<i>/<name>                  Adam state per parameter index (optional)
  history/<column>                        float64 series, one value per snapshot
  metrics/<column>                        float64 series, one value per quality measurement
                                          (step, fcd, coverage, class_kl, score, ...)
  samples/grid, samples/grid_z            the last sample grid and its fixed codes
  timeline/steps, timeline/grids          every snapshot's grid (uint8, N x n x H x W)
  waterfall/steps, waterfall/real, waterfall/fake
                                          every snapshot's D(x) histograms (float32 shares,
                                          N x 40; absent without an adversary; optional)
  rng/train                               the training random generator's state (optional)
Everything read is checked; nothing is unpickled; writes are atomic. runfile.py and records.py
read, save.py writes, load.py opens a file as a run, a sampler or something to explore.
"""

from ganvis.engine.store.load import (
    Exploration,
    explore_file,
    load_run,
    load_sampler,
    load_style,
)
from ganvis.engine.store.runfile import FORMAT, FORMAT_VERSION, RunFile
from ganvis.engine.store.save import save_run

__all__ = ["FORMAT", "FORMAT_VERSION", "Exploration", "RunFile", "explore_file", "load_run",
           "load_sampler", "load_style", "save_run"]
