"""What the access walk (test_access_walk.py) needs for the allocation and compliance operations: A's objects, each
write with an object of its own in the state that write needs (only the allocation officer may make them, once per
walk), and how to call them.

    OPERATIONS: the (method, path) -> right of these operations, merged into the walk's table.
    walk_ids(stock, officer): A's objects (ids by the paths' parameter names and our own names).
    walk_call(client, method, path, ids, headers): the answer to one of these writes, or None for any other operation.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.files.uploadedfile import SimpleUploadedFile

from buurtbalans.core.permissions import Action

_A = "/api/v1/allocation"
OPERATIONS = {
    ("get", f"{_A}/listings"): Action.VIEW_ALLOCATION,
    ("get", f"{_A}/listings/{{listing_id}}"): Action.VIEW_ALLOCATION,
    ("post", f"{_A}/listings"): Action.DECIDE_LABELS,
    ("get", f"{_A}/listings/{{listing_id}}/bids"): Action.MANAGE_ALLOCATION,
    ("post", f"{_A}/listings/{{listing_id}}/withdraw"): Action.MANAGE_ALLOCATION,
    ("post", f"{_A}/bids/imports"): Action.MANAGE_ALLOCATION,
    ("get", f"{_A}/rounds"): Action.VIEW_ALLOCATION,
    ("get", f"{_A}/rounds/{{round_id}}"): Action.VIEW_ALLOCATION,
    ("post", f"{_A}/rounds"): Action.MANAGE_ALLOCATION,
    ("post", f"{_A}/rounds/{{round_id}}/listings"): Action.MANAGE_ALLOCATION,
    ("post", f"{_A}/rounds/{{round_id}}/start"): Action.MANAGE_ALLOCATION,
    ("get", f"{_A}/rounds/{{round_id}}/result"): Action.MANAGE_ALLOCATION,
    ("get", f"{_A}/rounds/{{round_id}}/letters"): Action.MANAGE_ALLOCATION,
    ("get", f"{_A}/rounds/{{round_id}}/letters/{{applicant_id}}"): Action.MANAGE_ALLOCATION,
    ("get", f"{_A}/rounds/{{round_id}}/letters/{{applicant_id}}/pdf"): Action.MANAGE_ALLOCATION,
    ("post", f"{_A}/rounds/{{round_id}}/approve"): Action.MANAGE_ALLOCATION,
    ("post", f"{_A}/rounds/{{round_id}}/close"): Action.MANAGE_ALLOCATION,
    ("get", f"{_A}/offers"): Action.MANAGE_ALLOCATION,
    ("get", f"{_A}/offers/{{offer_id}}"): Action.MANAGE_ALLOCATION,
    ("post", f"{_A}/offers/{{offer_id}}/accept"): Action.MANAGE_ALLOCATION,
    ("post", f"{_A}/offers/{{offer_id}}/decline"): Action.MANAGE_ALLOCATION,
    ("get", "/api/v1/compliance"): Action.VIEW_COMPLIANCE,
}


def decide_labels(stock, user, dwellings, label: str = "OPEN") -> None:
    """A finished label plan with a decided label for each vacant dwelling, as the steering screens leave it (rows
    written directly: the plan's solver is not what the API tests are about)."""
    from buurtbalans.core.models import Job
    from buurtbalans.steering.models import LabelDecision, LabellingPlan, PlanComplex, ProposedLabel

    corporation, complex_ = stock.corporation, stock.complex
    job = Job.objects.create(kind="label_plan", corporation=corporation, user=user, status=Job.Status.SUCCEEDED,
                             params={}, result={})
    plan = LabellingPlan.objects.create(
        corporation=corporation, job=job, period_start=date(2025, 7, 1), period_end=date(2025, 9, 30),
        reference_date=date(2025, 7, 1), composition_date=date(2025, 6, 1), policy={},
        input_document={}, result_document={}, parameter_version="parameters:2025-01-01:test",
        vacancy_count=len(dwellings), affordable_share=Decimal(1), lost_to_lowest_incomes=0, reserved_vulnerable=0,
        is_done=True, created_by_name=user.get_username(),
    )
    plan_complex = PlanComplex.objects.create(
        plan=plan, complex=complex_, complex_code=complex_.external_id, households=3, vacancies=len(dwellings),
        vulnerable=0, primary=0, vulnerable_share=Decimal(0), projected_vulnerable_share=Decimal(0),
        target_vulnerable_max_share=Decimal("0.3"), primary_share=Decimal(0), projected_primary_share=Decimal(0),
        target_primary_max_share=Decimal("0.7"), excess_before=Decimal(0), excess_after=Decimal(0),
    )
    for dwelling in dwellings:
        proposal = ProposedLabel.objects.create(
            plan=plan, corporation=corporation, dwelling=dwelling, plan_complex=plan_complex, label=label,
            base_rent=Decimal("600.00"), current_rent=Decimal("600.00"), affordable_rent=Decimal("600.00"),
            cap_name="allowance_cap_low", cap=Decimal("682.96"), ceiling=Decimal("800.00"),
            max_base_rent=Decimal("800.00"), engine_reason="test",
        )
        LabelDecision.objects.create(corporation=corporation, dwelling=dwelling, proposal=proposal,
                                     proposed_label=label, label=label, base_rent=Decimal("600.00"),
                                     decided_by_name=user.get_username())


def _worked_out(stock, officer, name: str, numbers: list[int], people: list, *, approve: bool = False):
    from buurtbalans.allocation import services
    from buurtbalans.allocation.tests.support import vacant_dwelling
    from buurtbalans.core.jobs import run_pending_jobs

    allocation_round = services.allocation_round_create(corporation=stock.corporation, actor=officer, name=name,
                                                        reference_date=date(2025, 6, 2), lottery_seed=name)
    listings = [services.listing_create_for_dwelling(dwelling=vacant_dwelling(stock, n), actor=officer,
                                                     allocation_round=allocation_round) for n in numbers]
    for person in people:
        for preference, listing in enumerate(listings, start=1):
            services.bid_create(listing=listing, applicant=person, preference=preference, actor=officer)
    services.allocation_round_start(allocation_round=allocation_round, actor=officer)
    run_pending_jobs()
    if approve:
        services.allocation_round_approve(allocation_round=allocation_round, actor=officer)
    return allocation_round, listings


def walk_ids(stock, officer) -> dict:
    """A's allocation objects: a round to review (result, letters, approve), one approved with two offers out
    (accept, decline), one approved with every offer answered (close), a draft round with an open listing to add
    (add, start), an open listing to withdraw and a vacancy with a decided label to list."""
    from buurtbalans.allocation import services
    from buurtbalans.allocation.models import Offer
    from buurtbalans.allocation.tests.support import applicant, vacant_dwelling

    corporation = stock.corporation
    people = [applicant(corporation, f"AW-80{i}", registered=date(2000 + i, 1, 1)) for i in range(1, 6)]
    review, review_listings = _worked_out(stock, officer, "walk-review", [81, 82], people[:2])
    _offered, offered_listings = _worked_out(stock, officer, "walk-offers", [83, 84], people[2:], approve=True)
    offers = list(Offer.objects.filter(listing__in=offered_listings).order_by("listing__reference"))
    answered, answered_listings = _worked_out(stock, officer, "walk-close", [85], [people[4]], approve=True)
    services.offer_accept(offer=Offer.objects.get(listing=answered_listings[0]), actor=officer,
                          start_date=date(2025, 7, 1))
    draft = services.allocation_round_create(corporation=corporation, actor=officer, name="walk-draft",
                                             reference_date=date(2025, 6, 2))
    to_add = services.listing_create_for_dwelling(dwelling=vacant_dwelling(stock, 86), actor=officer)
    to_withdraw = services.listing_create_for_dwelling(dwelling=vacant_dwelling(stock, 87), actor=officer)
    vacancy = vacant_dwelling(stock, 88)
    decide_labels(stock, officer, [vacancy])
    return {
        "listing_id": review_listings[0].pk, "round_id": review.pk, "applicant_id": people[0].pk,
        "offer_id": offers[0].pk,
        "walk_vacancy": vacancy.pk, "walk_withdraw": to_withdraw.pk, "walk_draft": draft.pk,
        "walk_add": to_add.pk, "walk_accept": offers[0].pk, "walk_decline": offers[1].pk,
        "walk_close": answered.pk,
    }


def walk_call(client, method: str, path: str, ids: dict, headers: dict):
    """The answer to one of these writes (each on its own object of A), or None for another operation."""
    if method != "post" or (method, path) not in OPERATIONS:
        return None
    own = {
        f"{_A}/listings": (f"{_A}/listings", {"dwelling": ids.get("walk_vacancy", ids.get("dwelling_id"))}),
        f"{_A}/listings/{{listing_id}}/withdraw": (f"{_A}/listings/{ids.get('walk_withdraw')}/withdraw", None),
        f"{_A}/rounds": (f"{_A}/rounds", {"name": "walk", "reference_date": "2025-06-02"}),
        f"{_A}/rounds/{{round_id}}/listings": (f"{_A}/rounds/{ids.get('walk_draft')}/listings",
                                               {"listings": [ids.get("walk_add")]}),
        f"{_A}/rounds/{{round_id}}/start": (f"{_A}/rounds/{ids.get('walk_draft')}/start", None),
        f"{_A}/rounds/{{round_id}}/approve": (f"{_A}/rounds/{ids.get('round_id')}/approve", None),
        f"{_A}/rounds/{{round_id}}/close": (f"{_A}/rounds/{ids.get('walk_close')}/close", None),
        f"{_A}/offers/{{offer_id}}/accept": (f"{_A}/offers/{ids.get('walk_accept')}/accept",
                                             {"start_date": "2025-07-01"}),
        f"{_A}/offers/{{offer_id}}/decline": (f"{_A}/offers/{ids.get('walk_decline')}/decline", {"reason": "GEW"}),
    }
    if path == f"{_A}/bids/imports":
        # A dry run of a file without rows: the walk must not change B's bids either.
        upload = SimpleUploadedFile("walk.csv", b"listing;applicant;preference;submitted_at\r\n")
        return client.post(f"{path}?dry_run=true", {"file": upload}, **headers)
    url, body = own[path]
    if body is None:
        return client.post(url, **headers)
    return client.post(url, body, content_type="application/json", **headers)
