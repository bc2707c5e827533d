"""Persistent settings (window layout, last config, recent files) via QSettings."""

from __future__ import annotations

import json
import os

from PySide6.QtCore import QSettings

from ganvis.engine import ConfigError, RunConfig
from ganvis.engine.family import family

MAX_RECENT = 8


def app_settings() -> QSettings:
    """The user's settings; GANVIS_SETTINGS=FILE.ini redirects them (tests use a temp file)."""
    path = os.environ.get("GANVIS_SETTINGS")
    if path:
        return QSettings(path, QSettings.Format.IniFormat)
    return QSettings("ganvis", "ganvis")


def recent(settings: QSettings, key: str) -> list[str]:
    value = settings.value(f"recent/{key}", [])
    if isinstance(value, str):
        value = [value]
    return [v for v in value or [] if isinstance(v, str)]


def add_recent(settings: QSettings, key: str, item: str) -> list[str]:
    items = [item] + [v for v in recent(settings, key) if v != item]
    settings.setValue(f"recent/{key}", items[:MAX_RECENT])
    return items[:MAX_RECENT]


def saved_config(settings: QSettings) -> RunConfig:
    """The last run's config, or the default (DCGAN on MNIST-5k) if none or unreadable."""
    text = settings.value("run/config", "")
    if isinstance(text, str) and text:
        try:
            c = RunConfig.from_json(text)
            kind = family(c.model).data
            if c.data and c.data not in kind.builtin and not _exists(c.data):
                c = c.replace(data=kind.default)  # the file has gone: the family's own set
            return c
        except ConfigError:
            pass
    return RunConfig()


def save_config(settings: QSettings, config: RunConfig) -> None:
    settings.setValue("run/config", json.dumps(config.to_dict()))


def _exists(spec: str) -> bool:
    return os.path.exists(spec.split(":", 1)[-1])
