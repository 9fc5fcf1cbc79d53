"""Deferred acceptance (step 4) on bare arrays: textbook instances and a sequential reference."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from buurtbalans.engine.allocation import deferred_acceptance


def solve(edges, n_proposers, n_listings):
    """edges: (proposer, listing, preference, priority) tuples; returns proposer -> listing (or None)."""
    proposer, listing, preference, priority = (np.array(column, dtype=np.int64) for column in zip(*edges, strict=True))
    matched = deferred_acceptance(proposer, listing, preference, priority, n_proposers, n_listings)
    return {p: (None if e < 0 else int(listing[e])) for p, e in enumerate(matched.tolist())}


def sequential(edges, n_proposers):
    """Gale and Shapley's procedure one proposal at a time, as in the 1962 paper."""
    lists = {p: sorted((e for e in edges if e[0] == p), key=lambda e: e[2]) for p in range(n_proposers)}
    held: dict[int, tuple] = {}
    free = [p for p in range(n_proposers) if lists[p]]
    while free:
        p = free.pop()
        if not lists[p]:
            continue
        edge = lists[p].pop(0)
        current = held.get(edge[1])
        if current is None or edge[3] < current[3]:
            held[edge[1]] = edge
            if current is not None:
                free.append(current[0])
        else:
            free.append(p)
    result = {p: None for p in range(n_proposers)}
    for listing, edge in held.items():
        result[edge[0]] = listing
    return result


def test_two_stable_matchings_the_applicants_get_their_first_choices():
    # 0 wants A then B, 1 wants B then A; A ranks 1 first, B ranks 0 first. Both pairings are stable; the
    # applicant-optimal one gives each applicant its first choice.
    edges = [(0, 0, 1, 2), (0, 1, 2, 1), (1, 1, 1, 2), (1, 0, 2, 1)]
    assert solve(edges, 2, 2) == {0: 0, 1: 1}


def test_a_displaced_applicant_moves_down_its_list():
    # 0 and 1 both want listing 0 first; 1 has the better position there, so 0 ends at its second choice.
    edges = [(0, 0, 1, 2), (0, 1, 2, 1), (1, 0, 1, 1)]
    assert solve(edges, 2, 2) == {0: 1, 1: 0}


def test_no_edges_means_nobody_is_matched():
    assert deferred_acceptance(*(np.zeros(0, np.int64) for _ in range(4)), 3, 2).tolist() == [-1, -1, -1]


@st.composite
def instances(draw):
    n_proposers, n_listings = draw(st.integers(1, 7)), draw(st.integers(1, 5))
    edges = []
    positions = {li: draw(st.permutations(range(n_proposers))) for li in range(n_listings)}
    for p in range(n_proposers):
        wanted = draw(st.lists(st.integers(0, n_listings - 1), unique=True, max_size=n_listings))
        edges += [(p, li, rank + 1, positions[li][p] + 1) for rank, li in enumerate(wanted)]
    return edges, n_proposers, n_listings


@settings(max_examples=200, deadline=None)
@given(instances())
def test_proposing_all_at_once_gives_what_proposing_one_by_one_gives(instance):
    edges, n_proposers, n_listings = instance
    if not edges:
        return
    assert solve(edges, n_proposers, n_listings) == sequential(edges, n_proposers)
