"""Round/2 motivation (issue 13 item 2): the score from blind assessments, its reasons, its priority, its explanation,
and round/1 unchanged when it runs through the same code."""

import json
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buurtbalans.engine.allocation import (
    Assessment,
    IneligibleReason,
    MotivationRule,
    RoundInput,
    RoundInputError,
    SelectionKey,
    assessed_motivation,
    solve_round,
)
from buurtbalans.engine.allocation.motivation import NO_SCORE, score_text
from buurtbalans.engine.tests.allocation_support import (
    ASSESSORS,
    PARAMS_2025,
    REFERENCE_DATE,
    SCORES,
    Oracle,
    applicant,
    bids,
    listing,
    matching_of,
    seeds,
    small_rounds,
    spec_motivation_score,
)

PROPERTY = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ASSESSED = MotivationRule.ASSESSMENTS
R = IneligibleReason
CRITERIA = ("Helpt mee in de buurt",)


def motivation_listing(id="M", **fields):  # noqa: A002 - mirrors the contract key
    return listing(id, selection=SelectionKey.MOTIVATION, **{"criteria": CRITERIA, **fields})


def given_as(*pairs):
    return tuple(Assessment(who, Decimal(score)) for who, score in pairs)


def solve(round_input, seed="s"):
    return solve_round(round_input, PARAMS_2025, reference_date=REFERENCE_DATE, lottery_seed=seed)


def score_of(*pairs):
    """The engine's score (text) for one applicant's assessments, or None when incomplete."""
    facts = RoundInput([motivation_listing()], [applicant("A", motivation_assessments={"M": given_as(*pairs)})],
                       bids(("A", "M", 1)), ASSESSED).compile()
    hundredths = int(assessed_motivation(facts).score_hundredths[0])
    return None if hundredths == NO_SCORE else score_text(hundredths)


# (what the row shows, assessments in the order given, score or None = motivation_incomplete)
RULE = [
    ("no assessments", [], None),
    ("one assessment", [("anna", "3.0")], None),
    ("two that agree: the mean", [("anna", "3.0"), ("bram", "3.5")], "3.25"),
    ("1.5 apart still agree", [("anna", "2.0"), ("bram", "3.5")], "2.75"),
    ("1.6 apart need a third", [("anna", "3.5"), ("bram", "1.9")], None),
    ("a third decides: the median", [("anna", "3.5"), ("bram", "1.9"), ("chris", "1.0")], "1.9"),
    ("median of the first three only", [("anna", "0.5"), ("bram", "4.0"), ("chris", "3.5"), ("dirk", "0.0")], "3.5"),
    ("agreeing pair: a third is not used", [("anna", "4.0"), ("bram", "3.0"), ("chris", "0.0")], "3.5"),
    ("an assessor counts once, the first", [("anna", "3.0"), ("anna", "1.0"), ("bram", "2.5")], "2.75"),
    ("one assessor twice is one assessment", [("anna", "3.0"), ("anna", "3.0")], None),
    ("a repeated assessor is no third", [("anna", "1.0"), ("bram", "4.0"), ("bram", "1.0")], None),
    ("the extremes", [("anna", "0.0"), ("bram", "0.0")], "0.0"),
    ("the top", [("anna", "4.0"), ("bram", "4")], "4.0"),
]


@pytest.mark.smoke
@pytest.mark.parametrize("what, pairs, expected", RULE, ids=[r[0] for r in RULE])
def test_the_score_rule(what, pairs, expected):
    assert score_of(*pairs) == expected
    spec = spec_motivation_score(given_as(*pairs))
    assert (None if spec is None else score_text(int(spec * 100))) == expected  # the oracle agrees with the table


assessment_lists = st.lists(st.tuples(st.sampled_from([*ASSESSORS, "dirk"]), st.sampled_from(SCORES)), max_size=6)


