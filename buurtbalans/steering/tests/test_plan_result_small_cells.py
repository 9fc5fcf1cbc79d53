"""The plan's result document follows the small-cell rule of the plan's pages (issue 11, finding 7): for the analyst,
a complex's share now that stands for fewer than 5 households is "< 5", and no label's reason gives it away."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from buurtbalans.core.jobs import run_pending_jobs
from buurtbalans.steering.tests.test_plans import request_plan

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(town, bob):
    plan = request_plan(town["stock"].corporation, bob)
    run_pending_jobs()
    plan.refresh_from_db()
    assert plan.is_done
    return plan


def result_of(client, user, plan) -> dict:
    client.force_login(user)
    response = client.get(reverse("steering_plan_result", args=[plan.pk]))
    assert response.status_code == 200
    return json.loads(response.content)


def test_the_analyst_gets_less_than_5_for_a_share_of_a_few_households(english, bob, plan):
    result = result_of(english, bob, plan)
    complexes = {c["id"]: c for c in result["complexes"]}
    # A-C1: 1 marked household of 3, 1 in the lowest band; CALM: none marked; HOT: 9 of 22, exact.
    assert complexes["A-C1"]["vulnerable_share"] == "< 5"
    assert complexes["A-C1"]["primary_share"] == "< 5"
    # After the plan A-C1 still has its one marked household: the expected share would give the count away.
    assert complexes["A-C1"]["projected_vulnerable_share"] == "< 5"
    assert complexes["A-CALM"]["vulnerable_share"] == "< 5"
    exact = {c["id"]: c for c in plan.result_document["complexes"]}
    assert complexes["A-HOT"] == exact["A-HOT"]
    small = [exact["A-C1"]["vulnerable_share"], exact["A-CALM"]["vulnerable_share"]]
    text = json.dumps(result["labels"])
    for share in small:
        percent = f"{float(share) * 100:.1f}%"
        assert percent not in text, percent
    assert len(result["labels"]) == len(plan.result_document["labels"])
    assert all(label["reason"] for label in result["labels"])
    # Everything else is as the plan made it.
    assert result["objective"] == plan.result_document["objective"]
    assert [(x["vacancy"], x["label"]) for x in result["labels"]] == [
        (x["vacancy"], x["label"]) for x in plan.result_document["labels"]]


def test_an_officer_who_reads_markers_gets_the_document_as_made(english, alice, plan):
    assert result_of(english, alice, plan) == plan.result_document


def test_the_plan_complexes_page_and_download_hide_the_share_after_the_plan_too(english, bob, plan):
    english.force_login(bob)
    page = english.get(reverse("steering_plan_complexes", args=[plan.pk]), {"sort": "code"})
    row = next(pc for pc in page.context["page"].object_list if pc.complex_code == "A-C1")
    assert (row.projected_vulnerable_text, row.projected_primary_text) == ("< 5", "< 5")
    assert "33.3%" not in page.content.decode()
    export = english.get(reverse("steering_plan_complexes", args=[plan.pk]), {"format": "csv"})
    text = b"".join(export.streaming_content).decode("utf-8-sig")
    line = next(line for line in text.splitlines() if line.startswith("A-C1,"))
    assert "0.33" not in line and "< 5" in line
