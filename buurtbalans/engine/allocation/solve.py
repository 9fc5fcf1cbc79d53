"""`solve_round`: eligibility, priority, deferred acceptance and outcomes for one allocation round."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np

from buurtbalans.engine.allocation.deferred_acceptance import NOBODY, deferred_acceptance
from buurtbalans.engine.allocation.eligibility import bid_eligibility
from buurtbalans.engine.allocation.facts import RoundFacts, RoundInput
from buurtbalans.engine.allocation.priority import lottery_numbers, rank_candidates
from buurtbalans.engine.allocation.result import (
    ALLOCATED,
    ALLOCATED_ELSEWHERE,
    INELIGIBLE,
    OUTRANKED,
    RoundResult,
)
from buurtbalans.engine.parameters import ParameterSet

DEFAULT_RESERVE_SIZE = 5


def solve_round(
    facts: RoundFacts | RoundInput,
    params: ParameterSet,
    *,
    reference_date: date,
    lottery_seed: str | int,
    reserve_size: int = DEFAULT_RESERVE_SIZE,
    on_progress: Callable[[int, int], None] | None = None,
) -> RoundResult:
    """Allocate the listings of a round to applicants: the applicant-optimal stable matching, explained.

    Steps (docs/allocation.md):
      1. Eligibility of every bid (`eligibility.bid_eligibility`): household size, income, groups, motivation
         score (round/2: made from the assessments, `motivation.assessed_motivation`, and held against the
         listing's minimum), then affordability (passend toewijzen, `rules.affordability_fit` with `params`)
         unless the listing is an affordability exception.
      2. Priority within each listing (`priority.rank_candidates`): urgency where the listing says so, its
         selection key (round/2 motivation: the score, then the registration date), then the lottery number
         `int(sha256(f"{seed}:{applicant_id}").hexdigest()[:16], 16)`.
      3. Preferences: each applicant's ranks of their bids (1 = most wanted).
      4. Applicant-proposing deferred acceptance over the eligible bids (Gale and Shapley 1962; Roth 1984:
         `deferred_acceptance.deferred_acceptance`), every listing with capacity one. The result is the
         applicant-optimal stable matching: nobody is passed over for a listing they prefer by someone with a
         lower priority there, and every applicant gets the best listing they can get in any such matching.
      5. Outcome of every bid: allocated, allocated_elsewhere (got a listing they preferred), outranked (the
         listing went to someone with a higher priority), or ineligible with its reason; per listing the ranked
         candidates and a reserve list of up to `reserve_size` eligible candidates who got nothing.

    To re-run after a declined offer, the caller takes the accepted pairs out (`RoundFacts.without`) and calls
    this again with the same seed and parameters.

    Args:
        facts: the round (rows are compiled to columns first).
        params: the legal parameter set valid on `reference_date` (in the product:
            `rules.parameters.parameters_for(reference_date, corporation=...)`).
        reference_date: the round's reference date (peildatum); recorded, and checked against `params`.
        lottery_seed: the round's seed; with the same facts and seed the result is the same.
        reserve_size: how many reserve candidates each listing keeps.
        on_progress: called as `on_progress(done, total)` after each step.

    Returns:
        The result, with `parameters_version` = `params.version`.

    Raises:
        RoundParameterMissing: when an affordability decision needs a parameter the set does not give and the
            listing is not an affordability exception (the round does not guess).
        RoundInputError: when rows do not make a round (unknown ids, duplicate bids or preferences).
        ValueError: when `params` is not valid on `reference_date` yet.
    """
    if params.valid_from > reference_date:
        raise ValueError(
            f"parameter set {params.version} is valid from {params.valid_from.isoformat()}, "
            f"after the reference date {reference_date.isoformat()}"
        )
    if reserve_size < 0:
        raise ValueError("reserve_size cannot be negative")
    if isinstance(facts, RoundInput):
        facts = facts.compile()
    steps = 5

    def progress(done: int) -> None:
        if on_progress is not None:
            on_progress(done, steps)

    lottery = lottery_numbers(lottery_seed, facts.applicant_ids)
    eligibility = bid_eligibility(facts, params)
    progress(1)
    eligible = eligibility.reason == 0
    ranking = rank_candidates(facts, eligible, lottery, eligibility.motivation_score)
    progress(2)

    edges = ranking.order  # the eligible bids
    matched_edge = deferred_acceptance(
        proposer=facts.bid_applicant[edges],
        listing=facts.bid_listing[edges],
        preference=facts.bid_preference[edges],
        priority=ranking.rank[edges],
        n_proposers=len(facts.applicant_ids),
        n_listings=len(facts.listings),
    )
    progress(3)
    is_matched = matched_edge != NOBODY
    applicant_bid = np.where(is_matched, edges[np.maximum(matched_edge, 0)] if len(edges) else 0, NOBODY)
    listing_bid = np.full(len(facts.listings), NOBODY, dtype=np.int64)
    matched_bids = applicant_bid[is_matched]
    listing_bid[facts.bid_listing[matched_bids]] = matched_bids

    outcome = np.full(len(facts.bid_applicant), INELIGIBLE, dtype=np.uint8)
    own_bid = applicant_bid[facts.bid_applicant[edges]]
    own_preference = np.where(own_bid >= 0, facts.bid_preference[np.maximum(own_bid, 0)], 0)
    outcome[edges] = np.where(
        own_bid == edges,
        ALLOCATED,
        np.where((own_bid >= 0) & (own_preference < facts.bid_preference[edges]), ALLOCATED_ELSEWHERE, OUTRANKED),
    )
    progress(4)

    # Reserve: eligible candidates who got nothing anywhere, in rank order, the first `reserve_size` per listing.
    reserve_position = np.zeros(len(facts.bid_applicant), dtype=np.int64)
    unmatched = own_bid == NOBODY
    if unmatched.any():
        listing_of_edge = facts.bid_listing[edges]
        count = np.cumsum(unmatched)
        before_listing = np.concatenate(([0], count))[ranking.start[:-1]]
        place = count - before_listing[listing_of_edge]
        on_reserve = unmatched & (place <= reserve_size)
        reserve_position[edges[on_reserve]] = place[on_reserve]
    progress(5)

    for array in (applicant_bid, listing_bid, outcome, reserve_position):
        array.flags.writeable = False
    return RoundResult(
        facts=facts,
        parameters_version=params.version,
        reference_date=reference_date,
        lottery_seed=lottery_seed,
        reserve_size=reserve_size,
        lottery=lottery,
        reason=eligibility.reason,
        motivation_score=eligibility.motivation_score,
        ranking=ranking,
        outcome=outcome,
        applicant_bid=applicant_bid,
        listing_bid=listing_bid,
        reserve_position=reserve_position,
        assessed=eligibility.assessed,
    )