@settings(max_examples=300, deadline=None)
@given(st.lists(assessment_lists, min_size=1, max_size=6))
def test_the_columnar_score_equals_the_rule_written_out(lists):
    # Several applicants and two listings, so the grouping per applicant and listing is exercised.
    people = [applicant(f"A{i}", motivation_assessments={"M": given_as(*pairs), "N": given_as(*reversed(pairs))})
              for i, pairs in enumerate(lists)]
    round_bids = bids(*[(f"A{i}", li, p) for i in range(len(lists)) for p, li in ((1, "N"), (2, "M"))])
    facts = RoundInput([motivation_listing("M"), motivation_listing("N")], people, round_bids, ASSESSED).compile()
    scored = assessed_motivation(facts)
    for position, bid in enumerate(scored.bid.tolist()):
        person = people[facts.bid_applicant[bid]]
        spec = spec_motivation_score(person.motivation_assessments[facts.listings[facts.bid_listing[bid]].id])
        hundredths = int(scored.score_hundredths[position])
        assert (None if hundredths == NO_SCORE else Decimal(hundredths) / 100) == spec


def test_the_reasons_in_their_order():
    minimum = motivation_listing(motivation_min_score=Decimal("2.5"))
    cases = [
        (applicant("A", motivation_assessments={"M": given_as(("anna", "1.0"))}), R.MOTIVATION_INCOMPLETE),
        (applicant("A"), R.MOTIVATION_INCOMPLETE),
        (applicant("A", motivation_assessments={"M": given_as(("anna", "2.5"), ("bram", "2.0"))}),
         R.MOTIVATION_BELOW_MINIMUM),
        (applicant("A", motivation_assessments={"M": given_as(("anna", "2.5"), ("bram", "2.5"))}), None),
        # Earlier checks first: a household too large never gets to the motivation checks.
        (applicant("A", size=5, motivation_assessments={"M": given_as(("anna", "1.0"))}), R.HOUSEHOLD_SIZE),
    ]
    item = minimum.__class__(**{**minimum.__dict__, "household_size_max": 4})
    for person, reason in cases:
        result = solve(RoundInput([item], [person], bids(("A", "M", 1)), ASSESSED))
        got = [e["reason"] for e in result.ineligible_entries()]
        assert got == ([] if reason is None else [reason.value])


@PROPERTY
@given(small_rounds(max_listings=4, max_applicants=5, round_2=True), seeds)
def test_round_2_reasons_priority_and_matching_are_what_the_contract_says(round_input, seed):
    result = solve(round_input, seed)
    oracle = Oracle(round_input, seed)
    ineligible = {(e["applicant"], e["listing"]): e["reason"] for e in result.ineligible_entries()}
    assert ineligible == {pair: reason.value for pair, reason in oracle.reason.items() if reason is not None}
    for li, item in enumerate(round_input.listings):
        assert [c["applicant"] for c in result.listing_entry(li)["candidates"]] == oracle.ranking(item.id)
    assert matching_of(result) == oracle.applicant_optimal()
    assert oracle.blocking_pairs(matching_of(result)) == []


