"""From listing to tenancy: run a round, approve it, accept and decline offers, re-run, close."""

from __future__ import annotations

from datetime import date

import pytest

from buurtbalans.allocation import services
from buurtbalans.allocation.models import (
    VERA_PARENT,
    AllocationRun,
    ApplicantProfile,
    BidResult,
    DeclineReason,
    ListingStatus,
    Offer,
    OfferStatus,
    RoundStatus,
)
from buurtbalans.allocation.roundfile import parse_round_document
from buurtbalans.allocation.roundinput import run_result_document
from buurtbalans.allocation.tests.support import REFERENCE_DATE, scene, solve
from buurtbalans.core.models import AuditEvent, Job
from buurtbalans.engine.allocation import solve_round
from buurtbalans.households.models import Tenancy
from buurtbalans.rules.parameters import parameters_for

pytestmark = pytest.mark.django_db


def allocations(run: AllocationRun) -> dict[str, str]:
    return {entry["listing"]: entry["applicant"] for entry in run_result_document(run)["allocations"]}


def offers_of(allocation_round) -> dict[str, tuple[str, str]]:
    return {
        o.listing.reference: (o.applicant.external_id, o.status)
        for o in Offer.objects.filter(allocation_round=allocation_round).select_related("listing", "applicant")
        if o.status in (OfferStatus.OFFERED, OfferStatus.ACCEPTED)
    }


def test_a_round_is_worked_out_in_the_background_and_every_bid_gets_an_outcome(stock_a, alice):
    s = scene(stock_a, alice)
    allocation_round = solve(s.round, alice)

    assert allocation_round.status == RoundStatus.REVIEW
    run = allocation_round.runs.get()
    l1, l2, l3 = (listing.reference for listing in s.listings)
    assert allocations(run) == {l1: "A1", l2: "A3", l3: "A2"}
    outcomes = {(r.applicant.external_id, r.listing.reference): (r.outcome, r.reason)
                for r in BidResult.objects.filter(run=run).select_related("applicant", "listing")}
    assert outcomes == {
        ("A1", l1): ("allocated", ""),
        ("A1", l2): ("allocated_elsewhere", ""),
        ("A2", l1): ("outranked", ""),
        ("A2", l3): ("allocated", ""),
        ("A3", l2): ("allocated", ""),
        ("A4", l3): ("ineligible", "income_above_max"),
        ("A4", l1): ("outranked", ""),
    }
    job = Job.objects.get(kind="allocation_round_solve")
    assert job.status == Job.Status.SUCCEEDED and job.progress_done == job.progress_total == 9
    assert job.parameter_version == run.parameter_version
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.ROUND_SOLVED).get().subject_ids == [
        "H-A1", "H-A2", "H-A3", "H-A4"]


def test_a_stored_run_solves_again_to_the_identical_result(stock_a, alice):
    s = scene(stock_a, alice)
    run = solve(s.round, alice).runs.get()

    round_file = parse_round_document(run.input_document)
    again = solve_round(round_file.facts, parameters_for(round_file.reference_date),
                        reference_date=round_file.reference_date, lottery_seed=round_file.lottery_seed)
    assert again.parameters_version == run.parameter_version
    # The run keeps its result as outcome rows; put together as a document they are what solving again gives.
    assert again.to_document() == run_result_document(run)
    assert run.input_document["lottery_seed"] == run.lottery_seed == "week-23"


def test_approval_offers_each_allocated_listing_and_acceptance_makes_a_tenancy(stock_a, alice):
    s = scene(stock_a, alice)
    allocation_round = solve(s.round, alice)
    created = services.allocation_round_approve(allocation_round=allocation_round, actor=alice)
    assert len(created) == 3
    l1, l2, l3 = s.listings
    assert offers_of(allocation_round) == {l1.reference: ("A1", "offered"), l2.reference: ("A3", "offered"),
                                           l3.reference: ("A2", "offered")}
    l1.refresh_from_db()
    assert l1.status == ListingStatus.OFFERED

    offer = Offer.objects.get(listing=l1)
    tenancy = services.offer_accept(offer=offer, actor=alice, start_date=date(2025, 7, 1))

    household = s.applicants[0].household
    assert (tenancy.dwelling_id, tenancy.household_id, tenancy.start_date) == (l1.dwelling_id, household.pk,
                                                                               date(2025, 7, 1))
    assert tenancy.income_at_start == household.assessed_income and tenancy.rent_at_start == l1.base_rent
    assert (tenancy.household_size_at_start, tenancy.is_pension_age_at_start) == (1, False)
    assert tenancy.selection_method == "registration"
    l1.refresh_from_db()
    l1.dwelling.refresh_from_db()
    assert l1.status == ListingStatus.LET and l1.dwelling.status == "occupied"
    profile = ApplicantProfile.objects.get(applicant=s.applicants[0])
    assert profile.status == "housed" and profile.housed_on == date(2025, 7, 1)
    with pytest.raises(services.AllocationError):
        services.offer_accept(offer=offer, actor=alice, start_date=date(2025, 7, 1))
    assert Tenancy.objects.filter(dwelling=l1.dwelling).count() == 1


