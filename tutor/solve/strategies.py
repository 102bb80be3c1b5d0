"""The answer-selection strategies of Liu et al. 2023 (METHOD.md), as pure functions.

Every strategy takes the answer clusters (any objects with `.answer` and `.members`, e.g.
`tutor.grading.Cluster`), the per-sample verifier scores S_cls and k, and returns the clusters ranked
best first: `ranked[0]` is the chosen answer, an empty list means "no answer". The Solver and the
trainer's evaluation call the same functions through `rank(name, clusters, scores, k)`.

- greedy:   the cluster of sample 0 (the temperature-0 sample); the rest follow in vote order.
- maj1:     vote order: the largest cluster wins (majority voting).
- rr_all:   the answer of the best-scored solution among all samples (verifier best-of-N).
- rr_topk:  the same within the top-k clusters by vote (solution-cluster re-ranking, SCR; the default).
- wrr:      each cluster scores the sum of its members' S_cls, over all clusters.
- wrr_topk: the same within the top-k clusters.
Ties, everywhere: the larger cluster, then the lower sample index (for rr_* the index of the cluster's
best-scored member, otherwise the cluster's first member). Clusters outside the top-k follow the
re-ranked ones in vote order, marked `in_top_k=False`.
"""

from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

from tutor.solve.result import RankedCluster


class ClusterLike(Protocol):
    answer: str
    members: list[int]


Scores = Mapping[int, float] | Sequence[float | None]
"""S_cls per sample index: a list aligned with the samples (None = not scored) or a dict."""


def _score_lookup(scores: Scores) -> Callable[[int], float | None]:
    if isinstance(scores, Mapping):
        return scores.get
    return lambda index: scores[index] if 0 <= index < len(scores) else None


def vote_order(clusters: Sequence[ClusterLike]) -> list[ClusterLike]:
    """Largest cluster first, ties by lowest first member (the grader's order, enforced here)."""
    return sorted(clusters, key=lambda cluster: (-len(cluster.members), min(cluster.members)))


def _describe(cluster: ClusterLike, score_of, in_top_k: bool, score: float | None) -> RankedCluster:
    """A RankedCluster with members best-scored first (unscored last), ties by sample index."""
    scored = [(score_of(i), i) for i in cluster.members]
    members = [i for _, i in sorted(scored, key=lambda pair: (pair[0] is None, -(pair[0] or 0.0), pair[1]))]
    values = [value for value, _ in scored if value is not None]
    return RankedCluster(
        answer=cluster.answer,
        members=members,
        votes=len(cluster.members),
        score=score,
        mean_score=sum(values) / len(values) if values else None,
        max_score=max(values) if values else None,
        in_top_k=in_top_k,
    )


def _required(score_of, cluster: ClusterLike) -> list[float]:
    values = [score_of(i) for i in cluster.members]
    if any(value is None for value in values):
        missing = [i for i, value in zip(cluster.members, values) if value is None]
        raise ValueError(f"verifier scores missing for samples {missing} of cluster {cluster.answer!r}")
    return values


def _rerank(clusters, scores: Scores, k: int | None, cluster_score, tie_index) -> list[RankedCluster]:
    """Re-rank the top-k clusters by vote (all when k is None) by cluster_score; the rest follow."""
    score_of = _score_lookup(scores)
    ordered = vote_order(clusters)
    head, tail = (ordered, []) if k is None else (ordered[:k], ordered[k:])
    keyed = []
    for cluster in head:
        values = _required(score_of, cluster)
        value = cluster_score(values)
        keyed.append(((-value, -len(cluster.members), tie_index(cluster, values)), cluster, value))
    keyed.sort(key=lambda item: item[0])
    ranked = [_describe(cluster, score_of, True, value) for _, cluster, value in keyed]
    return ranked + [_describe(cluster, score_of, False, None) for cluster in tail]


def _best_member_index(cluster: ClusterLike, values: list[float]) -> int:
    best = max(values)
    return min(i for i, value in zip(cluster.members, values) if value == best)


def _first_member_index(cluster: ClusterLike, values: list[float]) -> int:
    return min(cluster.members)


def greedy(clusters: Sequence[ClusterLike], scores: Scores, k: int = 8) -> list[RankedCluster]:
    """Pass@1: the answer of sample 0, decoded at temperature 0; [] when it gave no answer."""
    score_of = _score_lookup(scores)
    ordered = vote_order(clusters)
    chosen = [cluster for cluster in ordered if 0 in cluster.members]
    if not chosen:
        return []
    rest = [cluster for cluster in ordered if cluster is not chosen[0]]
    return [_describe(cluster, score_of, True, None) for cluster in chosen + rest]


def maj1(clusters: Sequence[ClusterLike], scores: Scores, k: int = 8) -> list[RankedCluster]:
    """Majority voting: the largest cluster."""
    score_of = _score_lookup(scores)
    return [_describe(cluster, score_of, True, float(len(cluster.members))) for cluster in vote_order(clusters)]


def rr_all(clusters: Sequence[ClusterLike], scores: Scores, k: int = 8) -> list[RankedCluster]:
    """Re-rank all samples: the cluster holding the best-scored solution."""
    return _rerank(clusters, scores, None, max, _best_member_index)


def rr_topk(clusters: Sequence[ClusterLike], scores: Scores, k: int = 8) -> list[RankedCluster]:
    """Solution-cluster re-ranking (SCR): the best-scored solution within the top-k clusters."""
    return _rerank(clusters, scores, k, max, _best_member_index)


def wrr(clusters: Sequence[ClusterLike], scores: Scores, k: int = 8) -> list[RankedCluster]:
    """Verifier-weighted voting: the cluster with the largest summed S_cls."""
    return _rerank(clusters, scores, None, sum, _first_member_index)


def wrr_topk(clusters: Sequence[ClusterLike], scores: Scores, k: int = 8) -> list[RankedCluster]:
    """Verifier-weighted voting within the top-k clusters."""
    return _rerank(clusters, scores, k, sum, _first_member_index)


STRATEGY_FUNCTIONS: dict[str, Callable[..., list[RankedCluster]]] = {
    "greedy": greedy,
    "maj1": maj1,
    "rr_all": rr_all,
    "rr_topk": rr_topk,
    "wrr": wrr,
    "wrr_topk": wrr_topk,
}


def rank(strategy: str, clusters: Sequence[ClusterLike], scores: Scores, k: int = 8) -> list[RankedCluster]:
    """Rank clusters by the named strategy; ranked[0] is the chosen answer ([] = no answer)."""
    if strategy not in STRATEGY_FUNCTIONS:
        raise ValueError(f"unknown strategy {strategy!r}; choose one of {', '.join(STRATEGY_FUNCTIONS)}")
    if k < 1:
        raise ValueError(f"k must be at least 1 (got {k})")
    return STRATEGY_FUNCTIONS[strategy](clusters, scores, k)


def samples_to_score(strategy: str, clusters: Sequence[ClusterLike], k: int = 8) -> list[int]:
    """The sample indices a strategy needs verifier scores for, in ascending order."""
    ordered = vote_order(clusters)
    if strategy in ("greedy", "maj1"):
        needed: list[ClusterLike] = []
    elif strategy in ("rr_all", "wrr"):
        needed = ordered
    else:
        needed = ordered[:k]
    return sorted(i for cluster in needed for i in cluster.members)
