"""Letting homes through the API (issue 17): a weekly platform round end to end through the API only, the bids
import equal to the screen's, rights per role as on the screens, personal data with X-Purpose and audited."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from buurtbalans.allocation.models import Bid, Listing
from buurtbalans.allocation.tests.support import applicant, vacant_dwelling
from buurtbalans.api.tests.conftest import bearer
from buurtbalans.api.tests.walk_allocation import decide_labels
from buurtbalans.core.jobs import run_pending_jobs
from buurtbalans.core.models import AuditEvent, Role

pytestmark = pytest.mark.django_db

ROUND_WRITE = {"allocation": "write", "jobs": "read"}


@pytest.fixture
def week(stock_a, alice, settings, tmp_path):
    """Three vacant dwellings with decided labels and four applicants of corporation A."""
    settings.UPLOAD_DIR = tmp_path
    settings.VAR_DIR = tmp_path
    dwellings = [vacant_dwelling(stock_a, n) for n in (1, 2, 3)]
    decide_labels(stock_a, alice, dwellings)
    corporation = stock_a.corporation
    people = [
        applicant(corporation, "W-1", registered=date(2005, 3, 1)),
        applicant(corporation, "W-2", size=2, registered=date(2008, 7, 1)),
        applicant(corporation, "W-3", registered=date(2010, 1, 15)),
        applicant(corporation, "W-4", income=Decimal("52000"), registered=date(2015, 9, 1)),
    ]
    for person in people:
        person.name = f"Naam {person.external_id}"
        person.save(update_fields=["name"])
    return dwellings, people


def bids_csv(references: list[str], rows: list[tuple[str, int, int]] | None = None) -> bytes:
    """W-1 wants L1 then L2, W-2 L1 then L3, W-3 L2, W-4 L3 then L1 (the platform's export, `;` separated)."""
    rows = rows or [("W-1", 0, 1), ("W-1", 1, 2), ("W-2", 0, 1), ("W-2", 2, 2), ("W-3", 1, 1), ("W-4", 2, 1),
                    ("W-4", 0, 2)]
    lines = ["Publicatie;Inschrijfnummer;Volgorde;Reactiedatum"]
    lines += [f"{references[li]};{code};{preference};26-05-2025 09:{10 + i:02d}"
              for i, (code, li, preference) in enumerate(rows)]
    return ("\r\n".join(lines) + "\r\n").encode()


def test_a_weekly_platform_round_through_the_api_only(client, alice, week, token_for):
    dwellings, people = week
    auth = bearer(token_for(alice, Role.ALLOCATION_OFFICER, ROUND_WRITE))
    personal = {**auth, "HTTP_X_PURPOSE": "allocation"}

    # 1. The week's vacancies listed with their decided labels.
    listings = []
    for dwelling in dwellings:
        response = client.post("/api/v1/allocation/listings", {"dwelling": dwelling.pk},
                               content_type="application/json", **auth)
        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["dwelling_id"], body["label"], body["status"], body["base_rent"]) == (
            dwelling.pk, "OPEN", "open", "600.00")
        listings.append(body)
    again = client.post("/api/v1/allocation/listings", {"dwelling": dwellings[0].pk},
                        content_type="application/json", **auth)
    assert again.status_code == 409 and again.json()["errors"]
    open_rows = client.get("/api/v1/allocation/listings?status=open", **auth).json()["items"]
    assert [row["id"] for row in open_rows] == [row["id"] for row in listings]
    references = [row["reference"] for row in listings]

    # 2. The platform's bids, checked first, then all at once with an Idempotency-Key.
    content = bids_csv(references)
    check = client.post("/api/v1/allocation/bids/imports?dry_run=true",
                        {"file": SimpleUploadedFile("reacties.csv", content)}, **auth)
    assert check.status_code == 200 and check.json()["counts"] == {"new": 7, "updated": 0, "unchanged": 0}
    assert not Bid.objects.exists()
    done = client.post("/api/v1/allocation/bids/imports", {"file": SimpleUploadedFile("reacties.csv", content)},
                       HTTP_IDEMPOTENCY_KEY="week-23-bids", **auth)
    assert done.status_code == 200 and done.json()["written"] is True
    replay = client.post("/api/v1/allocation/bids/imports", {"file": SimpleUploadedFile("reacties.csv", content)},
                         HTTP_IDEMPOTENCY_KEY="week-23-bids", **auth)
    assert replay["Idempotent-Replayed"] == "true" and Bid.objects.count() == 7
    bids = client.get(f"/api/v1/allocation/listings/{listings[0]['id']}/bids", **personal).json()["items"]
    assert [(b["applicant"], b["preference"], b["income"]) for b in bids] == [
        ("W-1", 1, "24000.00"), ("W-2", 1, "24000.00"), ("W-4", 2, "52000.00")]

    # 3. The round: made with two listings, the third added, started as a job.
    created = client.post("/api/v1/allocation/rounds", {
        "name": "Week 23", "reference_date": "2025-06-02", "lottery_seed": "week-23",
        "listings": [listings[0]["id"], listings[1]["id"]]}, content_type="application/json", **auth)
    assert created.status_code == 200, created.content
    round_id = created.json()["id"]
    assert created.json()["status"] == "draft" and created.json()["listing_count"] == 2
    added = client.post(f"/api/v1/allocation/rounds/{round_id}/listings", {"listings": [listings[2]["id"]]},
                        content_type="application/json", **auth)
    assert added.status_code == 200 and added.json()["listing_count"] == 3
    started = client.post(f"/api/v1/allocation/rounds/{round_id}/start", **auth)
    assert started.status_code == 202, started.content
    job_id = started.json()["job_id"]
    assert started.json()["job"].endswith(f"/api/v1/jobs/{job_id}")
    assert client.get(f"/api/v1/allocation/rounds/{round_id}", **auth).json()["job_id"] == job_id

    # 4. Poll the job (the worker runs it), then read the result with its explanations.
    assert client.get(f"/api/v1/jobs/{job_id}", **auth).json()["status"] == "queued"
    run_pending_jobs()
    job = client.get(f"/api/v1/jobs/{job_id}", **auth).json()
    assert job["status"] == "succeeded" and job["progress_done"] == job["progress_total"]
    status = client.get(f"/api/v1/allocation/rounds/{round_id}", **auth).json()
    assert status["status"] == "review" and status["figures"]["bids"] == 7 and status["job_id"] is None
    assert client.get(f"/api/v1/allocation/rounds/{round_id}/result", **auth).status_code == 400
    result = client.get(f"/api/v1/allocation/rounds/{round_id}/result?limit=2", **personal)
    assert result.status_code == 200, result.content
    first = result.json()
    assert [item["listing"] for item in first["items"]] == references[:2] and first["next"]
    rest = client.get(first["next"], **personal).json()
    items = {item["listing"]: item for item in (*first["items"], *rest["items"])}
    one = items[references[0]]
    assert [(c["applicant"], c["outcome"]) for c in one["candidates"]][:2] == [("W-1", "allocated"),
                                                                                ("W-2", "outranked")]
    assert "W-1" in one["candidates"][1]["explanation"]  # who was ahead, as the result page says
    three = items[references[2]]
    assert [(c["applicant"], c["outcome"]) for c in three["candidates"]] == [("W-2", "allocated"),
                                                                             ("W-4", "outranked")]
    assert three["ineligible"] == [] and three["status"] == "allocated"
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.BIDS_READ, actor=alice).count() >= 3

    # 5. Approve; the offers are answered as the candidates answer on the platform.
    approved = client.post(f"/api/v1/allocation/rounds/{round_id}/approve", **auth)
    assert approved.status_code == 200 and approved.json()["offers"] == 3
    offers = client.get(f"/api/v1/allocation/offers?round={round_id}&status=offered", **auth).json()["items"]
    by_listing = {offer["listing"]: offer for offer in offers}
    assert {offer["applicant"] for offer in offers} == {"W-1", "W-2", "W-3"}
    accept = client.post(f"/api/v1/allocation/offers/{by_listing[references[0]]['id']}/accept",
                         {"start_date": "2025-07-01"}, content_type="application/json", **auth)
    assert accept.status_code == 200 and accept.json()["status"] == "accepted" and accept.json()["tenancy_id"]
    unknown = client.post(f"/api/v1/allocation/offers/{by_listing[references[1]]['id']}/decline",
                          {"reason": "XXX"}, content_type="application/json", **auth)
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["loc"][-1] == "reason"
    declined = client.post(f"/api/v1/allocation/offers/{by_listing[references[1]]['id']}/decline",
                           {"reason": "WBN"}, content_type="application/json", **auth)
    assert declined.status_code == 200 and declined.json()["decline_reason"] == "WBN"
    twice = client.post(f"/api/v1/allocation/offers/{by_listing[references[1]]['id']}/decline",
                        {"reason": "WBN"}, content_type="application/json", **auth)
    assert twice.status_code == 409 and twice.json()["detail"]
    accept3 = client.post(f"/api/v1/allocation/offers/{by_listing[references[2]]['id']}/accept",
                          {"start_date": "2025-07-01"}, content_type="application/json", **auth)
    assert accept3.status_code == 200

    # 6. The letters: the round's document as `round_letters` writes it, one letter as JSON and as PDF.
    letters = client.get(f"/api/v1/allocation/rounds/{round_id}/letters", **personal)
    assert letters.status_code == 200
    from buurtbalans.allocation.letterfile import round_letters_document
    from buurtbalans.allocation.models import AllocationRound

    expected = round_letters_document(AllocationRound.objects.filter(pk=round_id))["rounds"][0]
    assert letters.json() == expected
    w1 = people[0]
    letter = client.get(f"/api/v1/allocation/rounds/{round_id}/letters/{w1.pk}", **personal).json()
    assert letter == next(x for x in expected["letters"] if x["applicant"] == "W-1")
    pdf = client.get(f"/api/v1/allocation/rounds/{round_id}/letters/{w1.pk}/pdf", **personal)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    reads = AuditEvent.objects.filter(event_type=AuditEvent.Type.ALLOCATION_LETTER_READ, actor=alice)
    assert reads.count() == 3 and [w1.household.external_id] in [e.subject_ids for e in reads]

    # 7. The decline had the round worked out again for the home that is left (nobody else wanted it): approve
    # that run, then close once every offer is answered; the declined home was not let this round.
    run_pending_jobs()
    assert client.get(f"/api/v1/allocation/rounds/{round_id}", **auth).json()["figures"]["runs"] == 2
    client.post(f"/api/v1/allocation/rounds/{round_id}/approve", **auth)
    closed = client.post(f"/api/v1/allocation/rounds/{round_id}/close", **auth)
    assert closed.status_code == 200 and closed.json()["status"] == "closed", closed.content
    assert Listing.objects.get(reference=references[1]).status == "not_let"


