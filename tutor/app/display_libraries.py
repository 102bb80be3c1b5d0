"""Before Qt starts on Linux: are the system libraries its X11 platform plugin (xcb) needs installed?

Qt's xcb plugin links against libraries a bare desktop may lack (Debian: libxcb-cursor0, libxcb-icccm4,
libxcb-keysyms1, ...). Without them Qt aborts with a long message that names the plugin but not always the
library. `display_problem()` reads the plugin's dependencies with `ldd` (or, without ldd, looks the usual
ones up with `ctypes.util.find_library`) and returns one sentence naming what is missing and the Debian
packages that bring it, or None when nothing is:

    problem = display_problem()     # None on Windows/macOS, under another Qt platform, or when all is there
"""

from __future__ import annotations

import ctypes.util
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

# What the xcb plugin of Qt 6 needs beyond libc, for the look-up without ldd (Qt's "X11 requirements").
XCB_LIBRARIES = (
    "libxcb.so.1", "libX11-xcb.so.1", "libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-image.so.0",
    "libxcb-keysyms.so.1", "libxcb-randr.so.0", "libxcb-render-util.so.0", "libxcb-shape.so.0",
    "libxcb-xkb.so.1", "libxkbcommon-x11.so.0", "libxkbcommon.so.0",
)
_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found", re.M)


def debian_package(soname: str) -> str:
    """The Debian package of a shared library by Debian's naming rule: libxcb-icccm.so.4 -> libxcb-icccm4,
    libxkbcommon-x11.so.0 -> libxkbcommon-x11-0 (a name ending in a digit gets a hyphen), libX11-xcb.so.1 ->
    libx11-xcb1."""
    stem, _, version = soname.partition(".so")
    version = version.lstrip(".").split(".")[0]
    stem = stem.lower()
    return stem + ("-" if stem[-1:].isdigit() and version else "") + version


def missing_message(missing: Iterable[str]) -> str | None:
    """One sentence naming the missing libraries and the packages to install (None when nothing is missing)."""
    names = sorted(set(missing))
    if not names:
        return None
    packages = " ".join(dict.fromkeys(debian_package(name) for name in names))
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return (f"Stepwise cannot open its window: Qt's X11 platform plugin needs {listed}, which "
            f"{'is' if len(names) == 1 else 'are'} not installed (on Debian or Ubuntu: sudo apt-get install "
            f"{packages}).")


def xcb_plugin() -> Path | None:
    """Qt's xcb platform plugin file, as this PySide6 has it (inside a PyInstaller bundle too)."""
    from PySide6.QtCore import QLibraryInfo  # QtCore loads no platform plugin

    plugin = Path(QLibraryInfo.path(QLibraryInfo.LibraryPath.PluginsPath)) / "platforms" / "libqxcb.so"
    return plugin if plugin.is_file() else None


def missing_libraries(plugin: Path, run: Callable[[list[str]], str] | None = None,
                      find: Callable[[str], str | None] = ctypes.util.find_library) -> list[str]:
    """The shared libraries `plugin` needs that the dynamic loader cannot find."""
    if run is None and shutil.which("ldd") is None:
        return [name for name in XCB_LIBRARIES if find(name.removeprefix("lib").split(".so")[0]) is None]
    run = run or (lambda command: subprocess.run(command, capture_output=True, text=True, timeout=10).stdout)
    try:
        output = run(["ldd", str(plugin)])
    except (OSError, subprocess.SubprocessError):
        return []
    return sorted(set(_NOT_FOUND.findall(output)))


def uses_xcb(environ: dict[str, str] | os._Environ = os.environ, platform: str = sys.platform) -> bool:
    """Whether Qt will start on its xcb plugin here: Linux, and QT_QPA_PLATFORM xcb or unset outside Wayland."""
    if not platform.startswith("linux"):
        return False
    chosen = environ.get("QT_QPA_PLATFORM", "").strip()
    if chosen:
        return chosen.split(";")[0].split(":")[0] == "xcb"
    return not environ.get("WAYLAND_DISPLAY")


def display_problem() -> str | None:
    """The sentence to print instead of starting Qt, or None when Qt can start its window."""
    if not uses_xcb():
        return None
    plugin = xcb_plugin()
    return None if plugin is None else missing_message(missing_libraries(plugin))
