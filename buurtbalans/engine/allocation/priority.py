"""Priority within a listing (step 2 of the round) and the lottery numbers it breaks ties with.

A listing orders its eligible candidates, best first, by:
  1. urgency, when the listing says `urgency_first`: urgent applicants before the others;
  2. the listing's selection key: `registration` earlier registration date; `lottery` lower lottery number;
     `motivation` higher motivation score (round/2: then the earlier registration date); `first_come` earlier bid
     time;
  3. the lower lottery number;
  4. input order of the applicants, only when two lottery numbers are equal (two 64-bit hashes colliding).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np

from buurtbalans.engine.allocation.facts import MotivationRule, RoundFacts, SelectionKey, stable_order

_SHA256 = type(hashlib.sha256())
# Position of each part of the priority key, as `decided_by` names it in explanations.
DECIDED_BY_URGENCY = "urgency"
DECIDED_BY_LOTTERY = "lottery_number"
DECIDED_BY_KEY = {
    SelectionKey.REGISTRATION: "registration_date",
    SelectionKey.LOTTERY: DECIDED_BY_LOTTERY,
    SelectionKey.MOTIVATION: "motivation_score",
    SelectionKey.FIRST_COME: "submitted_at",
}


def lottery_number(lottery_seed: str | int, applicant_id: str) -> int:
    """The applicant's lottery number in a round: `int(sha256(f"{seed}:{applicant_id}").hexdigest()[:16], 16)`.

    It depends only on the seed and the applicant's id, so it does not change when the round is re-run with fewer
    listings or applicants (after a declined offer), and anyone with the seed can recompute it.
    """
    return int(hashlib.sha256(f"{lottery_seed}:{applicant_id}".encode()).hexdigest()[:16], 16)


def lottery_numbers(lottery_seed: str | int, applicant_ids: tuple[str, ...]) -> np.ndarray:
    """`lottery_number` for every applicant, as uint64 (the first 8 bytes of each digest, big-endian)."""
    prefix = f"{lottery_seed}:"
    # One chain of C-level maps: a Python function call per applicant would double the time for 500,000 of them.
    digests = b"".join(map(_SHA256.digest, map(hashlib.sha256, map(str.encode, map(prefix.__add__, applicant_ids)))))
    numbers = np.frombuffer(digests, dtype=">u8").reshape(-1, 4)[:, 0].astype(np.uint64)
    numbers.flags.writeable = False
    return numbers


@dataclass(frozen=True, eq=False)
class Ranking:
    """The eligible candidates of every listing in priority order.

    Attributes:
        order: eligible bid indices sorted by listing, then priority (best first).
        start: per listing the offset of its first candidate in `order` (length listings + 1).
        rank: per bid its rank on the listing, 1 = best; 0 for ineligible bids.
        urgent_first: per bid True when it counts as urgent on its listing (urgent applicant, `urgency_first`).
        selection_value: per bid the value of its listing's selection key, smaller is better, as float64
            (registration day, -motivation score, bid time in microseconds; 0 for lottery listings).
        tie_value: round/2 only (None in round/1): per bid the registration day that breaks a tie of motivation
            scores (0 on other listings).
    """

    order: np.ndarray
    start: np.ndarray
    rank: np.ndarray
    urgent_first: np.ndarray
    selection_value: np.ndarray
    tie_value: np.ndarray | None = None


def _dense(values: np.ndarray) -> np.ndarray:
    """Ranks 0..k-1 of the distinct values (equal values share a rank)."""
    if not len(values):
        return values.astype(np.int64)
    return np.unique(values, return_inverse=True)[1].reshape(-1).astype(np.int64)


def rank_candidates(
    facts: RoundFacts, eligible: np.ndarray, lottery: np.ndarray, motivation_score: np.ndarray
) -> Ranking:
    """Rank the eligible bids of each listing (see the module docstring for the order).

    Args:
        facts: the round.
        eligible: per bid True when eligible.
        lottery: per applicant its lottery number (`lottery_numbers`).
        motivation_score: per bid the applicant's score for the listing (NaN when none).
    """
    n_bids = len(facts.bid_applicant)
    bids = np.flatnonzero(eligible)
    a, li = facts.bid_applicant[bids], facts.bid_listing[bids]
    urgency_first = np.array([x.urgency_first for x in facts.listings], dtype=bool)
    selection = np.array([list(SelectionKey).index(x.selection) for x in facts.listings], dtype=np.int8)
    key_of_bid = selection[li] if len(facts.listings) else np.zeros(0, np.int8)

    is_urgent_first = urgency_first[li] & facts.is_urgent[a] if len(facts.listings) else np.zeros(0, bool)
    # Non-negative integer keys, smaller is better, so they pack into one sort key.
    not_urgent = (~is_urgent_first).astype(np.int64)
    value = np.zeros(len(bids), dtype=np.float64)
    dense = np.zeros(len(bids), dtype=np.int64)
    is_assessed = facts.motivation_rule is MotivationRule.ASSESSMENTS
    tie = np.zeros(len(bids), dtype=np.int64) if is_assessed else None
    for code, key in enumerate(SelectionKey):
        mine = key_of_bid == code
        if not mine.any() or key is SelectionKey.LOTTERY:
            continue
        if key is SelectionKey.REGISTRATION:
            days = facts.registration_day[a[mine]]
            value[mine] = days
            # Days span a few decades: an offset from the earliest keeps them small without a sort.
            dense[mine] = days - days.min()
            continue
        if key is SelectionKey.MOTIVATION:
            raw = -motivation_score[bids[mine]]
            if tie is not None:
                value[mine], dense[mine], tie[mine] = raw, *_score_then_registration(raw, facts, a[mine])
                continue
        else:
            raw = facts.bid_submitted_us[bids[mine]].astype(np.float64)
        value[mine] = raw
        dense[mine] = _dense(raw)
    # Rank of the lottery number among all applicants; equal numbers keep input order (stable sort).
    lottery_rank = np.empty(len(lottery), dtype=np.int64)
    lottery_rank[np.argsort(lottery, kind="stable")] = np.arange(len(lottery))

    sorted_position = stable_order([li, not_urgent, dense, lottery_rank[a]])
    order = bids[sorted_position]
    start = np.searchsorted(li[sorted_position], np.arange(len(facts.listings) + 1))
    rank = np.zeros(n_bids, dtype=np.int64)
    rank[order] = np.arange(len(order)) - start[li[sorted_position]] + 1

    urgent_per_bid = np.zeros(n_bids, dtype=bool)
    urgent_per_bid[bids] = is_urgent_first
    value_per_bid = np.zeros(n_bids, dtype=np.float64)
    value_per_bid[bids] = value
    tie_per_bid = None
    if tie is not None:
        tie_per_bid = np.zeros(n_bids, dtype=np.int64)
        tie_per_bid[bids] = tie
        tie_per_bid.flags.writeable = False
    for array in (order, start, rank, urgent_per_bid, value_per_bid):
        array.flags.writeable = False
    return Ranking(order=order, start=start, rank=rank, urgent_first=urgent_per_bid, selection_value=value_per_bid,
                   tie_value=tie_per_bid)


def _score_then_registration(negative_score: np.ndarray, facts: RoundFacts,
                             applicants: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Round/2 motivation listings: one sort key for the higher score, then the earlier registration date.

    Returns:
        (key, registration day) per bid: the key is a non-negative integer, smaller is better.
    """
    days = facts.registration_day[applicants]
    offset = days - days.min()
    return _dense(negative_score) * (int(offset.max()) + 1) + offset, days
