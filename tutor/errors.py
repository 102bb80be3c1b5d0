"""The one family of user-facing errors.

Anything raised as a `StepwiseError` is shown to the user as its message (CLI stderr, GUI status bar);
any other exception is a bug and keeps its traceback in the log.
"""


class StepwiseError(Exception):
    """An error the user can act on; its message says what went wrong and what to do."""


class ModelLoadError(StepwiseError):
    """A model file or folder is missing, corrupt, truncated or of an unsupported kind."""


class DataError(StepwiseError):
    """An input data file is malformed; the message names the file, line and field."""


class StoreError(StepwiseError):
    """The SQLite store cannot be opened or written (locked, corrupt, newer schema)."""


class ConfigError(StepwiseError):
    """A config or recipe is invalid (unknown key, wrong type, out-of-range value)."""


class TrainingError(StepwiseError):
    """A training run cannot start or continue (no data, no checkpoint to resume, ...)."""


class DownloadError(StepwiseError):
    """A model download cannot go on; what is already on disk is kept and the message says what to do."""


class HubOfflineError(DownloadError):
    """The Hugging Face Hub cannot be reached (no network, or HF_HUB_OFFLINE is set)."""


class HubNotFoundError(DownloadError):
    """The repository, file or revision does not exist on the Hub (or is private to others)."""


class DiskFullError(DownloadError):
    """Not enough free disk space to download (or finish downloading) a model."""


class ChecksumError(DownloadError):
    """A downloaded file does not match the checksum the Hub published for it; it was not kept."""


class DownloadCancelled(DownloadError):
    """The user stopped a download; the bytes received so far are kept for the next attempt."""
