"""The headless engine: data, models, training runs, metrics and files. Never imports Qt."""

from ganvis.engine.config import RunConfig
from ganvis.engine.errors import ConfigError, DataError, GanvisError, ModelFileError
from ganvis.engine.runs.base import Run, Snapshot

__all__ = [
    "ConfigError",
    "DataError",
    "GanvisError",
    "ModelFileError",
    "Run",
    "RunConfig",
    "Snapshot",
]
