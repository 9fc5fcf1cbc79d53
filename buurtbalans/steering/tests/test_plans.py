"""The labelling plan in the product: input from the database, the job end to end, refusals, estimates, screens."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from buurtbalans.core.jobs import run_pending_jobs
from buurtbalans.core.models import AuditEvent, Job
from buurtbalans.engine.parameters import ParameterRow
from buurtbalans.rules.services import parameter_values_save
from buurtbalans.rules.testing import caps_unknown
from buurtbalans.steering.estimates import inflow_estimate
from buurtbalans.steering.models import LabellingPlan, PlanComplex, ProposedLabel
from buurtbalans.steering.services import label_plan_request
from buurtbalans.steering.testing import Resident, make_mix_complex
from buurtbalans.steering.tests.conftest import REFERENCE_DATE

pytestmark = pytest.mark.django_db

POLICY = {
    "min_vulnerable_placements": 1,
    "min_affordable_share": "0.5",
    "p_open": "0.3",
    "p_above": "0.05",
    "q_open": "0.8",
    "q_reserved": "0.9",
    "q_above": "0.1",
}


def request_plan(corporation, actor, *, start=date(2025, 7, 1), end=date(2025, 9, 30), **policy) -> LabellingPlan:
    return label_plan_request(
        corporation=corporation,
        actor=actor,
        period_start=start,
        period_end=end,
        composition_date=REFERENCE_DATE,
        policy={**POLICY, **policy},
    )


def test_the_plan_job_builds_its_input_from_the_database_and_labels_every_vacancy(town, bob):
    corporation = town["stock"].corporation
    plan = request_plan(corporation, bob)
    assert run_pending_jobs() == 1
    plan.refresh_from_db()
    job = Job.objects.get(pk=plan.job_id)
    assert job.status == Job.Status.SUCCEEDED, job.result
    assert (job.progress_done, job.progress_total) == (5, 5)
    assert plan.is_done and plan.vacancy_count == 4

    document = plan.input_document
    complexes = {c["id"]: c for c in document["complexes"]}
    # HOT: 20 living there plus the 2 leaving households; one of them marked and primary.
    assert complexes["A-HOT"] == {
        "id": "A-HOT", "households": 22, "vulnerable": 9, "primary": 9,
        "target_vulnerable_max_share": "0.35", "target_primary_max_share": "0.75",
    }  # fmt: skip
    assert complexes["A-C1"]["households"] == 3 and complexes["A-C1"]["vulnerable"] == 1
    vacancies = {v["complex"] + ":" + v["base_rent"]: v for v in document["vacancies"]}
    leaving_marked = vacancies["A-HOT:700.00"]
    assert leaving_marked["leaving_household_vulnerable"] and leaving_marked["leaving_household_primary"]
    # 180 WWS points: the 2025 table's maximum; no points: the low cap, so never above it.
    assert Decimal(leaving_marked["max_base_rent"]) > Decimal("900")
    assert vacancies["A-HOT:600.00"]["max_base_rent"] == "682.96"

    labels = {
        p.dwelling.complex.external_id + ":" + str(p.current_rent): p for p in ProposedLabel.objects.filter(plan=plan)
    }
    # CALM has room: the one placement demanded goes there; HOT (40% marked) and A-C1 (50%) are closed to it.
    assert labels["A-CALM:650.00"].label == "RESERVED_VULNERABLE"
    assert labels["A-HOT:700.00"].label == "NO_VULNERABLE"
    assert labels["A-HOT:700.00"].base_rent == Decimal("682.96")  # lowered to the low cap
    assert labels["A-HOT:600.00"].above_cap_rent is None
    assert plan.lost_to_lowest_incomes == 0 and plan.reserved_vulnerable == 1
    assert plan.exception_budget_left == 0  # no lettings in 2025 yet
    assert plan.result_document["format"] == "buurtbalans.label-plan-result/1"
    assert plan.parameter_version.startswith("parameters:2025-01-01")
    hot = PlanComplex.objects.get(plan=plan, complex_code="A-HOT")
    assert hot.vulnerable_share == Decimal("0.4") and hot.projected_vulnerable_share < Decimal("0.4")
    event = AuditEvent.objects.get(event_type=AuditEvent.Type.LABEL_PLAN_MADE)
    assert event.actor == bob and event.data["vacancies"] == 4


def test_the_analyst_sees_the_plan_its_complexes_and_its_file(english, town, bob):
    client = english
    plan = request_plan(town["stock"].corporation, bob)
    client.force_login(bob)
    running = client.get(reverse("steering_plan", args=[plan.pk]))
    assert b"job-progress-bar" in running.content
    run_pending_jobs()
    page = client.get(reverse("steering_plan", args=[plan.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "For a placement (a household placed with support): the complex has room" in text
    assert "Rent lowered from" in text
    # The analyst sees no exact figure about fewer than 5 households: A-C1 has one marked household.
    complexes = client.get(reverse("steering_plan_complexes", args=[plan.pk]), {"sort": "code"})
    assert "&lt; 5" in complexes.content.decode()
    export = client.get(reverse("steering_plan", args=[plan.pk]), {"format": "csv"})
    assert b"RESERVED_VULNERABLE" in b"".join(export.streaming_content)
    result = json.loads(client.get(reverse("steering_plan_result", args=[plan.pk])).content)
    assert len(result["labels"]) == 4


def test_a_missing_legal_parameter_stops_the_plan_and_points_to_the_parameter_page(english, town, bob):
    caps_unknown(2026)
    client = english
    plan = request_plan(town["stock"].corporation, bob, start=date(2026, 1, 1), end=date(2026, 3, 31))
    run_pending_jobs()
    plan.refresh_from_db()
    assert not plan.is_done and plan.problem_code == "parameter_missing"
    assert "allowance_cap_low" in plan.missing_parameters
    assert Job.objects.get(pk=plan.job_id).status == Job.Status.FAILED
    client.force_login(bob)
    page = client.get(reverse("steering_plan", args=[plan.pk])).content.decode()
    assert "do not give Allowance cap low" in page and reverse("rules_parameters") in page

    # The platform administrator fills the 2026 caps in; the same policy now gives a plan.
    parameter_values_save(
        rows=[
            ParameterRow(date(2026, 1, 1), "allowance_cap_low", "713.00", source="test"),
            ParameterRow(date(2026, 1, 1), "allowance_cap_high", "764.00", source="test"),
        ],
        actor=None,  # by a command, as the platform administrator would: a corporation's ADMIN may not
    )
    again = request_plan(town["stock"].corporation, bob, start=date(2026, 1, 1), end=date(2026, 3, 31))
    run_pending_jobs()
    again.refresh_from_db()
    assert again.is_done and again.parameter_version.startswith("database:2026-01-01")


def test_the_new_plan_form_warns_before_the_plan_is_asked_when_the_caps_are_unknown(
    english, town, bob, monkeypatch
):
    caps_unknown(2026)
    client = english
    # In November 2025 the form offers the first quarter of 2026 first, whose caps the built-in table lacks.
    monkeypatch.setattr("buurtbalans.steering.views.timezone.localdate", lambda: date(2025, 11, 15))
    client.force_login(bob)
    response = client.get(reverse("steering_plan_new"))
    assert response.context["form"].fields["quarter"].initial == "2026-1"
    assert b"parameter-warning" in response.content
    assert reverse("rules_parameter_set", args=["2026-01-01"]) in response.content.decode()
    assert "Vulnerable households among those who move into an open dwelling" in response.content.decode()
    parameter_values_save(
        rows=[
            ParameterRow(date(2026, 1, 1), "allowance_cap_low", "713.00", source="test"),
            ParameterRow(date(2026, 1, 1), "allowance_cap_high", "764.00", source="test"),
        ],
        actor=None,  # by a command, as the platform administrator would: a corporation's ADMIN may not
    )
    assert b"parameter-warning" not in client.get(reverse("steering_plan_new")).content


def test_an_impossible_policy_names_the_constraint(english, town, bob):
    client = english
    plan = request_plan(town["stock"].corporation, bob, min_vulnerable_placements=9)
    run_pending_jobs()
    plan.refresh_from_db()
    assert plan.problem_code == "infeasible"
    client.force_login(bob)
    page = client.get(reverse("steering_plan", args=[plan.pk])).content.decode()
    assert "9 placements for vulnerable households are asked, but there are only 4 vacancies" in page


def test_the_analyst_starts_a_plan_from_the_form_with_the_estimates_overridden(client, town, bob, monkeypatch):
    monkeypatch.setattr("buurtbalans.steering.views.timezone.localdate", lambda: REFERENCE_DATE)
    client.force_login(bob)
    form = client.get(reverse("steering_plan_new")).context["form"]
    data = {
        "quarter": "2025-3",
        "min_vulnerable_placements": "1",
        "min_affordable_share": "90",
        **{name: str(form.fields[name].initial) for name in ("p_open", "p_above", "q_open", "q_reserved",
                                                                  "p_no_vulnerable")},
        "q_above": "12,5",
    }
    response = client.post(reverse("steering_plan_new"), data)
    plan = LabellingPlan.objects.get()
    assert response.status_code == 302 and response.url == reverse("steering_plan", args=[plan.pk])
    assert (plan.period_start, plan.period_end) == (date(2025, 7, 1), date(2025, 9, 30))
    assert plan.policy["q_above"] == "0.1250" and plan.overridden == ["q_above"]
    assert plan.policy["min_affordable_share"] == "0.9000"
    assert plan.estimates["p_open"]["n"] == 0  # no lettings in the twelve months before 1 June 2025


def test_alice_and_charlie_cannot_start_plans(client, town, alice, charlie):
    for user in (alice, charlie):
        client.force_login(user)
        assert client.get(reverse("steering_plan_new")).status_code == 403
        assert client.post(reverse("steering_plan_new"), {}).status_code == 403


def test_inflow_probabilities_are_estimated_from_the_last_year_of_lettings(stock_a):
    corporation = stock_a.corporation
    january = date(2025, 1, 15)
    make_mix_complex(
        corporation,
        "A-EST",
        residents=[
            *[Resident(income="20000", marker=True, start=january) for _ in range(3)],
            *[Resident(income="20000", start=january) for _ in range(2)],
            *[Resident(income="50000", start=january) for _ in range(3)],
        ],
    )
    make_mix_complex(corporation, "A-EXP", rent="800.00",
                     residents=[Resident(income="50000", start=january) for _ in range(2)])  # fmt: skip
    estimate = inflow_estimate(corporation.pk, REFERENCE_DATE)
    assert (estimate.p_open.k, estimate.p_open.n) == (3, 8)
    assert estimate.values() == {
        "p_open": Decimal("0.4"),  # (3 + 1) / (8 + 2)
        "p_above": Decimal("0.25"),  # (0 + 1) / (2 + 2)
        "q_open": Decimal("0.6"),  # 5 primary of 8
        "q_reserved": Decimal("0.8"),  # 3 of the 3 marked
        "q_above": Decimal("0.25"),
        "p_no_vulnerable": Decimal("0.5"),  # no NO_VULNERABLE lettings yet: (0 + 1) / (0 + 2)
    }
    # stock_a's own tenancies started in 2020: outside the twelve months.
    assert estimate.lettings == 10


def test_the_inflow_estimate_uses_the_cap_an_administrator_entered(stock_a):
    corporation = stock_a.corporation
    residents = [Resident(income="20000", start=date(2025, 1, 15)) for _ in range(2)]
    make_mix_complex(corporation, "A-CAP", rent="650.00", residents=residents)
    before = inflow_estimate(corporation.pk, REFERENCE_DATE)
    assert (before.p_open.n, before.p_above.n) == (2, 0)  # below the built-in 2025 low cap of 682.96
    parameter_values_save(
        rows=[ParameterRow(date(2025, 1, 1), "allowance_cap_low", "640.00", source="test: a correction")],
        actor=None,
    )
    after = inflow_estimate(corporation.pk, REFERENCE_DATE)
    assert (after.p_open.n, after.p_above.n) == (0, 2)  # above the cap in force now


def test_a_failed_plan_shows_a_plain_message_never_the_exception(english, town, bob, monkeypatch):
    def broken(plan, **kwargs):
        raise RuntimeError("internal detail: relation steering_plancomplex does not exist")

    monkeypatch.setattr("buurtbalans.steering.jobs.label_plan_run", broken)
    plan = request_plan(town["stock"].corporation, bob)
    run_pending_jobs()
    english.force_login(bob)
    page = english.get(reverse("steering_plan", args=[plan.pk])).content.decode()
    assert "internal detail" not in page
    assert f"#{plan.job_id}" in page  # the plain message gives the job's number to quote to the administrator
    # A job that failed before failures had codes stored the exception's text itself: still not shown.
    Job.objects.filter(pk=plan.job_id).update(result={"error": "internal detail: NUL in text field"})
    page = english.get(reverse("steering_plan", args=[plan.pk])).content.decode()
    assert "internal detail" not in page and f"#{plan.job_id}" in page
