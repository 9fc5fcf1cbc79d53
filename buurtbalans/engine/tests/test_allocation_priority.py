"""Priority within a listing (step 2): each selection key, urgency first, and ties broken by the lottery."""

from datetime import date

import pytest

from buurtbalans.engine.allocation import RoundInput, SelectionKey, lottery_number, lottery_numbers, solve_round
from buurtbalans.engine.tests.allocation_support import (
    PARAMS_2025,
    REFERENCE_DATE,
    applicant,
    bids,
    listing,
    spec_lottery_number,
)

SEED = "week-23"


def ranking(item, people, round_bids, seed=SEED):
    result = solve_round(RoundInput([item], people, round_bids), PARAMS_2025, reference_date=REFERENCE_DATE,
                         lottery_seed=seed)
    return [c["applicant"] for c in result.listing_entry(0)["candidates"]]


def by_lottery(*ids, seed=SEED):
    return sorted(ids, key=lambda i: spec_lottery_number(seed, i))


@pytest.mark.smoke
def test_the_lottery_number_is_the_published_formula():
    assert lottery_number("week-23", "A1") == int(
        __import__("hashlib").sha256(b"week-23:A1").hexdigest()[:16], 16
    )
    assert lottery_number(7, "A1") == lottery_number("7", "A1")
    ids = ("A1", "B-22", "ü", "x" * 200)
    assert lottery_numbers(SEED, ids).tolist() == [spec_lottery_number(SEED, i) for i in ids]


THREE = [applicant("OLD", registered=date(2005, 1, 1)), applicant("MID", registered=date(2010, 1, 1)),
         applicant("NEW", registered=date(2020, 1, 1))]


# (what the row shows, listing, applicants, bids as (applicant, listing, preference, minutes), expected order)
CASES = [
    ("registration: earlier date first", listing("L"), THREE,
     bids(("NEW", "L", 1), ("OLD", "L", 1), ("MID", "L", 1)), ["OLD", "MID", "NEW"]),
    ("first_come: earlier bid first", listing("L", selection=SelectionKey.FIRST_COME), THREE,
     bids(("OLD", "L", 1, 30), ("MID", "L", 1, 10), ("NEW", "L", 1, 20)), ["MID", "NEW", "OLD"]),
    ("motivation: higher score first", listing("L", selection=SelectionKey.MOTIVATION),
     [applicant("OLD", motivation_scores={"L": 6}), applicant("MID", motivation_scores={"L": 8.5}),
      applicant("NEW", motivation_scores={"L": 7})],
     bids(("OLD", "L", 1), ("MID", "L", 1), ("NEW", "L", 1)), ["MID", "NEW", "OLD"]),
    ("lottery: lower lottery number first", listing("L", selection=SelectionKey.LOTTERY), THREE,
     bids(("OLD", "L", 1), ("MID", "L", 1), ("NEW", "L", 1)), by_lottery("OLD", "MID", "NEW")),
    ("urgency_first: the urgent applicant goes before an earlier registration", listing("L", urgency_first=True),
     [*THREE[:2], applicant("NEW", registered=date(2020, 1, 1), is_urgent=True)],
     bids(("OLD", "L", 1), ("MID", "L", 1), ("NEW", "L", 1)), ["NEW", "OLD", "MID"]),
    ("without urgency_first urgency does not count", listing("L"),
     [*THREE[:2], applicant("NEW", registered=date(2020, 1, 1), is_urgent=True)],
     bids(("OLD", "L", 1), ("MID", "L", 1), ("NEW", "L", 1)), ["OLD", "MID", "NEW"]),
    ("urgent applicants among themselves: the selection key", listing("L", urgency_first=True),
     [applicant("U2", registered=date(2018, 1, 1), is_urgent=True),
      applicant("U1", registered=date(2011, 1, 1), is_urgent=True), applicant("B", registered=date(2001, 1, 1))],
     bids(("U2", "L", 1), ("U1", "L", 1), ("B", "L", 1)), ["U1", "U2", "B"]),
    ("tie on registration date: lower lottery number", listing("L"),
     [applicant("T1", registered=date(2012, 6, 1)), applicant("T2", registered=date(2012, 6, 1)),
      applicant("T3", registered=date(2012, 6, 1))],
     bids(("T1", "L", 1), ("T2", "L", 1), ("T3", "L", 1)), by_lottery("T1", "T2", "T3")),
    ("tie on bid time: lower lottery number", listing("L", selection=SelectionKey.FIRST_COME), THREE,
     bids(("OLD", "L", 1, 5), ("MID", "L", 1, 5), ("NEW", "L", 1, 1)), ["NEW", *by_lottery("OLD", "MID")]),
    ("tie on motivation score: lower lottery number", listing("L", selection=SelectionKey.MOTIVATION),
     [applicant("M1", motivation_scores={"L": 7.5}), applicant("M2", motivation_scores={"L": 7.5}),
      applicant("M3", motivation_scores={"L": 9})],
     bids(("M1", "L", 1), ("M2", "L", 1), ("M3", "L", 1)), ["M3", *by_lottery("M1", "M2")]),
    ("the applicant's own preference does not change their rank", listing("L"), THREE,
     bids(("OLD", "L", 3), ("MID", "L", 1), ("NEW", "L", 2)), ["OLD", "MID", "NEW"]),
]


@pytest.mark.parametrize("what, item, people, round_bids, expected", CASES, ids=[c[0] for c in CASES])
def test_each_selection_key(what, item, people, round_bids, expected):
    assert ranking(item, people, round_bids) == expected


def test_the_seed_decides_only_among_equals():
    people = [applicant(f"T{i}", registered=date(2012, 6, 1)) for i in range(6)]
    round_bids = bids(*((f"T{i}", "L", 1) for i in range(6)))
    orders = {tuple(ranking(listing("L"), people, round_bids, seed)) for seed in ("a", "b", "c", "d")}
    assert len(orders) > 1  # the draw decides between equals...
    earlier = [applicant("EARLY", registered=date(2001, 1, 1)), *people]
    for seed in ("a", "b", "c", "d"):  # ...but never over an earlier registration
        assert ranking(listing("L"), earlier, bids(*((p.id, "L", 1) for p in earlier)), seed)[0] == "EARLY"


def test_explanations_say_what_decided_between_a_candidate_and_the_allocated_one():
    people = [applicant("U", registered=date(2020, 1, 1), is_urgent=True),
              applicant("B", registered=date(2001, 1, 1)), applicant("C", registered=date(2001, 1, 1))]
    round_input = RoundInput([listing("L", urgency_first=True), listing("M")], people,
                             bids(("U", "L", 1), ("B", "L", 1), ("C", "M", 1), ("B", "M", 2)))
    result = solve_round(round_input, PARAMS_2025, reference_date=REFERENCE_DATE, lottery_seed=SEED)
    on_l = {c["applicant"]: c for c in result.listing_entry(0)["candidates"]}
    assert on_l["U"]["outcome"] == "allocated" and on_l["U"]["detail"]["is_urgent"] is True
    assert on_l["B"]["detail"]["decided_by"] == "urgency"
    on_m = {c["applicant"]: c for c in result.listing_entry(1)["candidates"]}
    loser = "B" if on_m["C"]["outcome"] == "allocated" else "C"
    assert on_m[loser]["detail"]["decided_by"] == "lottery_number"  # same registration date: the draw