def test_a_listing_needs_a_decided_label_and_can_be_withdrawn(client, alice, stock_a, week, token_for):
    auth = bearer(token_for(alice, Role.ALLOCATION_OFFICER, {"allocation": "write"}))
    undecided = vacant_dwelling(stock_a, 9)
    refused = client.post("/api/v1/allocation/listings", {"dwelling": undecided.pk},
                          content_type="application/json", **auth)
    assert refused.status_code == 409 and refused.json()["errors"][0]["loc"] == ["body", "dwelling"]
    assert not Listing.objects.filter(dwelling=undecided).exists()
    listing = client.post("/api/v1/allocation/listings", {"dwelling": week[0][0].pk},
                          content_type="application/json", **auth).json()
    withdrawn = client.post(f"/api/v1/allocation/listings/{listing['id']}/withdraw", **auth)
    assert withdrawn.status_code == 200 and withdrawn.json()["status"] == "withdrawn"
    assert client.post(f"/api/v1/allocation/listings/{listing['id']}/withdraw", **auth).status_code == 409
    reads = client.get(f"/api/v1/allocation/listings?dwelling={week[0][0].pk}&status=withdrawn", **auth).json()
    assert [row["id"] for row in reads["items"]] == [listing["id"]]


def _screen_import(client, user, content: bytes, name: str):
    client.force_login(user)
    response = client.post(reverse("allocation_bid_import"), {"file": SimpleUploadedFile(name, content)})
    client.logout()
    return response.context["report"]


