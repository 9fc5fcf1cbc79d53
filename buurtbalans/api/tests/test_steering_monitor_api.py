"""Label plans, vacancies, vitality per complex and buurt, and focus buurten through the API (issue 17): the same plan
as the screen's, the small-cell rule as on the monitor's pages, and the rights of the screens."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from buurtbalans.api.tests.conftest import ALL_READ, bearer
from buurtbalans.core.jobs import run_pending_jobs
from buurtbalans.core.models import Job, Role
from buurtbalans.liveability.services import vitality_refresh
from buurtbalans.steering.forms import quarter_choices
from buurtbalans.steering.models import LabellingPlan
from buurtbalans.steering.tests.conftest import town  # noqa: F401  (the steering tests' small corporation)

pytestmark = pytest.mark.django_db

POLICY = {"min_vulnerable_placements": 1, "min_affordable_share": "0.5", "p_open": "0.3", "p_above": "0.05",
          "q_open": "0.8", "q_reserved": "0.9", "q_above": "0.1", "p_no_vulnerable": "0"}


def _percent(share: str) -> str:
    return str(float(share) * 100)


def test_a_plan_made_through_the_api_is_the_plan_the_screen_makes(client, town, bob, token_for):  # noqa: F811
    token = token_for(bob, Role.POLICY_ANALYST)
    quarter = quarter_choices(timezone.localdate())[1][0]
    answer = client.post("/api/v1/label-plans", json.dumps({"quarter": quarter, **POLICY}),
                         content_type="application/json", **bearer(token))
    assert answer.status_code == 202, answer.content
    created = answer.json()
    assert created["job"] == f"/api/v1/jobs/{created['job_id']}"
    job = client.get(created["job"], **bearer(token)).json()
    assert job["status"] == "queued"

    client.force_login(bob)
    screen = client.post(reverse("steering_plan_new"), {"quarter": quarter, **{
        k: (v if k == "min_vulnerable_placements" else _percent(v)) for k, v in POLICY.items()}})
    assert screen.status_code == 302, screen.content.decode()[:2000]
    run_pending_jobs()
    api_plan, screen_plan = LabellingPlan.objects.order_by("pk")
    assert api_plan.pk == created["id"] and api_plan.is_done and screen_plan.is_done
    assert client.get(created["job"], **bearer(token)).json()["status"] == Job.Status.SUCCEEDED
    assert api_plan.policy == screen_plan.policy and api_plan.overridden == screen_plan.overridden

    api_result = client.get(f"/api/v1/label-plans/{api_plan.pk}/result", **bearer(token)).json()
    screen_result = json.loads(client.get(reverse("steering_plan_result", args=[screen_plan.pk])).content)
    assert api_result["labels"] and api_result["labels"] == screen_result["labels"]
    assert api_result["complexes"] == screen_result["complexes"]
    # The analyst may not read markers: the small complex A-C1 (one marked household of 2) shows no exact share.
    small = next(c for c in api_result["complexes"] if c["id"] == "A-C1")
    assert small["vulnerable_share"] == "< 5", small

    shown = client.get(f"/api/v1/label-plans/{api_plan.pk}", **bearer(token)).json()
    assert shown["status"] == "done" and shown["vacancy_count"] == api_plan.vacancy_count
    listed = client.get("/api/v1/label-plans", **bearer(token)).json()
    assert [p["id"] for p in listed["items"]] == [api_plan.pk, screen_plan.pk]
    vacancies = client.get("/api/v1/vacancies", **bearer(token)).json()["items"]
    assert {v["proposed_label"] for v in vacancies} - {None}
    assert all(v["proposed_plan_id"] in (None, screen_plan.pk, api_plan.pk) for v in vacancies)


def test_a_plan_needs_the_analysts_right_and_a_quarter_of_the_form(client, town, alice, bob, token_for):  # noqa: F811
    quarter = quarter_choices(timezone.localdate())[1][0]
    body = json.dumps({"quarter": quarter, **POLICY})
    officer = token_for(alice, Role.ALLOCATION_OFFICER)
    assert client.post("/api/v1/label-plans", body, content_type="application/json",
                       **bearer(officer)).status_code == 403
    read_only = token_for(bob, Role.POLICY_ANALYST, ALL_READ)
    assert client.post("/api/v1/label-plans", body, content_type="application/json",
                       **bearer(read_only)).status_code == 403
    analyst = token_for(bob, Role.POLICY_ANALYST)
    old = client.post("/api/v1/label-plans", json.dumps({"quarter": "2001-1", **POLICY}),
                      content_type="application/json", **bearer(analyst))
    assert old.status_code == 422 and old.json()["errors"][0]["loc"] == ["body", "quarter"]
    assert not LabellingPlan.objects.exists()


@pytest.fixture
def measured(stock_a, stock_b):
    today = timezone.localdate()
    vitality_refresh(corporation=stock_a.corporation, reference_date=today)
    vitality_refresh(corporation=stock_b.corporation, reference_date=today)
    return stock_a


def _indicator(row: dict, key: str) -> dict:
    return next(i for i in row["indicators"] if i["key"] == key)


def test_the_monitor_hides_shares_of_fewer_than_5_households_as_its_pages_do(client, measured, alice, bob,
                                                                             token_for):
    # Complex A-C1: 2 households, one with a marker (50 %): a small cell for a role that may not read markers.
    analyst = token_for(bob, Role.POLICY_ANALYST)
    officer = token_for(alice, Role.ALLOCATION_OFFICER)
    rows = client.get("/api/v1/monitor/complexes", **bearer(analyst)).json()["items"]
    assert [r["complex_code"] for r in rows] == ["A-C1"]
    hidden = _indicator(rows[0], "vulnerable_share")
    assert hidden["small_cell"] and hidden["value"] is None and hidden["sub_score"] is None
    assert "0.5" not in json.dumps(hidden)
    seen = _indicator(client.get("/api/v1/monitor/complexes", **bearer(officer)).json()["items"][0],
                      "vulnerable_share")
    assert not seen["small_cell"] and seen["value"] == pytest.approx(0.5)
    one = client.get(f"/api/v1/monitor/complexes/{rows[0]['id']}", **bearer(analyst)).json()
    assert _indicator(one, "vulnerable_share")["value"] is None

    buurten = client.get("/api/v1/monitor/buurten", {"buurt": "BU01930001"}, **bearer(analyst)).json()["items"]
    assert [b["buurt"] for b in buurten] == ["BU01930001"] and buurten[0]["household_count"] == 2
    assert _indicator(buurten[0], "vulnerable_share")["value"] is None
    assert _indicator(buurten[0], "vulnerable_share")["small_cell"]
    open_buurt = client.get("/api/v1/monitor/buurten", {"buurt": "BU01930001"}, **bearer(officer)).json()["items"]
    assert _indicator(open_buurt[0], "vulnerable_share")["value"] == pytest.approx(0.5)
    assert client.get("/api/v1/monitor/buurten", {"buurt": "BU01930002"}, **bearer(officer)).json()["items"] == []
    assert client.get("/api/v1/monitor/complexes", {"year": 2001}, **bearer(officer)).json()["items"] == []


def test_the_monitor_and_focus_need_the_monitors_right(client, measured, ada, token_for, corporation_a):
    from buurtbalans.core.testing import make_user

    board = make_user("board-a", corporation_a, Role.COOPERATIVE_BOARD)
    token = token_for(board, Role.COOPERATIVE_BOARD)
    for url in ("/api/v1/monitor/complexes", "/api/v1/monitor/buurten", "/api/v1/focus-buurten",
                "/api/v1/label-plans", "/api/v1/vacancies"):
        assert client.get(url, **bearer(token)).status_code == 403, url
    admin = token_for(ada, Role.ADMIN)
    focus = client.get("/api/v1/focus-buurten", **bearer(admin))
    assert focus.status_code == 200 and focus.json()["municipality"] == "GM0193"
    assert client.get("/api/v1/focus-buurten", {"municipality": "GM0363"}, **bearer(admin)).status_code == 404
