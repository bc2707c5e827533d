"""The headless engine: data, models, training runs, metrics and files. Never imports Qt.

Importing it registers every model family (families/); `ganvis.engine.family.family(name)`
looks one up."""

from ganvis.engine import families  # noqa: F401  (registers every family)
from ganvis.engine.config import RunConfig
from ganvis.engine.errors import ConfigError, DataError, GanvisError, ModelFileError
from ganvis.engine.family import Family
from ganvis.engine.runs.base import Run, new_run
from ganvis.engine.runs.loop import Hooks, Pacing, TrainingLoop
from ganvis.engine.runs.snapshot import Snapshot

__all__ = [
    "ConfigError",
    "DataError",
    "Family",
    "GanvisError",
    "Hooks",
    "ModelFileError",
    "Pacing",
    "Run",
    "RunConfig",
    "Snapshot",
    "TrainingLoop",
    "new_run",
]
