"""The auditor's search: whose data, who, what, when; paginated and exportable."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from buurtbalans.core.audit import audit_record
from buurtbalans.core.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Personas are created per test; the production hasher's rounds would dominate the run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def events(alice, nina, corporation_a, corporation_b):
    def record(actor, event, ids, purpose="allocation", corporation=corporation_a):
        return audit_record(actor=actor, event=event, corporation=corporation, subject_type="household",
                            subject_ids=ids, subject_label=f"{event.label} {ids}", purpose=purpose)

    return [
        record(alice, AuditEvent.Type.MARKERS_READ, ["A-H1"]),
        record(nina, AuditEvent.Type.MARKERS_READ, ["A-H2"], purpose="social_management"),
        record(alice, AuditEvent.Type.HOUSEHOLD_READ, ["A-H1", "A-H2", "A-H10"]),
        record(None, AuditEvent.Type.HOUSEHOLDS_WRITTEN, [f"A-H{i}" for i in range(100)], purpose="import"),
        record(alice, AuditEvent.Type.MARKERS_READ, ["A-H1"], corporation=corporation_b),
    ]


def labels(response):
    return sorted(e.subject_label for e in response.context["page"].object_list)


def test_the_auditor_finds_every_event_about_one_household(client, otto, events):
    client.force_login(otto)
    response = client.get(reverse("audit_log"), {"subject_id": "A-H2"})
    assert response.status_code == 200
    found = response.context["page"].object_list
    assert {e.pk for e in found} == {events[1].pk, events[2].pk, events[3].pk}
    # "A-H1" must not match "A-H10" or "A-H11": the search is on whole codes.
    found_h1 = {e.pk for e in client.get(reverse("audit_log"), {"subject_id": "A-H1"}).context["page"].object_list}
    assert found_h1 == {events[0].pk, events[2].pk, events[3].pk}


def test_filters_by_actor_type_and_dates(client, otto, events):
    client.force_login(otto)
    by_actor = client.get(reverse("audit_log"), {"actor": "nin"})
    assert [e.pk for e in by_actor.context["page"].object_list] == [events[1].pk]
    by_type = client.get(reverse("audit_log"), {"event_type": AuditEvent.Type.MARKERS_READ.value})
    assert {e.pk for e in by_type.context["page"].object_list} == {events[0].pk, events[1].pk}
    today = timezone.localdate()
    assert len(client.get(reverse("audit_log"), {"date_from": today.isoformat()}).context["page"].object_list) == 4
    tomorrow = (today + timedelta(days=1)).isoformat()
    assert not client.get(reverse("audit_log"), {"date_from": tomorrow}).context["page"].object_list
    invalid = client.get(reverse("audit_log"), {"date_from": tomorrow, "date_to": today.isoformat()})
    assert invalid.context["form"].errors["date_to"]


def test_a_long_list_of_ids_is_summarised_on_screen(client, otto, events):
    client.force_login(otto)
    html = client.get(reverse("audit_log"), {"event_type": AuditEvent.Type.HOUSEHOLDS_WRITTEN.value}).content.decode()
    assert "A-H0, A-H1, A-H2, A-H3, A-H4" in html
    assert "95" in html


def test_the_export_holds_the_filtered_events_and_is_itself_recorded(client, otto, events):
    client.force_login(otto)
    response = client.get(reverse("audit_log"), {"subject_id": "A-H2", "format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert len(text.strip().splitlines()) == 4
    assert "social_management" in text
    export = AuditEvent.objects.get(event_type=AuditEvent.Type.PERSONAL_DATA_EXPORTED)
    assert export.actor == otto and export.subject_ids == ["A-H2"] and export.purpose == "audit"


def test_an_auditor_of_another_corporation_sees_none_of_these_events(client, corporation_b, events):
    from buurtbalans.core.models import Role
    from buurtbalans.core.testing import make_user

    auditor_b = make_user("auditor-b", corporation_b, Role.AUDITOR)
    client.force_login(auditor_b)
    response = client.get(reverse("audit_log"))
    assert [e.pk for e in response.context["page"].object_list] == [events[4].pk]
