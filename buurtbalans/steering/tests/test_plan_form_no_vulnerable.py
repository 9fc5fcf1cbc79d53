"""p_no_vulnerable on the plan form (issue 13 item 1): it starts at the estimate from history, or at 0 without one.

Without any letting of a NO_VULNERABLE vacancy in the twelve months there is nothing to estimate from: the field
starts at 0 (the issue's default, what every plan meant before) and the page says why, instead of Laplace's one
half. With history it starts at the estimate and the page says how many lettings it came from. Either way the
analyst may change it, and the plan records the value, whether it was changed, and passes it to the engine.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from buurtbalans.core.jobs import run_pending_jobs
from buurtbalans.steering.models import LabellingPlan
from buurtbalans.steering.services import SteeringInputError, label_plan_request
from buurtbalans.steering.tests.conftest import REFERENCE_DATE
from buurtbalans.steering.tests.test_estimates_no_vulnerable import let, mark

pytestmark = pytest.mark.django_db

NO_HISTORY_TEXT = "No history to estimate from"


def text(response) -> str:
    return response.content.decode()


def form_data(form, **changes) -> dict:
    """The form as it starts (quarter, the defaults and every probability's starting value), with changes."""
    data = {name: str(field.initial) for name, field in form.fields.items() if field.initial is not None}
    data["min_vulnerable_placements"] = "0"
    return {**data, **changes}


def test_without_history_p_no_vulnerable_starts_at_0_and_the_page_says_why(english, town, bob, monkeypatch):
    monkeypatch.setattr("buurtbalans.steering.views.timezone.localdate", lambda: REFERENCE_DATE)
    english.force_login(bob)
    page = english.get(reverse("steering_plan_new"))
    form = page.context["form"]
    assert form.fields["p_no_vulnerable"].initial == Decimal(0)
    body = text(page)
    assert 'id="basis-p_no_vulnerable"' in body and NO_HISTORY_TEXT in body
    assert "The value starts at 0%" in body
    # The other estimates still show their basis as before.
    assert 'id="basis-p_open"' in body and "lettings." in body

    response = english.post(reverse("steering_plan_new"), form_data(form))
    plan = LabellingPlan.objects.get()
    assert response.status_code == 302
    assert plan.policy["p_no_vulnerable"] == "0.0000" and plan.overridden == []
    # The stored estimates say what the form started from, next to Laplace's 0.5 with n = 0.
    assert plan.estimates["p_no_vulnerable"] == {"k": 0, "n": 0, "estimate": "0.5000"}
    assert plan.estimates["form_values"]["p_no_vulnerable"] == "0"

    assert run_pending_jobs() == 1
    plan.refresh_from_db()
    assert plan.is_done
    assert plan.input_document["policy"]["p_no_vulnerable"] == "0.0000"


def test_with_history_it_starts_at_the_estimate_and_names_the_lettings(english, stock_a, alice, bob, monkeypatch):
    corporation = stock_a.corporation
    from buurtbalans.allocation.tests.support import applicant

    marked, plain, other = (applicant(corporation, code) for code in ("M-1", "P-1", "P-2"))
    mark(marked, "shelter_outflow")
    let(stock_a, alice, [("NO_VULNERABLE", marked), ("NO_VULNERABLE", plain), ("NO_VULNERABLE", other)])
    monkeypatch.setattr("buurtbalans.steering.views.timezone.localdate", lambda: date(2025, 7, 15))

    english.force_login(bob)
    page = english.get(reverse("steering_plan_new"))
    form = page.context["form"]
    assert form.fields["p_no_vulnerable"].initial == Decimal(40)  # (1 + 1) / (3 + 2)
    body = text(page)
    assert NO_HISTORY_TEXT not in body
    assert "1 of 3 lettings of dwellings with no placement or urgency route." in body

    response = english.post(reverse("steering_plan_new"), form_data(form, p_no_vulnerable="12.5"))
    assert response.status_code == 302, (response.context["form"].errors, response.context["warning"])
    plan = LabellingPlan.objects.get()
    assert plan.policy["p_no_vulnerable"] == "0.1250" and plan.overridden == ["p_no_vulnerable"]
    assert plan.estimates["p_no_vulnerable"] == {"k": 1, "n": 3, "estimate": "0.4000"}

    detail = text(english.get(reverse("steering_plan", args=[plan.pk])))
    assert "through the regular route on a dwelling with no placement or urgency route" in detail
    assert "changed from the estimate" in detail


def test_the_form_refuses_a_share_outside_0_to_100(english, town, bob, monkeypatch):
    monkeypatch.setattr("buurtbalans.steering.views.timezone.localdate", lambda: REFERENCE_DATE)
    english.force_login(bob)
    form = english.get(reverse("steering_plan_new")).context["form"]
    response = english.post(reverse("steering_plan_new"), form_data(form, p_no_vulnerable="101"))
    assert response.status_code == 400 and not LabellingPlan.objects.exists()
    assert response.context["form"].errors["p_no_vulnerable"]


def test_a_policy_without_p_no_vulnerable_means_0_and_an_old_plan_shows_it(english, town, bob):
    policy = {"min_vulnerable_placements": 0, "min_affordable_share": "0.5", "p_open": "0.3", "p_above": "0.05",
              "q_open": "0.8", "q_reserved": "0.9", "q_above": "0.1"}
    plan = label_plan_request(corporation=town["stock"].corporation, actor=bob, period_start=date(2025, 7, 1),
                              period_end=date(2025, 9, 30), composition_date=REFERENCE_DATE, policy=policy)
    assert plan.policy["p_no_vulnerable"] == "0"
    with pytest.raises(SteeringInputError, match="p_no_vulnerable"):
        label_plan_request(corporation=town["stock"].corporation, actor=bob, period_start=date(2025, 7, 1),
                           period_end=date(2025, 9, 30), composition_date=REFERENCE_DATE,
                           policy={**policy, "p_no_vulnerable": "1.5"})
    # A plan stored before the key existed was planned with 0; its page says so rather than "–".
    LabellingPlan.objects.filter(pk=plan.pk).update(policy=policy)
    english.force_login(bob)
    page = english.get(reverse("steering_plan", args=[plan.pk]))
    rows = dict((str(label), value) for label, value, _changed in page.context["policy_rows"])
    label = next(label for label in rows if "no placement or urgency route" in label)
    assert rows[label] == "0.0%"
