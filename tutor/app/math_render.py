"""Render text with inline LaTeX as HTML whose math is images drawn by matplotlib's mathtext.

Why mathtext and not KaTeX in a QWebEngineView: mathtext is pure Python (one pip dependency, no Chromium),
renders identically offscreen in tests and in exports, and draws fractions, roots, exponents and Greek as
real math. It lacks a few commands (\\boxed, \\displaystyle, matrices); `normalize_latex` rewrites those it
can and matrices are composed here from one image per cell. Anything mathtext still cannot parse is shown
as the raw LaTeX in a monospace span, so a solution is never lost because it could not be drawn.

The result is a `RenderedHtml`: HTML that refers to images by name plus the PNG bytes of each image, so the
same rendering feeds a QTextBrowser (images added as document resources) and an exported HTML file
(images inlined as data URIs).
"""

from __future__ import annotations

import base64
import html
import io
import logging
import re
from dataclasses import dataclass, field
from functools import lru_cache

from matplotlib import mathtext
from matplotlib.font_manager import FontProperties
from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QUrl
from PySide6.QtGui import QColor, QImage, QPainter, QPen, QTextDocument

log = logging.getLogger(__name__)

# Formula size: a little above the 12 pt text around it, so fractions stay readable.
FONT_SIZE = 12
DPI = 105
# Device pixels per logical pixel (2 on a HiDPI screen): formulas are drawn that much finer and shown at
# their logical size, so they stay sharp. Set once by the app from its screen (`set_scale`).
_scale = 1.0


def set_scale(scale: float) -> None:
    global _scale
    if scale > 0 and scale != _scale:
        _scale = scale
        render_formula.cache_clear()

# Delimited math: $$..$$, \[..\], \(..\), $..$ (in that order, so $$ wins over $).
_DELIMITED = re.compile(r"\$\$(.+?)\$\$|\\\[(.+?)\\\]|\\\((.+?)\\\)|(?<!\\)\$(.+?)(?<!\\)\$", re.S)
_MATRIX = re.compile(r"\\begin\{([pbvB]?matrix|array)\}(?:\{[^}]*\})?(.*?)\\end\{\1\}", re.S)
_LATEX_HINT = re.compile(r"\\[A-Za-z]+|[\^_{}]")
# An English word, or identifiers such as rr_topk (x_1 or a_n stay math: one-letter bases are variables).
_WORD = re.compile(r"^\(?[A-Za-z]{2,}(?:_[A-Za-z]{2,})*[.,:;!?)]*$")
_BRACKETS = {"pmatrix": "()", "bmatrix": "[]", "Bmatrix": "{}", "vmatrix": "||", "matrix": "  ", "array": "  "}
# Commands mathtext does not know, rewritten to ones it does (or dropped where they only change spacing).
_REWRITES = [
    (re.compile(r"\\[dt]frac"), r"\\frac"),
    (re.compile(r"\\(displaystyle|textstyle|limits|!)"), ""),
    (re.compile(r"\\le(?![a-zA-Z])"), r"\\leq"),
    (re.compile(r"\\ge(?![a-zA-Z])"), r"\\geq"),
    (re.compile(r"\\(mbox|textbf|textrm|operatorname)\{"), r"\\mathrm{"),
    (re.compile(r"\\left\.|\\right\."), ""),
    # A stray $ (a formula a model opened on one line and closed on the next) is delimiter noise.
    (re.compile(r"(?<!\\)\$"), ""),
]


@dataclass
class RenderedHtml:
    """HTML that names its images (`<img src="math:N">`) plus the PNG bytes behind each name."""

    html: str
    images: dict[str, bytes] = field(default_factory=dict)

    def with_data_uris(self) -> str:
        """The HTML with every image inlined, for a self-contained exported file."""
        out = self.html
        for name, png in self.images.items():
            out = out.replace(f'src="{name}"', f'src="data:image/png;base64,{base64.b64encode(png).decode()}"')
        return out

    def install(self, document: QTextDocument) -> None:
        """Register the images on a QTextDocument/QTextBrowser document, then set the HTML."""
        for name, png in self.images.items():
            image = QImage.fromData(png, "PNG")
            document.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), image)
        document.setHtml(self.html)


