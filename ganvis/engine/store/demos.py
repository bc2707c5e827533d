"""Demo models shipped in resources/models/, and model arguments that may name one."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from ganvis.engine.errors import ModelFileError
from ganvis.engine.quality.evalnet import load_eval_net
from ganvis.resources import resource

DEMOS: dict[str, str] = {
    "demo-dcgan": "DCGAN trained on the built-in digits (mnist5k)",
    "demo-saae": "supervised AAE: style x digit, pick the digit and vary the hand",
    "demo-aae2d": "AAE with a 2-D latent and the mog10 prior (10 Gaussians on a circle)",
}
REBUILD = "python scripts/train_demo_models.py"


def demo_path(name: str) -> Path:
    """Where the demo model `name` lives: resources/models/<name>.h5."""
    if name not in DEMOS:
        raise ModelFileError(f"{name}: not a demo model (demo models: {', '.join(DEMOS)})")
    return resource("models", f"{name}.h5")


def is_demo(path: str | Path) -> bool:
    """Whether `path` is one of the shipped demo model files."""
    try:
        return Path(path).resolve().parent == resource("models", "x").resolve().parent
    except OSError:
        return False


def resolve_model(spec: str | Path) -> Path:
    """A model argument as a file: an existing file as is, a demo name as its shipped file."""
    path = Path(spec)
    if path.is_file():
        return path
    name = str(spec)
    if name in DEMOS:
        found = demo_path(name)
        if not found.is_file():
            raise ModelFileError(f"{name}: the demo model file {found} is missing; rebuild the "
                                 f"demo models with `{REBUILD}`")
        return found
    if path.is_dir():
        raise ModelFileError(f"{spec}: a folder, not a model file (demo models: "
                             f"{', '.join(DEMOS)})")
    raise ModelFileError(f"{spec}: no such model file (demo models: {', '.join(DEMOS)})")


def digit_predictions(sampler, styles: int, seed: int) -> np.ndarray:
    """What the evaluation classifier calls each of `styles` prior codes decoded as each digit:
    a (num_classes, styles) array whose row d should hold d (a saae's digit control)."""
    if not sampler.conditional:
        raise ModelFileError(f"a {sampler.config.model} takes no digit")
    z = sampler.z(styles, seed)
    net = load_eval_net("cpu")
    rows = []
    for d in range(sampler.num_classes):
        images = sampler(z, np.full(styles, d))
        with torch.inference_mode():
            rows.append(net(torch.from_numpy(images).unsqueeze(1)).argmax(1).numpy())
    return np.stack(rows)
