"""Grouping rows by shared prefix (tutor.models.prefix), the plan llama.cpp scoring follows.

Run: python -m pytest tests/test_models_prefix.py -q
"""

import pytest

from tutor.models.prefix import PrefixGroup, common_prefix_length, prefix_groups

P = [1, 2, 3, 4, 5, 6, 7, 8]  # a problem's prompt
Q = [1, 2, 9, 9, 9, 9, 9, 9]  # another problem: shares only two tokens with P


@pytest.mark.parametrize(
    ("rows", "first_output", "expected"),
    [
        # one problem's candidates: the whole problem part is shared
        ([P + [10], P + [11, 12], P + [13]], [9, 10, 9], [PrefixGroup((0, 1, 2), 8)]),
        # two problems interleaved: a group each, never a two-token group of both
        ([P + [10], Q + [20], P + [11], Q + [21]], [9, 9, 9, 9], [PrefixGroup((0, 2), 8), PrefixGroup((1, 3), 8)]),
        # a lone row shares nothing, and neither do rows with no common start
        ([P + [10]], [9], [PrefixGroup((0,), 0)]),
        ([[5, 1], [6, 1]], [1, 1], [PrefixGroup((0,), 0), PrefixGroup((1,), 0)]),
        # the shared part stops before the first output (logprobs of continuations of one prompt) ...
        ([P + [10, 11], P + [12]], [7, 7], [PrefixGroup((0, 1), 7)]),
        # ... and before a row's last token, even when one row is the other's prefix
        ([P, P + [10]], [7, 8], [PrefixGroup((0, 1), 7)]),
        # identical rows
        ([P, P, P], [7, 7, 7], [PrefixGroup((0, 1, 2), 7)]),
        # a row that would shorten a big group's prefix a lot starts its own group
        ([P + [10], P + [11], P + [12], P[:3] + [40, 41, 42, 43, 44]], [9, 9, 9, 8],
         [PrefixGroup((0, 1, 2), 8), PrefixGroup((3,), 0)]),
        # a small loss for the members is worth a long prefix for the newcomer
        ([P + [10], P + [11], P[:7] + [30, 31]], [9, 9, 9], [PrefixGroup((0, 1, 2), 7)]),
        ([], [], []),
    ],
)
def test_prefix_groups(rows, first_output, expected):
    groups = prefix_groups(rows, first_output)
    assert groups == expected
    assert sorted(r for g in groups for r in g.rows) == list(range(len(rows)))  # each row exactly once
    for group in groups:
        for r in group.rows:
            assert rows[r][: group.shared] == rows[group.rows[0]][: group.shared]
            assert group.shared <= min(first_output[r], len(rows[r]) - 1)


def test_common_prefix_length():
    assert common_prefix_length([1, 2, 3], [1, 2, 4]) == 2
    assert common_prefix_length([1, 2], [1, 2, 3]) == 2
    assert common_prefix_length([], [1]) == 0
