"""What a run stores is what the engine says: the outcome rows and the result put together from them.

A run keeps its input document, its outcome rows (one per bid, with the engine's explanation) and the listings'
statuses; `run_result_document` makes the engine's result document of them. Solving the stored input again must
give exactly that document, for the first run and for a re-run after a decline, on random rounds.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buurtbalans.allocation import services
from buurtbalans.allocation.models import AllocationRun, BidResult, DeclineReason, Offer, OfferStatus
from buurtbalans.allocation.roundfile import parse_round_document
from buurtbalans.allocation.roundinput import run_result_document
from buurtbalans.allocation.tests.support import REFERENCE_DATE, applicant, at, scene, solve, vacant_dwelling
from buurtbalans.core.jobs import run_pending_jobs
from buurtbalans.core.models import Role
from buurtbalans.core.testing import make_user
from buurtbalans.engine.allocation import solve_round
from buurtbalans.rules.parameters import parameters_for

pytestmark = pytest.mark.django_db


def solved_again(run: AllocationRun) -> dict:
    round_file = parse_round_document(run.input_document)
    return solve_round(round_file.facts, parameters_for(round_file.reference_date),
                       reference_date=round_file.reference_date, lottery_seed=round_file.lottery_seed).to_document()


def stored_rows(run: AllocationRun) -> dict[tuple[str, str], tuple]:
    return {
        (a, li): (outcome, rank, reason, reserve, detail)
        for a, li, outcome, rank, reason, reserve, detail in BidResult.objects.filter(run=run).values_list(
            "applicant__external_id", "listing__reference", "outcome", "rank", "reason", "reserve_position", "detail")
    }


def expected_rows(document: dict) -> dict[tuple[str, str], tuple]:
    """Per bid what its outcome row must hold, from the engine's result document."""
    rows = {}
    for reference, entry in document["listings"].items():
        for c in entry["candidates"]:
            rows[(c["applicant"], reference)] = (c["outcome"], c["rank"], "", c["detail"].get("reserve_position"),
                                                 c["detail"])
    for e in document["ineligible"]:
        rows[(e["applicant"], e["listing"])] = ("ineligible", None, e["reason"], None, {"reason": e["reason"]})
    return rows


def assert_reproduced(run: AllocationRun) -> None:
    again = solved_again(run)
    assert run_result_document(run) == again
    assert stored_rows(run) == expected_rows(again)
    assert run.summary["listing_statuses"] == {ref: entry["status"] for ref, entry in again["listings"].items()}


LISTINGS = st.lists(st.fixed_dictionaries({
    "selection": st.sampled_from(["registration", "lottery", "first_come", "motivation"]),
    "urgency_first": st.booleans(),
    "income_max": st.sampled_from([None, None, Decimal("30000.00")]),
    "household_size_max": st.sampled_from([None, None, 1]),
}), min_size=1, max_size=5)
APPLICANTS = st.lists(st.fixed_dictionaries({
    "income": st.sampled_from([Decimal("20000"), Decimal("26000"), Decimal("45000")]),
    "size": st.integers(1, 3),
    "year": st.integers(2000, 2020),
    "urgent": st.booleans(),
    "wishes": st.lists(st.integers(0, 4), unique=True, max_size=4),
    # Blind assessments per motivation listing (round/2): none, agreeing, diverging with a third, one only.
    "scores": st.sampled_from([(), ("2.0", "2.5"), ("1.0", "3.0", "2.0"), ("3.5",), ("0.5", "4.0")]),
}), min_size=1, max_size=8)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(listings=LISTINGS, people=APPLICANTS, seed=st.text("abcdef0123456789", min_size=1, max_size=6),
       decline=st.integers(0, 10))
