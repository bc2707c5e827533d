"""Persistent settings (window layout, last config, recent files) via QSettings."""

from __future__ import annotations

import json
import os

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QMainWindow

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


def restore_view(settings: QSettings, window: QMainWindow, panels) -> None:
    """The window's last geometry and dock layout, and the views' own switches; with none
    saved, the docks take their first sizes once the window is shown at its own."""
    geo, state = settings.value("window/geometry"), settings.value("window/state")
    if isinstance(geo, QByteArray):
        window.restoreGeometry(geo)
    if not isinstance(state, QByteArray) or not window.restoreState(state):
        panels.fit_on_show = True
    panels.curves.log.setChecked(settings.value("view/log", False, type=bool))
    panels.samples.fresh.setChecked(settings.value("view/fresh_z", False, type=bool))
    if not settings.value("launched", False, type=bool):
        settings.setValue("launched", True)
        window.statusBar().showMessage("New here? Press Train to watch a GAN learn, or open a "
                                       "trained model from Help > Demo models.", 30000)


def remember_view(settings: QSettings, window: QMainWindow, panels) -> None:
    settings.setValue("window/geometry", window.saveGeometry())
    settings.setValue("window/state", window.saveState())
    settings.setValue("view/log", panels.curves.log.isChecked())
    settings.setValue("view/fresh_z", panels.samples.fresh.isChecked())
    settings.sync()
