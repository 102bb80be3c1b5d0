"""Foundation: the CLI entry points parse, user-facing errors become exit code 2, data dirs are redirected.

Run: python -m pytest tests/test_foundation.py
"""

import subprocess
import sys

from tutor import cli, paths
from tutor.errors import ModelLoadError, StepwiseError


def test_data_dir_follows_environment(stepwise_home):
    assert paths.data_dir() == stepwise_home
    assert paths.db_path().parent == stepwise_home
    assert stepwise_home.is_dir()


def test_user_facing_error_is_a_message_and_exit_code_2(monkeypatch, capsys):
    def fail(_args):
        raise ModelLoadError("model file is truncated: /x.gguf")

    monkeypatch.setattr(cli, "_cmd_solve", fail)
    assert cli.main(["solve"]) == 2
    assert "model file is truncated" in capsys.readouterr().err
    assert issubclass(ModelLoadError, StepwiseError)


def test_console_scripts_show_help():
    for module in ("tutor.cli", "trainer.cli"):
        out = subprocess.run([sys.executable, "-m", module, "--help"], capture_output=True, text=True, check=True)
        assert "usage:" in out.stdout
