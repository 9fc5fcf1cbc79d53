"""Entering social management records on screen, support needs as special-category data, and their counts."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from buurtbalans.core.models import AuditEvent
from buurtbalans.liveability.models import Activity, MeetingPlace, MeetingPlaceUse, Signal, SupportNeed, Visit
from buurtbalans.liveability.services import signal_create, support_need_create

pytestmark = pytest.mark.django_db


def test_a_neighbourhood_manager_records_a_signal_visit_place_use_and_activity(client, nina, stock_a):
    client.force_login(nina)
    complex_ = stock_a.complex
    response = client.post(reverse("monitor_record_new", args=["signal"]),
                           {"complex": complex_.pk, "kind": "neglect", "reported_on": "2025-05-01",
                            "note": "Kapotte lamp in de portiek"})
    assert response.status_code == 302 and response.url == reverse("monitor_complex", args=[complex_.pk])
    client.post(reverse("monitor_record_new", args=["visit"]),
                {"complex": complex_.pk, "kind": "portiek_conversation", "visited_on": "2025-05-02",
                 "households_reached": "2"})
    response = client.post(reverse("monitor_record_new", args=["meeting_place"]),
                           {"complex": complex_.pk, "name": "Huiskamer van de buurt", "capacity": "25"})
    place = MeetingPlace.objects.get()
    assert response.url == reverse("monitor_meeting_place_use", args=[place.pk])
    client.post(reverse("monitor_meeting_place_use", args=[place.pk]),
                {"month": "2025-05", "dayparts_open": "8", "visitors": "90"})
    client.post(reverse("monitor_record_new", args=["activity"]),
                {"title": "Buurtmaaltijd", "kind": "meeting", "held_on": "2025-05-10", "meeting_place": place.pk,
                 "participants": "22"})

    signal = Signal.objects.get()
    assert (signal.kind, signal.recorded_by_name, signal.corporation) == ("neglect", "nina", stock_a.corporation)
    assert Visit.objects.get().households_reached == 2
    assert MeetingPlaceUse.objects.get().month == date(2025, 5, 1)
    assert Activity.objects.get().meeting_place == place
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.SOCIAL_RECORDS_WRITTEN).count() == 5
    page = client.get(reverse("monitor_records"), {"show": "activities"}).content.decode()
    assert "Buurtmaaltijd" in page


def test_the_form_refuses_a_resolved_date_before_the_report(client, nina, stock_a):
    client.force_login(nina)
    response = client.post(reverse("monitor_record_new", args=["signal"]),
                           {"complex": stock_a.complex.pk, "kind": "neglect", "reported_on": "2025-05-01",
                            "resolved_on": "2025-04-01"})
    assert response.status_code == 200
    assert response.context["form"].errors["resolved_on"] == ["This date is before the start date."]
    assert not Signal.objects.exists()


def test_analysts_see_counts_but_no_records_and_cannot_write(client, bob, nina, stock_a):
    signal_create(actor=nina, complex_=stock_a.complex, kind="nuisance",
                  reported_on=timezone.localdate() - timedelta(days=10), note="private-note-text")
    client.force_login(bob)
    assert client.get(reverse("monitor_records")).status_code == 403
    assert client.get(reverse("monitor_records"), {"format": "csv"}).status_code == 403
    assert client.get(reverse("monitor_record_new", args=["signal"])).status_code == 403
    assert client.get(reverse("monitor_records_import")).status_code == 403
    page = client.get(reverse("monitor_complex", args=[stock_a.complex.pk]))
    assert page.status_code == 200
    assert "private-note-text" not in page.content.decode()
    # The count is an aggregate the analyst may see.
    assert page.context["social"]["signals"] == {"nuisance": 1}


def test_support_needs_are_shown_only_with_a_purpose_and_every_read_is_logged(client, nina, alice, bob, ada,
                                                                              stock_a):
    support_need_create(actor=nina, complex_=stock_a.complex, reported_on=date(2025, 2, 1),
                        dwelling=stock_a.dwellings[0], referred_to="wijkteam", note="needs-help-note")
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.SUPPORT_NEEDS_WRITTEN).count() == 1
    url = reverse("monitor_support_needs", args=[stock_a.complex.pk])

    # Analysts and administrators have no purpose: refused, and the monitor shows only the count.
    for user in (bob, ada):
        client.force_login(user)
        assert client.get(url).status_code == 403
        assert client.post(url, {"purpose": "social_management"}).status_code == 403
    client.force_login(bob)
    complex_page = client.get(reverse("monitor_complex", args=[stock_a.complex.pk])).content.decode()
    assert "needs-help-note" not in complex_page

    client.force_login(nina)
    question = client.get(url)
    assert question.status_code == 200 and "needs-help-note" not in question.content.decode()
    assert not AuditEvent.objects.filter(event_type=AuditEvent.Type.SUPPORT_NEEDS_READ).exists()
    # A purpose of another role is refused.
    assert client.post(url, {"purpose": "allocation"}).status_code == 200
    assert not AuditEvent.objects.filter(event_type=AuditEvent.Type.SUPPORT_NEEDS_READ).exists()
    shown = client.post(url, {"purpose": "social_management"})
    assert "needs-help-note" in shown.content.decode()
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.SUPPORT_NEEDS_READ)
    assert (event.actor_name, event.purpose, event.data["count"]) == ("nina", "social_management", 1)

    client.force_login(alice)
    assert "needs-help-note" in client.post(url, {"purpose": "allocation"}).content.decode()
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.SUPPORT_NEEDS_READ).count() == 2


def test_support_needs_live_in_their_own_table_without_a_reverse_accessor(stock_a):
    assert SupportNeed._meta.db_table == "restricted_support_need"
    assert not hasattr(stock_a.complex, "supportneed_set")
