"""Answer-selection strategies (METHOD.md): table-driven cases with scripted clusters and verifier scores.

Run: python -m pytest tests/test_solve_strategies.py -q
"""

from dataclasses import dataclass

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tutor.solve.strategies import STRATEGY_FUNCTIONS, rank, samples_to_score, vote_order


@dataclass
class Cluster:
    """Stands in for tutor.grading.Cluster: the strategies only read .answer and .members."""

    answer: str
    members: list[int]


def clusters_of(groups: dict[str, list[int]]) -> list[Cluster]:
    return [Cluster(answer, members) for answer, members in groups.items()]


# (case, clusters by answer, scores per sample index, k, {strategy: expected winner})
CASES = [
    # SCR's point: a smaller cluster whose best solution the verifier prefers beats the majority...
    (
        "smaller cluster with the best-scored solution wins under SCR",
        {"A": [0, 1, 2], "B": [3, 4]},
        [0.2, 0.3, 0.1, 0.9, 0.1],
        2,
        {"greedy": "A", "maj1": "A", "rr_all": "B", "rr_topk": "B", "wrr": "B", "wrr_topk": "B"},
    ),
    # ...and not otherwise: the majority keeps the best-scored solution.
    (
        "majority holds the best-scored solution",
        {"A": [0, 1, 2], "B": [3, 4]},
        [0.8, 0.3, 0.1, 0.5, 0.4],
        2,
        {"greedy": "A", "maj1": "A", "rr_all": "A", "rr_topk": "A", "wrr": "A", "wrr_topk": "A"},
    ),
    # Best single solution in B, but A's summed score is larger: RR and W.RR disagree.
    (
        "re-ranking by the best member vs weighting by the sum",
        {"A": [0, 1, 2], "B": [3, 4]},
        [0.6, 0.6, 0.6, 0.9, 0.2],
        2,
        {"maj1": "A", "rr_all": "B", "rr_topk": "B", "wrr": "A", "wrr_topk": "A"},
    ),
    # A rare answer outside the top-k is ignored by the *_topk strategies however well it scores.
    (
        "top-k excludes a high-scoring singleton",
        {"A": [0, 1, 2], "B": [3, 4], "C": [5]},
        [0.5, 0.4, 0.3, 0.6, 0.2, 0.99],
        2,
        {"maj1": "A", "rr_all": "C", "rr_topk": "B", "wrr": "A", "wrr_topk": "A"},
    ),
    # k = 1 reduces SCR to majority voting.
    (
        "k=1 is majority voting",
        {"A": [0, 1, 2], "B": [3, 4]},
        [0.2, 0.3, 0.1, 0.9, 0.1],
        1,
        {"maj1": "A", "rr_topk": "A", "wrr_topk": "A", "rr_all": "B", "wrr": "B"},
    ),
    # Ties: equal best scores -> the larger cluster.
    (
        "tie on score goes to the larger cluster",
        {"B": [1, 4], "A": [0, 2, 3]},
        [0.1, 0.7, 0.2, 0.7, 0.3],
        2,
        {"maj1": "A", "rr_all": "A", "rr_topk": "A"},
    ),
    # Ties: equal score and size -> the lower sample index (the tied best member for RR).
    (
        "tie on score and size goes to the lower sample index",
        {"A": [0, 3], "B": [1, 2]},
        [0.1, 0.5, 0.3, 0.5],
        2,
        {"maj1": "A", "rr_all": "B", "rr_topk": "B"},
    ),
    # W.RR ties on sum and size -> the cluster with the lower first member.
    (
        "weighted tie goes to the lower first member",
        {"B": [1, 2], "A": [0, 3]},
        [0.25, 0.5, 0.5, 0.75],
        2,
        {"maj1": "A", "wrr": "A", "wrr_topk": "A"},
    ),
    # Greedy takes the answer of sample 0, whatever the votes.
    (
        "greedy is sample 0's cluster",
        {"A": [1, 2, 3], "B": [0]},
        [0.9, 0.9, 0.9, 0.9],
        2,
        {"greedy": "B", "maj1": "A"},
    ),
]


@pytest.mark.parametrize("case, groups, scores, k, expected", CASES, ids=[case[0] for case in CASES])
def test_strategy_winner(case, groups, scores, k, expected):
    clusters = clusters_of(groups)
    for strategy, answer in expected.items():
        ranked = rank(strategy, clusters, scores, k)
        assert ranked[0].answer == answer, f"{strategy}: expected {answer}, got {ranked[0].answer}"
        assert sorted(c.answer for c in ranked) == sorted(groups), "every cluster stays in the ranking"


