"""Benchmark: our grader vs plain math-verify on MATH500 answers and generated variants, plus clustering speed.

For every MATH500 reference answer it generates spellings a model might produce, some equivalent
(`\\dfrac`, `x = `, decimals, thousands separators, reordered lists, plain-text `pi`/`sqrt`, `\\left(`...)
and some not (a changed digit, a flipped sign, swapped tuple entries, a changed interval end, a dropped
list element). Both graders judge the same (candidate, reference) pairs in one process:
(a) plain math-verify: `verify(parse("\\boxed{ref}"), parse("\\boxed{cand}"))`, its defaults;
(b) ours: `tutor.grading.is_equivalent`, caches emptied first (cold).
It prints pairs/s, accuracy against the construction labels, agreement between the two, and the time to
cluster 64 sampled answers per problem (median and p90 over problems).

Run: `python bench/grading.py [--limit 500] [--problems 100]` (about a minute on 2 cores).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import time
from fractions import Fraction
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tutor.grading import cluster_answers, is_equivalent, warm_up  # noqa: E402
from tutor.grading import compare as compare_module  # noqa: E402

MATH500 = ROOT.parent / "shared" / "data" / "math500_test.jsonl"


def _decimal(text: str) -> str | None:
    """A terminating decimal spelling of a plain fraction or integer, when there is one."""
    match = re.fullmatch(r"(-?)\\frac\{(\d+)\}\{(\d+)\}", text)
    if not match:
        return None
    value = Fraction(int(match.group(2)), int(match.group(3)))
    for places in range(1, 8):
        scaled = value * 10**places
        if scaled.denominator == 1:
            return f"{match.group(1)}{float(value):.{places}f}"
    return None


def equivalent_variants(answer: str) -> list[str]:
    """Spellings of `answer` with the same value."""
    variants = {answer.replace(r"\frac", r"\dfrac"), answer.replace(" ", ""), f" {answer} "}
    if "=" not in answer and r"\in" not in answer and not answer.startswith(r"\text"):
        variants.add(f"x = {answer}")
    if re.fullmatch(r"\d{4,}", answer):
        variants.add(f"{int(answer):,}")
    if decimal := _decimal(answer):
        variants.add(decimal)
    frac = re.fullmatch(r"(-?)\\frac\{(\d+)\}\{(\d+)\}", answer)
    if frac:
        variants.add(f"{frac.group(1)}{frac.group(2)}/{frac.group(3)}")
    if r"\pi" in answer:
        variants.add(answer.replace(r"\pi", "pi"))
    if re.fullmatch(r"\\sqrt\{\d+\}", answer):
        variants.add(f"sqrt({answer[6:-1]})")
    if answer.startswith("(") and answer.endswith(")"):
        variants.add(r"\left" + answer[:-1] + r"\right)")
    parts = answer.split(",")
    if re.fullmatch(r"\d{1,3}(,\d{3})+", answer):
        parts = []  # 58,500 is a number, not a list
    if 1 < len(parts) <= 4 and all(re.fullmatch(r"\s*-?\d+\s*", p) for p in parts):
        variants.add(", ".join(reversed([p.strip() for p in parts])))  # a list of solutions is a set
    if answer.endswith(r"^\circ"):
        variants.add(answer[: -len(r"^\circ")])
    variants.discard(answer)
    return sorted(variants)


def different_variants(answer: str, rng: random.Random) -> list[str]:
    """Spellings of a different value (by construction)."""
    variants = set()
    text_spans = [m.span() for m in re.finditer(r"\\(?:text|mbox)\{[^}]*\}(?:\^\d)?", answer)]
    digits = [m.start() for m in re.finditer(r"\d", answer) if not any(a <= m.start() < b for a, b in text_spans)]
    if digits:
        i = rng.choice(digits)
        variants.add(answer[:i] + str((int(answer[i]) + rng.randint(1, 8)) % 10) + answer[i + 1 :])
    if answer.startswith("-"):
        variants.add(answer[1:])
    elif re.fullmatch(r"[\d\\{}a-z^ ]+", answer) and re.search(r"[1-9]|\\pi|\\sqrt", answer) and "_" not in answer:
        variants.add("-" + answer)
    tuple_match = re.fullmatch(r"\\left\(\s*(.+?)\s*,\s*(.+?)\s*\\right\)|\(\s*([^,()]+)\s*,\s*([^,()]+)\s*\)", answer)
    if tuple_match:
        a, b = [g for g in tuple_match.groups() if g is not None]
        if a.strip() != b.strip():
            variants.add(f"({b}, {a})")
    if answer.endswith("]") and answer[0] in "([":
        variants.add(answer[:-1] + ")")
    parts = [] if re.fullmatch(r"\d{1,3}(,\d{3})+", answer) else answer.split(",")
    if 2 < len(parts) <= 4 and all(re.fullmatch(r"\s*-?\d+\s*", p) for p in parts):
        variants.add(",".join(parts[:-1]))
    variants.discard(answer)
    return sorted(variants)


def build_pairs(answers: list[str], seed: int = 0) -> list[tuple[str, str, bool]]:
    rng = random.Random(seed)
    pairs = set()
    for answer in answers:
        pairs.update((v, answer, True) for v in equivalent_variants(answer))
        pairs.update((v, answer, False) for v in different_variants(answer, rng))
    return sorted(pairs)


def run_math_verify(pairs):
    import logging

    from math_verify import parse, verify

    logging.getLogger("math_verify").setLevel(logging.ERROR)
    verdicts = []
    started = time.perf_counter()
    for candidate, reference, _ in pairs:
        verdicts.append(bool(verify(parse(f"\\boxed{{{reference}}}"), parse(f"\\boxed{{{candidate}}}"))))
    return verdicts, time.perf_counter() - started


def run_ours(pairs):
    compare_module._symbolic_cache = compare_module._PairCache(65536)  # cold: no verdict cached
    started = time.perf_counter()
    verdicts = [is_equivalent(candidate, reference) for candidate, reference, _ in pairs]
    return verdicts, time.perf_counter() - started


def clustering_times(answers: list[str], problems: int, seed: int = 1) -> list[float]:
    """Seconds to cluster 64 answers per problem: a majority of right spellings and a few wrong answers."""
    rng = random.Random(seed)
    times = []
    for answer in answers[:problems]:
        right = [answer, *equivalent_variants(answer)]
        wrong = different_variants(answer, rng) or [answer + "+1"]
        batch = [rng.choice(right) if rng.random() < 0.6 else rng.choice(wrong) for _ in range(60)] + [None] * 4
        rng.shuffle(batch)
        started = time.perf_counter()
        cluster_answers(batch)
        times.append(time.perf_counter() - started)
    return times


# Spellings the fast path cannot read (no-base logs, binomials, floors, |x|, sinh), so every new answer is
# compared by sympy in a worker: the worst case for clustering.
_SYMPY_ONLY = [r"\log 8", r"3\log 2", r"\binom{5}{2}", "10", r"\lfloor 3.5 \rfloor", "3", r"|{-4}|", "4",
               r"\log 100", r"2\log 10", r"\binom{6}{3}", "20", r"\sinh x", r"\frac{e^x - e^{-x}}{2}"]


def hard_clustering_times(runs: int, seed: int = 2) -> list[float]:
    """Seconds to cluster 64 answers drawn from spellings that all need sympy (cold pair cache each run)."""
    rng = random.Random(seed)
    times = []
    for _ in range(runs):
        compare_module._symbolic_cache = compare_module._PairCache(65536)
        batch = [rng.choice(_SYMPY_ONLY) for _ in range(64)]
        started = time.perf_counter()
        cluster_answers(batch)
        times.append(time.perf_counter() - started)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=500, help="MATH500 answers to build pairs from")
    parser.add_argument("--problems", type=int, default=100, help="problems to cluster 64 answers for")
    args = parser.parse_args()
    answers = [json.loads(line)["answer"] for line in MATH500.read_text(encoding="utf-8").splitlines()][: args.limit]
    pairs = build_pairs(answers)
    labels = [label for _, _, label in pairs]
    warm_up()
    run_math_verify(pairs[:5])  # both warmed: math-verify compiles its regexes on first use
    mv_verdicts, mv_seconds = run_math_verify(pairs)
    our_verdicts, our_seconds = run_ours(pairs)

    def accuracy(verdicts):
        return sum(v == label for v, label in zip(verdicts, labels)) / len(labels)

    agreement = sum(a == b for a, b in zip(mv_verdicts, our_verdicts)) / len(pairs)
    n_true = sum(labels)
    print(f"{len(pairs)} pairs from {len(answers)} MATH500 answers ({n_true} equivalent, {len(pairs) - n_true} not)\n")
    print("| grader | pairs/s | accuracy | false neg | false pos | speed ratio |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for name, verdicts, seconds in (("math-verify parse+verify", mv_verdicts, mv_seconds), ("stepwise is_equivalent", our_verdicts, our_seconds)):
        false_neg = sum(label and not v for v, label in zip(verdicts, labels))
        false_pos = sum(v and not label for v, label in zip(verdicts, labels))
        print(f"| {name} | {len(pairs) / seconds:,.0f} | {accuracy(verdicts):.2%} | {false_neg} | {false_pos} "
              f"| {mv_seconds / seconds:.1f}x |")
    print(f"\nagreement between the two graders: {agreement:.2%}")
    print("\n| clustering 64 answers | median | p90 | max |")
    print("| --- | ---: | ---: | ---: |")
    for name, times in ((f"MATH500 variants, {args.problems} problems", clustering_times(answers, args.problems)),
                        ("sympy-only spellings, 10 runs", hard_clustering_times(10))):
        times = sorted(times)
        p90 = times[int(0.9 * (len(times) - 1))]
        print(f"| {name} | {statistics.median(times) * 1000:.1f} ms | {p90 * 1000:.1f} ms | {times[-1] * 1000:.1f} ms |")
    disagreements = [(p, m, o) for p, m, o in zip(pairs, mv_verdicts, our_verdicts) if m != o]
    ours_wrong = [(p, m, o) for p, m, o in zip(pairs, mv_verdicts, our_verdicts) if o != p[2]]
    for title, rows in (("disagreements", disagreements), ("pairs we get wrong", ours_wrong)):
        if rows:
            print(f"\n{title} ({len(rows)}; first 12) — candidate | reference | label | math-verify | ours:")
            for (candidate, reference, label), m, o in rows[:12]:
                print(f"  {candidate!r} | {reference!r} | {label} | {m} | {o}")


if __name__ == "__main__":
    main()
