"""The letters of a round on screen, on paper and as a file say the same, for every bid status (issue 10): the
letters page, the letter page, its PDF, every letter as one PDF, the mail-merge export and `round_letters`."""

from __future__ import annotations

import base64
import csv
import io
import re
import zlib
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from buurtbalans.allocation import letter_views, services
from buurtbalans.allocation.letterfile import round_letters_entry
from buurtbalans.allocation.models import DeclineReason, Offer
from buurtbalans.allocation.tests.support import (
    REFERENCE_DATE,
    applicant,
    letter_invariant_problems,
    solve,
    vacant_dwelling,
)
from buurtbalans.core.jobs import run_pending_jobs
from buurtbalans.core.models import AuditEvent, Job
from buurtbalans.core.tests.test_access_views import body
from buurtbalans.engine.allocation.status import BidStatus

pytestmark = pytest.mark.django_db


def pdf_text(content: bytes) -> str:
    """The text drawn in a PDF (the `(...) Tj` operands, compressed streams inflated, escapes undone)."""
    raw = content.decode("latin-1")
    streams = re.findall(r"stream\r?\n(.*?)endstream", raw, re.S)
    parts = [raw]
    for stream in streams:
        data = stream.strip().encode("latin-1")
        try:
            if data.endswith(b"~>"):  # reportlab writes compressed pages as ASCII85 of the deflated bytes
                data = base64.a85decode(data[:-2])
            parts.append(zlib.decompress(data).decode("latin-1"))
        except (ValueError, zlib.error):
            continue
    text = " ".join(re.findall(r"\((.*?)(?<!\\)\)\s*Tj", " ".join(parts)))
    text = re.sub(r"\\([0-7]{3})", lambda m: bytes([int(m.group(1), 8)]).decode("cp1252"), text)
    return re.sub(r"\\([()\\])", r"\1", text)


@pytest.fixture
def every_status(stock_a, alice):
    """A round whose bids end in every status but `pending` (see the comments), and a second round, worked out
    and not approved, whose bid is pending."""
    corporation = stock_a.corporation
    allocation_round = services.allocation_round_create(corporation=corporation, actor=alice, name="Week 40",
                                                        reference_date=REFERENCE_DATE, lottery_seed="w40")
    homes = [services.listing_create_for_dwelling(dwelling=vacant_dwelling(stock_a, i), actor=alice,
                                                  allocation_round=allocation_round, **labels)
             for i, labels in ((1, {}), (2, {}), (3, {"income_max": Decimal("30000.00")}), (4, {}))]
    wishes = {1: [0, 1], 2: [0, 1], 3: [1, 3], 4: [2, 3], 5: [0, 3], 6: [3]}
    people = {}
    for n, choices in wishes.items():
        people[n] = applicant(corporation, f"P{n}", registered=date(2000 + n, 1, 1),
                              income=None if n == 6 else Decimal("45000" if n == 4 else "22000"))
        people[n].name, people[n].street_address = f"Persoon {n}", f"Merelstraat {n}"
        people[n].postal_code, people[n].city = "8011 AB", "Zwolle"
        people[n].save()
        for preference, home in enumerate(choices, start=1):
            services.bid_create(listing=homes[home], applicant=people[n], preference=preference, actor=alice)
    solve(allocation_round, alice)
    services.allocation_round_approve(allocation_round=allocation_round, actor=alice)
    # P1 says no to L1: out of the round (L2: not considered). P2 moves to L1, P3 to L2, P4 to L4.
    services.offer_decline(offer=Offer.objects.get(listing=homes[0], applicant=people[1]), actor=alice,
                           reason=DeclineReason.DWELLING_NOT_LIKED)
    run_pending_jobs()
    services.allocation_round_approve(allocation_round=allocation_round, actor=alice)
    # P4 does not come to the viewing: we withdraw L4 (P4's L3 bid: not eligible); L4 goes to P5.
    services.offer_decline(offer=Offer.objects.get(listing=homes[3], applicant=people[4], status="offered"),
                           actor=alice, reason=DeclineReason.NO_SHOW)
    run_pending_jobs()
    services.allocation_round_approve(allocation_round=allocation_round, actor=alice)
    # P2 accepts L1 (L2: allocated elsewhere); P5, behind P2 on L1, reads let to other; P6 has no income.
    services.offer_accept(offer=Offer.objects.get(listing=homes[0], status="offered"), actor=alice,
                          start_date=date(2025, 7, 1))
    later = services.allocation_round_create(corporation=corporation, actor=alice, name="Week 41",
                                             reference_date=REFERENCE_DATE, lottery_seed="w41")
    home = services.listing_create_for_dwelling(dwelling=vacant_dwelling(stock_a, 5), actor=alice,
                                                allocation_round=later)
    people[7] = applicant(corporation, "P7", registered=date(2010, 1, 1))
    services.bid_create(listing=home, applicant=people[7], preference=1, actor=alice)
    solve(later, alice)
    allocation_round.refresh_from_db()
    return {"rounds": [allocation_round, later], "people": people}


