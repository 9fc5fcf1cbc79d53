"""Corporation A's allocation objects for the access tests (core/tests/test_access_views.py): a round that ran and
was approved, an offer accepted and one declined (so the round ran again), and the URLs that show them."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.urls import reverse

from buurtbalans.allocation import services
from buurtbalans.allocation.models import DeclineReason, Offer
from buurtbalans.allocation.services import SOLVE_JOB_KIND
from buurtbalans.core.jobs import run_pending_jobs
from buurtbalans.core.models import Job

# Strings that appear only in corporation A's allocation data.
ALLOCATION_MARKERS = ("AW-7001", "AW-7002", "H-AW-7001", "round-of-a", "seed-of-a", "A-V71", "listing-note-a")


def make_allocation_objects(stock, officer) -> dict:
    from buurtbalans.allocation.tests.support import applicant, vacant_dwelling

    corporation = stock.corporation
    allocation_round = services.allocation_round_create(
        corporation=corporation, actor=officer, name="round-of-a", reference_date=date(2025, 6, 2),
        lottery_seed="seed-of-a",
    )
    listings = [
        services.listing_create_for_dwelling(dwelling=vacant_dwelling(stock, number), actor=officer,
                                             allocation_round=allocation_round, note="listing-note-a")
        for number in (71, 72)
    ]
    people = [applicant(corporation, f"AW-700{i}", income=Decimal("23000"), registered=date(2010 + i, 1, 1))
              for i in (1, 2)]
    for person in people:
        for preference, listing in enumerate(listings, start=1):
            services.bid_create(listing=listing, applicant=person, preference=preference, actor=officer)
    services.allocation_round_start(allocation_round=allocation_round, actor=officer)
    run_pending_jobs()
    services.allocation_round_approve(allocation_round=allocation_round, actor=officer)
    accepted = Offer.objects.get(listing=listings[0])
    services.offer_accept(offer=accepted, actor=officer, start_date=date(2025, 7, 1))
    declined = Offer.objects.get(listing=listings[1])
    services.offer_decline(offer=declined, actor=officer, reason=DeclineReason.NO_RESPONSE)
    run_pending_jobs()
    open_listing = services.listing_create_for_dwelling(dwelling=vacant_dwelling(stock, 73), actor=officer,
                                                        note="listing-note-a")
    letters = services.round_letters_request(allocation_round=allocation_round, actor=officer)
    run_pending_jobs()
    allocation_round.refresh_from_db()
    kinds = (SOLVE_JOB_KIND, services.LETTERS_JOB_KIND)
    return {"round": allocation_round, "listings": listings, "open_listing": open_listing, "people": people,
            "accepted": accepted, "declined": declined, "letters_job": letters,
            "jobs": list(Job.objects.filter(kind__in=kinds, corporation=corporation).values_list("pk", flat=True))}


def allocation_urls_of(objects: dict) -> list[tuple[str, str, dict]]:
    """Every allocation page, export and action that concerns corporation A's objects."""
    allocation_round, listing, person = objects["round"], objects["listings"][0], objects["people"][0]
    open_listing, declined = objects["open_listing"], objects["declined"]
    round_pk = allocation_round.pk
    urls = [
        ("get", reverse("allocation_round_list"), {}),
        ("get", reverse("allocation_round_detail", args=[round_pk]), {}),
        ("get", reverse("allocation_round_result", args=[round_pk]), {}),
        ("get", reverse("allocation_letter_list", args=[round_pk]), {}),
        ("get", reverse("allocation_letter", args=[round_pk, person.pk]), {}),
        ("get", reverse("allocation_letter_pdf", args=[round_pk, person.pk]), {}),
        ("get", reverse("allocation_letters_file", args=[objects["letters_job"].pk]), {}),
        ("post", reverse("allocation_letters_all", args=[round_pk]), {}),
        ("get", reverse("allocation_listing_list"), {}),
        ("get", reverse("allocation_listing_detail", args=[listing.pk]), {}),
        ("get", reverse("allocation_listing_account", args=[listing.pk]), {}),
        ("get", reverse("allocation_listing_edit", args=[open_listing.pk]), {}),
        ("get", reverse("allocation_listing_new"), {"dwelling": str(open_listing.dwelling_id)}),
        ("get", reverse("allocation_applicant", args=[person.pk]), {}),
        ("get", reverse("allocation_offer_accept", args=[declined.pk]), {}),
        ("get", reverse("allocation_offer_decline", args=[declined.pk]), {}),
        ("get", reverse("allocation_bid_import"), {}),
        ("get", reverse("allocation_round_new"), {}),
        ("post", reverse("allocation_round_start", args=[round_pk]), {}),
        ("post", reverse("allocation_round_approve", args=[round_pk]), {}),
        ("post", reverse("allocation_round_close", args=[round_pk]), {}),
        ("post", reverse("allocation_round_add_listings", args=[round_pk]), {"listings": str(open_listing.pk)}),
        ("post", reverse("allocation_listing_withdraw", args=[open_listing.pk]), {}),
        ("post", reverse("allocation_listing_edit", args=[open_listing.pk]), {"selection": "lottery"}),
        ("post", reverse("allocation_listing_bid_add", args=[open_listing.pk]), {"applicant": "AW-7001",
                                                                                "preference": "5"}),
        ("post", reverse("allocation_listing_score_add", args=[open_listing.pk]), {"applicant": "AW-7001",
                                                                                  "score": "5"}),
        ("post", reverse("allocation_applicant", args=[person.pk]), {"groups": "starter"}),
        ("post", reverse("allocation_offer_decline", args=[declined.pk]), {"reason": "GEW"}),
        ("post", reverse("allocation_offer_accept", args=[declined.pk]), {"start_date": "2025-08-01"}),
    ]
    for url in (reverse("allocation_round_detail", args=[round_pk]), reverse("allocation_round_result",
                                                                             args=[round_pk]),
                reverse("allocation_listing_list"), reverse("allocation_listing_account", args=[listing.pk]),
                reverse("allocation_letter_list", args=[round_pk])):
        for export_format in ("csv", "xlsx"):
            urls.append(("get", url, {"format": export_format}))
    return urls
