"""Subject access (AVG art. 15): everything about one household as one download, for the privacy officer only."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from django.urls import reverse

from buurtbalans.allocation.testing import make_allocation_objects
from buurtbalans.core.models import AuditEvent, Role
from buurtbalans.core.testing import make_user

pytestmark = pytest.mark.django_db


def download(client, household):
    response = client.post(reverse("privacy_household_access", args=[household.pk]))
    assert response.status_code == 200, response.status_code
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    return response, archive


def test_the_privacy_officer_downloads_everything_about_a_household_as_json_and_pdf(english, petra, former_tenant):
    english.force_login(petra)
    english.get(reverse("household_detail", args=[former_tenant.pk]))  # an earlier use, now in the audit log

    response, archive = download(english, former_tenant)

    assert response["Content-Disposition"].startswith('attachment; filename="subject-access-a-h9-')
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    names = archive.namelist()
    assert "data.json" in names and any(name.endswith(".pdf") for name in names)
    data = json.loads(archive.read("data.json"))
    assert data["format"] == "buurtbalans.subject-access/1"
    assert data["household"]["code"] == "A-H9" and data["household"]["income"] == "31000.00"
    assert [t["contract"] for t in data["tenancies"]] == ["A-T9"]
    (registration,) = data["registrations"]
    assert (registration["name"], registration["street_address"]) == ("Wilhelmina Jansen", "Kerkstraat 9")
    assert [m["source"] for m in data["vulnerability_markers"]] == ["gemeente"]
    assert [n["note"] for n in data["support_needs"]] == ["help-at-home-note"]  # not the next tenant's
    assert [a["amount"] for a in data["rent_arrears"]] == ["310.00"]
    assert [r["note"] for r in data["carrying_roles"]] == ["runs-the-garden-note"]
    # Named in a note by name or code; "A-H90" is another household.
    assert [n["note"] for n in data["notes_naming_the_household"]] == [
        "Overlast gemeld door Wilhelmina Jansen (A-H9)."]
    assert "Household income read" in [e["what"] for e in data["audit_events"]]
    assert "petra" not in json.dumps(data["audit_events"])  # staff names are left out
    pdf = next(archive.read(name) for name in names if name.endswith(".pdf"))
    assert pdf.startswith(b"%PDF")

    event = AuditEvent.objects.get(event_type=AuditEvent.Type.SUBJECT_ACCESS_EXPORTED)
    assert event.subject_ids == ["A-H9"]
    assert (event.actor, event.purpose) == (petra, "subject_access_request")
    assert event.data["counts"]["vulnerability_markers"] == 1


def test_the_download_holds_bids_round_outcomes_and_offers(english, petra, stock_a, alice):
    objects = make_allocation_objects(stock_a, alice)
    person = objects["declined"].applicant
    english.force_login(petra)

    _response, archive = download(english, person.household)

    data = json.loads(archive.read("data.json"))
    assert {b["listing"] for b in data["bids"]} == {listing.reference for listing in objects["listings"]}
    assert data["round_outcomes"] and all(o["round"] == "round-of-a" for o in data["round_outcomes"])
    (offer,) = data["offers"]
    assert (offer["status"], offer["decline_reason"]) == ("Withdrawn by us", "Did not respond in time")
    other = next(p for p in objects["people"] if p.pk != person.pk)
    assert other.external_id not in json.dumps(data)


def test_only_the_privacy_officer_may_download_and_charlie_sees_nothing(english, alice, ada, otto, charlie,
                                                                        former_tenant):
    for user in (alice, ada, otto, charlie):
        english.force_login(user)
        response = english.post(reverse("privacy_household_access", args=[former_tenant.pk]))
        assert response.status_code in (403, 404), user
    charlie_officer = make_user("charlie-privacy", charlie.membership.corporation, Role.PRIVACY_OFFICER)
    english.force_login(charlie_officer)
    assert english.post(reverse("privacy_household_access", args=[former_tenant.pk])).status_code == 404
    assert not AuditEvent.objects.filter(event_type=AuditEvent.Type.SUBJECT_ACCESS_EXPORTED).exists()
    assert english.get(reverse("privacy_home"), {"code": "A-H9"}).status_code == 200  # not found in B


def test_the_privacy_officer_finds_a_household_by_code_and_sees_the_two_buttons(english, petra, former_tenant):
    english.force_login(petra)
    assert f'href="{reverse("privacy_home")}"' in english.get(reverse("home")).content.decode()
    home = english.get(reverse("privacy_home"))
    assert "Retention terms" in home.content.decode()
    assert "Uploaded files with errors, or whose import stopped" in home.content.decode()
    assert 'class="utrecht-textbox' in home.content.decode()
    download = english.get(reverse("privacy_home"), {"format": "csv"})
    terms = b"".join(download.streaming_content) if download.streaming else download.content
    assert "Uploaded files with errors" in terms.decode("utf-8-sig")
    found = english.get(reverse("privacy_home"), {"code": "A-H9"})
    assert found.status_code == 302 and found.url == reverse("household_detail", args=[former_tenant.pk])
    page = english.get(found.url).content.decode()
    assert "Access request: download everything" in page and "Erase data" in page
    assert "help-at-home-note" not in page  # markers and support needs stay off the screen
    missing = english.get(reverse("privacy_home"), {"code": "A-H99"})
    assert "We have no household with this code." in missing.content.decode()


def test_other_roles_do_not_see_the_buttons(english, alice, former_tenant):
    english.force_login(alice)
    page = english.get(reverse("household_detail", args=[former_tenant.pk])).content.decode()
    assert "Access request: download everything" not in page and "Erase data" not in page
    assert english.get(reverse("privacy_home")).status_code == 403
