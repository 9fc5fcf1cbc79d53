"""Outcomes and explanations (step 5): what a candidate reads about each bid, and each listing's account."""

from datetime import date

import pytest

from buurtbalans.engine.allocation import (
    BidOutcome,
    IneligibleReason,
    ListingStatus,
    RoundInput,
    SelectionKey,
    solve_round,
)
from buurtbalans.engine.tests.allocation_support import PARAMS_2025, REFERENCE_DATE, applicant, bids, listing


def solve(round_input, seed="s", **options):
    return solve_round(round_input, PARAMS_2025, reference_date=REFERENCE_DATE, lottery_seed=seed, **options)


@pytest.fixture
def round_result():
    # EARLY gets L1; MID wanted L1 most but gets L2; LATE gets nothing: outranked on L1 and on L2.
    people = [applicant("EARLY", registered=date(2004, 1, 1)), applicant("MID", registered=date(2009, 1, 1)),
              applicant("LATE", registered=date(2019, 1, 1)), applicant("BIG", size=6)]
    round_input = RoundInput(
        [listing("L1"), listing("L2", selection=SelectionKey.FIRST_COME), listing("L3"),
         listing("L4", household_size_max=3)],
        people,
        bids(("EARLY", "L1", 1), ("EARLY", "L2", 2, 50), ("MID", "L1", 1), ("MID", "L2", 2, 10),
             ("LATE", "L2", 1, 20), ("LATE", "L1", 2), ("BIG", "L4", 1)),
    )
    return solve(round_input)


@pytest.mark.smoke
def test_each_bid_has_its_outcome_and_the_allocated_candidate_is_named(round_result):
    assert round_result.bid_explanation("EARLY", "L1").outcome is BidOutcome.ALLOCATED
    elsewhere = round_result.bid_explanation("EARLY", "L2")
    assert elsewhere.outcome is BidOutcome.ALLOCATED_ELSEWHERE
    assert elsewhere.detail["allocated_listing"] == "L1" and elsewhere.detail["allocated_preference"] == 1
    outranked = round_result.bid_explanation("MID", "L1")
    assert outranked.outcome is BidOutcome.OUTRANKED
    assert outranked.rank == 2
    assert outranked.detail["allocated_to"] == "EARLY" and outranked.detail["allocated_rank"] == 1
    assert outranked.detail["decided_by"] == "registration_date"
    assert outranked.detail["allocated_listing"] == "L2"  # MID got a listing they wanted less
    late = round_result.bid_explanation("LATE", "L2")
    assert late.outcome is BidOutcome.OUTRANKED
    assert late.detail["allocated_to"] == "MID" and late.detail["decided_by"] == "submitted_at"
    assert late.detail["reserve_position"] == 1 and late.detail["allocated_listing"] is None
    ineligible = round_result.bid_explanation("BIG", "L4")
    assert ineligible.outcome is BidOutcome.INELIGIBLE and ineligible.reason is IneligibleReason.HOUSEHOLD_SIZE


def test_a_listing_reports_its_ranked_candidates_reserve_and_status(round_result):
    report = round_result.listing_report("L1")
    assert report.status is ListingStatus.ALLOCATED
    assert [(c.applicant, c.rank, c.outcome) for c in report.candidates] == [
        ("EARLY", 1, BidOutcome.ALLOCATED), ("MID", 2, BidOutcome.OUTRANKED), ("LATE", 3, BidOutcome.OUTRANKED),
    ]
    assert [(r.applicant, r.rank) for r in report.reserve] == [("LATE", 3)]
    assert report.candidates[0].detail == {"preference": 1, "registration_date": "2004-01-01",
                                           "lottery_number": str(round_result.lottery[0])}
    assert round_result.listing_report("L3").status is ListingStatus.NO_ELIGIBLE_BIDS
    assert round_result.listing_report("L4").status is ListingStatus.NO_ELIGIBLE_BIDS
    assert round_result.listing_report("L4").candidates == ()


def test_a_listing_whose_candidates_all_got_something_better_stays_unallocated():
    result = solve(RoundInput([listing("A"), listing("B")], [applicant("P")], bids(("P", "A", 1), ("P", "B", 2))))
    assert result.listing_report("B").status is ListingStatus.UNALLOCATED
    assert result.listing_report("B").candidates[0].outcome is BidOutcome.ALLOCATED_ELSEWHERE


def test_the_reserve_list_keeps_the_next_unallocated_candidates_up_to_its_size():
    people = [applicant(f"A{i}", registered=date(2000 + i, 1, 1)) for i in range(9)]
    round_input = RoundInput([listing("L"), listing("M")], people,
                             bids(*((p.id, "L", 1) for p in people), ("A1", "M", 2)))
    result = solve(round_input)
    # A0 gets L, A1 gets M (their second choice), A2..A6 are the reserve (5), A7 and A8 are not.
    assert [(r.applicant, r.rank) for r in result.listing_report("L").reserve] == [
        ("A2", 3), ("A3", 4), ("A4", 5), ("A5", 6), ("A6", 7)]
    assert result.bid_explanation("A7", "L").detail["reserve_position"] is None
    assert [r.applicant for r in solve(round_input, reserve_size=2).listing_report("L").reserve] == ["A2", "A3"]


def test_motivation_scores_show_as_given():
    round_input = RoundInput([listing("L", selection=SelectionKey.MOTIVATION)],
                             [applicant("A", motivation_scores={"L": 8}), applicant("B", motivation_scores={"L": 7.5})],
                             bids(("A", "L", 1), ("B", "L", 1)))
    candidates = solve(round_input).listing_report("L").candidates
    assert [(c.applicant, c.detail["motivation_score"]) for c in candidates] == [("A", 8), ("B", 7.5)]
    assert candidates[1].detail["decided_by"] == "motivation_score"


def test_a_rerun_after_a_declined_offer_keeps_the_accepted_pair_out_and_moves_the_reserve_up(round_result):
    # EARLY accepted L1; MID declined L2. The caller takes out EARLY with L1 and MID's bid on L2.
    facts = round_result.facts.without(listings=["L1"], applicants=["EARLY"])
    keep = ~((facts.bid_applicant == facts.applicant_ids.index("MID"))
             & (facts.bid_listing == facts.listing_ids.index("L2")))
    rerun = solve_round(facts.subset(keep_bids=keep), PARAMS_2025, reference_date=REFERENCE_DATE, lottery_seed="s")
    assert rerun.allocation_entries() == [{"listing": "L2", "applicant": "LATE", "rank": 1}]
