"""Importing bids from the regional platform: every problem by file, row and column; nothing written on error."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from buurtbalans.allocation import services
from buurtbalans.allocation.importing import bids_import
from buurtbalans.allocation.models import Bid, BidSource
from buurtbalans.allocation.tests.support import REFERENCE_DATE, applicant, solve, vacant_dwelling
from buurtbalans.core.models import AuditEvent

pytestmark = pytest.mark.django_db
AMSTERDAM = ZoneInfo("Europe/Amsterdam")


@pytest.fixture(autouse=True)
def english():
    # The messages are checked in their English source text, whatever the site's language.
    with translation.override("en"):
        yield


@pytest.fixture
def open_round(stock_a, alice):
    corporation = stock_a.corporation
    allocation_round = services.allocation_round_create(corporation=corporation, actor=alice, name="Week 25",
                                                        reference_date=REFERENCE_DATE, lottery_seed="w25")
    listings = [
        services.listing_create_for_dwelling(dwelling=vacant_dwelling(stock_a, i), actor=alice,
                                             allocation_round=allocation_round)
        for i in (1, 2)
    ]
    people = [applicant(corporation, code) for code in ("W-001", "W-002", "W-003")]
    return allocation_round, listings, people


def write(tmp_path, name: str, text: str):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_a_platform_file_with_dutch_headers_is_imported(tmp_path, stock_a, alice, open_round):
    _round, (l1, l2), people = open_round
    path = write(tmp_path, "reacties.csv", "\n".join([
        "Publicatie;Inschrijfnummer;Volgorde;Reactiedatum",
        f"{l1.reference};W-001;1;26-05-2025 09:15",
        f"{l2.reference};W-001;2;2025-05-26T09:16:00+02:00",
        f"{l1.reference};W-002;1;2025-05-27",
        "",
    ]))
    report = bids_import(path=path, corporation=stock_a.corporation, actor=alice)
    assert report.is_valid and report.written, report.errors
    assert report.counts == {"bids": {"new": 3, "updated": 0, "unchanged": 0}}
    bid = Bid.objects.get(listing=l1, applicant=people[0])
    assert bid.submitted_at == datetime(2025, 5, 26, 9, 15, tzinfo=AMSTERDAM) and bid.source == BidSource.PLATFORM
    assert Bid.objects.get(listing=l2).submitted_at == datetime(2025, 5, 26, 9, 16, tzinfo=AMSTERDAM)
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.BIDS_WRITTEN)
    assert event.subject_ids == ["H-W-001", "H-W-002"] and event.data["new"] == 3

    # The same file again changes nothing; a new preference order updates the two bids.
    assert bids_import(path=path, corporation=stock_a.corporation, actor=alice).counts["bids"]["unchanged"] == 3
    swapped = write(tmp_path, "swapped.csv", "\n".join([
        "listing,applicant,preference,submitted_at",
        f"{l1.reference},W-001,2,26-05-2025 09:15",
        f"{l2.reference},W-001,1,2025-05-26T09:16:00+02:00",
    ]))
    report = bids_import(path=swapped, corporation=stock_a.corporation, actor=alice)
    assert report.counts["bids"] == {"new": 0, "updated": 2, "unchanged": 0}, report.errors
    assert Bid.objects.get(listing=l2, applicant=people[0]).preference == 1


def test_every_problem_is_reported_and_nothing_is_written(tmp_path, stock_a, alice, open_round, stock_b):
    _round, (l1, l2), _people = open_round
    applicant(stock_b.corporation, "B-777")
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "reacties"
    rows = [
        ("publicatie", "inschrijfnummer", "voorkeur", "reactiedatum"),
        (l1.reference, "W-001", 1, datetime(2025, 5, 26, 9, 0)),      # 2: fine
        ("NO-SUCH/1", "W-002", 1, datetime(2025, 5, 26, 9, 0)),       # 3: unknown listing
        (l1.reference, "B-777", 1, datetime(2025, 5, 26, 9, 0)),      # 4: another corporation's applicant
        (l2.reference, "W-001", 1, datetime(2025, 5, 26, 9, 0)),      # 5: preference 1 again
        (l2.reference, "W-003", "een", datetime(2025, 5, 26, 9, 0)),  # 6: not a number
        (l2.reference, "W-002", 2, "gisteren"),                        # 7: not a date
        (l1.reference, "W-001", 3, datetime(2025, 5, 26, 9, 0)),      # 8: same bid as row 2
        (l1.reference, None, 2, datetime(2025, 5, 26, 9, 0)),         # 9: no applicant
    ]
    for row in rows:
        sheet.append(row)
    path = tmp_path / "platform.xlsx"
    workbook.save(path)

    report = bids_import(path=path, corporation=stock_a.corporation, actor=alice, file_name="platform.xlsx")
    found = [(e.row, e.column, e.message) for e in report.errors]
    assert [(row, column) for row, column, _m in found] == [
        (3, "publicatie"), (4, "inschrijfnummer"), (5, "voorkeur"), (6, "voorkeur"), (7, "reactiedatum"),
        (8, "publicatie"), (9, "inschrijfnummer"),
    ]
    messages = dict(((row, column), message) for row, column, message in found)
    assert messages[(3, "publicatie")] == 'unknown listing "NO-SUCH/1"'
    assert messages[(4, "inschrijfnummer")] == 'unknown applicant "B-777"'
    assert "already gave preference 1" in messages[(5, "voorkeur")] and "row 2" in messages[(5, "voorkeur")]
    assert messages[(6, "voorkeur")] == '"een" is not a whole number'
    assert messages[(8, "publicatie")] == "row 2 has a bid of this applicant on this listing too"
    assert messages[(9, "inschrijfnummer")] == "a value is required"
    assert all(e.file == "platform.xlsx sheet reacties" for e in report.errors)
    assert not report.written and not Bid.objects.exists()
    assert not AuditEvent.objects.filter(event_type=AuditEvent.Type.BIDS_WRITTEN).exists()


def test_bids_on_a_round_that_has_run_are_refused(tmp_path, stock_a, alice, open_round):
    allocation_round, (l1, _l2), people = open_round
    services.bid_create(listing=l1, applicant=people[0], preference=1, actor=alice)
    solve(allocation_round, alice)
    path = write(tmp_path, "late.csv",
                 f"listing;applicant;preference;submitted_at\n{l1.reference};W-002;1;2025-05-30\n")
    report = bids_import(path=path, corporation=stock_a.corporation, actor=alice)
    assert [(e.row, e.column) for e in report.errors] == [(2, "listing")]
    assert "has been run" in report.errors[0].message
    assert Bid.objects.count() == 1


def test_the_upload_screen_shows_the_errors_and_a_dry_run_saves_nothing(client, alice, open_round):
    _round, (l1, _l2), _people = open_round
    client.force_login(alice)
    upload = SimpleUploadedFile("reacties.csv", f"listing;applicant;preference;submitted_at\n{l1.reference};W-009;1;"
                                f"2025-05-26\n".encode())
    response = client.post(reverse("allocation_bid_import"), {"file": upload})
    assert response.status_code == 200
    assert [(e.row, e.column) for e in response.context["report"].errors] == [(2, "applicant")]
    upload = SimpleUploadedFile("reacties.csv", f"listing;applicant;preference;submitted_at\n{l1.reference};W-001;1;"
                                f"2025-05-26\n".encode())
    response = client.post(reverse("allocation_bid_import"), {"file": upload, "dry_run": "on"})
    assert response.context["report"].is_valid and not Bid.objects.exists()


def test_the_uploaded_bids_file_is_not_kept_after_the_request(client, alice, open_round, settings, tmp_path):
    from buurtbalans.core.models import Upload

    settings.UPLOAD_DIR = tmp_path / "uploads"
    _round, (l1, _l2), _people = open_round
    client.force_login(alice)
    upload = SimpleUploadedFile("reacties.csv", f"listing;applicant;preference;submitted_at\n{l1.reference};W-001;1;"
                                f"2025-05-26\n".encode())
    response = client.post(reverse("allocation_bid_import"), {"file": upload})
    assert response.context["report"].written
    assert Bid.objects.count() == 1
    assert list(settings.UPLOAD_DIR.iterdir()) == [] and not Upload.objects.exists()