def _bid_rows():
    return sorted(Bid.objects.values_list("listing__reference", "applicant__external_id", "preference",
                                          "submitted_at", "source"))


def test_an_api_bid_import_and_a_screen_bid_import_give_the_same_rows_and_errors(client, alice, week, token_for):
    from buurtbalans.allocation import services

    dwellings, _people = week
    references = [services.listing_create_for_dwelling(dwelling=d, actor=alice).reference for d in dwellings]
    bad = bids_csv(references, [("W-1", 0, 1), ("W-9", 1, 1), ("W-2", 0, 0)]) + b"D-NONE;W-3;1;gisteren\r\n"
    screen = _screen_import(client, alice, bad, "reacties.csv")
    screen_errors = [(e.file, e.row, e.column, e.message) for e in screen.errors]
    assert len(screen_errors) >= 3 and not Bid.objects.exists()
    auth = bearer(token_for(alice, Role.ALLOCATION_OFFICER, {"allocation": "write"}))
    response = client.post("/api/v1/allocation/bids/imports", {"file": SimpleUploadedFile("reacties.csv", bad)},
                           **auth)
    assert response.status_code == 422
    assert [(*e["loc"], e["msg"]) for e in response.json()["errors"]] == screen_errors
    assert not Bid.objects.exists()
    # A good file: the screen's rows, removed, then the API's rows: the same.
    good = bids_csv(references)
    assert _screen_import(client, alice, good, "reacties.csv").written
    screen_rows = _bid_rows()
    Bid.objects.all().delete()
    assert client.post("/api/v1/allocation/bids/imports", {"file": SimpleUploadedFile("reacties.csv", good)},
                       **auth).status_code == 200
    assert _bid_rows() == screen_rows and len(screen_rows) == 7
    wrong = client.post("/api/v1/allocation/bids/imports", {"file": SimpleUploadedFile("bids.pdf", b"%PDF")}, **auth)
    assert wrong.status_code == 422 and wrong.json()["errors"][0]["loc"] == ["bids.pdf", None, None]


