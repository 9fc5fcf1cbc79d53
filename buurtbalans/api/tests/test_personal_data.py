"""Personal data through the API: a purpose in X-Purpose, the same rights per role as the screens, and every read in
the audit log as a screen read is (income read; special-category markers read with the role's purpose)."""

from __future__ import annotations

import pytest

from buurtbalans.api.tests.conftest import bearer
from buurtbalans.core.models import AuditEvent, Role

pytestmark = pytest.mark.django_db


def test_households_need_a_purpose_and_each_read_is_recorded(client, alice, stock_a, token_for):
    auth = bearer(token_for(alice, Role.ALLOCATION_OFFICER, {"households": "read"}))
    missing = client.get("/api/v1/households", **auth)
    assert missing.status_code == 400
    assert missing.json()["errors"][0]["loc"] == ["header", "X-Purpose"] and "X-Purpose" in missing.json()["detail"]
    assert client.get("/api/v1/households", HTTP_X_PURPOSE="not-a-purpose", **auth).status_code == 422
    assert not AuditEvent.objects.filter(event_type=AuditEvent.Type.HOUSEHOLD_READ).exists()
    response = client.get("/api/v1/households", HTTP_X_PURPOSE="allocation", **auth)
    assert response.status_code == 200
    assert [h["assessed_income"] for h in response.json()["items"]] == ["21000.00", "52000.00"]
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.HOUSEHOLD_READ)
    assert event.actor == alice and event.purpose == "allocation" and event.subject_ids == ["A-H1", "A-H2"]
    assert event.corporation == stock_a.corporation
    tenancies = client.get("/api/v1/tenancies?is_current=true", HTTP_X_PURPOSE="allocation", **auth)
    assert {t["external_id"] for t in tenancies.json()["items"]} == {t.external_id for t in stock_a.tenancies}
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.HOUSEHOLD_READ).count() == 2


def test_markers_are_read_with_the_roles_purpose_and_recorded_as_on_the_screen(client, alice, nina, stock_a,
                                                                               token_for):
    household = stock_a.households[0]
    url = f"/api/v1/households/{household.pk}/markers"
    auth = bearer(token_for(alice, Role.ALLOCATION_OFFICER, {"households": "read"}))
    assert client.get(url, **auth).status_code == 400
    # A purpose code, but not the allocation officer's purpose for markers.
    wrong = client.get(url, HTTP_X_PURPOSE="social_management", **auth)
    assert wrong.status_code == 403 and wrong.json()["errors"][0]["loc"] == ["header", "X-Purpose"]
    assert not AuditEvent.objects.filter(event_type=AuditEvent.Type.MARKERS_READ).exists()
    response = client.get(url, HTTP_X_PURPOSE="allocation", **auth)
    assert response.status_code == 200
    assert [m["kind"] for m in response.json()] == ["shelter_outflow"]
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.MARKERS_READ)
    assert (event.actor, event.purpose, event.subject_ids) == (alice, "allocation", [household.external_id])
    nina_auth = bearer(token_for(nina, Role.NEIGHBOURHOOD_MANAGER, {"households": "read"}))
    assert client.get(url, HTTP_X_PURPOSE="social_management", **nina_auth).status_code == 200


def test_roles_without_single_households_get_403_as_on_the_screens(client, bob, ada, otto, stock_a, token_for):
    household = stock_a.households[0]
    for user, role in [(bob, Role.POLICY_ANALYST), (otto, Role.AUDITOR)]:
        auth = bearer(token_for(user, role, {"households": "read"}))
        for url in ["/api/v1/households", f"/api/v1/households/{household.pk}", "/api/v1/tenancies",
                    f"/api/v1/households/{household.pk}/markers"]:
            assert client.get(url, HTTP_X_PURPOSE="allocation", **auth).status_code == 403, (user, url)
    # The administrator sees households (as on the screens) but never their markers.
    auth = bearer(token_for(ada, Role.ADMIN, {"households": "read"}))
    assert client.get("/api/v1/households", HTTP_X_PURPOSE="import", **auth).status_code == 200
    assert client.get(f"/api/v1/households/{household.pk}/markers", HTTP_X_PURPOSE="allocation",
                      **auth).status_code == 403
    assert not AuditEvent.objects.filter(event_type=AuditEvent.Type.MARKERS_READ).exists()