def strip_boxed(tex: str) -> str:
    r"""Replace every `\boxed{X}` with X (brace-balanced); the app highlights the answer itself."""
    out, i = [], 0
    while (start := tex.find(r"\boxed{", i)) != -1:
        out.append(tex[i:start])
        depth, j = 1, start + len(r"\boxed{")
        while j < len(tex) and depth:
            depth += {"{": 1, "}": -1}.get(tex[j], 0)
            j += 1
        out.append(tex[start + len(r"\boxed{") : j - 1] if depth == 0 else tex[start + len(r"\boxed{") :])
        i = j
    out.append(tex[i:])
    return "".join(out)


def normalize_latex(tex: str) -> str:
    """Rewrite LaTeX into the subset mathtext parses."""
    tex = strip_boxed(tex.strip())
    for pattern, replacement in _REWRITES:
        tex = pattern.sub(replacement, tex)
    return tex.strip()


def _qimage_png(image: QImage) -> bytes:
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(data.data())


@lru_cache(maxsize=2048)
def render_formula(tex: str, color: str = "#202020") -> bytes | None:
    """PNG bytes of one formula (no delimiters), or None when mathtext cannot parse it."""
    tex = normalize_latex(tex)
    if not tex:
        return None
    if _MATRIX.search(tex):
        return _render_with_matrices(tex, color)
    buffer = io.BytesIO()
    try:
        mathtext.math_to_image(f"${tex}$", buffer, prop=FontProperties(size=FONT_SIZE), dpi=DPI * _scale,
                               format="png", color=color)
    except Exception as exc:  # mathtext raises ValueError and, on odd input, assorted others; all mean "can't draw"
        log.debug("mathtext cannot render %r: %s", tex, exc)
        return None
    return buffer.getvalue()


def _render_with_matrices(tex: str, color: str) -> bytes | None:
    """Lay out `before matrix after` side by side, each matrix as a grid of cell images with brackets."""
    pieces: list[QImage] = []
    position = 0
    for match in _MATRIX.finditer(tex):
        if tex[position : match.start()].strip():
            pieces.append(_image_or_none(render_formula(tex[position : match.start()], color)))
        pieces.append(_matrix_image(match.group(1), match.group(2), color))
        position = match.end()
    if tex[position:].strip():
        pieces.append(_image_or_none(render_formula(tex[position:], color)))
    if any(piece is None for piece in pieces):
        return None
    return _qimage_png(_hstack(pieces, gap=round(4 * _scale)))


def _image_or_none(png: bytes | None) -> QImage | None:
    return QImage.fromData(png, "PNG") if png else None


