"""Tests of `cluster_answers`: equivalence classes, order, ties, None answers, display strings, speed path.

Run: `python -m pytest tests/test_grading_cluster.py -q`.
"""

from unittest import mock

from tutor.grading import Cluster, canonical_key, cluster_answers
from tutor.grading import cluster as cluster_module
from tutor.grading import compare as compare_module


def test_equal_spellings_share_a_cluster_and_order_is_largest_first():
    answers = ["2", r"\frac{1}{2}", "0.5", None, "1/2", r"\dfrac12", "2.0", "7"]
    clusters = cluster_answers(answers)
    assert [c.members for c in clusters] == [[1, 2, 4, 5], [0, 6], [7]]
    assert all(isinstance(c, Cluster) for c in clusters)
    assert clusters[0].size == 4


def test_ties_go_to_the_lowest_first_member():
    clusters = cluster_answers(["5", "3", "3", "5", "9"])
    assert [c.members for c in clusters] == [[0, 3], [1, 2], [4]]


def test_none_and_empty_answers_are_in_no_cluster():
    assert cluster_answers([None, None]) == []
    assert cluster_answers([]) == []
    clusters = cluster_answers([None, "", "  ", "4"])
    assert [c.members for c in clusters] == [[3]]


def test_display_is_the_most_common_spelling_then_the_earliest():
    clusters = cluster_answers(["0.5", r"\frac{1}{2}", r"\frac{1}{2}", "1/2"])
    assert clusters[0].answer == r"\frac{1}{2}"
    clusters = cluster_answers(["1/2", "0.5"])
    assert clusters[0].answer == "1/2"


def test_symbolic_answers_cluster_through_sympy():
    answers = [r"\frac{\sqrt{3}}{3}", r"\frac{1}{\sqrt{3}}", r"\sqrt{3}", r"(1,2)", r"(2,1)", r"\left(1, 2\right)"]
    clusters = cluster_answers(answers)
    assert sorted(c.members for c in clusters) == [[0, 1], [2], [3, 5], [4]]


def test_non_equivalences_stay_apart():
    answers = [r"[0,1)", r"[0,1]", r"\pm 2", "2", "-2, 2", r"\frac{1}{3}", "0.33"]
    clusters = cluster_answers(answers)
    assert sorted(c.members for c in clusters) == [[0], [1], [2, 4], [3], [5], [6]]


def test_repeated_keys_do_not_compare_again():
    """Each new canonical key is compared against one representative per cluster; repeats cost nothing."""
    answers = ["x+1", "x+2", "x+3", "x+1", "x + 2", "x+3"] * 10
    with mock.patch.object(cluster_module, "_same_answer", wraps=cluster_module._same_answer) as spy:
        clusters = cluster_answers(answers)
    assert [len(c.members) for c in clusters] == [20, 20, 20]
    assert spy.call_count == 3  # x+2 vs x+1, then x+3 vs x+1 and x+2


def test_sympy_work_is_once_per_answer_and_cached():
    """Answers only sympy can read cost one worker call each (a fingerprint), not one per pair, and a
    second clustering of the same answers costs none."""
    calls = []
    real = compare_module.run_with_limit

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    # `\log` without a base, binomials, floors: beyond the fast path. Three values, two spellings each.
    answers = [r"\log 8", r"\binom{5}{2}", r"3\log 2", r"\lfloor 3.5 \rfloor", r"\binom{5}{3}", r"\lceil 2.5 \rceil"]
    with mock.patch.object(compare_module, "run_with_limit", side_effect=counting):
        first = cluster_answers(answers, timeout=10.0)
        assert 0 < len(calls) <= len(answers)
        assert {op for op, *_ in calls} == {"fingerprint"}
        before = len(calls)
        second = cluster_answers(answers, timeout=10.0)
    assert len(calls) == before
    assert sorted(c.members for c in first) == sorted(c.members for c in second) == [[0, 2], [1, 4], [3, 5]]


def test_fingerprints_do_not_round_tiny_numbers_together():
    """The published 1/2004! vs 1/2006! failure must not come back through the clustering shortcut."""
    clusters = cluster_answers([r"\frac{1}{2004!}", r"\frac{1}{2006!}"], timeout=10.0)
    assert [c.members for c in clusters] == [[0], [1]]


def test_canonical_key_merges_plain_number_spellings_only():
    assert canonical_key("0.50") != canonical_key(r"\frac{1}{2}")  # decimals go through the tolerant compare
    assert canonical_key("2/4") == canonical_key(r"\frac{1}{2}") == canonical_key(r"\dfrac12")
    assert canonical_key("x+1") != canonical_key("1+x")
