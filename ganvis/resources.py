"""Where the shipped resources (built-in data, weights, icons) live."""

from __future__ import annotations

import os
from pathlib import Path


def resources_dir() -> Path:
    """The `resources/` folder beside the package (override with GANVIS_RESOURCES)."""
    env = os.environ.get("GANVIS_RESOURCES")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent.parent / "resources"


def resource(*parts: str) -> Path:
    return resources_dir().joinpath(*parts)
