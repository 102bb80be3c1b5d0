"""The app's preferences: one documented dataclass, persisted with QSettings in the Stepwise data folder.

The INI file lives next to the SQLite store (`paths.data_dir()/settings.ini`), so `$STEPWISE_HOME`
redirects it too and tests never touch a real user's preferences.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from PySide6.QtCore import QSettings

from tutor import paths
from tutor.solve.config import STRATEGIES, SolveConfig, field_problem

__all__ = ["DEVICES", "STRATEGIES", "AppSettings", "load_settings", "save_settings"]

DEVICES = ("auto", "cpu", "cuda")


@dataclass
class AppSettings(SolveConfig):
    """Everything the Settings tab edits: the model to load, and the one `SolveConfig` every solve runs under
    (the same fields, defaults and validation as `tutor solve` and `trainer eval`)."""

    model_path: str = ""
    """Generator model: "" = the bundled default, else an HF model folder or a .gguf file."""
    verifier_path: str = ""
    """Verifier model: "" = the generator model doubles as verifier (the multi-task model of phase 3)."""
    device: str = "auto"
    """Where the transformers backend runs: auto (GPU when present), cpu or cuda."""
    threads: int = 0
    """CPU threads for the model (llama.cpp or torch); 0 = the backend's default."""

    def config_errors(self) -> list[str]:
        return [problem for spec in fields(self) if (problem := _problem(spec.name, getattr(self, spec.name)))]

    def validate(self) -> list[str]:
        """Human-readable problems with these values (empty when fine)."""
        return self.config_errors()


def settings_store() -> QSettings:
    return QSettings(str(paths.data_dir() / "settings.ini"), QSettings.Format.IniFormat)


def _read(raw: object, default: object) -> object:
    """A stored value in the type of its default (an INI file gives every value back as a string)."""
    if isinstance(default, bool):  # bool("false") is True
        return raw if isinstance(raw, bool) else {"true": True, "false": False}[str(raw).lower()]
    if default is None:  # an optional number (seed): empty means None
        return None if raw in (None, "", "@Invalid()") else int(raw)
    return type(default)(raw)


def load_settings() -> tuple[AppSettings, list[str]]:
    """Saved preferences and a note per stored value that was unreadable or invalid: that field alone
    falls back to its default."""
    qsettings = settings_store()
    defaults = AppSettings()
    values, notes = {}, []
    for spec in fields(AppSettings):
        default = getattr(defaults, spec.name)
        if not qsettings.contains(spec.name):
            continue
        raw = qsettings.value(spec.name)
        try:
            value = _read(raw, default)
        except (TypeError, ValueError, KeyError):
            notes.append(f"the stored {spec.name} {raw!r} is unreadable; using {default!r}")
            continue
        problem = _problem(spec.name, value)
        if problem:
            notes.append(f"{problem}; using {default!r}")
            continue
        values[spec.name] = value
    return AppSettings(**values), notes


def _problem(name: str, value: object) -> str | None:
    """Why one stored value is invalid (the SolveConfig's own check for its fields), or None."""
    if name == "device" and value not in DEVICES:
        return f"unknown device {value!r}; choose one of {', '.join(DEVICES)}"
    if name == "threads" and value < 0:
        return f"threads must be >= 0 (got {value})"
    return field_problem(AppSettings, name, value)


def save_settings(settings: AppSettings) -> None:
    qsettings = settings_store()
    for spec in fields(AppSettings):
        value = getattr(settings, spec.name)
        qsettings.setValue(spec.name, "" if value is None else value)
    qsettings.sync()