def _bids_with(rounds, status: str):
    for allocation_round in rounds:
        entry = round_letters_entry(allocation_round)
        assert letter_invariant_problems(entry) == []
        for letter in entry["letters"]:
            for bid in letter["bids"]:
                if bid["status"] == status:
                    yield allocation_round, letter["applicant"], bid


@pytest.mark.parametrize("status", [s.value for s in BidStatus])
def test_the_letters_page_the_letter_its_pdf_and_the_file_agree_on_every_status(client, alice, every_status, status):
    client.force_login(alice)
    found = list(_bids_with(every_status["rounds"], status))
    assert found, f"the scene has no bid that is {status}"
    people = {p.external_id: p for p in every_status["people"].values()}
    for allocation_round, code, bid in found:
        person = people[code]
        listing = bid["listing"]
        page = body(client.get(reverse("allocation_letter", args=[allocation_round.pk, person.pk])))
        section = re.search(rf'<section[^>]*data-listing="{re.escape(listing)}" data-status="([a-z_]+)"', page)
        assert section and section.group(1) == status, (code, listing)
        headline = re.search(rf'data-listing="{re.escape(listing)}" data-status="{status}">.*?<strong>(.*?)</strong>',
                             page, re.S).group(1)
        pdf = client.get(reverse("allocation_letter_pdf", args=[allocation_round.pk, person.pk]))
        assert headline.replace("&#x27;", "'") in pdf_text(pdf.content), (code, listing, headline)
        letters_page = body(client.get(reverse("allocation_letter_list", args=[allocation_round.pk])))
        assert re.search(rf'<li data-listing="{re.escape(listing)}" data-status="{status}">', letters_page)


def test_every_letter_as_one_pdf_and_the_mail_merge_rows_say_the_same(client, alice, every_status):
    allocation_round = every_status["rounds"][0]
    client.force_login(alice)
    response = client.post(reverse("allocation_letters_all", args=[allocation_round.pk]))
    assert response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    assert text.count("Wat er met uw reacties is gebeurd") == 6  # one letter per applicant
    assert "Persoon 5" in text and "Merelstraat 5" in text and "8011 AB  Zwolle" in text
    assert "binnen 6 weken" in text

    export = body(client.get(reverse("allocation_letter_list", args=[allocation_round.pk]), {"format": "csv"}))
    rows = list(csv.DictReader(io.StringIO(export.lstrip("\ufeff"))))
    entry = round_letters_entry(allocation_round)
    expected = {(letter["applicant"], bid["listing"]): bid["status"] for letter in entry["letters"]
                for bid in letter["bids"]}
    assert {(r["Inschrijfnummer"], r["Publicatie"]): r["Status (code)"] for r in rows} == expected
    p1 = [r for r in rows if r["Inschrijfnummer"] == "P1"]
    assert p1[0]["Naam"] == "Persoon 1" and p1[0]["Postcode"] == "8011 AB"
    assert any("U zei nee tegen het aanbod van" in r["Uitleg in de brief"] for r in p1)
    exported = AuditEvent.objects.filter(event_type=AuditEvent.Type.PERSONAL_DATA_EXPORTED).latest("pk")
    assert "H-P1" in exported.subject_ids


def test_a_large_round_makes_its_letters_in_the_worker_with_progress(client, alice, every_status, monkeypatch):
    monkeypatch.setattr(letter_views, "LETTERS_IN_REQUEST", 2)
    allocation_round = every_status["rounds"][0]
    client.force_login(alice)
    response = client.post(reverse("allocation_letters_all", args=[allocation_round.pk]))
    job = Job.objects.get(kind=services.LETTERS_JOB_KIND)
    assert response.url == reverse("job_detail", args=[job.pk])
    run_pending_jobs()
    job.refresh_from_db()
    assert (job.status, job.progress_done, job.progress_total) == ("succeeded", 6, 6)
    assert job.result["letters"] == 6 and job.result["missing_addresses"] == 0
    page = body(client.get(reverse("allocation_letter_list", args=[allocation_round.pk])))
    assert job.result["file"]["url"] in page
    download = client.get(job.result["file"]["url"])
    assert download["Content-Type"] == "application/pdf"
    assert pdf_text(b"".join(download.streaming_content)).count("Wat er met uw reacties is gebeurd") == 6
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.PERSONAL_DATA_EXPORTED,
                                     subject_label__contains="all letters").exists()


def test_a_letter_names_what_is_missing_before_it_can_be_posted(client, alice, every_status):
    allocation_round = every_status["rounds"][1]
    client.force_login(alice)
    person = every_status["people"][7]
    page = body(client.get(reverse("allocation_letter", args=[allocation_round.pk, person.pk])))
    assert "deze brief kan niet op de post" in page  # no postal address
    assert "In de brief ontbreken contactgegevens van de corporatie" in page  # no contact details set
    assert "nog niet goedgekeurd" in page  # the round waits for approval: a draft


def test_a_round_not_worked_out_has_no_letters_to_make(client, alice, stock_a):
    from buurtbalans.allocation.tests.support import scene

    s = scene(stock_a, alice)
    client.force_login(alice)
    response = client.post(reverse("allocation_letters_all", args=[s.round.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("allocation_letter_list", args=[s.round.pk])
    assert "De ronde is nog niet uitgerekend: er zijn nog geen brieven te maken." in body(response)
