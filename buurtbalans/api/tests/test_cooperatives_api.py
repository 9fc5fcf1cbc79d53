"""Cooperatives and their activity log through the API (issue 17): a board sees and writes its own cooperative only,
the staff read all of their corporation's, and the locks of the portal hold (a reviewed period, a handed-in
yearly account: 409)."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from django.utils import timezone

from buurtbalans.api.tests.conftest import bearer
from buurtbalans.cooperatives.models import Activity
from buurtbalans.cooperatives.testing import make_cooperative, second_complex
from buurtbalans.core.models import AuditEvent, Role
from buurtbalans.core.testing import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def coops(stock_a, corporation_a):
    board_x = make_user("board-x", corporation_a, Role.COOPERATIVE_BOARD)
    board_y = make_user("board-y", corporation_a, Role.COOPERATIVE_BOARD)
    x = make_cooperative(corporation_a, stock_a.complex, marker="coop-x", kvk="11111111", board_user=board_x,
                         with_files=False)
    y = make_cooperative(corporation_a, second_complex(stock_a, "Y"), marker="coop-y", kvk="22222222",
                         board_user=board_y, with_files=False)
    return {"x": x, "y": y, "board_x": board_x, "board_y": board_y}


def _send(client, method: str, url: str, token: str, body: dict | None = None):
    return getattr(client, method)(url, json.dumps(body or {}), content_type="application/json", **bearer(token))


def _entry(world, **changes) -> dict:
    day = timezone.localdate() - timedelta(days=1)
    return {"commitment": world.commitment.pk, "day": day.isoformat(), "description": "Taalcafé via de API",
            "participants": 8, "buurt_participants": 3, **changes}


def test_a_board_reads_and_writes_its_own_cooperative_only(client, coops, token_for):
    x, y = coops["x"], coops["y"]
    token = token_for(coops["board_x"], Role.COOPERATIVE_BOARD)
    listed = client.get("/api/v1/cooperatives", **bearer(token)).json()["items"]
    assert [c["id"] for c in listed] == [x.cooperative.pk]
    assert client.get(f"/api/v1/cooperatives/{x.cooperative.pk}", **bearer(token)).status_code == 200
    log = client.get(f"/api/v1/cooperatives/{x.cooperative.pk}/activities", **bearer(token)).json()["items"]
    assert [a["id"] for a in log] == [x.activity.pk]

    # Cooperative Y: not found, for reading and for writing; nothing of it in any answer.
    events = AuditEvent.objects.count()
    answers = [
        client.get(f"/api/v1/cooperatives/{y.cooperative.pk}", **bearer(token)),
        client.get(f"/api/v1/cooperatives/{y.cooperative.pk}/activities", **bearer(token)),
        client.get(f"/api/v1/cooperative-activities/{y.activity.pk}", **bearer(token)),
        _send(client, "post", f"/api/v1/cooperatives/{y.cooperative.pk}/activities", token, _entry(y)),
        _send(client, "post", f"/api/v1/cooperatives/{x.cooperative.pk}/activities", token, _entry(y)),
        _send(client, "patch", f"/api/v1/cooperative-activities/{y.activity.pk}", token, {"participants": 1}),
        client.delete(f"/api/v1/cooperative-activities/{y.activity.pk}", **bearer(token)),
    ]
    assert [a.status_code for a in answers] == [404, 404, 404, 404, 422, 404, 404]
    assert not any(b"coop-y" in a.content for a in answers)
    assert AuditEvent.objects.count() == events
    assert Activity.objects.filter(cooperative=y.cooperative).count() == 1

    made = _send(client, "post", f"/api/v1/cooperatives/{x.cooperative.pk}/activities", token, _entry(x))
    assert made.status_code == 201, made.content
    activity = Activity.objects.get(pk=made.json()["id"])
    assert activity.cooperative == x.cooperative and activity.participants == 8
    changed = _send(client, "patch", f"/api/v1/cooperative-activities/{activity.pk}", token, {"participants": 10})
    assert changed.status_code == 200 and changed.json()["participants"] == 10
    assert changed.json()["buurt_participants"] == 3
    assert client.delete(f"/api/v1/cooperative-activities/{activity.pk}", **bearer(token)).status_code == 204
    assert not Activity.objects.filter(pk=activity.pk).exists()
    assert AuditEvent.objects.filter(event_type=AuditEvent.Type.COOPERATIVE_ACTIVITY_WRITTEN).count() == 3


def test_the_portals_locks_hold_and_bad_entries_are_refused(client, coops, token_for):
    x = coops["x"]
    token = token_for(coops["board_x"], Role.COOPERATIVE_BOARD)
    url = f"/api/v1/cooperatives/{x.cooperative.pk}/activities"
    # The yearly account of 2024 has been handed in (make_cooperative): its log is closed.
    closed = _send(client, "post", url, token, _entry(x, day="2024-06-01"))
    assert closed.status_code == 409 and "2024" in closed.json()["errors"][0]["msg"]
    # The weekly commitment's first quarter of 2025 has been reviewed.
    reviewed = _send(client, "post", url, token, _entry(x, commitment=x.weekly.pk, day="2025-02-01"))
    assert reviewed.status_code == 409
    # The existing entry of 14 March 2025 lies in an open period; moving it into the closed year is refused.
    moved = _send(client, "patch", f"/api/v1/cooperative-activities/{x.activity.pk}", token, {"day": "2024-03-14"})
    assert moved.status_code == 409
    future = _send(client, "post", url, token, _entry(x, day=(timezone.localdate() + timedelta(days=2)).isoformat()))
    assert future.status_code == 422 and future.json()["detail"]
    too_many = _send(client, "post", url, token, _entry(x, participants=2, buurt_participants=5))
    assert too_many.status_code == 422
    assert Activity.objects.filter(cooperative=x.cooperative).count() == 1
    activity = x.activity
    activity.day = date(2024, 3, 14)
    activity.save()
    assert client.delete(f"/api/v1/cooperative-activities/{activity.pk}", **bearer(token)).status_code == 409
    assert Activity.objects.filter(pk=activity.pk).exists()


def test_staff_read_every_cooperative_of_their_corporation_but_do_not_write_a_log(client, coops, nina, token_for,
                                                                                  corporation_b, stock_b):
    x, y = coops["x"], coops["y"]
    staff = token_for(nina, Role.NEIGHBOURHOOD_MANAGER)
    listed = client.get("/api/v1/cooperatives", **bearer(staff)).json()["items"]
    assert {c["id"] for c in listed} == {x.cooperative.pk, y.cooperative.pk}
    assert client.get(f"/api/v1/cooperative-activities/{y.activity.pk}", **bearer(staff)).status_code == 200
    url = f"/api/v1/cooperatives/{x.cooperative.pk}/activities"
    assert _send(client, "post", url, staff, _entry(x)).status_code == 403
    assert _send(client, "patch", f"/api/v1/cooperative-activities/{x.activity.pk}", staff,
                 {"participants": 1}).status_code == 403
    assert client.delete(f"/api/v1/cooperative-activities/{x.activity.pk}", **bearer(staff)).status_code == 403

    other = token_for(make_user("nina-b", corporation_b, Role.NEIGHBOURHOOD_MANAGER), Role.NEIGHBOURHOOD_MANAGER)
    assert client.get("/api/v1/cooperatives", **bearer(other)).json()["items"] == []
    assert client.get(f"/api/v1/cooperatives/{x.cooperative.pk}", **bearer(other)).status_code == 404
    assert client.get(f"/api/v1/cooperative-activities/{x.activity.pk}", **bearer(other)).status_code == 404