def test_a_decline_runs_the_round_again_for_what_is_left_keeping_accepted_offers(stock_a, alice):
    s = scene(stock_a, alice)
    allocation_round = solve(s.round, alice)
    services.allocation_round_approve(allocation_round=allocation_round, actor=alice)
    l1, l2, l3 = s.listings
    services.offer_accept(offer=Offer.objects.get(listing=l2), actor=alice, start_date=date(2025, 7, 1))

    declined = services.offer_decline(offer=Offer.objects.get(listing=l1), actor=alice,
                                      reason=DeclineReason.DWELLING_NOT_LIKED)
    assert declined.status == OfferStatus.DECLINED
    allocation_round.refresh_from_db()
    assert allocation_round.status == RoundStatus.SOLVING
    allocation_round = solve_pending(allocation_round)

    second = allocation_round.runs.get(number=2)
    # A3 accepted L2 and A1 declined: both are out; A2 now gets L1, which they preferred, and A4 is still not
    # eligible for L3 (income), so L3 stays open.
    assert second.removed == {"listings": [l2.reference], "applicants": ["A1", "A3"]}
    assert allocations(second) == {l1.reference: "A2"}
    services.allocation_round_approve(allocation_round=allocation_round, actor=alice)
    assert offers_of(allocation_round) == {l1.reference: ("A2", "offered"), l2.reference: ("A3", "accepted")}
    # A2 was number 2 on L1's whole list (the first run); the re-run ranks only who is left, the offer says 2.
    assert Offer.objects.get(listing=l1, status=OfferStatus.OFFERED).rank == 2
    old = Offer.objects.get(listing=l3, applicant__external_id="A2")
    assert old.status == OfferStatus.WITHDRAWN and old.replaced_by.listing_id == l1.pk
    l3.refresh_from_db()
    assert l3.status == ListingStatus.OPEN

    # The stored input of the re-run is the first run's input with the engine's own cut (`RoundFacts.without`).
    first = allocation_round.runs.get(number=1)
    base = parse_round_document(first.input_document).facts.without(**second.removed)
    again = parse_round_document(second.input_document).facts
    params = parameters_for(REFERENCE_DATE)
    assert solve_round(base, params, reference_date=REFERENCE_DATE, lottery_seed="week-23").to_document() == \
        solve_round(again, params, reference_date=REFERENCE_DATE, lottery_seed="week-23").to_document() == \
        run_result_document(second)


def solve_pending(allocation_round):
    from buurtbalans.core.jobs import run_pending_jobs

    run_pending_jobs()
    allocation_round.refresh_from_db()
    return allocation_round


def test_a_withdrawal_by_us_has_its_vera_reason_and_an_old_result_cannot_be_approved(stock_a, alice):
    s = scene(stock_a, alice)
    allocation_round = solve(s.round, alice)
    services.allocation_round_approve(allocation_round=allocation_round, actor=alice)
    offer = services.offer_decline(offer=Offer.objects.get(listing=s.listings[2]), actor=alice,
                                   reason=DeclineReason.NO_RESPONSE)
    assert (offer.status, VERA_PARENT[offer.decline_reason]) == (OfferStatus.WITHDRAWN, "ING")
    allocation_round = solve_pending(allocation_round)
    assert allocation_round.status == RoundStatus.REVIEW
    # Meanwhile another offer is accepted: the result under review no longer fits, so it is worked out again.
    services.offer_accept(offer=Offer.objects.get(listing=s.listings[0]), actor=alice, start_date=date(2025, 7, 1))
    allocation_round.refresh_from_db()
    assert allocation_round.status == RoundStatus.SOLVING
    allocation_round = solve_pending(allocation_round)
    third = allocation_round.runs.get(number=3)
    assert third.removed == {"listings": [s.listings[0].reference], "applicants": ["A1", "A2"]}
    services.allocation_round_approve(allocation_round=allocation_round, actor=alice)


def test_closing_marks_what_is_not_let_and_needs_every_answer(stock_a, alice):
    s = scene(stock_a, alice)
    allocation_round = solve(s.round, alice)
    services.allocation_round_approve(allocation_round=allocation_round, actor=alice)
    with pytest.raises(services.AllocationError):
        services.allocation_round_close(allocation_round=allocation_round, actor=alice)
    for listing in s.listings[:2]:
        services.offer_accept(offer=Offer.objects.get(listing=listing), actor=alice, start_date=date(2025, 7, 1))
    services.offer_decline(offer=Offer.objects.get(listing=s.listings[2]), actor=alice,
                           reason=DeclineReason.REFUSED)
    allocation_round = solve_pending(allocation_round)
    assert run_result_document(allocation_round.runs.get(number=2))["allocations"] == []
    services.allocation_round_approve(allocation_round=allocation_round, actor=alice)
    services.allocation_round_close(allocation_round=allocation_round, actor=alice)
    s.listings[2].refresh_from_db()
    assert s.listings[2].status == ListingStatus.NOT_LET
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.ROUND_CLOSED).count() == 1