def test_bids_results_and_letters_need_the_allocation_purpose(client, alice, week, token_for):
    from buurtbalans.allocation import services

    listing = services.listing_create_for_dwelling(dwelling=week[0][0], actor=alice)
    services.bid_create(listing=listing, applicant=week[1][0], preference=1, actor=alice)
    auth = bearer(token_for(alice, Role.ALLOCATION_OFFICER, {"allocation": "read"}))
    url = f"/api/v1/allocation/listings/{listing.pk}/bids"
    assert client.get(url, **auth).status_code == 400
    assert client.get(url, HTTP_X_PURPOSE="social_management", **auth).status_code == 403
    assert not AuditEvent.objects.filter(event_type=AuditEvent.Type.BIDS_READ).exists()
    assert client.get(url, HTTP_X_PURPOSE="allocation", **auth).status_code == 200
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.BIDS_READ)
    assert event.subject_ids == ["H-W-1"] and event.actor == alice
    # A read token cannot write.
    assert client.post(f"/api/v1/allocation/listings/{listing.pk}/withdraw", **auth).status_code == 403


def test_an_analyst_reads_listings_and_rounds_but_no_bids_offers_or_letters(client, bob, alice, week, token_for):
    from buurtbalans.allocation import services

    listing = services.listing_create_for_dwelling(dwelling=week[0][0], actor=alice)
    auth = {**bearer(token_for(bob, Role.POLICY_ANALYST, {"allocation": "write", "rules": "read"})),
            "HTTP_X_PURPOSE": "allocation"}
    assert client.get("/api/v1/allocation/listings", **auth).status_code == 200
    assert client.get(f"/api/v1/allocation/listings/{listing.pk}", **auth).status_code == 200
    assert client.get("/api/v1/allocation/rounds", **auth).status_code == 200
    for url in (f"/api/v1/allocation/listings/{listing.pk}/bids", "/api/v1/allocation/offers"):
        assert client.get(url, **auth).status_code == 403
    assert client.post("/api/v1/allocation/rounds", {"name": "x", "reference_date": "2025-06-02"},
                       content_type="application/json", **auth).status_code == 403
    compliance = client.get("/api/v1/compliance", **auth)
    assert compliance.status_code == 200, compliance.content
    assert compliance.json()["with_households"] is False and compliance.json()["figures"][-1]["is_total"]


def test_compliance_checks_year_and_municipality(client, alice, stock_a, token_for):
    auth = {**bearer(token_for(alice, Role.ALLOCATION_OFFICER, {"rules": "read"})), "HTTP_X_PURPOSE": "compliance"}
    assert client.get("/api/v1/compliance?year=1950", **auth).status_code == 400
    assert client.get("/api/v1/compliance?municipality=GM9999", **auth).status_code == 400
    response = client.get("/api/v1/compliance?municipality=unknown", **auth)
    assert response.status_code == 200 and response.json()["with_households"] is True
    without = {k: v for k, v in auth.items() if k != "HTTP_X_PURPOSE"}
    assert client.get("/api/v1/compliance", **without).status_code == 400
