"""The allocation screens: who sees what, the officer's flow through the pages, and what the audit log records."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from buurtbalans.allocation.models import Listing, ListingStatus, Offer, OfferStatus, RoundStatus
from buurtbalans.allocation.tests.support import REFERENCE_DATE, applicant, scene, solve, vacant_dwelling
from buurtbalans.core.jobs import run_pending_jobs
from buurtbalans.core.models import AuditEvent
from buurtbalans.core.tests.test_access_views import body

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(stock_a, alice):
    s = scene(stock_a, alice)
    allocation_round = solve(s.round, alice)
    from buurtbalans.allocation import services

    services.allocation_round_approve(allocation_round=allocation_round, actor=alice)
    return s


def officer_urls(s) -> list[str]:
    allocation_round, listing, person = s.round, s.listings[0], s.applicants[3]
    return [
        reverse("allocation_round_result", args=[allocation_round.pk]),
        reverse("allocation_round_result", args=[allocation_round.pk]) + "?format=csv",
        reverse("allocation_letter_list", args=[allocation_round.pk]),
        reverse("allocation_letter", args=[allocation_round.pk, person.pk]),
        reverse("allocation_letter_pdf", args=[allocation_round.pk, person.pk]),
        reverse("allocation_applicant", args=[person.pk]),
        reverse("allocation_listing_new"),
        reverse("allocation_listing_edit", args=[listing.pk]),
        reverse("allocation_bid_import"),
        reverse("allocation_round_new"),
        reverse("allocation_offer_accept", args=[Offer.objects.get(listing=listing).pk]),
        reverse("allocation_offer_decline", args=[Offer.objects.get(listing=listing).pk]),
    ]


def test_the_officer_sees_every_page(client, alice, approved):
    client.force_login(alice)
    pages = [
        reverse("allocation_round_list"),
        reverse("allocation_round_detail", args=[approved.round.pk]),
        reverse("allocation_round_detail", args=[approved.round.pk]) + "?format=xlsx",
        reverse("allocation_listing_list"),
        reverse("allocation_listing_list") + "?format=csv",
        reverse("allocation_listing_detail", args=[approved.listings[0].pk]),
        reverse("allocation_listing_account", args=[approved.listings[0].pk]),
        reverse("allocation_listing_account", args=[approved.listings[0].pk]) + "?format=csv",
        *officer_urls(approved),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url


def test_the_analyst_sees_aggregates_but_no_bids_outcomes_or_letters(client, bob, approved):
    client.force_login(bob)
    for url in officer_urls(approved):
        assert client.get(url).status_code == 403, url
    for url, data in [
        (reverse("allocation_round_start", args=[approved.round.pk]), {}),
        (reverse("allocation_round_approve", args=[approved.round.pk]), {}),
        (reverse("allocation_listing_bid_add", args=[approved.listings[0].pk]), {"applicant": "A1", "preference": 3}),
    ]:
        assert client.post(url, data).status_code == 403, url

    page = client.get(reverse("allocation_round_detail", args=[approved.round.pk]))
    assert page.status_code == 200
    text = body(page)
    statistics = page.context["statistics"]
    assert (statistics.listings, statistics.bids, statistics.applicants, statistics.allocations) == (3, 7, 4, 3)
    # Counts and the public account; no registration number, household or income.
    for private in ("A1", "A2", "A3", "A4", "H-A1", "24.000", "52.000"):
        assert private not in text, private
    listing = client.get(reverse("allocation_listing_detail", args=[approved.listings[0].pk]))
    assert listing.status_code == 200 and listing.context["bids"] is None
    assert "A1" not in body(listing)
    assert not AuditEvent.objects.filter(event_type=AuditEvent.Type.BIDS_READ, actor=bob).exists()


def test_reading_bids_results_and_letters_is_logged_with_whose_data(client, alice, approved):
    client.force_login(alice)
    client.get(reverse("allocation_listing_detail", args=[approved.listings[0].pk]))
    read = AuditEvent.objects.filter(event_type=AuditEvent.Type.BIDS_READ).latest("pk")
    assert read.subject_ids == ["H-A1", "H-A2", "H-A4"] and read.actor == alice

    client.get(reverse("allocation_round_result", args=[approved.round.pk]))
    read = AuditEvent.objects.filter(event_type=AuditEvent.Type.BIDS_READ).latest("pk")
    assert read.subject_ids == ["H-A1", "H-A2", "H-A3", "H-A4"]

    person = approved.applicants[1]
    client.get(reverse("allocation_letter", args=[approved.round.pk, person.pk]))
    client.get(reverse("allocation_letter_pdf", args=[approved.round.pk, person.pk]))
    letters = AuditEvent.objects.filter(event_type=AuditEvent.Type.ALLOCATION_LETTER_READ).order_by("pk")
    assert [e.subject_ids for e in letters] == [["H-A2"], ["H-A2"]]

    client.get(reverse("allocation_round_result", args=[approved.round.pk]), {"format": "csv"})
    export = AuditEvent.objects.filter(event_type=AuditEvent.Type.PERSONAL_DATA_EXPORTED).get()
    assert export.subject_ids == ["H-A1", "H-A2", "H-A3", "H-A4"]


def test_the_officer_lists_a_home_from_the_complex_page_and_runs_a_round_through_the_screens(client, alice, stock_a):
    client.force_login(alice)
    dwelling = stock_a.dwellings[2]  # the vacant one of make_stock
    complex_page = client.get(reverse("complex_detail", args=[stock_a.complex.pk]))
    new_url = reverse("allocation_listing_new") + f"?dwelling={dwelling.pk}"
    assert new_url in body(complex_page)

    response = client.post(reverse("allocation_listing_new"), {
        "dwelling": dwelling.pk, "selection": "registration", "household_size_max": "3",
        "allowed_groups": ["starter", "senior"],
    })
    listing = Listing.objects.get(dwelling=dwelling)
    assert response.status_code == 302 and listing.allowed_groups == ["senior", "starter"]
    assert listing.base_rent == dwelling.base_rent and listing.household_size_max == 3

    response = client.post(reverse("allocation_round_new"), {
        "name": "Week 24", "reference_date": REFERENCE_DATE.isoformat(), "lottery_seed": "w24",
        "listings": [listing.pk],
    })
    listing.refresh_from_db()
    allocation_round = listing.allocation_round
    assert response.status_code == 302 and allocation_round.name == "Week 24"

    applicant(stock_a.corporation, "W-1", registered=date(2011, 1, 1))
    profile_url = reverse("allocation_applicant", args=[applicant(stock_a.corporation, "W-2").pk])
    assert client.post(profile_url, {"groups": ["starter"]}).status_code == 302
    for code, preference in (("W-1", 1), ("W-2", 1)):
        response = client.post(reverse("allocation_listing_bid_add", args=[listing.pk]),
                               {"applicant": code, "preference": preference})
        assert response.status_code == 302
    assert listing.bids.count() == 2

    client.post(reverse("allocation_round_start", args=[allocation_round.pk]))
    page = client.get(reverse("allocation_round_detail", args=[allocation_round.pk]))
    assert page.context["job"] is not None and "job-progress-bar" in body(page)
    run_pending_jobs()
    result = client.get(reverse("allocation_round_result", args=[allocation_round.pk]))
    # W-1 is in no target group: not eligible; W-2 (starter) gets the home.
    assert [c.applicant for c in result.context["results"][0].candidates] == ["W-2"]
    client.post(reverse("allocation_round_approve", args=[allocation_round.pk]))
    offer = Offer.objects.get(listing=listing)
    response = client.post(reverse("allocation_offer_accept", args=[offer.pk]), {"start_date": "2025-07-01"})
    assert response.status_code == 302
    offer.refresh_from_db()
    listing.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED and listing.status == ListingStatus.LET
    client.post(reverse("allocation_round_close", args=[allocation_round.pk]))
    allocation_round.refresh_from_db()
    assert allocation_round.status == RoundStatus.CLOSED


def test_a_refused_action_says_why_and_changes_nothing(client, alice, approved):
    client.force_login(alice)
    offer = Offer.objects.get(listing=approved.listings[0])
    client.post(reverse("allocation_offer_accept", args=[offer.pk]), {"start_date": "2025-07-01"})
    response = client.post(reverse("allocation_offer_decline", args=[offer.pk]), {"reason": "WBN"}, follow=True)
    assert "Dit aanbod is al aangenomen" in body(response)
    offer.refresh_from_db()
    assert offer.status == OfferStatus.ACCEPTED


def test_charlie_of_another_corporation_gets_nothing(client, charlie, approved, stock_b):
    other = vacant_dwelling(stock_b, 9)
    client.force_login(charlie)
    for url in [reverse("allocation_round_detail", args=[approved.round.pk]),
                reverse("allocation_listing_detail", args=[approved.listings[0].pk]),
                reverse("allocation_listing_new") + f"?dwelling={approved.listings[0].dwelling_id}",
                *officer_urls(approved)[:6]]:
        assert client.get(url).status_code == 404, url
    assert client.get(reverse("allocation_round_list")).context["page"].object_list == []
    # Charlie cannot list A's dwelling, nor put B's listing into A's round.
    response = client.post(reverse("allocation_listing_new"), {
        "dwelling": approved.listings[0].dwelling_id, "selection": "registration"})
    assert response.status_code == 200 and response.context["form"].errors
    response = client.post(reverse("allocation_listing_new"), {
        "dwelling": other.pk, "selection": "registration", "allocation_round": approved.round.pk})
    assert response.status_code == 200 and not Listing.objects.filter(dwelling=other).exists()