@PROPERTY
@given(small_rounds(max_listings=4, max_applicants=6, round_2=True), seeds)
def test_every_round_2_candidate_shows_the_assessments_used_and_the_score(round_input, seed):
    result = solve(round_input, seed)
    people = {x.id: x for x in round_input.applicants}
    for li, item in enumerate(round_input.listings):
        for candidate in result.listing_entry(li)["candidates"]:
            detail = candidate["detail"]
            if item.selection is not SelectionKey.MOTIVATION:
                assert "motivation_assessments" not in detail and "motivation_score" not in detail
                continue
            person = people[candidate["applicant"]]
            used = [Assessment(x["assessor"], Decimal(x["score"])) for x in detail["motivation_assessments"]]
            # The assessments shown make the score shown, by the rule, and are the applicant's own, in their order.
            assert spec_motivation_score(used) == Decimal(detail["motivation_score"])
            assert len(used) in (2, 3) and len({x.assessor for x in used}) == len(used)
            # An assessor counts once, the first time (two equal assessments by one assessor are one).
            given = person.motivation_assessments[item.id]
            first_per_assessor = sorted({x.assessor: x for x in reversed(given)}.values(), key=given.index)
            assert used == first_per_assessor[: len(used)]
            assert detail["registration_date"] == person.registration_date.isoformat()
            if candidate["outcome"] == "outranked":
                assert detail["decided_by"] in {"urgency", "motivation_score", "registration_date", "lottery_number"}
    for entry in result.ineligible_entries():
        if entry["reason"] in (R.MOTIVATION_INCOMPLETE, R.MOTIVATION_BELOW_MINIMUM):
            assert "motivation_assessments" in entry
            assert ("motivation_score" in entry) == (entry["reason"] == R.MOTIVATION_BELOW_MINIMUM)
        else:
            assert set(entry) == {"applicant", "listing", "reason"}


def test_a_tie_of_scores_goes_to_the_earlier_registration_date_then_the_lottery():
    three, mean_three = {"M": given_as(("a", "3.0"), ("b", "3.0"))}, {"M": given_as(("a", "2.5"), ("b", "3.5"))}
    people = [
        applicant("LATE", registered=date(2013, 1, 1), motivation_assessments=mean_three),
        applicant("EARLY", registered=date(2011, 1, 1), motivation_assessments=three),
        applicant("EARLY2", registered=date(2011, 1, 1), motivation_assessments=three),
    ]
    result = solve(RoundInput([motivation_listing()], people, bids(("LATE", "M", 1), ("EARLY", "M", 1),
                                                                    ("EARLY2", "M", 1)), ASSESSED), seed=7)
    candidates = result.listing_entry(0)["candidates"]
    assert [c["applicant"] for c in candidates][2] == "LATE"
    winner = candidates[0]["applicant"]
    assert {c["applicant"] for c in candidates[:2]} == {"EARLY", "EARLY2"}
    # EARLY vs EARLY2: the same score and date, so the lottery decided; LATE lost on the registration date.
    assert candidates[1]["detail"]["decided_by"] == "lottery_number"
    assert int(candidates[0]["detail"]["lottery_number"]) < int(candidates[1]["detail"]["lottery_number"])
    assert candidates[2]["detail"]["decided_by"] == "registration_date" and winner != "LATE"


# --- round/1 keeps working, through the same code ------------------------------------------------------------------

NOT_MOTIVATION = tuple(key for key in SelectionKey if key is not SelectionKey.MOTIVATION)


@PROPERTY
@given(small_rounds(max_listings=4, max_applicants=6, selections=NOT_MOTIVATION), seeds)
def test_a_round_1_round_without_motivation_listings_gives_the_same_result_under_the_round_2_rule(round_input, seed):
    # Round/2 changes only motivation listings: the same round under the assessments rule gives the same result,
    # apart from the result's format name.
    round_1 = solve(round_input, seed)
    round_2 = solve(RoundInput(round_input.listings, [
        x.__class__(**{**x.__dict__, "motivation_scores": {}}) for x in round_input.applicants],
        round_input.bids, ASSESSED), seed)
    one, two = round_1.to_document(), round_2.to_document()
    assert (one.pop("format"), two.pop("format")) == ("buurtbalans.round-result/1", "buurtbalans.round-result/2")
    assert json.dumps(one) == json.dumps(two)
    assert round_1.summary() == round_2.summary() | {
        "ineligible_reasons": round_1.summary()["ineligible_reasons"]}
    assert list(round_1.summary()["ineligible_reasons"]) == [
        "household_size", "income_above_max", "income_below_min", "group_not_allowed", "group_excluded",
        "no_motivation_score", "not_affordable"]


