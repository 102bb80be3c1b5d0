"""Export stored solves as Markdown (LaTeX kept for any Markdown+math viewer), HTML (math rendered as
images inlined in the file, so it opens anywhere offline) or JSONL (the full stored result, one per line).

Every format lists the solves oldest first (the file says so), numbered 1, 2, ... in that order, each with
the date it was solved and the teacher's marks on it (verdict, comment, date).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from tutor.app import math_render, present
from tutor.errors import DataError

FORMATS = {"markdown": "Markdown", "html": "HTML", "jsonl": "JSONL"}
SUFFIXES = {"markdown": ".md", "html": ".html", "jsonl": ".jsonl"}


def _steps(result: dict[str, Any]) -> list[tuple[str, list[str]]]:
    """(step, its false arithmetic) of the solution shown for the stored result (`present.shown_steps`)."""
    from tutor.solve import SolveResult

    return present.shown_steps(SolveResult.from_dict(result))


def _confidence(row: Any) -> str:
    return "—" if row.confidence is None else f"{row.confidence:.0%}"


def _when(row: Any) -> str:
    return f"{row.created_at:%Y-%m-%d %H:%M} UTC"


def _title(count: int) -> str:
    return f"{count} solved problem{'s' if count != 1 else ''}, oldest first"


def to_markdown(rows: Sequence[Any], marks: Mapping[int, list[Any]]) -> str:
    parts = [f"# Stepwise history\n\n_{_title(len(rows))}._\n"]
    for number, row in enumerate(rows, start=1):
        result = row.result
        answer = row.answer if row.answer is not None else "(no answer)"
        parts.append(f"## Problem {number} (solved {_when(row)})\n\n{row.problem.strip()}\n\n"
                     f"**Answer:** ${answer}$ — confidence {_confidence(row)} ({'; '.join(result.get('reasons', []))})\n")
        parts.append("".join(f"{step_number}. {step}\n" + "".join(f"   - ⚠ {problem}\n" for problem in flags)
                             for step_number, (step, flags) in enumerate(_steps(result), start=1)))
        if marks.get(row.id):
            parts.append("\n**Teacher's marks:**\n\n" + "".join(f"- {present.mark_line(mark)}\n" for mark in marks[row.id]))
        parts.append(f"\n_Model: {row.model or 'unknown'}; history #{row.id}._\n")
    return "\n".join(parts)


def to_html(rows: Sequence[Any], marks: Mapping[int, list[Any]]) -> str:
    sections = []
    for number, row in enumerate(rows, start=1):
        result = row.result
        parts = [
            math_render.render_html(row.problem),
            math_render.render_html(f"Answer: {present.answer_latex(row.answer)} (confidence {_confidence(row)})"),
        ]
        for step_number, (step, flags) in enumerate(_steps(result), start=1):
            parts.append(math_render.render_html(f"{step_number}. {step}"))
            parts += [math_render.render_html(f"⚠ {problem}") for problem in flags]
        parts.append(math_render.render_html("; ".join(result.get("reasons", []) + [f"model {row.model or 'unknown'}"])))
        parts += [math_render.render_html(f"Teacher: {present.mark_line(mark)}") for mark in marks.get(row.id, [])]
        body = math_render.merge(parts).with_data_uris()
        sections.append(f"<section><h2>Problem {number} <small>(solved {_when(row)}; history #{row.id})</small></h2>\n"
                        f"{body}\n</section>")
    return ("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Stepwise history</title>"
            "<style>body{font-family:sans-serif;max-width:50em;margin:auto} img{vertical-align:middle}</style>"
            f"</head><body><h1>Stepwise history</h1>\n<p><i>{_title(len(rows))}.</i></p>\n"
            + "\n".join(sections) + "\n</body></html>\n")


def to_jsonl(rows: Sequence[Any], marks: Mapping[int, list[Any]]) -> str:
    lines = [json.dumps({"id": row.id, "created_at": row.created_at.isoformat(), "problem": row.problem,
                         "model": row.model, "answer": row.answer, "confidence": row.confidence,
                         "result": row.result,
                         "marks": [{"sample_index": m.sample_index, "cluster_answer": m.cluster_answer,
                                    "correct": m.correct, "comment": m.comment,
                                    "created_at": m.created_at.isoformat()} for m in marks.get(row.id, [])]},
                        ensure_ascii=False) for row in rows]
    return "".join(line + "\n" for line in lines)


WRITERS = {"markdown": to_markdown, "html": to_html, "jsonl": to_jsonl}


def write(path: Path, fmt: str, rows: Sequence[Any], marks: Mapping[int, list[Any]] | None = None) -> None:
    """Write `rows` (stored solves, in any order) oldest first, with `marks` (solve id -> its marks)."""
    if fmt not in WRITERS:
        raise DataError(f"unknown export format {fmt!r}; choose one of {', '.join(WRITERS)}")
    oldest_first = sorted(rows, key=lambda row: (row.created_at, row.id))
    Path(path).write_text(WRITERS[fmt](oldest_first, marks or {}), encoding="utf-8")
