"""Render the app icon `assets/icons/stepwise.svg` to the PNG sizes desktops look for.

Run from the repository root: `QT_QPA_PLATFORM=offscreen python packaging/make_icons.py` (rewrites
`assets/icons/stepwise-<size>.png`; commit them together with any change to the SVG).
The PNGs are committed so a build needs no rendering step; tests/test_packaging.py checks they match.
"""

from __future__ import annotations

import sys
from pathlib import Path

ICONS = Path(__file__).resolve().parent.parent / "assets" / "icons"
SVG = ICONS / "stepwise.svg"
SIZES = (16, 24, 32, 48, 64, 128, 256, 512)


def png_path(size: int) -> Path:
    return ICONS / f"stepwise-{size}.png"


def render(size: int):
    """The SVG drawn into a transparent size x size QImage."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    renderer = QSvgRenderer(str(SVG))
    if not renderer.isValid():
        raise SystemExit(f"{SVG} is not a valid SVG")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    renderer.render(painter)
    painter.end()
    return image


def main() -> int:
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # QImage text/SVG need one
    for size in SIZES:
        if not render(size).save(str(png_path(size))):
            raise SystemExit(f"could not write {png_path(size)}")
        print(png_path(size).relative_to(ICONS.parent.parent))
    return 0


if __name__ == "__main__":
    sys.exit(main())
