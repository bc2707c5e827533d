"""Opening run files: to continue training (load_run), to sample (load_sampler), to take a
style (load_style), or to explore a model whose data set is not here (explore_file)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ganvis.engine.config import RunConfig
from ganvis.engine.data import Dataset, load_dataset
from ganvis.engine.errors import GanvisError, ModelFileError
from ganvis.engine.latent.sampler import Sampler
from ganvis.engine.runs.base import Run, new_run
from ganvis.engine.runs.snapshot import Snapshot, frozen
from ganvis.engine.store.runfile import RunFile, reading


def load_sampler(path: str | Path, device: str = "cpu") -> Sampler:
    """A generator ready to sample (no data set needed): for `ganvis sample` and exploring."""
    with reading(path), RunFile(path) as rf:
        fam = rf.family
        nets = rf.build()
        gen = fam.sampling_net(nets)
        wanted = [gen] + ([fam.encoder] if fam.encoder else [])
        for key in wanted:
            nets[key].load_state_dict(rf.weights(key, nets[key]))
        encoder = nets[fam.encoder] if fam.encoder else None
        return Sampler(nets[gen], rf.config, rf.shape, step=rf.counters["step"],
                       device=device, num_classes=rf.num_classes, encoder=encoder)


def load_style(path: str | Path, index: int, dataset: Dataset | None = None) -> np.ndarray:
    """The encoder's code (for a saae: the style) of image `index` of the model's data set."""
    sampler = load_sampler(path)
    if sampler.encoder is None:
        raise ModelFileError(f"{path}: a {sampler.config.model} has no encoder to take a style "
                             "from")
    ds = dataset if dataset is not None else load_dataset(sampler.config.data)
    if not 0 <= index < ds.size:
        raise GanvisError(f"image {index}: {ds.name} holds images 0 to {ds.size - 1}")
    return sampler.encode(np.array(ds.images[index:index + 1]))[0]


def load_run(path: str | Path, dataset: Dataset | None = None, device: str | None = None,
             batch_size: int | None = None) -> Run:
    """Reopen a run to continue training it (on its own data set unless one is given,
    optionally on another device or with another batch size)."""
    with reading(path), RunFile(path) as rf:
        changes = {k: v for k, v in (("device", device), ("batch_size", batch_size)) if v}
        config = rf.config.replace(**changes)
    run = new_run(config, dataset)
    with reading(path), RunFile(path) as rf:
        if run.dataset.sample_shape != rf.shape:
            raise ModelFileError(f"{path}: the model makes samples of shape {rf.shape} but "
                                 f"{run.dataset.name} holds {run.dataset.sample_shape}")
        if run.num_classes != rf.num_classes:
            raise ModelFileError(f"{path}: the model knows {rf.num_classes} digits but "
                                 f"{run.dataset.name} has {run.num_classes}")
        state = rf.state(run.nets, run.opts)
    run.load_state(state)
    return run


@dataclass(frozen=True)
class Exploration:
    """A model opened without its data set: its sampler, its record and what the views show."""

    sampler: Sampler
    config: RunConfig
    history: dict  # the series, plus "metrics", "timeline", "waterfall" (as RunHistory.load takes)
    snapshot: Snapshot


def explore_file(path: str | Path) -> Exploration:
    """Open a model to look at and sample from, with no data set: samples, no verdicts."""
    sampler = load_sampler(path)
    with reading(path), RunFile(path) as rf:
        history, grid, c = rf.history(), rf.grid(), rf.counters
        history["metrics"] = rf.history("metrics")
        history["timeline"] = rf.timeline()
        history["waterfall"] = rf.waterfall()
    if grid is None:
        grid = sampler.sample(64, 0)
    empty = np.zeros(0, np.float32)
    snap = Snapshot(
        model=sampler.config.model, step=c["step"], d_steps=c["d_steps"], g_steps=c["g_steps"],
        images_seen=c["images_seen"], elapsed=c["elapsed"], images_per_s=0.0, steps_per_s=0.0,
        losses={}, grid=frozen(grid), real_probs=empty, fake_probs=empty, device="cpu")
    return Exploration(sampler, sampler.config, history, snap)
