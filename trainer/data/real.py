"""Real training problems mixed into the synthetic set (issue 24): GSM8K train and the 12k MATH train split.

GSM8K solutions carry calculator notes (`48/2 = <<48/2=24>>24`); `convert_gsm8k` turns each into the explicit
equality the sampling-time calculator reads, `$48/2 = 24$`, with the right side as
`tutor.grading.calculator.calculate` writes it. A note the calculator disagrees with (GSM8K rounds
`10/3` to `3.33`) or cannot compute is dropped and the prose kept. Currency signs become `\\$` (math spans are
`$...$`), and the solution ends like the synthetic data: `The final answer is $\\boxed{72}$.`

MATH solutions are kept when they are at most `max_solution_chars` long (a 512-token training row holds the
prompt and the solution); their inner `\\boxed{}` is unboxed and the same final line added.

`mix_real(train, config, data_dir)` adds the configured number of each to the training problems (a seeded
sample, shuffled in), never a problem whose text is in an evaluation set (`eval_texts`), and writes
`data_dir/mix.json`; `mix_summary(run_dir)` says the mix in a sentence for the model card.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path

from trainer.data.loaders import parse_record
from trainer.data.problem import Problem
from tutor.errors import DataError
from tutor.grading.calculator import calculate
from tutor.grading.normalize import normalize_answer
from tutor.grading.numeric import exact_value

ASSETS_EVAL = Path(__file__).resolve().parents[2] / "assets" / "eval"
FINAL_LINE = "The final answer is $\\boxed{{{}}}$."
_NOTE = re.compile(r"<<([^<>=]*)=([^<>]*)>>")
_WRITTEN = re.compile(r"[\d\s.,+\-*/x×÷()$%]+$")  # an expression as GSM8K prose writes it before its `=`
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?|\.\d+")


@dataclass
class MixStats:
    """What the conversion kept and dropped (written to mix.json and the model card)."""

    gsm8k_problems: int = 0
    gsm8k_notes_converted: int = 0
    gsm8k_notes_dropped: int = 0
    math_problems: int = 0
    math_kept_by_length: int = 0
    math_skipped_by_length: int = 0
    math_skipped_no_answer: int = 0
    skipped_eval_overlap: int = 0
    synthetic_problems: int = 0
    max_solution_chars: int = 0
    files: dict[str, str] = field(default_factory=dict)


def normalized_text(text: str) -> str:
    """A problem's text for overlap checks: lower-case letters and digits only (`What is $3/5$ of 40?` and
    `what is 3/5 of 40` are the same problem)."""
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _plain_value(text: str) -> Fraction | None:
    try:
        return Fraction(text.replace(",", "").strip())
    except (ValueError, ZeroDivisionError):
        return None


def _same_expression(written: str, note: str) -> bool:
    """`$1.50 + $4.35` and `1.5+4.35` are the same expression: equal numbers, the same operators."""
    def tokens(text: str) -> list[object]:
        text = text.replace("x", "*").replace("×", "*").replace("÷", "/").replace(",", "")
        return [Fraction(t) if t[0].isdigit() or t[0] == "." else t
                for t in re.findall(r"\d+\.?\d*|\.\d+|[-+*/()%]", text)]
    return tokens(written) == tokens(note)


def convert_gsm8k(reasoning: str) -> tuple[str, int, int]:
    """(solution text, notes converted, notes dropped) for the reasoning of a GSM8K answer (before `####`)."""
    out, cursor, converted, dropped = [], 0, 0, 0
    for note in _NOTE.finditer(reasoning):
        before = reasoning[cursor : note.start()]
        left, result = note.group(1).strip(), note.group(2).strip()
        after_start = note.end()
        repeated = _NUMBER.match(reasoning, after_start)
        value = calculate(left) if left else None
        claimed = _plain_value(result)
        agrees = value is not None and claimed is not None and exact_value(normalize_answer(value)) == claimed
        if not agrees:
            dropped += 1
            out.append(_escape_currency(before))
            cursor = note.end()
            continue
        converted += 1
        if repeated and _plain_value(repeated.group()) == claimed:
            after_start = repeated.end()  # the value GSM8K repeats after its note
        head = before.rstrip(" $")
        if head.endswith("="):
            written = _WRITTEN.search(head[:-1])
            if written and _same_expression(written.group(), left):
                keep = head[: len(head) - 1 - len(written.group())]
                lead = " " if written.group()[:1].isspace() else ""
                before = keep + lead
            else:
                before = head + " "
        out.append(f"{_escape_currency(before)}${left} = {value}$")
        cursor = after_start
    out.append(_escape_currency(reasoning[cursor:]))
    return "".join(out).strip(), converted, dropped


def _escape_currency(prose: str) -> str:
    """Currency signs in GSM8K prose as `\\$` (`costs $5` -> `costs \\$5`): `$...$` is a math span here."""
    return prose.replace("$", "\\$")


def gsm8k_problem(record: dict, default_id: str) -> tuple[Problem, int, int]:
    """A GSM8K train record as a training problem in our solution format, with its note counts."""
    question, full = record.get("question"), record.get("answer")
    if not isinstance(question, str) or not isinstance(full, str) or "####" not in full:
        raise DataError(f"{default_id}: not a GSM8K record (question, answer with '#### N')")
    reasoning, _, final = full.rpartition("####")
    final = final.strip().replace(",", "")
    text, converted, dropped = convert_gsm8k(reasoning)
    solution = f"{text}\n{FINAL_LINE.format(final)}"
    return Problem(question, solution, final, "GSM8K", None, default_id, source="gsm8k"), converted, dropped


def _unbox(solution: str) -> str:
    """`\\boxed{X}` -> `X` everywhere (brace-matched; also `\\boxed 2`), so the added final line holds the
    only box."""
    solution = re.sub(r"\\boxed\s+(?=[^{\s])", "", re.sub(r"\\boxed\s+\{", r"\\boxed{", solution))
    while (start := solution.find("\\boxed{")) != -1:
        depth, i = 0, start + len("\\boxed")
        for i in range(start + len("\\boxed"), len(solution)):
            depth += {"{": 1, "}": -1}.get(solution[i], 0)
            if depth == 0:
                break
        solution = solution[:start] + solution[start + len("\\boxed{") : i] + solution[i + 1 :]
    return solution


def math_problem(problem: Problem) -> Problem:
    """A MATH record with the synthetic data's final line (inner boxes unboxed)."""
    answer = problem.answer.strip()
    solution = f"{_unbox(problem.solution).rstrip()}\n{FINAL_LINE.format(answer)}"
    return Problem(problem.problem, solution, answer, problem.subject, problem.level, problem.unique_id,
                   source="math")


