"""Export stored solves as Markdown (LaTeX kept for any Markdown+math viewer), HTML (math rendered as
images inlined in the file, so it opens anywhere offline) or JSONL (the full stored result, one per line)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tutor.app import math_render, present
from tutor.errors import DataError

FORMATS = {"markdown": "Markdown", "html": "HTML", "jsonl": "JSONL"}
SUFFIXES = {"markdown": ".md", "html": ".html", "jsonl": ".jsonl"}


def _best_solution(result: dict[str, Any]) -> str:
    clusters = result.get("clusters") or []
    if not clusters or not clusters[0].get("members"):
        return ""
    best = clusters[0]["members"][0]
    return next((s.get("text", "") for s in result.get("samples", []) if s.get("index") == best), "")


def _confidence(row: Any) -> str:
    return "—" if row.confidence is None else f"{row.confidence:.0%}"


def to_markdown(rows: Sequence[Any]) -> str:
    parts = ["# Stepwise history\n"]
    for row in rows:
        result = row.result
        steps = present.split_steps(_best_solution(result))
        answer = row.answer if row.answer is not None else "(no answer)"
        parts.append(f"## Problem {row.id}\n\n{row.problem.strip()}\n\n"
                     f"**Answer:** ${answer}$ — confidence {_confidence(row)} ({'; '.join(result.get('reasons', []))})\n")
        parts.append("".join(f"{number}. {step}\n" + "".join(f"   - ⚠ {problem}\n" for problem in present.false_steps(step))
                             for number, step in enumerate(steps, start=1)))
        parts.append(f"\n_Model: {row.model or 'unknown'}; solved {row.created_at:%Y-%m-%d %H:%M} UTC._\n")
    return "\n".join(parts)


def to_html(rows: Sequence[Any]) -> str:
    sections = []
    for row in rows:
        result = row.result
        answer = row.answer if row.answer is not None else None
        parts = [
            math_render.render_html(row.problem),
            math_render.render_html(f"Answer: {present.answer_latex(answer)} (confidence {_confidence(row)})"),
        ]
        for number, step in enumerate(present.split_steps(_best_solution(result)), start=1):
            parts.append(math_render.render_html(f"{number}. {step}"))
            parts += [math_render.render_html(f"⚠ {problem}") for problem in present.false_steps(step)]
        parts.append(math_render.render_html("; ".join(result.get("reasons", []) + [f"model {row.model or 'unknown'}"])))
        body = math_render.merge(parts).with_data_uris()
        sections.append(f"<section><h2>Problem {row.id}</h2>\n{body}\n</section>")
    return ("<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>Stepwise history</title>"
            "<style>body{font-family:sans-serif;max-width:50em;margin:auto} img{vertical-align:middle}</style>"
            "</head><body><h1>Stepwise history</h1>\n" + "\n".join(sections) + "\n</body></html>\n")


def to_jsonl(rows: Sequence[Any]) -> str:
    lines = [json.dumps({"id": row.id, "created_at": row.created_at.isoformat(), "problem": row.problem,
                         "model": row.model, "answer": row.answer, "confidence": row.confidence,
                         "result": row.result}, ensure_ascii=False) for row in rows]
    return "".join(line + "\n" for line in lines)


WRITERS = {"markdown": to_markdown, "html": to_html, "jsonl": to_jsonl}


def write(path: Path, fmt: str, rows: Sequence[Any]) -> None:
    if fmt not in WRITERS:
        raise DataError(f"unknown export format {fmt!r}; choose one of {', '.join(WRITERS)}")
    Path(path).write_text(WRITERS[fmt](rows), encoding="utf-8")
