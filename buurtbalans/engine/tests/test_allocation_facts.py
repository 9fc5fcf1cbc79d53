"""Facts of a round: rows that do not make a round are refused with every problem; columns and subsets."""

from datetime import UTC, datetime
from decimal import Decimal

import numpy as np
import pytest

from buurtbalans.engine.allocation import Bid, RoundInput, RoundInputError
from buurtbalans.engine.allocation.facts import bid_conflicts, stable_order
from buurtbalans.engine.tests.allocation_support import T0, applicant, bids, listing


@pytest.mark.smoke
def test_rows_that_do_not_make_a_round_are_refused_with_every_problem():
    round_input = RoundInput(
        [listing("L1"), listing("L2"), listing("L1")],
        [applicant("A1", motivation_scores={"L9": 5}), applicant("A2")],
        bids(("A1", "L1", 1), ("A1", "L2", 1), ("A1", "L1", 2), ("A3", "L1", 1), ("A2", "L7", 1)),
    )
    with pytest.raises(RoundInputError) as caught:
        round_input.compile()
    assert caught.value.problems == [
        'listings[2].id: "L1" is also the id of listings[0]',
        'bids[3].applicant: unknown applicant "A3"',
        'bids[4].listing: unknown listing "L7"',
        'bids[1].preference: applicant "A1" already gave preference 1 in bids[0]',
        'bids[2]: applicant "A1" already bid on listing "L1" in bids[0]',
        'applicants[0].motivation_scores: unknown listing "L9"',
    ]


def test_bids_either_all_carry_a_utc_offset_or_none_does():
    mixed = (Bid("A1", "L1", 1, T0), Bid("A1", "L2", 2, datetime(2025, 5, 26, 9, tzinfo=UTC)))
    with pytest.raises(RoundInputError, match=r"bids\[0\].submitted_at: has no UTC offset"):
        RoundInput([listing("L1"), listing("L2")], [applicant("A1")], mixed).compile()


def test_rows_check_their_own_values():
    with pytest.raises(ValueError, match="two decimals"):
        listing("L", rent="600.005")
    with pytest.raises(ValueError, match="household_size"):
        applicant("A", size=0)
    with pytest.raises(ValueError, match="preference"):
        Bid("A", "L", 0, T0)
    with pytest.raises(ValueError, match="finite"):
        applicant("A", motivation_scores={"L": float("nan")})
    with pytest.raises(ValueError, match="household_size_min 3 is above household_size_max 2"):
        listing("L", household_size_min=3, household_size_max=2)


def test_columns_hold_the_rows():
    facts = RoundInput(
        [listing("L1", allowed_groups={"senior"}), listing("L2", excluded_groups={"student"})],
        [applicant("A1", income="1234.56", groups={"senior", "starter"}), applicant("A2", groups={"student"})],
        bids(("A2", "L2", 1), ("A1", "L1", 1)),
    ).compile()
    assert facts.assessed_income_cents.tolist() == [123456, 3000000]
    assert facts.group_names == ("senior", "student")  # "starter" is named by no listing
    assert facts.applicant_group_mask[:, 0].tolist() == [0b01, 0b10]
    assert facts.bid_applicant.tolist() == [1, 0] and facts.bid_listing.tolist() == [1, 0]
    with pytest.raises(ValueError):
        facts.bid_preference[0] = 5  # read-only


def test_without_drops_listings_applicants_and_their_bids():
    facts = RoundInput(
        [listing("L1"), listing("L2")], [applicant("A1"), applicant("A2", groups={"x"})],
        bids(("A1", "L1", 1), ("A2", "L1", 1), ("A2", "L2", 2)),
    ).compile()
    rest = facts.without(listings=["L1"], applicants=["A1"])
    assert rest.listing_ids == ("L2",) and rest.applicant_ids == ("A2",)
    assert list(zip(rest.bid_applicant.tolist(), rest.bid_listing.tolist(), strict=True)) == [(0, 0)]
    assert rest.assessed_income_cents.tolist() == [3000000]


def test_conflicting_bids_are_found_with_the_bid_they_repeat():
    applicant_column = np.array([0, 0, 1, 0, 1])
    listing_column = np.array([5, 6, 5, 5, 7])
    preference = np.array([1, 2, 1, 3, 1])
    found = [(c.bid, c.kind, c.first) for c in bid_conflicts(applicant_column, listing_column, preference)]
    assert found == [(3, "duplicate_bid", 0), (4, "duplicate_preference", 2)]


def test_stable_order_sorts_by_several_keys_and_keeps_ties_in_input_order():
    a = np.array([2, 1, 2, 1, 0])
    b = np.array([0, 5, 0, 3, 9])
    assert stable_order([a, b]).tolist() == [4, 3, 1, 0, 2]
    huge = np.array([2**40, 1, 2**40], dtype=np.int64)  # too wide to pack: falls back to lexsort
    assert stable_order([huge, np.array([2**40, 0, 1], dtype=np.int64)]).tolist() == [1, 2, 0]


def test_amounts_keep_their_cents():
    assert listing("L", rent="682.96").base_rent == Decimal("682.96")
    assert RoundInput([listing("L", rent="682.96")], [], []).compile().listings[0].base_rent == Decimal("682.96")
