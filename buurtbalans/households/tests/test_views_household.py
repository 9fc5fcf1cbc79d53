"""The household page and the marker flow: hidden by default, shown for a purpose, every read audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from buurtbalans.core.models import AuditEvent
from buurtbalans.core.testing import PASSWORD

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Personas are created per test; the production hasher's rounds would dominate the run time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def test_the_household_page_shows_size_income_and_tenancies_but_not_the_markers(client, alice, stock_a):
    household = stock_a.households[0]
    response = login(client, alice).get(reverse("household_detail", args=[household.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "21.000" in html or "21,000" in html
    assert "A-T1" not in html  # contract codes are not shown, the dwelling address is
    assert "Astraat 1" in html
    assert stock_a.markers[0].kind.label not in html
    assert response.context.get("markers") is None
    assert not AuditEvent.objects.filter(event_type=AuditEvent.Type.MARKERS_READ).exists()
    read = AuditEvent.objects.get(event_type=AuditEvent.Type.HOUSEHOLD_READ)
    assert read.subject_ids == ["A-H1"]
    assert read.actor == alice


@pytest.mark.smoke
def test_reading_markers_asks_for_a_purpose_and_writes_the_audit_record(client, alice, stock_a):
    household = stock_a.households[0]
    login(client, alice)
    form = client.get(reverse("household_markers", args=[household.pk]))
    assert form.status_code == 200
    assert [value for value, _label in form.context["form"].fields["purpose"].choices] == ["allocation"]
    assert not AuditEvent.objects.filter(event_type=AuditEvent.Type.MARKERS_READ).exists()

    response = client.post(reverse("household_markers", args=[household.pk]), {"purpose": "allocation"})
    assert response.status_code == 200
    assert [m.kind.code for m in response.context["markers"]] == ["shelter_outflow"]
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.MARKERS_READ)
    assert event.actor == alice
    assert event.actor_name == "alice"
    assert event.subject_ids == ["A-H1"]
    assert event.purpose == "allocation"
    assert event.corporation == stock_a.corporation
    assert event.data["marker_ids"] == [stock_a.markers[0].pk]


def test_a_purpose_of_another_role_is_refused(client, alice, stock_a):
    household = stock_a.households[0]
    response = login(client, alice).post(
        reverse("household_markers", args=[household.pk]), {"purpose": "social_management"}
    )
    assert response.status_code == 400
    assert not AuditEvent.objects.filter(event_type=AuditEvent.Type.MARKERS_READ).exists()


def test_a_neighbourhood_manager_reads_markers_for_social_management(client, nina, stock_a):
    household = stock_a.households[0]
    response = login(client, nina).post(
        reverse("household_markers", args=[household.pk]), {"purpose": "social_management"}
    )
    assert response.status_code == 200
    assert AuditEvent.objects.get(event_type=AuditEvent.Type.MARKERS_READ).purpose == "social_management"


@pytest.mark.parametrize("persona", ["bob", "ada", "otto"])
def test_roles_without_a_purpose_cannot_read_markers(client, persona, request, stock_a):
    user = request.getfixturevalue(persona)
    household = stock_a.households[0]
    login(client, user)
    assert client.get(reverse("household_markers", args=[household.pk])).status_code == 403
    assert client.post(reverse("household_markers", args=[household.pk]), {"purpose": "allocation"}).status_code == 403
    assert not AuditEvent.objects.filter(event_type=AuditEvent.Type.MARKERS_READ).exists()


def test_the_policy_analyst_never_sees_a_household(client, bob, stock_a):
    household = stock_a.households[0]
    login(client, bob)
    assert client.get(reverse("household_detail", args=[household.pk])).status_code == 403
    assert client.get(reverse("household_detail", args=[household.pk]), {"format": "csv"}).status_code == 403


def test_the_analyst_sees_no_household_columns_on_the_complex_page(client, bob, stock_a):
    response = login(client, bob).get(reverse("complex_detail", args=[stock_a.complex.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "A-H1" not in html
    assert "21.000" not in html and "21,000" not in html
    csv = b"".join(client.get(reverse("complex_detail", args=[stock_a.complex.pk]), {"format": "csv"})
                   .streaming_content).decode("utf-8-sig")
    assert "A-H1" not in csv and "21000" not in csv
    assert not AuditEvent.objects.exists()


def test_exporting_the_tenancy_history_is_recorded(client, alice, stock_a):
    household = stock_a.households[0]
    response = login(client, alice).get(reverse("household_detail", args=[household.pk]), {"format": "csv"})
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "A-T1" in text
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.PERSONAL_DATA_EXPORTED)
    assert event.subject_ids == ["A-H1"]
    assert event.actor == alice
    assert event.data["format"] == "csv"