def test_the_stored_outcomes_are_what_solving_the_stored_input_again_gives(stock_a, alice, listings, people, seed,
                                                                            decline):
    with transaction.atomic():
        corporation = stock_a.corporation
        allocation_round = services.allocation_round_create(corporation=corporation, actor=alice, name="Random",
                                                            reference_date=REFERENCE_DATE, lottery_seed=seed)
        homes = [services.listing_create_for_dwelling(
            dwelling=vacant_dwelling(stock_a, 30 + i), actor=alice, allocation_round=allocation_round,
            **labels, **({"criteria": ["You will join the residents' committee."]}
                         if labels["selection"] == "motivation" else {}))
                 for i, labels in enumerate(listings)]
        assessors = [make_user(f"assessor-{n}", corporation, Role.NEIGHBOURHOOD_MANAGER) for n in range(3)]
        anyone = False
        for i, person in enumerate(people):
            someone = applicant(corporation, f"S{i}", size=person["size"], income=person["income"],
                                registered=date(person["year"], 1, 1))
            if person["urgent"]:
                services.applicant_profile_set(applicant=someone, actor=alice, is_urgent=True)
            wishes = [w for w in person["wishes"] if w < len(homes)]
            for preference, li in enumerate(wishes, start=1):
                services.bid_create(listing=homes[li], applicant=someone, preference=preference, actor=alice,
                                    submitted_at=at(8) + timedelta(minutes=7 * i + li, microseconds=i))
                if homes[li].selection == "motivation":
                    for assessor, score in zip(assessors, person["scores"], strict=False):
                        services.motivation_assessment_create(listing=homes[li], applicant=someone,
                                                              score=Decimal(score), actor=assessor)
                anyone = True
        if anyone:
            solve(allocation_round, alice)
            assert_reproduced(allocation_round.runs.get(number=1))
            services.allocation_round_approve(allocation_round=allocation_round, actor=alice)
            offers = list(Offer.objects.filter(allocation_round=allocation_round, status=OfferStatus.OFFERED)
                          .order_by("pk"))
            if offers:
                services.offer_decline(offer=offers[decline % len(offers)], actor=alice,
                                       reason=DeclineReason.REFUSED)
                run_pending_jobs()
                assert_reproduced(allocation_round.runs.get(number=2))
        transaction.set_rollback(True)


def test_a_run_stored_with_its_result_document_is_read_and_approved_as_before(stock_a, alice):
    s = scene(stock_a, alice)
    allocation_round = solve(s.round, alice)
    run = allocation_round.runs.get()
    document = run_result_document(run)
    # The shape runs had before: the result document stored, the listings' statuses not in the summary.
    summary = {key: value for key, value in run.summary.items() if key != "listing_statuses"}
    AllocationRun.objects.filter(pk=run.pk).update(result_document=document, summary=summary)
    run.refresh_from_db()
    assert run_result_document(run) == document == solved_again(run)

    services.allocation_round_approve(allocation_round=allocation_round, actor=alice)
    services.offer_decline(offer=Offer.objects.get(listing=s.listings[0]), actor=alice,
                           reason=DeclineReason.REFUSED)
    run_pending_jobs()
    second = allocation_round.runs.get(number=2)
    assert second.removed == {"listings": [], "applicants": ["A1"]}
    assert_reproduced(second)
    services.allocation_round_approve(allocation_round=allocation_round, actor=alice)


def test_ids_with_quotes_backslashes_tabs_and_accents_are_stored_as_the_engine_wrote_them(stock_a, alice):
    corporation = stock_a.corporation
    allocation_round = services.allocation_round_create(corporation=corporation, actor=alice, name="Odd ids",
                                                        reference_date=REFERENCE_DATE, lottery_seed='s"\\1')
    home = services.listing_create_for_dwelling(dwelling=vacant_dwelling(stock_a, 40), actor=alice,
                                                allocation_round=allocation_round)
    other = services.listing_create_for_dwelling(dwelling=vacant_dwelling(stock_a, 41), actor=alice,
                                                 allocation_round=allocation_round)
    for i, code in enumerate(['Zoë "de" \\Vries', "tab\there", "Ünal\\n"]):
        someone = applicant(corporation, code, registered=date(2010 + i, 1, 1))
        services.bid_create(listing=home, applicant=someone, preference=1, actor=alice, submitted_at=at(9))
        services.bid_create(listing=other, applicant=someone, preference=2, actor=alice, submitted_at=at(10))
    solve(allocation_round, alice)
    run = allocation_round.runs.get()
    assert_reproduced(run)
    assert BidResult.objects.get(run=run, applicant__external_id="tab\there", listing=home).detail[
        "allocated_to"] == 'Zoë "de" \\Vries'
