"""Eligibility (step 1): one row per reason, the order of the checks, and affordability via the rules engine."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings

from buurtbalans.engine.allocation import (
    IneligibleReason,
    RoundInput,
    RoundParameterMissing,
    SelectionKey,
    solve_round,
)
from buurtbalans.engine.allocation.eligibility import affordability_table, bid_eligibility
from buurtbalans.engine.allocation.facts import REASON_ORDER
from buurtbalans.engine.parameters import builtin_parameter_set
from buurtbalans.engine.tests.allocation_support import (
    PARAMS_2025,
    REFERENCE_DATE,
    applicant,
    bids,
    expected_reason,
    listing,
    small_rounds,
)

R = IneligibleReason


def reason_for(item, person, params=PARAMS_2025):
    # "OTHER" is a second listing without bids, for scores given for another listing.
    facts = RoundInput([item, listing("OTHER")], [person], bids((person.id, item.id, 1))).compile()
    code = int(bid_eligibility(facts, params).reason[0])
    return None if code == 0 else REASON_ORDER[code - 1]


# (what the row shows, listing, applicant, reason or None). 2025: allowance income limits 28,375 (1 person) /
# 38,500 (more) / 27,775 and 37,350 at pension age; caps 682.96 (1-2 persons) / 731.93 (3 or more).
CASES = [
    ("size within min..max", listing("L", household_size_min=2, household_size_max=4), applicant("A", size=2), None),
    ("size below min", listing("L", household_size_min=2), applicant("A", size=1), R.HOUSEHOLD_SIZE),
    ("size above max", listing("L", household_size_max=4), applicant("A", size=5), R.HOUSEHOLD_SIZE),
    ("size at max is fine", listing("L", household_size_max=4), applicant("A", size=4), None),
    ("income above max", listing("L", income_max=Decimal("40000")), applicant("A", income="40000.01"),
     R.INCOME_ABOVE_MAX),
    ("income equal to max is fine", listing("L", income_max=Decimal("40000")), applicant("A", income="40000"), None),
    ("income below min", listing("L", income_min=Decimal("30000")), applicant("A", income="29999.99"),
     R.INCOME_BELOW_MIN),
    ("income equal to min is fine", listing("L", income_min=Decimal("30000")), applicant("A", income="30000"), None),
    ("group not allowed", listing("L", allowed_groups={"senior"}), applicant("A", groups={"starter"}),
     R.GROUP_NOT_ALLOWED),
    ("one allowed group is enough", listing("L", allowed_groups={"senior", "care"}),
     applicant("A", groups={"care", "starter"}), None),
    ("no allowed groups: everyone", listing("L"), applicant("A", groups={"starter"}), None),
    ("excluded group", listing("L", excluded_groups={"student"}), applicant("A", groups={"student", "senior"}),
     R.GROUP_EXCLUDED),
    ("motivation listing without a score", listing("L", selection=SelectionKey.MOTIVATION), applicant("A"),
     R.NO_MOTIVATION_SCORE),
    ("motivation listing with a score", listing("L", selection=SelectionKey.MOTIVATION),
     applicant("A", motivation_scores={"L": 0}), None),
    ("a score for another listing does not count", listing("L", selection=SelectionKey.MOTIVATION),
     applicant("A", motivation_scores={"OTHER": 9}), R.NO_MOTIVATION_SCORE),
    ("rent above the low cap, low income, 2 persons", listing("L", rent="682.97"),
     applicant("A", size=2, income="38500.00"), R.NOT_AFFORDABLE),
    ("rent equal to the low cap", listing("L", rent="682.96"), applicant("A", size=2, income="38500.00"), None),
    ("income just above the limit: not tested", listing("L", rent="900.00"),
     applicant("A", size=2, income="38500.01"), None),
    ("3 persons: the high cap", listing("L", rent="731.93"), applicant("A", size=3, income="20000"), None),
    ("3 persons above the high cap", listing("L", rent="731.94"), applicant("A", size=3, income="20000"),
     R.NOT_AFFORDABLE),
    ("pension age, 1 person: its own income limit", listing("L", rent="700.00"),
     applicant("A", size=1, income="27775.01", is_pension_age_household=True), None),
    ("pension age under its limit", listing("L", rent="700.00"),
     applicant("A", size=1, income="27775.00", is_pension_age_household=True), R.NOT_AFFORDABLE),
    ("affordability exception", listing("L", rent="900.00", affordability_exception=True),
     applicant("A", size=1, income="15000"), None),
]


@pytest.mark.smoke
@pytest.mark.parametrize("what, item, person, reason", CASES, ids=[c[0] for c in CASES])
def test_each_eligibility_rule(what, item, person, reason):
    assert reason_for(item, person) == reason
    assert expected_reason(item, person, PARAMS_2025) == reason  # the oracle agrees with the table


def test_the_first_failing_check_in_the_documented_order_is_the_reason():
    everything_wrong = listing(
        "L", rent="900.00", household_size_max=1, income_max=Decimal("10000"), income_min=Decimal("5000"),
        allowed_groups={"senior"}, excluded_groups={"student"}, selection=SelectionKey.MOTIVATION,
    )
    person = applicant("A", size=2, income="20000", groups={"student"})
    assert reason_for(everything_wrong, person) is R.HOUSEHOLD_SIZE
    # no_motivation_score is round/1's check 6; round/2 has motivation_incomplete and motivation_below_minimum there.
    assert list(R) == [R.HOUSEHOLD_SIZE, R.INCOME_ABOVE_MAX, R.INCOME_BELOW_MIN, R.GROUP_NOT_ALLOWED,
                       R.GROUP_EXCLUDED, R.NO_MOTIVATION_SCORE, R.MOTIVATION_INCOMPLETE, R.MOTIVATION_BELOW_MINIMUM,
                       R.NOT_AFFORDABLE]


@settings(max_examples=200, deadline=None)
@given(small_rounds(max_listings=4, max_applicants=6))
def test_the_columnar_checks_agree_with_the_rules_engine_bid_by_bid(round_input):
    facts = round_input.compile()
    reasons = bid_eligibility(facts, PARAMS_2025).reason
    listings = {x.id: x for x in round_input.listings}
    people = {x.id: x for x in round_input.applicants}
    for code, bid in zip(reasons.tolist(), round_input.bids, strict=True):
        expected = expected_reason(listings[bid.listing], people[bid.applicant], PARAMS_2025)
        assert (None if code == 0 else REASON_ORDER[code - 1]) == expected


def test_households_of_one_class_share_one_affordability_question():
    facts = RoundInput(
        [listing("L1", rent="650.00"), listing("L2", rent="700.00", affordability_exception=True)],
        [applicant(f"A{size}{p}", size=size, is_pension_age_household=bool(p)) for size in range(1, 7)
         for p in (0, 1)],
        [],
    ).compile()
    table = affordability_table(facts, PARAMS_2025)
    # 1 person, 2 persons, 3+ persons, each at or below pension age.
    assert len(table.class_names) == 6
    assert table.class_names[0] == ("allowance_income_limit_single", "allowance_cap_low")


def test_the_rule_is_asked_around_each_classes_cap_not_once_per_listing():
    rents = [f"{600 + i}.50" for i in range(200)]
    facts = RoundInput(
        [listing(f"L{i}", rent=rent) for i, rent in enumerate(rents)],
        [applicant("A1", size=1), applicant("A3", size=3)],
        [],
    ).compile()
    table = affordability_table(facts, PARAMS_2025)
    assert table.calls <= 2 * 10  # a binary search over 200 rents per class
    fits = [Decimal(rent) <= PARAMS_2025.allowance_cap_low for rent in rents]
    assert (table.outcome[0] == 0).tolist() == fits  # 0 = FIT


# --- a parameter the reference date does not give (2026 as it was before its caps were published) -----------------

PARAMS_2026 = replace(builtin_parameter_set(date(2026, 2, 1)), allowance_cap_low=None, allowance_cap_high=None)


def solve_2026(round_input):
    return solve_round(round_input, PARAMS_2026, reference_date=date(2026, 2, 1), lottery_seed="2026")


def test_the_round_refuses_to_guess_a_missing_cap_and_names_it():
    assert PARAMS_2026.allowance_cap_low is None
    round_input = RoundInput(
        [listing("L1", rent="700.00"), listing("L2", rent="650.00"), listing("L3", rent="600.00")],
        [applicant("A1", size=2, income="25000"), applicant("A2", size=1, income="20000")],
        bids(("A1", "L1", 1), ("A1", "L2", 2), ("A2", "L2", 1)),
    )
    with pytest.raises(RoundParameterMissing) as caught:
        solve_2026(round_input)
    (missing,) = caught.value.missing
    assert missing.name == "allowance_cap_low"
    assert missing.listings == ("L1", "L2")
    assert missing.bids == 3
    assert "parameter missing: allowance_cap_low" in str(caught.value)
    assert "L1, L2" in str(caught.value)


def test_a_missing_cap_is_not_needed_for_exception_listings_incomes_above_the_limit_or_bids_refused_earlier():
    round_input = RoundInput(
        [listing("EXC", rent="700.00", affordability_exception=True), listing("MID", rent="950.00",
                                                                              household_size_max=2)],
        [applicant("LOW", size=2, income="25000"), applicant("HIGH", size=2, income="52000"),
         applicant("BIG", size=5, income="25000")],
        bids(("LOW", "EXC", 1), ("HIGH", "MID", 1), ("BIG", "MID", 1)),
    )
    result = solve_2026(round_input)
    assert result.parameters_version == PARAMS_2026.version
    assert {(a["listing"], a["applicant"]) for a in result.allocation_entries()} == {("EXC", "LOW"), ("MID", "HIGH")}
    assert result.ineligible_entries() == [{"applicant": "BIG", "listing": "MID", "reason": "household_size"}]


def test_the_parameter_set_must_be_valid_on_the_reference_date():
    with pytest.raises(ValueError, match="after the reference date"):
        solve_round(RoundInput([], [], []), PARAMS_2026, reference_date=REFERENCE_DATE, lottery_seed=1)
