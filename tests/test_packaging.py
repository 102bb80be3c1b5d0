"""Packaging: the bundle's entry point, desktop entry, icons and installer script; opt-in, the real bundle.

Quick checks (run by default): `python -m pytest tests/test_packaging.py -q`.
The bundle itself (builds it with packaging/build.sh using this interpreter's environment, then runs it
offscreen until it has solved one problem; minutes of CPU):
    python -m pytest tests/test_packaging.py -m packaging -s -q
Set STEPWISE_BUNDLE=dist/stepwise to test an already built bundle instead of building. The measured
bundle size and cold-start times are printed and written to test-artifacts/packaging.json, and the
bundled app's window with its first answer to test-artifacts/bundle-solve.png.
"""

from __future__ import annotations

import configparser
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGING = ROOT / "packaging"
ICONS = ROOT / "assets" / "icons"
ENTRY = PACKAGING / "stepwise_entry.py"
sys.path.insert(0, str(PACKAGING))
import make_icons  # noqa: E402 - packaging/ is not a package
from smoke import run_smoke  # noqa: E402

GRADER_JOB = '{"op": "equivalent", "args": ["\\\\frac{1}{2}", "0.5"], "timeout": 30}\n'


def read_desktop_entry(path: Path) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive in desktop files
    parser.read(path, encoding="utf-8")
    return dict(parser["Desktop Entry"])


# -- entry point: `stepwise -m MODULE` stands in for `python -m MODULE` inside the bundle -----------------
def run_entry(*args: str, stdin: str = "", program: list[str] | None = None, env=None, timeout=120):
    command = (program or [sys.executable, str(ENTRY)]) + list(args)
    return subprocess.run(command, input=stdin, capture_output=True, text=True, timeout=timeout, env=env, cwd=ROOT)


def test_entry_runs_the_grading_worker_as_python_m_would():
    done = run_entry("-m", "tutor.grading._symbolic_worker", stdin=GRADER_JOB)
    assert done.returncode == 0, done.stderr
    assert [json.loads(line) for line in done.stdout.splitlines()] == [{"ready": True}, {"result": True}]


def test_entry_refuses_modules_outside_stepwise():
    done = run_entry("-m", "http.server")
    assert done.returncode == 2 and "only tutor and trainer" in done.stderr and not done.stdout


def test_entry_without_m_is_the_tutor_command():
    done = run_entry("grade", "\\frac{1}{2}", "0.5")
    assert done.returncode == 0 and done.stdout.strip() == "equivalent"
    done = run_entry("grade", "\\frac{1}{2}", "0.6")
    assert done.returncode == 1 and done.stdout.strip() == "not equivalent"


def test_entry_passes_the_modules_exit_code_through():
    done = run_entry("-m", "trainer.cli", "no-such-command")
    assert done.returncode == 2 and "invalid choice" in done.stderr


# -- desktop entry and icons --------------------------------------------------------------------------------
def test_desktop_entry_names_the_program_and_an_icon_we_ship():
    entry = read_desktop_entry(PACKAGING / "stepwise.desktop")
    assert entry["Type"] == "Application" and entry["Name"] == "Stepwise"
    assert entry["Exec"] == entry["TryExec"] == "stepwise" and entry["Terminal"] == "false"
    assert (ICONS / f"{entry['Icon']}.svg").is_file()
    assert "Education" in entry["Categories"].split(";")
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(["desktop-file-validate", str(PACKAGING / "stepwise.desktop")], capture_output=True, text=True)
        assert check.returncode == 0, check.stdout + check.stderr


def test_committed_icons_are_the_svg_rendered_at_each_size(qapp):
    from PySide6.QtGui import QImage

    for size in make_icons.SIZES:
        committed = QImage(str(make_icons.png_path(size)))
        assert (committed.width(), committed.height()) == (size, size), f"{size}px icon missing or wrong size"
        fresh = make_icons.render(size).convertToFormat(committed.format())
        # Same picture (allowing for anti-aliasing differences between Qt versions): mean channel error.
        changed = sum(abs(a - b) for a, b in zip(bytes(committed.constBits()), bytes(fresh.constBits()), strict=True))
        assert changed / (size * size * 4) < 2.0, f"assets/icons/stepwise-{size}.png is stale: rerun make_icons.py"


