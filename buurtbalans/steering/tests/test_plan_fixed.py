"""Fixed dwellings ("vast", issue 10): a vacant dwelling that is offered, let, has a tenancy starting, or whose
listing's round has been worked out gets no label in a plan, is reported as fixed on the plan page and in its
exports, and no label can be decided for it."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.conf import settings
from django.urls import reverse

from buurtbalans.allocation import services as allocation
from buurtbalans.allocation.tests.support import REFERENCE_DATE as ROUND_DATE
from buurtbalans.allocation.tests.support import applicant, solve
from buurtbalans.core.jobs import run_pending_jobs
from buurtbalans.households.models import Tenancy
from buurtbalans.steering.listings import fixed_dwellings
from buurtbalans.steering.models import FixedReason, LabelDecision, PlanFixedDwelling, ProposedLabel
from buurtbalans.steering.services import SteeringInputError, label_plan_request, vacancy_label_decide
from buurtbalans.steering.tests.conftest import REFERENCE_DATE
from buurtbalans.steering.tests.test_plans import POLICY
from buurtbalans.steering.tests.test_views import make_plan, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def letting_under_way(town, alice, bob):
    """A first plan of all four vacancies; then HOT's first vacancy is offered, CALM's gets a tenant from 1 July,
    and stock A's vacancy is open in the same round, which has been worked out. HOT's second vacancy stays free."""
    corporation = town["stock"].corporation
    first = make_plan(town, bob)
    offered, free = town["hot"].vacancies
    (moving_in,) = town["calm"].vacancies
    in_round = town["stock"].dwellings[2]
    allocation_round = allocation.allocation_round_create(
        corporation=corporation, actor=alice, name="Week 27", reference_date=ROUND_DATE, lottery_seed="w27"
    )
    listing = allocation.listing_create_for_dwelling(dwelling=offered, actor=alice, allocation_round=allocation_round)
    other = allocation.listing_create_for_dwelling(dwelling=in_round, actor=alice, allocation_round=allocation_round)
    allocation.bid_create(
        listing=listing, applicant=applicant(corporation, "B1", income=Decimal("50000")), preference=1, actor=alice
    )
    solve(allocation_round, alice)
    allocation.allocation_round_approve(allocation_round=allocation_round, actor=alice)
    tenant = applicant(corporation, "NEW").household
    Tenancy.objects.create(
        corporation=corporation, external_id="T-NEW", dwelling=moving_in, household=tenant,
        start_date=date(2025, 7, 1), rent_at_start=Decimal("650.00"),
    )  # fmt: skip
    return {
        "first": first, "offered": offered, "free": free, "moving_in": moving_in, "in_round": in_round,
        "listing": listing, "other": other,
    }  # fmt: skip


def second_plan(town, bob):
    plan = label_plan_request(
        corporation=town["stock"].corporation, actor=bob, period_start=date(2025, 7, 1),
        period_end=date(2025, 9, 30), composition_date=REFERENCE_DATE,
        policy={**POLICY, "min_vulnerable_placements": 0},
    )  # fmt: skip
    run_pending_jobs()
    plan.refresh_from_db()
    assert plan.is_done, plan.problem
    return plan


def test_it_finds_why_each_dwelling_is_fixed(town, letting_under_way):
    s = letting_under_way
    found = fixed_dwellings(
        town["stock"].corporation.pk,
        [d.pk for d in (s["offered"], s["free"], s["moving_in"], s["in_round"])],
        on=REFERENCE_DATE,
    )
    assert {pk: f.reason for pk, f in found.items()} == {
        s["offered"].pk: FixedReason.OFFERED,
        s["moving_in"].pk: FixedReason.TENANCY,
        s["in_round"].pk: FixedReason.ROUND_RUN,
    }
    assert found[s["offered"].pk].listing_reference == s["listing"].reference
    assert found[s["in_round"].pk].round_name == "Week 27"
    assert found[s["moving_in"].pk].start_date == date(2025, 7, 1)


def test_an_accepted_offer_makes_the_dwelling_let(town, alice, letting_under_way):
    s = letting_under_way
    tenancy = allocation.offer_accept(offer=s["listing"].offers.get(), actor=alice, start_date=date(2025, 8, 1))
    found = fixed_dwellings(town["stock"].corporation.pk, [s["offered"].pk], on=REFERENCE_DATE)
    assert found[s["offered"].pk].reason == FixedReason.LET
    assert found[s["offered"].pk].listing_reference == s["listing"].reference
    # Once that tenancy has ended, the old accepted offer no longer fixes the dwelling.
    Tenancy.objects.filter(pk=tenancy.pk).update(end_date=date(2025, 9, 1))
    assert fixed_dwellings(town["stock"].corporation.pk, [s["offered"].pk], on=date(2025, 10, 1)) == {}


def test_the_plan_leaves_fixed_dwellings_out_and_reports_them(english, town, bob, letting_under_way):
    s = letting_under_way
    plan = second_plan(town, bob)
    assert plan.vacancy_count == 1 and plan.skipped["fixed"] == 3
    assert [v["id"] for v in plan.input_document["vacancies"]] == [s["free"].external_id]
    assert list(ProposedLabel.objects.filter(plan=plan).values_list("dwelling", flat=True)) == [s["free"].pk]
    rows = {f.dwelling_id: f for f in PlanFixedDwelling.objects.filter(plan=plan)}
    assert {pk: f.reason for pk, f in rows.items()} == {
        s["offered"].pk: "offered", s["moving_in"].pk: "tenancy", s["in_round"].pk: "round_run",
    }  # fmt: skip
    assert rows[s["offered"].pk].complex_code == "A-HOT"

    english.force_login(bob)
    page = english.get(reverse("steering_plan", args=[plan.pk]))
    body = text(page)
    assert "3 vacant dwellings are fixed: they are offered or let, or their round has been worked out." in body
    assert f"Offered in listing {s['listing'].reference}." in body
    assert "Let: a tenancy runs from 1 July 2025." in body
    assert f"Listing {s['other'].reference} is in round “Week 27”, which has been worked out." in body
    export = text(english.get(reverse("steering_plan", args=[plan.pk]), {"format": "csv"}))
    lines = {line.split(",")[0]: line for line in export.splitlines()[1:]}
    assert set(lines) == {s[k].external_id for k in ("free", "offered", "moving_in", "in_round")}
    assert ",fixed," in lines[s["offered"].external_id] and ",fixed," not in lines[s["free"].external_id]
    fixed_export = text(english.get(reverse("steering_plan", args=[plan.pk]), {"format": "csv", "table": "fixed"}))
    assert len(fixed_export.splitlines()) == 4 and "Let: a tenancy runs from 1 July 2025." in fixed_export
    # In Dutch the word is "vast".
    english.cookies[settings.LANGUAGE_COOKIE_NAME] = "nl"
    dutch = text(english.get(reverse("steering_plan", args=[plan.pk]), {"format": "csv"}))
    assert ",vast," in dutch and "Aangeboden via publicatie" in dutch


def test_no_label_can_be_decided_for_a_fixed_dwelling(english, town, alice, letting_under_way):
    s = letting_under_way
    english.force_login(alice)
    for key in ("offered", "moving_in", "in_round"):
        dwelling = s[key]
        url = reverse("steering_vacancy", args=[dwelling.pk])
        page = english.get(url)
        assert page.context["listing_effect"].kind == "fixed", key
        body = text(page)
        assert f"Dwelling {dwelling.external_id} is fixed:" in body and 'name="label"' not in body
        assert "List this dwelling with its label" not in body
        proposal = ProposedLabel.objects.get(plan=s["first"], dwelling=dwelling)
        refused = english.post(url, {"label": proposal.label})
        assert refused.status_code == 400, key
        with pytest.raises(SteeringInputError):
            vacancy_label_decide(proposal=proposal, actor=alice, label=proposal.label, on=REFERENCE_DATE)
    assert not LabelDecision.objects.exists()
    # The dwelling with a tenant moving in cannot be listed either.
    listing_url = reverse("steering_vacancy_listing", args=[s["moving_in"].pk])
    LabelDecision.objects.create(
        corporation=town["stock"].corporation, dwelling=s["moving_in"], proposed_label="OPEN", label="OPEN",
        base_rent=Decimal("650.00"), decided_by_name="alice",
    )  # fmt: skip
    listed = english.post(listing_url, follow=True)
    assert "is fixed: Let: a tenancy runs from 1 July 2025." in text(listed)
    assert not s["moving_in"].listings.exists()
