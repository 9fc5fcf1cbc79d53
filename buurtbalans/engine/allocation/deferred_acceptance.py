"""Applicant-proposing deferred acceptance over ranked bids (step 4 of the round)."""

from __future__ import annotations

import numpy as np

from buurtbalans.engine.allocation.facts import stable_order

NOBODY = -1


def deferred_acceptance(
    proposer: np.ndarray,
    listing: np.ndarray,
    preference: np.ndarray,
    priority: np.ndarray,
    n_proposers: int,
    n_listings: int,
) -> np.ndarray:
    """Match proposers (applicants) to listings of capacity one; return per proposer the index of its matched edge.

    The edges are the eligible bids: edge `e` is proposer `proposer[e]` wanting `listing[e]` with rank
    `preference[e]` (smaller = more wanted, distinct per proposer) and holding position `priority[e]` on that
    listing (smaller = better, distinct per listing). The result is the proposer-optimal stable matching: every
    proposer gets the best listing it can have in any stable matching (Gale and Shapley 1962, theorem 2), as in
    the resident-optimal algorithm for hospitals/residents (Roth 1984) with every capacity one.

    Steps (Gale, D. and Shapley, L. S. (1962), "College admissions and the stability of marriage", The American
    Mathematical Monthly 69(1), 9-15; Roth, A. E. (1984), "The evolution of the labor market for medical interns
    and residents: a case study in game theory", Journal of Political Economy 92(6), 991-1016):

        0. Every proposer is free and every listing empty. Each proposer's list holds its edges, most wanted first.
        1. Every free proposer with edges left proposes to the listing of its next edge. (All at once: the outcome
           does not depend on the order of proposals, McVitie and Wilson 1971, "The stable marriage problem",
           Communications of the ACM 14(7), 486-490; this lets numpy handle a round of proposals in one go.)
        2. Each listing keeps the best of the proposer it holds and those proposing now, and rejects the others;
           a proposer it held and now drops becomes free again.
        3. Every rejected proposer crosses the listing off its list (moves to its next edge).
        4. Repeat from 1 until no free proposer has edges left. Held proposals are the matching.

    Args:
        proposer: per edge, the proposer's index (0 to n_proposers - 1).
        listing: per edge, the listing's index (0 to n_listings - 1).
        preference: per edge, the proposer's rank for the listing (smaller = more wanted).
        priority: per edge, the proposer's position on the listing's list (smaller = better).
        n_proposers: how many proposers there are.
        n_listings: how many listings there are.

    Returns:
        Per proposer the index of its matched edge, or -1 (NOBODY) when it stays unmatched.
    """
    n_edges = len(proposer)
    matched_edge = np.full(n_proposers, NOBODY, dtype=np.int64)
    if not n_edges:
        return matched_edge
    # Each proposer's edges in a contiguous slice, most wanted first.
    by_proposer = stable_order([proposer, preference])
    edge_listing = listing[by_proposer]
    edge_priority = priority[by_proposer].astype(np.int64)
    first = np.searchsorted(proposer[by_proposer], np.arange(n_proposers + 1))
    next_edge = first[:-1].copy()
    end = first[1:]

    held_priority = np.full(n_listings, np.iinfo(np.int64).max, dtype=np.int64)
    held_by = np.full(n_listings, NOBODY, dtype=np.int64)
    free = np.flatnonzero(next_edge < end)
    best = np.empty(n_listings, dtype=np.int64)
    while len(free):
        edge = next_edge[free]
        wanted = edge_listing[edge]
        position = edge_priority[edge]
        # Best proposal per listing this round (positions are distinct within a listing).
        best[wanted] = np.iinfo(np.int64).max
        np.minimum.at(best, wanted, position)
        accepted = (position == best[wanted]) & (position < held_priority[wanted])
        taken = wanted[accepted]
        dropped = held_by[taken]
        held_by[taken] = free[accepted]
        held_priority[taken] = position[accepted]
        rejected = np.concatenate((free[~accepted], dropped[dropped != NOBODY]))
        next_edge[rejected] += 1
        free = rejected[next_edge[rejected] < end[rejected]]

    holders = np.flatnonzero(held_by != NOBODY)
    matched_edge[held_by[holders]] = by_proposer[next_edge[held_by[holders]]]
    return matched_edge