def test_install_desktop_script_installs_and_removes_a_menu_entry(tmp_path):
    bundle = tmp_path / "stepwise"
    (bundle / "icons").mkdir(parents=True)
    program = bundle / "stepwise"
    program.write_text("#!/bin/sh\n")
    program.chmod(0o755)
    for path in [*ICONS.glob("stepwise*"), PACKAGING / "stepwise.desktop", PACKAGING / "install-desktop.sh"]:
        shutil.copy(path, bundle / ("icons" if path.parent == ICONS else "") / path.name)
    env = {**os.environ, "XDG_DATA_HOME": str(tmp_path / "share")}

    done = subprocess.run(["bash", str(bundle / "install-desktop.sh")], capture_output=True, text=True, env=env)
    assert done.returncode == 0, done.stderr
    installed = read_desktop_entry(tmp_path / "share" / "applications" / "stepwise.desktop")
    assert installed["Exec"] == f'"{program}"' and installed["TryExec"] == str(program)
    assert installed["Icon"] == "stepwise"
    assert (tmp_path / "share/icons/hicolor/48x48/apps/stepwise.png").read_bytes() == (ICONS / "stepwise-48.png").read_bytes()

    done = subprocess.run(["bash", str(bundle / "install-desktop.sh"), "--remove"], capture_output=True, text=True, env=env)
    assert done.returncode == 0 and not (tmp_path / "share" / "applications" / "stepwise.desktop").exists()
    assert not (tmp_path / "share/icons/hicolor/48x48/apps/stepwise.png").exists()


def test_build_script_is_valid_bash_and_explains_itself():
    assert subprocess.run(["bash", "-n", str(PACKAGING / "build.sh")]).returncode == 0
    done = subprocess.run(["bash", str(PACKAGING / "build.sh"), "--help"], capture_output=True, text=True)
    assert done.returncode == 0 and "dist/stepwise" in done.stdout


# -- the real bundle (opt-in) -------------------------------------------------------------------------------
def folder_size(folder: Path) -> int:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file() and not path.is_symlink())


@pytest.fixture(scope="module")
def bundle() -> Path:
    prebuilt = os.environ.get("STEPWISE_BUNDLE")
    if prebuilt:
        return Path(prebuilt).resolve()
    started = time.monotonic()
    subprocess.run(["bash", str(PACKAGING / "build.sh"), "--python", sys.executable], cwd=ROOT, check=True, timeout=3600)
    print(f"\nbuild took {time.monotonic() - started:.0f} s")
    return ROOT / "dist" / "stepwise"


@pytest.mark.packaging
@pytest.mark.timeout(3600)  # the build alone takes many minutes on a small machine
def test_bundle_starts_offscreen_and_solves_one_problem(bundle, tmp_path):
    program = bundle / "stepwise"
    assert program.is_file() and os.access(program, os.X_OK)
    assert (bundle / "stepwise.desktop").is_file() and (bundle / "icons" / "stepwise-256.png").is_file()

    done = run_entry("--help", program=[str(program)])
    assert done.returncode == 0 and "solve" in done.stdout
    # the grading worker inside the bundle (sys.executable -m ...): a comparison that needs sympy
    done = run_entry("-m", "tutor.grading._symbolic_worker", stdin=GRADER_JOB, program=[str(program)])
    assert done.stdout.splitlines()[-1] == '{"result": true}', done.stderr

    (ROOT / "test-artifacts").mkdir(exist_ok=True)
    screenshot = ROOT / "test-artifacts" / "bundle-solve.png"
    events, stderr, code = run_smoke([str(program)], tmp_path / "first", "What is 2 + 3?", screenshot)
    assert code == 0 and [e["smoke"] for e in events] == ["window", "model", "answer"], stderr[-3000:]
    warm, _, code = run_smoke([str(program)], tmp_path / "second", "What is 2 + 3?")
    assert code == 0 and [e["smoke"] for e in warm] == ["window", "model", "answer"]
    # first run made its data folder and saved the solve to history
    assert (tmp_path / "first" / "stepwise.sqlite").is_file() and screenshot.stat().st_size > 10_000

    solved = run_entry("solve", "What is 2 + 3?", "--n", "4", "--json", program=[str(program)],
                       env={**os.environ, "STEPWISE_HOME": str(tmp_path / "cli")}, timeout=600)
    assert solved.returncode == 0, solved.stderr[-3000:]
    assert "answer" in json.loads(solved.stdout)

    numbers = {
        "bundle_bytes": folder_size(bundle),
        # First launch on a fresh data folder (creates it and the database), then a second launch. Both
        # read the bundle from the page cache when run right after the build: not a cold-disk start.
        "first_launch_s": {e["smoke"]: e["wall_s"] for e in events},
        "second_launch_s": {e["smoke"]: e["wall_s"] for e in warm},
        "answer": events[-1]["answer"],
        "confidence": events[-1]["confidence"],
    }
    (ROOT / "test-artifacts" / "packaging.json").write_text(json.dumps(numbers, indent=2))
    print("\n" + json.dumps(numbers, indent=2))
