"""A decided label reaches the dwelling's listing (issue 10): an open listing without bids takes the label's fields
in the decision's transaction, and the round works with them; with bids or an offer the decision is refused with a
message that names them, and nothing is written."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from buurtbalans.allocation import services as allocation
from buurtbalans.allocation.models import ListingStatus, OfferStatus
from buurtbalans.allocation.tests.support import REFERENCE_DATE as ROUND_DATE
from buurtbalans.allocation.tests.support import applicant, solve
from buurtbalans.core.models import AuditEvent
from buurtbalans.steering.models import LabelDecision, ProposedLabel
from buurtbalans.steering.services import SteeringInputError, vacancy_label_decide
from buurtbalans.steering.tests.test_views import make_plan, text

pytestmark = pytest.mark.django_db


@pytest.fixture
def hot_vacancy(town, bob):
    """The plan's proposal for HOT's first vacancy: NO_VULNERABLE at 682.96, rent 700.00 now, 180 WWS points."""
    make_plan(town, bob)
    proposal = ProposedLabel.objects.get(dwelling=town["hot"].vacancies[0])
    assert proposal.label == "NO_VULNERABLE"
    return proposal


def draft_round(corporation, officer, name="Week 27"):
    return allocation.allocation_round_create(
        corporation=corporation, actor=officer, name=name, reference_date=ROUND_DATE, lottery_seed=name
    )


def decisions_and_events() -> tuple[int, int]:
    return LabelDecision.objects.count(), AuditEvent.objects.filter(event_type__in=[504, 505]).count()


def test_it_gives_an_open_listing_without_bids_the_decided_label_and_the_round_uses_it(town, alice, hot_vacancy):
    corporation = town["stock"].corporation
    dwelling = hot_vacancy.dwelling
    allocation_round = draft_round(corporation, alice)
    listing = allocation.listing_create_for_dwelling(dwelling=dwelling, actor=alice, allocation_round=allocation_round)
    assert (listing.label, listing.base_rent, listing.excluded_groups) == (None, Decimal("700.00"), [])

    decision = vacancy_label_decide(
        proposal=hot_vacancy, actor=alice, label="ABOVE_CAP", reason="Mix", base_rent=Decimal("800.00")
    )
    listing.refresh_from_db()
    assert decision.relabelled_listing.pk == listing.pk
    assert (listing.label, listing.base_rent, listing.selection, listing.urgency_first) == (
        "ABOVE_CAP", Decimal("800.00"), "registration", False,
    )  # fmt: skip
    assert (listing.allowed_groups, listing.excluded_groups) == ([], [])
    relabelled = AuditEvent.objects.get(event_type=AuditEvent.Type.LISTING_WRITTEN, data__label="ABOVE_CAP")
    assert relabelled.data["old"]["base_rent"] == "700.00" and relabelled.data["new"]["base_rent"] == "800.00"
    assert AuditEvent.objects.get(event_type=505).data["listing"] == listing.reference

    # The round sees the new rent and label: a low income cannot have a home above the cap (passend toewijzen).
    low = applicant(corporation, "LOW", income=Decimal("20000"))
    higher = applicant(corporation, "HIGHER", income=Decimal("47205"), registered=ROUND_DATE.replace(year=2020))
    for person in (low, higher):
        allocation.bid_create(listing=listing, applicant=person, preference=1, actor=alice)
    solve(allocation_round, alice)
    run = allocation_round.runs.get()
    (entry,) = run.input_document["listings"]
    assert entry["base_rent"] == "800.00" and entry["id"] == listing.reference
    outcomes = {r.applicant.external_id: (r.outcome, r.reason) for r in run.bid_results.select_related("applicant")}
    assert outcomes == {"LOW": ("ineligible", "not_affordable"), "HIGHER": ("allocated", "")}


def test_a_listing_that_is_not_in_a_round_takes_the_label_too(town, alice, hot_vacancy):
    listing = allocation.listing_create_for_dwelling(dwelling=hot_vacancy.dwelling, actor=alice)
    vacancy_label_decide(proposal=hot_vacancy, actor=alice, label="NO_VULNERABLE")
    listing.refresh_from_db()
    assert (listing.label, listing.base_rent, listing.excluded_groups) == (
        "NO_VULNERABLE", Decimal("682.96"), ["vulnerable"],
    )  # fmt: skip


def test_with_bids_the_decision_is_refused_naming_the_listing_and_the_bids_and_nothing_changes(
    town, alice, hot_vacancy
):
    corporation = town["stock"].corporation
    listing = allocation.listing_create_for_dwelling(
        dwelling=hot_vacancy.dwelling, actor=alice, allocation_round=draft_round(corporation, alice)
    )
    for code in ("B1", "B2"):
        allocation.bid_create(listing=listing, applicant=applicant(corporation, code), preference=1, actor=alice)
    with translation.override("nl"), pytest.raises(SteeringInputError) as refused:
        vacancy_label_decide(proposal=hot_vacancy, actor=alice, label="NO_VULNERABLE")
    code = hot_vacancy.dwelling.external_id
    assert refused.value.errors == [
        f"Woning {code} heeft al 2 reacties op publicatie {listing.reference}; trek de publicatie in of kies na de "
        "ronde een label."
    ]
    assert decisions_and_events() == (0, 0)
    listing.refresh_from_db()
    assert (listing.label, listing.base_rent, listing.excluded_groups) == (None, Decimal("700.00"), [])


def test_with_an_offer_the_decision_is_refused_naming_the_offer_and_nothing_changes(town, alice, hot_vacancy):
    corporation = town["stock"].corporation
    allocation_round = draft_round(corporation, alice)
    listing = allocation.listing_create_for_dwelling(
        dwelling=hot_vacancy.dwelling, actor=alice, allocation_round=allocation_round
    )
    allocation.bid_create(
        listing=listing, applicant=applicant(corporation, "B1", income=Decimal("50000")), preference=1, actor=alice
    )
    solve(allocation_round, alice)
    (offer,) = allocation.allocation_round_approve(allocation_round=allocation_round, actor=alice)
    assert offer.status == OfferStatus.OFFERED
    with translation.override("en"), pytest.raises(SteeringInputError) as refused:
        vacancy_label_decide(proposal=hot_vacancy, actor=alice, label="OPEN", reason="Open after all")
    (message,) = refused.value.errors
    assert message.startswith(f"Dwelling {hot_vacancy.dwelling.external_id} is fixed: Offered in listing")
    assert listing.reference in message
    assert decisions_and_events() == (0, 0)
    listing.refresh_from_db()
    assert (listing.status, listing.label, listing.base_rent) == (ListingStatus.OFFERED, None, Decimal("700.00"))


def test_a_refusal_in_the_allocation_app_undoes_the_decision(town, alice, hot_vacancy, monkeypatch):
    """A bid that arrives between the check and the update: the allocation app's own guard refuses, and the
    decision is not kept either (one transaction)."""
    from buurtbalans.steering import listings

    corporation = town["stock"].corporation
    listing = allocation.listing_create_for_dwelling(dwelling=hot_vacancy.dwelling, actor=alice)
    allocation.bid_create(listing=listing, applicant=applicant(corporation, "LATE"), preference=1, actor=alice)
    monkeypatch.setattr(
        listings, "listing_effect", lambda dwelling, on: listings.ListingEffect("update", "", listing=listing)
    )
    with translation.override("en"), pytest.raises(SteeringInputError) as refused:
        vacancy_label_decide(proposal=hot_vacancy, actor=alice, label="NO_VULNERABLE")
    assert refused.value.errors == [
        f"Listing {listing.reference} already has bids (1): its label can no longer change."
    ]
    assert decisions_and_events() == (0, 0)
    listing.refresh_from_db()
    assert listing.label is None


def test_the_vacancy_page_says_what_a_decision_does_to_the_listing(english, town, alice, bob, hot_vacancy):
    corporation = town["stock"].corporation
    dwelling = hot_vacancy.dwelling
    url = reverse("steering_vacancy", args=[dwelling.pk])
    english.force_login(alice)
    page = english.get(url)
    assert page.context["listing_effect"].kind == "none"
    assert "This dwelling has no listing yet." in text(page)

    listing = allocation.listing_create_for_dwelling(dwelling=dwelling, actor=alice)
    page = english.get(url)
    assert f"Listing {listing.reference} is open and has no bids yet." in text(page)
    assert not page.context["may_list"]
    done = english.post(url, {"label": "NO_VULNERABLE"}, follow=True)
    assert f"Listing {listing.reference} now has this label" in text(done)
    listing.refresh_from_db()
    assert listing.label == "NO_VULNERABLE"

    allocation.bid_create(
        listing=listing, applicant=applicant(corporation, "B1", income=Decimal("50000")), preference=1, actor=alice
    )
    page = english.get(url)
    body = text(page)
    assert f"already has 1 bid on listing {listing.reference}; withdraw the listing" in body
    assert 'name="label"' not in body  # no form to decide with
    refused = english.post(url, {"label": "OPEN", "reason": "Open after all"})
    assert refused.status_code == 400 and "already has 1 bid" in text(refused)
    assert LabelDecision.objects.count() == 1
    # The analyst sees the same, without a form.
    english.force_login(bob)
    assert "already has 1 bid" in text(english.get(url))
