"""The launch check of Qt's X11 libraries (issue 23 item 12): on a bare Debian desktop the app needs
libxcb-cursor0, libxcb-icccm4 and libxcb-keysyms1 before Qt starts; a missing one is named, with its package,
in one sentence, instead of Qt aborting.

Run: python -m pytest tests/test_display_libraries.py -q
"""

import pytest

from tutor.app import display_libraries, first_run

LDD_OUTPUT = """\
\tlinux-vdso.so.1 (0x00007ffd)
\tlibQt6XcbQpa.so.6 => /opt/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f)
\tlibxcb-cursor.so.0 => not found
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxcb-icccm.so.4 => not found
\tlibxcb.so.1 => /lib/x86_64-linux-gnu/libxcb.so.1 (0x00007f)
"""


@pytest.mark.parametrize("soname, package", [
    ("libxcb-cursor.so.0", "libxcb-cursor0"),
    ("libxcb-icccm.so.4", "libxcb-icccm4"),
    ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
    ("libxcb-render-util.so.0", "libxcb-render-util0"),
    ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),  # a name ending in a digit: a hyphen before the version
    ("libX11-xcb.so.1", "libx11-xcb1"),
    ("libEGL.so.1", "libegl1"),
])
def test_debian_package_names(soname, package):
    assert display_libraries.debian_package(soname) == package


def test_the_message_names_each_missing_library_and_its_package():
    message = display_libraries.missing_message({"libxcb-keysyms.so.1", "libxcb-cursor.so.0", "libxcb-icccm.so.4"})
    assert message == ("Stepwise cannot open its window: Qt's X11 platform plugin needs libxcb-cursor.so.0, "
                       "libxcb-icccm.so.4 and libxcb-keysyms.so.1, which are not installed (on Debian or Ubuntu: "
                       "sudo apt-get install libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1).")
    assert display_libraries.missing_message([]) is None


def test_missing_libraries_are_read_from_the_plugins_dependencies(tmp_path):
    commands = []
    missing = display_libraries.missing_libraries(tmp_path / "libqxcb.so",
                                                  run=lambda command: commands.append(command) or LDD_OUTPUT)
    assert commands == [["ldd", str(tmp_path / "libqxcb.so")]]
    assert missing == ["libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1"]


def test_without_ldd_the_usual_libraries_are_looked_up(monkeypatch, tmp_path):
    monkeypatch.setattr(display_libraries.shutil, "which", lambda name: None)
    present = {"xcb", "X11-xcb", "xcb-image", "xcb-randr", "xcb-render-util", "xcb-shape", "xcb-xkb",
               "xkbcommon-x11", "xkbcommon"}
    missing = display_libraries.missing_libraries(tmp_path / "libqxcb.so",
                                                  find=lambda name: f"lib{name}.so" if name in present else None)
    assert missing == ["libxcb-cursor.so.0", "libxcb-icccm.so.4", "libxcb-keysyms.so.1"]


@pytest.mark.parametrize("environ, platform, expected", [
    ({}, "linux", True),
    ({"QT_QPA_PLATFORM": "xcb"}, "linux", True),
    ({"QT_QPA_PLATFORM": "offscreen"}, "linux", False),
    ({"WAYLAND_DISPLAY": "wayland-0"}, "linux", False),
    ({}, "win32", False),
    ({}, "darwin", False),
])
def test_only_an_xcb_start_is_checked(environ, platform, expected):
    assert display_libraries.uses_xcb(environ, platform) is expected


def test_launch_says_which_library_is_missing_instead_of_starting_qt(monkeypatch, capsys):
    monkeypatch.setattr(first_run.QApplication, "instance", staticmethod(lambda: None))
    monkeypatch.setattr(display_libraries, "uses_xcb", lambda: True)
    monkeypatch.setattr(display_libraries, "xcb_plugin", lambda: display_libraries.Path("libqxcb.so"))
    monkeypatch.setattr(display_libraries, "missing_libraries", lambda plugin: ["libxcb-cursor.so.0"])
    assert first_run.launch() == 1
    assert "sudo apt-get install libxcb-cursor0" in capsys.readouterr().err
