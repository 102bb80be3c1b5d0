"""Where Stepwise keeps its files.

User data (the SQLite store, run outputs) lives in platformdirs' user data dir, or in `$STEPWISE_HOME` when
set (tests point it at a temporary folder). The bundled default model lives in `assets/model`, or in
`$STEPWISE_MODEL` when set. In a PyInstaller bundle the read-only files (assets, trainer recipes) sit in
the bundle's `sys._MEIPASS` folder instead of the source checkout.
"""

import os
import sys
from pathlib import Path

import platformdirs

# Frozen (PyInstaller) builds unpack data files under sys._MEIPASS; a checkout keeps them beside tutor/.
REPO_ROOT = Path(getattr(sys, "_MEIPASS", None) or Path(__file__).resolve().parent.parent)
ASSETS_DIR = REPO_ROOT / "assets"


def data_dir() -> Path:
    """The user data folder, created on first use."""
    override = os.environ.get("STEPWISE_HOME")
    path = Path(override) if override else Path(platformdirs.user_data_dir("stepwise", appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def db_path() -> Path:
    """The one SQLite file shared by the app and a running trainer."""
    return data_dir() / "stepwise.sqlite"


def runs_dir() -> Path:
    """Where training runs write checkpoints and exported models."""
    path = data_dir() / "runs"
    path.mkdir(parents=True, exist_ok=True)
    return path


def bundled_model_dir() -> Path:
    """The embedded default model (HF folder with safetensors; the GGUF file sits inside it)."""
    override = os.environ.get("STEPWISE_MODEL")
    return Path(override) if override else ASSETS_DIR / "model"
