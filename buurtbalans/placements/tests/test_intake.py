"""Intake records: a fixed structure without protected characteristics, special-category words refused, read only by
allocation officers and every read audited; the screens' rights per role."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from buurtbalans.core.models import AuditEvent
from buurtbalans.placements.models import IntakeRecord, Placement, PlacementEvent
from buurtbalans.placements.services import PlacementInputError, intake_record

PROTECTED = ("nationalit", "origin", "ethnic", "religio", "belief", "health", "medical", "diagnos", "orientation",
             "sexual", "gender", "race", "country", "birth", "criminal")

VALUES = {
    "held_on": date(2026, 3, 2),
    "wish_dwelling": "apartment",
    "wish_rooms_min": 2,
    "wish_area": "Zwolle-Zuid",
    "wish_note": "Dicht bij werk",
    "support_kind": "housing",
    "support_organisation": "Woonbegeleiding Oost",
    "support_note": "Twee keer per week",
    "follow_up_on": date(2026, 6, 1),
    "follow_up_by": "together",
    "follow_up_name": "Team Zuid",
    "follow_up_note": "Na drie maanden bellen",
}


@pytest.fixture
def intake(stock_a, alice):
    return intake_record(corporation=stock_a.corporation, actor=alice, household=stock_a.households[0],
                         values=dict(VALUES))


def test_the_intake_record_has_no_field_for_protected_characteristics():
    for field in IntakeRecord._meta.get_fields():
        texts = [field.name, str(getattr(field, "verbose_name", ""))]
        for text in texts:
            assert not any(word in text.lower() for word in PROTECTED), text
    for field in Placement._meta.get_fields():
        assert not any(word in field.name.lower() for word in PROTECTED), field.name


@pytest.mark.parametrize(
    ("field", "text"),
    [("wish_note", "Moslim gezin, wil bij moskee"), ("support_note", "GGZ vanwege depressie"),
     ("follow_up_note", "Nationaliteit: Syrisch"), ("wish_area", "buurt met homo-vriendelijke sfeer")],
)
def test_special_category_words_in_free_text_are_refused(stock_a, alice, field, text):
    with pytest.raises(PlacementInputError) as refused:
        intake_record(corporation=stock_a.corporation, actor=alice, household=stock_a.households[0],
                      values={**VALUES, field: text})
    assert field in refused.value.field_errors
    assert not IntakeRecord.objects.exists()


def test_writing_an_intake_is_audited_without_its_content(intake):
    event = AuditEvent.objects.get(event_type=PlacementEvent.INTAKE_WRITTEN)
    assert event.subject_ids == ["A-H1"]
    assert "Dicht bij werk" not in str(event.data)


def test_reading_an_intake_is_audited(client, alice, intake):
    client.force_login(alice)
    response = client.get(reverse("placements_intake", args=[intake.pk]))
    assert response.status_code == 200
    assert "Dicht bij werk" in response.content.decode()
    event = AuditEvent.objects.get(event_type=PlacementEvent.INTAKE_READ)
    assert event.subject_ids == ["A-H1"] and event.actor == alice and event.purpose == "placement"


def test_the_intake_list_and_its_export_are_audited(client, alice, intake):
    client.force_login(alice)
    assert client.get(reverse("placements_intakes")).status_code == 200
    assert AuditEvent.objects.filter(event_type=PlacementEvent.INTAKE_READ, subject_ids=["A-H1"]).count() == 1
    response = client.get(reverse("placements_intakes") + "?format=csv")
    body = b"".join(response.streaming_content).decode()
    assert "Dicht bij werk" in body
    assert AuditEvent.objects.filter(event_type=PlacementEvent.INTAKE_READ).count() == 2
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.PERSONAL_DATA_EXPORTED).count() == 1


def test_the_intake_form_warns_against_special_category_data(client, alice):
    client.force_login(alice)
    page = client.get(reverse("placements_intake_new")).content.decode()
    assert 'id="special-data-warning"' in page
    assert 'for="id_wish_note"' in page  # labelled fields


def test_the_form_shows_the_refusal_at_the_field(client, alice, stock_a):
    client.force_login(alice)
    data = {**{k: (v.isoformat() if isinstance(v, date) else v) for k, v in VALUES.items()},
            "household_code": "A-H1", "support_note": "Heeft een diagnose"}
    response = client.post(reverse("placements_intake_new"), data)
    assert response.status_code == 400
    assert "id_support_note_error" in response.content.decode()
    assert not IntakeRecord.objects.exists()


@pytest.mark.parametrize("persona", ["bob", "board", "nina", "ada", "otto"])
def test_other_roles_may_not_see_intake_records_or_placements(client, request, intake, persona):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    for name, args in [("placements_intake", [intake.pk]), ("placements_intakes", []), ("placements_placed", []),
                       ("placements_proposals", []), ("placements_contingents", []), ("placements_intake_new", [])]:
        assert client.get(reverse(name, args=args)).status_code == 403, (persona, name)
    assert not AuditEvent.objects.filter(event_type=PlacementEvent.INTAKE_READ).exists()


def test_charlie_sees_nothing_of_corporation_a(client, charlie, intake, stock_b):
    client.force_login(charlie)
    assert client.get(reverse("placements_intake", args=[intake.pk])).status_code == 404
    page = client.get(reverse("placements_intakes")).content.decode()
    assert "A-H1" not in page
    assert client.get(reverse("placements_place", args=[intake.household.tenancies.first().dwelling_id])).status_code \
        == 404