def _matrix_image(kind: str, body: str, color: str) -> QImage | None:
    rows = [row for row in re.split(r"\\\\", body) if row.strip()]
    grid = [[_image_or_none(render_formula(cell, color)) for cell in row.split("&")] for row in rows]
    if not grid or any(cell is None for row in grid for cell in row):
        return None
    n_cols = max(len(row) for row in grid)
    col_widths = [max((row[c].width() for row in grid if c < len(row)), default=0) for c in range(n_cols)]
    row_heights = [max(cell.height() for cell in row) for row in grid]
    pad, gap, bracket = (round(n * _scale) for n in (6, 14, 8))
    width = sum(col_widths) + gap * (n_cols - 1) + 2 * (bracket + pad)
    height = sum(row_heights) + pad * (len(grid) + 1)
    image = QImage(width, height, QImage.Format.Format_ARGB32)
    image.fill(QColor(0, 0, 0, 0))
    painter = QPainter(image)
    y = pad
    for row, row_height in zip(grid, row_heights):
        x = bracket + pad
        for c, cell in enumerate(row):
            painter.drawImage(x + (col_widths[c] - cell.width()) // 2, y + (row_height - cell.height()) // 2, cell)
            x += col_widths[c] + gap
        y += row_height + pad
    _draw_brackets(painter, _BRACKETS.get(kind, "()"), width, height, bracket, QColor(color))
    painter.end()
    return image


def _draw_brackets(painter: QPainter, pair: str, width: int, height: int, bracket: int, color: QColor) -> None:
    painter.setPen(QPen(color, 1.6 * _scale))
    for side, char in ((0, pair[0]), (1, pair[1])):
        x_edge = 2 if side == 0 else width - 3
        x_in = x_edge + (bracket - 3 if side == 0 else -(bracket - 3))
        if char in "[]{}":
            painter.drawLine(x_edge, 1, x_edge, height - 2)
            painter.drawLine(x_edge, 1, x_in, 1)
            painter.drawLine(x_edge, height - 2, x_in, height - 2)
        elif char == "|":
            painter.drawLine(x_edge, 1, x_edge, height - 2)
        elif char in "()":
            rect_x = x_edge if side == 0 else x_edge - 2 * (bracket - 3)
            start = 90 * 16 if side == 0 else -90 * 16
            painter.drawArc(rect_x, 1, 2 * (bracket - 3), height - 3, start, 180 * 16)


def _hstack(images: list[QImage], gap: int) -> QImage:
    width = sum(image.width() for image in images) + gap * (len(images) - 1)
    height = max(image.height() for image in images)
    out = QImage(width, height, QImage.Format.Format_ARGB32)
    out.fill(QColor(0, 0, 0, 0))
    painter = QPainter(out)
    x = 0
    for image in images:
        painter.drawImage(x, (height - image.height()) // 2, image)
        x += image.width() + gap
    painter.end()
    return out


def split_math(text: str) -> list[tuple[str, str]]:
    """Split text into ("text", s) and ("math", tex) pieces.

    Delimited math ($..$, \\(..\\), \\[..\\], $$..$$) is math. A line without delimiters may still be bare
    LaTeX (small models often write `x = \\frac{1}{2}`): there, runs of tokens that are not English words and
    contain a LaTeX hint (a command, ^, _ or braces) are math.
    """
    pieces: list[tuple[str, str]] = []
    position = 0
    for match in _DELIMITED.finditer(text):
        pieces.extend(_split_bare(text[position : match.start()]))
        pieces.append(("math", next(group for group in match.groups() if group is not None)))
        position = match.end()
    pieces.extend(_split_bare(text[position:]))
    return [piece for piece in pieces if piece[1]]


def _split_bare(text: str) -> list[tuple[str, str]]:
    if not _LATEX_HINT.search(text):
        return [("text", text)]
    pieces: list[tuple[str, str]] = []
    run: list[str] = []

    def flush_run() -> None:
        joined = "".join(run)
        core = joined.strip().rstrip(".,;:")
        if _LATEX_HINT.search(core):
            start = joined.index(core)
            pieces.extend([("text", joined[:start]), ("math", core), ("text", joined[start + len(core) :])])
        else:
            pieces.append(("text", joined))
        run.clear()

    for token in re.split(r"(\s+)", text):
        # Words and labels such as "1:" end a math run; everything else may belong to a formula.
        if token.strip() and (_WORD.match(token) or (token.endswith(":") and not _LATEX_HINT.search(token))):
            flush_run()
            pieces.append(("text", token))
        else:
            run.append(token)
    flush_run()
    return pieces


def render_html(text: str, color: str = "#202020") -> RenderedHtml:
    """One paragraph per line of `text`, its math drawn as images; unparseable math kept as raw LaTeX."""
    rendered = RenderedHtml(html="")
    paragraphs = []
    for line in text.splitlines() or [""]:
        parts = []
        for kind, content in split_math(line):
            png = render_formula(content, color) if kind == "math" else None
            if png is None:
                escaped = html.escape(content)
                parts.append(f"<code>{escaped}</code>" if kind == "math" else escaped)
                continue
            name = f"math:{len(rendered.images)}"
            rendered.images[name] = png
            size = QImage.fromData(png, "PNG").size() / _scale  # shown at logical size, drawn at device size
            parts.append(f'<img src="{name}" width="{size.width()}" height="{size.height()}" '
                         f'style="vertical-align: middle" alt="{html.escape(content, quote=True)}">')
        paragraphs.append(f"<p>{''.join(parts) or '&nbsp;'}</p>")
    rendered.html = "\n".join(paragraphs)
    return rendered


def merge(parts: list[RenderedHtml], template: str = "{}") -> RenderedHtml:
    """Join several renderings into one document (image names made unique), wrapped in `template`."""
    merged = RenderedHtml(html="")
    bodies = []
    for index, part in enumerate(parts):
        body = part.html
        for name in sorted(part.images, key=len, reverse=True):
            new_name = f"{name}-{index}"
            body = body.replace(f'src="{name}"', f'src="{new_name}"')
            merged.images[new_name] = part.images[name]
        bodies.append(body)
    merged.html = template.format("\n".join(bodies))
    return merged