def test_ranking_describes_clusters():
    clusters = clusters_of({"A": [0, 1, 2], "B": [3, 4], "C": [5]})
    scores = [0.2, 0.6, 0.4, 0.9, 0.1, None]  # C is outside the top-2 and was never scored
    ranked = rank("rr_topk", clusters, scores, k=2)
    assert [c.answer for c in ranked] == ["B", "A", "C"]
    b, a, c = ranked
    assert (b.votes, b.members, b.score, b.max_score) == (2, [3, 4], 0.9, 0.9)
    assert b.mean_score == pytest.approx(0.5)
    assert a.members == [1, 2, 0], "members are best-scored first"
    assert a.mean_score == pytest.approx(0.4)
    assert (b.in_top_k, a.in_top_k, c.in_top_k) == (True, True, False)
    assert (c.score, c.mean_score, c.max_score) == (None, None, None)


def test_scores_as_dict_match_scores_as_list():
    clusters = clusters_of({"A": [0, 1, 2], "B": [3, 4]})
    as_list = [0.2, 0.3, 0.1, 0.9, 0.1]
    as_dict = dict(enumerate(as_list))
    for strategy in STRATEGY_FUNCTIONS:
        assert rank(strategy, clusters, as_list, 2) == rank(strategy, clusters, as_dict, 2)


def test_no_answers_means_no_winner():
    for strategy in STRATEGY_FUNCTIONS:
        assert rank(strategy, [], [], 8) == []
    # greedy: sample 0 gave no final answer, so Pass@1 has no answer even though others do
    assert rank("greedy", clusters_of({"A": [1, 2]}), [], 8) == []


def test_missing_scores_are_an_error_not_a_silent_zero():
    clusters = clusters_of({"A": [0, 1], "B": [2]})
    with pytest.raises(ValueError, match="missing for samples \\[1\\]"):
        rank("rr_topk", clusters, [0.5, None, 0.4], 2)
    assert rank("maj1", clusters, [], 2)[0].answer == "A", "majority voting needs no scores"


def test_unknown_strategy_and_bad_k():
    with pytest.raises(ValueError, match="unknown strategy"):
        rank("best", [], [], 8)
    with pytest.raises(ValueError, match="k must be"):
        rank("rr_topk", [], [], 0)


def test_samples_to_score():
    clusters = clusters_of({"C": [5], "A": [0, 1, 2], "B": [3, 4]})
    assert samples_to_score("maj1", clusters, 2) == []
    assert samples_to_score("greedy", clusters, 2) == []
    assert samples_to_score("rr_topk", clusters, 2) == [0, 1, 2, 3, 4]
    assert samples_to_score("wrr_topk", clusters, 1) == [0, 1, 2]
    assert samples_to_score("rr_all", clusters, 1) == [0, 1, 2, 3, 4, 5]


def test_vote_order_ties_by_lowest_member():
    clusters = clusters_of({"late": [5, 6], "early": [1, 7], "big": [2, 3, 4]})
    assert [c.answer for c in vote_order(clusters)] == ["big", "early", "late"]


@st.composite
def scored_clusters(draw):
    n = draw(st.integers(1, 16))
    labels = draw(st.lists(st.integers(0, 4), min_size=n, max_size=n))
    groups: dict[str, list[int]] = {}
    for index, label in enumerate(labels):
        groups.setdefault(f"ans{label}", []).append(index)
    scores = draw(st.lists(st.sampled_from([0.0, 0.25, 0.5, 0.75, 1.0]), min_size=n, max_size=n))
    k = draw(st.integers(1, 5))
    return clusters_of(groups), scores, k


@settings(max_examples=150, deadline=None)
@given(scored_clusters(), st.randoms())
def test_properties_hold_for_any_input(data, rnd):
    clusters, scores, k = data
    shuffled = list(clusters)
    rnd.shuffle(shuffled)
    top_k = {c.answer for c in vote_order(clusters)[:k]}
    for strategy in STRATEGY_FUNCTIONS:
        ranked = rank(strategy, clusters, scores, k)
        # deterministic: the order clusters arrive in never changes the ranking
        assert ranked == rank(strategy, shuffled, scores, k)
        if strategy.endswith("topk"):
            assert ranked[0].answer in top_k
    best = max(scores)
    assert rank("rr_all", clusters, scores, k)[0].max_score == best
    majority = vote_order(clusters)[0]
    assert rank("maj1", clusters, scores, k)[0].answer == majority.answer
