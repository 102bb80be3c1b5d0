"""The app's preferences: one documented dataclass, persisted with QSettings in the Stepwise data folder.

The INI file lives next to the SQLite store (`paths.data_dir()/settings.ini`), so `$STEPWISE_HOME`
redirects it too and tests never touch a real user's preferences.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from PySide6.QtCore import QSettings

from tutor import paths

STRATEGIES = ("rr_topk", "maj1", "rr_all", "wrr", "wrr_topk", "greedy")
DEVICES = ("auto", "cpu", "cuda")


@dataclass
class AppSettings:
    """Everything the Settings tab edits."""

    model_path: str = ""
    """Generator model: "" = the bundled default, else an HF model folder or a .gguf file."""
    verifier_path: str = ""
    """Verifier model: "" = the generator model doubles as verifier (the multi-task model of phase 3)."""
    device: str = "auto"
    """Where the transformers backend runs: auto (GPU when present), cpu or cuda."""
    n: int = 16
    """Solutions sampled per problem (N); more is steadier and slower."""
    k: int = 8
    """Clusters kept for verifier re-ranking (K of SCR's RR.Top-K)."""
    temperature: float = 0.7
    """Sampling temperature; 0 means greedy (then N > 1 adds nothing)."""
    strategy: str = "rr_topk"
    """How the answer is chosen: a `tutor.solve` strategy name (rr_topk = solution-cluster re-ranking)."""
    max_new_tokens: int = 384
    """Longest solution sampled, in tokens."""
    threads: int = 0
    """CPU threads for the model (llama.cpp or torch); 0 = the backend's default."""
    step_check: bool = True
    """Discount solutions whose arithmetic steps do not hold before re-ranking (`tutor.solve.checked`)."""

    def validate(self) -> list[str]:
        """Human-readable problems with these values (empty when fine)."""
        problems = []
        if self.n < 1:
            problems.append("N must be at least 1")
        if self.k < 1:
            problems.append("k must be at least 1")
        if not 0 <= self.temperature <= 2:
            problems.append("temperature must be between 0 and 2")
        if self.strategy not in STRATEGIES:
            problems.append(f"unknown strategy {self.strategy!r}; choose one of {', '.join(STRATEGIES)}")
        if self.device not in DEVICES:
            problems.append(f"unknown device {self.device!r}; choose one of {', '.join(DEVICES)}")
        return problems


def settings_store() -> QSettings:
    return QSettings(str(paths.data_dir() / "settings.ini"), QSettings.Format.IniFormat)


def load_settings() -> AppSettings:
    """Saved preferences, falling back field by field to the defaults when missing or malformed."""
    qsettings = settings_store()
    defaults = AppSettings()
    values = {}
    for spec in fields(AppSettings):
        default = getattr(defaults, spec.name)
        raw = qsettings.value(spec.name, default)
        try:
            if isinstance(default, bool):  # an INI file gives "true"/"false" back, and bool("false") is True
                values[spec.name] = raw if isinstance(raw, bool) else {"true": True, "false": False}[str(raw).lower()]
                continue
            values[spec.name] = type(default)(raw)
        except (TypeError, ValueError, KeyError):
            values[spec.name] = default
    settings = AppSettings(**values)
    return settings if not settings.validate() else defaults


def save_settings(settings: AppSettings) -> None:
    qsettings = settings_store()
    for spec in fields(AppSettings):
        qsettings.setValue(spec.name, getattr(settings, spec.name))
    qsettings.sync()