def eval_texts(extra: list[str | Path] = ()) -> set[str]:
    """Normalised problem texts of the evaluation sets no training mix may contain: every JSONL in
    assets/eval (the student-style set) and the given files (MATH500, the recipe's test file)."""
    texts: set[str] = set()
    for path in [*sorted(ASSETS_EVAL.glob("*.jsonl")), *extra]:
        if Path(path).exists():
            for line in Path(path).read_text(encoding="utf-8").splitlines():
                if line.strip():
                    record = json.loads(line)
                    texts.add(normalized_text(str(record.get("problem") or record.get("question") or "")))
    return texts


def load_gsm8k_train(path: str | Path, stats: MixStats) -> list[Problem]:
    problems = []
    with Path(path).open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, start=1):
            if line.strip():
                problem, converted, dropped = gsm8k_problem(json.loads(line), f"gsm8k_train/{number}")
                stats.gsm8k_notes_converted += converted
                stats.gsm8k_notes_dropped += dropped
                problems.append(problem)
    return problems


def load_math_train(path: str | Path, max_chars: int, stats: MixStats) -> list[Problem]:
    kept = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        record = json.loads(line) if line.strip() else None
        if not record or not str(record.get("answer") or "").strip():
            stats.math_skipped_no_answer += bool(record)  # two MATH records box nothing
            continue
        problem = parse_record(record, f"{path}, line {number}", f"math_train/{number}")
        if len(problem.solution) > max_chars:
            stats.math_skipped_by_length += 1
            continue
        kept.append(math_problem(problem))
    stats.math_kept_by_length = len(kept)
    return kept


def mix_real(train: list[Problem], config, data_dir: Path, exclude: set[str] | None = None) -> list[Problem]:
    """`train` with `config.gsm8k_problems` GSM8K and `config.math_problems` MATH problems (a `DataConfig`)
    shuffled in, seeded by `config.seed`; nothing whose text is in `exclude` (default: `eval_texts` with the
    recipe's test file). Writes `data_dir/mix.json`."""
    stats = MixStats(synthetic_problems=len(train), max_solution_chars=config.max_solution_chars)
    exclude = eval_texts([config.test_file] if config.test_file else []) if exclude is None else exclude
    rng = random.Random(config.seed)
    added: list[Problem] = []
    for kind, path, wanted in (("gsm8k", config.gsm8k_train_file, config.gsm8k_problems),
                               ("math", config.math_train_file, config.math_problems)):
        if wanted <= 0:
            continue
        if not path or not Path(path).exists():
            raise DataError(f"data.{kind}_problems = {wanted} needs data.{kind}_train_file, got {path!r}")
        stats.files[kind] = str(path)
        pool = load_gsm8k_train(path, stats) if kind == "gsm8k" else load_math_train(
            path, config.max_solution_chars, stats)
        fresh = [p for p in pool if normalized_text(p.problem) not in exclude]
        stats.skipped_eval_overlap += len(pool) - len(fresh)
        chosen = rng.sample(fresh, min(wanted, len(fresh)))
        setattr(stats, f"{kind}_problems", len(chosen))
        added += chosen
    mixed = train + added
    rng.shuffle(mixed)
    data_dir.mkdir(parents=True, exist_ok=True)
    (data_dir / "mix.json").write_text(json.dumps(asdict(stats), indent=1), encoding="utf-8")
    return mixed


def mix_summary(run_dir: str | Path) -> str | None:
    """The training mix of a run as a sentence for the model card (None when the run mixed nothing in)."""
    path = Path(run_dir) / "data" / "mix.json"
    if not path.exists():
        return None
    s = MixStats(**json.loads(path.read_text(encoding="utf-8")))
    parts = [f"{s.synthetic_problems:,} synthetic problems"]
    if s.gsm8k_problems:
        parts.append(f"{s.gsm8k_problems:,} GSM8K train problems (calculator notes written as explicit equalities: "
                     f"{s.gsm8k_notes_converted:,} converted, {s.gsm8k_notes_dropped:,} dropped where the calculator "
                     "disagreed or could not compute)")
    if s.math_problems:
        parts.append(f"{s.math_problems:,} MATH train problems (of {s.math_kept_by_length:,} with solutions of at most "
                     f"{s.max_solution_chars:,} characters; {s.math_skipped_by_length:,} longer ones skipped)")
    text = "Training data: " + ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1] + "."
    if s.skipped_eval_overlap:
        text += f" {s.skipped_eval_overlap} problems that are also in an evaluation set were left out."
    return text
