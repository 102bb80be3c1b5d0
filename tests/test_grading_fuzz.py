"""Hypothesis fuzzing of the grader: 10,000 random and adversarial strings through extraction and equivalence.

No exception may escape, results have the promised types, and no equivalence call may take longer than its
time limit plus 0.2 s, including pathological input (`10^{10^{10}}`, 5,000-character expressions) and calls
from a worker thread. The default run fuzzes 1,000 of them; the full 10,000 run with
`python -m pytest tests/test_grading_fuzz.py -m slow` (about a minute on 2 cores).
"""

import threading
import time

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from tutor.grading import cluster_answers, extract_answer, is_equivalent, normalize_answer, warm_up

LIMIT = 0.3  # seconds per comparison in this test (the default is 1 s; smaller keeps the suite fast)
SLACK = 0.2  # what the issue allows on top of the limit

# Pieces of LaTeX that models emit and parsers trip over; joined at random they make adversarial answers.
FRAGMENTS = [
    r"\frac", r"\dfrac", r"\sqrt", r"\boxed", r"\fbox", r"\left(", r"\right)", r"\pm", r"\infty", r"\pi", r"\cdot",
    r"\text{", r"\begin{pmatrix}", r"\end{pmatrix}", r"\\", "&", "{", "}", "(", ")", "[", "]", r"\{", r"\}", "^", "_",
    "!", ",", ".", "=", "<", "-", "+", "/", "*", "x", "y", "n", "i", "e", "0", "1", "2", "9", "10", "#### ", "$",
    "The answer is ", r"^\circ", r"\%", r"\$", " ", "\n", "0.5", r"\cup", r"\in", "sqrt(", "pi",
]
latex_soup = st.lists(st.sampled_from(FRAGMENTS), max_size=25).map("".join)
any_text = st.text(max_size=60)
answers = st.one_of(latex_soup, any_text, st.none())

PATHOLOGICAL = [
    "10^{10^{10}}",
    "2^{2^{2^{2^{2^{2}}}}}",
    "(10^{10})!",
    r"\frac{1}{" * 200 + "}" * 200,
    "(" * 500 + "1" + ")" * 500,
    "x" + "+x" * 2500,
    "9" * 5000,
    r"\sqrt{" * 300 + "2" + "}" * 300,
    r"\begin{pmatrix}" + r"1 & " * 400 + r"1\end{pmatrix}",
]


# Pairs on which sympy itself never finishes (checked: they run into the limit rather than finishing early).
RUNAWAY_PAIRS = [
    (r"\{10^{10^{10}}\}", r"\{1\}"),
    ("x=10^{10^{10}}", "x=1"),
    ("(x+1)^{10000}", "(x+2)^{10000}"),
    (r"\sqrt{10^{10^{10}}}+x-x", "5"),
]


@pytest.fixture(scope="module", autouse=True)
def _warm_worker():
    warm_up()  # the one-time worker start is not part of any comparison's limit


def _timed_equivalent(a, b):
    started = time.monotonic()
    verdict = is_equivalent(a, b, timeout=LIMIT)
    elapsed = time.monotonic() - started
    assert isinstance(verdict, bool)
    assert elapsed <= LIMIT + SLACK, f"{elapsed:.2f} s for {str(a)[:60]!r} vs {str(b)[:60]!r}"
    return verdict


def _fuzz(examples, *strategies, cases=()):
    """`given` with `examples` random inputs plus the hand-picked `cases`."""
    def wrap(check):
        test = given(*strategies)(check)
        for case in cases:
            test = example(*case)(test)
        return settings(max_examples=examples, deadline=None, suppress_health_check=[HealthCheck.too_slow])(test)
    return wrap


def _extraction_never_raises(text):
    answer = extract_answer(text)
    assert answer is None or (isinstance(answer, str) and answer.strip())


def _equivalence_never_raises_and_respects_the_limit(a, b):
    _timed_equivalent(a, b)
    # Reflexive: any answer with content equals itself, however unreadable it is to sympy.
    if a is not None and normalize_answer(a):
        assert _timed_equivalent(a, a) is True


EXTRACTION_INPUT = st.one_of(latex_soup, st.text(max_size=300))
EXTRACTION_CASES = [(r"\boxed{" * 1000,), ("}" * 1000 + r"\boxed{1}",), ("#### \n####",)]

# The default run fuzzes a tenth of the 10,000; `-m slow` runs them all.
test_extraction_never_raises = _fuzz(600, EXTRACTION_INPUT, cases=EXTRACTION_CASES)(_extraction_never_raises)
test_equivalence_never_raises_and_respects_the_limit = _fuzz(390, answers, answers)(
    _equivalence_never_raises_and_respects_the_limit)
test_extraction_never_raises_6000 = pytest.mark.slow(
    _fuzz(6000, EXTRACTION_INPUT, cases=EXTRACTION_CASES)(_extraction_never_raises))
test_equivalence_never_raises_and_respects_the_limit_3900 = pytest.mark.slow(
    _fuzz(3900, answers, answers)(_equivalence_never_raises_and_respects_the_limit))


@pytest.mark.parametrize("answer", PATHOLOGICAL)
def test_pathological_input_returns_within_the_limit(answer):
    for other in ("5", answer + "+1"):
        _timed_equivalent(answer, other)


@pytest.mark.parametrize(("a", "b"), RUNAWAY_PAIRS)
def test_runaway_sympy_work_is_cut_off_at_the_limit(a, b):
    started = time.monotonic()
    assert _timed_equivalent(a, b) is False
    assert time.monotonic() - started >= LIMIT * 0.9  # it really ran into the limit: the kill path is tested


def test_the_limit_holds_off_the_main_thread():
    results = []

    def grade():
        for a, b in RUNAWAY_PAIRS[:3]:
            started = time.monotonic()
            is_equivalent(a, b, timeout=LIMIT)
            results.append(time.monotonic() - started)

    thread = threading.Thread(target=grade)
    thread.start()
    thread.join(timeout=30)
    assert len(results) == 3 and max(results) <= LIMIT + SLACK, results


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(answers, max_size=12))
def test_clustering_partitions_the_answers(batch):
    clusters = cluster_answers(batch, timeout=LIMIT)
    members = [i for c in clusters for i in c.members]
    assert len(members) == len(set(members))  # no answer in two clusters
    assert set(members) == {i for i, a in enumerate(batch) if a is not None and normalize_answer(a)}
    order = [(-len(c.members), c.members[0]) for c in clusters]
    assert order == sorted(order)  # largest first, ties by lowest first member