def test_round_1_still_ranks_motivation_by_the_given_score_then_the_lottery():
    people = [applicant("EARLY", registered=date(2001, 1, 1), motivation_scores={"M": 7}),
              applicant("LATE", registered=date(2020, 1, 1), motivation_scores={"M": 7})]
    m = listing("M", selection=SelectionKey.MOTIVATION)
    result = solve(RoundInput([m], people, bids(("EARLY", "M", 1), ("LATE", "M", 1))), seed=3)
    candidates = result.listing_entry(0)["candidates"]
    assert candidates[1]["detail"]["decided_by"] == "lottery_number"
    assert "registration_date" not in candidates[0]["detail"] and candidates[0]["detail"]["motivation_score"] == 7


# --- the facts refuse motivation in the wrong form -------------------------------------------------------------------


def test_a_round_2_motivation_listing_must_publish_criteria():
    bare = listing("M", selection=SelectionKey.MOTIVATION)
    with pytest.raises(RoundInputError) as caught:
        RoundInput([bare], [applicant("A")], bids(("A", "M", 1)), ASSESSED).compile()
    assert caught.value.problems == ['listings[0].criteria: listing "M" selects on motivation and must publish its '
                                     "criteria"]


@pytest.mark.parametrize("build, message", [
    (lambda: listing("R", criteria=CRITERIA), "does not select on motivation"),
    (lambda: listing("R", motivation_min_score=Decimal("2.0")), "does not select on motivation"),
    (lambda: motivation_listing(motivation_min_score=Decimal("4.5")), "score from 0.0 to 4.0"),
    (lambda: motivation_listing(criteria=("",)), "non-empty texts"),
    (lambda: Assessment("anna", Decimal("2.25")), "more than one decimal"),
    (lambda: Assessment("", Decimal("2.0")), "assessor"),
    (lambda: Assessment("anna", 2.0), "Decimal score"),
])
def test_labels_and_assessments_out_of_range_are_refused(build, message):
    with pytest.raises(ValueError, match=message):
        build()


def test_each_rule_takes_motivation_only_in_its_own_form():
    with pytest.raises(RoundInputError, match="round/2 scores motivation from assessments"):
        RoundInput([motivation_listing()], [applicant("A", motivation_scores={"M": 3})], [], ASSESSED).compile()
    with pytest.raises(RoundInputError, match="assessments need round/2"):
        RoundInput([listing("M", selection=SelectionKey.MOTIVATION)],
                   [applicant("A", motivation_assessments={"M": given_as(("a", "1.0"))})], []).compile()
    with pytest.raises(RoundInputError, match="need the assessments rule"):
        RoundInput([motivation_listing()], [applicant("A")], []).compile()


@PROPERTY
@given(small_rounds(max_listings=4, max_applicants=6, round_2=True), st.data())
def test_a_re_run_without_some_listings_and_applicants_keeps_every_assessment(round_input, data):
    # After a declined offer the caller takes out the accepted pairs and solves again (docs/allocation.md).
    listing_ids = [x.id for x in round_input.listings]
    applicant_ids = [x.id for x in round_input.applicants]
    gone_l = data.draw(st.lists(st.sampled_from(listing_ids), unique=True, max_size=len(listing_ids) - 1))
    gone_a = data.draw(st.lists(st.sampled_from(applicant_ids), unique=True, max_size=len(applicant_ids) - 1))
    rest = RoundInput(
        [x for x in round_input.listings if x.id not in gone_l],
        [x.__class__(**{**x.__dict__, "motivation_assessments": {
            k: v for k, v in x.motivation_assessments.items() if k not in gone_l}})
         for x in round_input.applicants if x.id not in gone_a],
        [b for b in round_input.bids if b.listing not in gone_l and b.applicant not in gone_a],
        ASSESSED,
    )
    facts = round_input.compile().without(listings=gone_l, applicants=gone_a)
    assert solve(facts).to_document() == solve(rest).to_document()
