"""Steering: label plans (list, one, its result document, a new plan as a job) and the vacancies with their labels."""

# No `from __future__ import annotations`: see resources/portfolio.py.
import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from buurtbalans.api.access import WRITE, needs
from buurtbalans.api.errors import ApiError
from buurtbalans.api.idempotency import idempotent
from buurtbalans.api.pagination import PageParams, cursor_page
from buurtbalans.api.schemas import ERRORS, ErrorOut, Id, page_of
from buurtbalans.api.selectors_steering import (
    api_label_plan_get,
    api_label_plan_list,
    api_label_plan_result,
    api_vacancy_list,
    missing_plan_parameters,
    plan_status,
)
from buurtbalans.core.permissions import Action, require
from buurtbalans.steering import services as steering_services
from buurtbalans.steering.estimates import inflow_estimate
from buurtbalans.steering.forms import PROBABILITY_LABELS, quarter_choices, quarter_period

router = Router(auth=needs("steering"))

Share = float  # a share between 0 and 1 as in the plan's file contract (0.3), not a percentage; four decimals count


def _share(value) -> str:
    """A share as the plan form passes it on (`steering.forms.to_share`: four decimals), so that the same policy
    gives the same plan whether it came from the screen or from here."""
    return str(Decimal(str(value)).quantize(Decimal("0.0001")))


class LabelPlanOut(Schema):
    id: int
    status: str = Field(description="done, running, refused (see problem) or failed")
    period_start: datetime.date
    period_end: datetime.date
    composition_date: datetime.date
    policy: dict[str, Any]
    overridden: list[str]
    vacancy_count: int
    reserved_vulnerable: int | None = None
    lost_to_lowest_incomes: int | None = None
    exception_budget_left: int | None = None
    parameter_version: str
    problem: str
    job_id: int | None = None
    created: datetime.datetime
    created_by_name: str


def _plan_out(plan) -> LabelPlanOut:
    return LabelPlanOut(
        id=plan.pk, status=plan_status(plan), period_start=plan.period_start, period_end=plan.period_end,
        composition_date=plan.composition_date, policy=plan.policy or {}, overridden=plan.overridden or [],
        vacancy_count=plan.vacancy_count, reserved_vulnerable=plan.reserved_vulnerable,
        lost_to_lowest_incomes=plan.lost_to_lowest_incomes, exception_budget_left=plan.exception_budget_left,
        parameter_version=plan.parameter_version, problem=plan.problem, job_id=plan.job_id, created=plan.created,
        created_by_name=plan.created_by_name,
    )


class PlanIn(Schema):
    quarter: str = Field(description="The quarter whose vacancies to plan, as on the form: 'YYYY-Q' (this quarter or "
                                     "one of the three after it), e.g. '2026-3'.", pattern=r"^[0-9]{4}-[1-4]$")
    min_vulnerable_placements: int = Field(ge=0, le=100_000)
    min_affordable_share: Share = Field(ge=0, le=1)
    p_open: Share | None = Field(None, ge=0, le=1, description="Left out: the estimate, as the form starts.")
    p_above: Share | None = Field(None, ge=0, le=1)
    q_open: Share | None = Field(None, ge=0, le=1)
    q_reserved: Share | None = Field(None, ge=0, le=1)
    q_above: Share | None = Field(None, ge=0, le=1)
    p_no_vulnerable: Share | None = Field(None, ge=0, le=1)


class PlanCreatedOut(Schema):
    id: int
    job_id: int
    job: str = Field(description="Poll this address until the job's status is succeeded or failed.")


class VacancyOut(Schema):
    id: int
    external_id: str
    complex_id: Id | None = None
    complex_code: str | None = None
    proposed_label: str | None = None
    proposed_plan_id: int | None = None
    decided_label: str | None = None
    decided_is_change: bool | None = None

    @staticmethod
    def resolve_complex_code(obj) -> str | None:
        return obj.complex.external_id if obj.complex_id else None

    @staticmethod
    def resolve_proposed_plan_id(obj) -> int | None:
        return obj.proposed_plan

    @staticmethod
    def resolve_decided_is_change(obj) -> bool | None:
        return obj.decided_change


class VacancyFilters(Schema):
    complex: Id | None = None


LabelPlanPage = page_of(LabelPlanOut)
VacancyPage = page_of(VacancyOut)


@router.get("/label-plans", response={200: LabelPlanPage, ERRORS: ErrorOut}, operation_id="label_plan_list",
            openapi_extra={"responses": {200: {"links": {"GetLabelPlan": {
                "operationId": "label_plan_get", "parameters": {"plan_id": "$response.body#/items/0/id"}}}}}})
def label_plan_list(request, page: Query[PageParams]):
    """The corporation's label plans, in id order, with their status as the plans page shows it."""
    items, next_link = cursor_page(request, api_label_plan_list(request.user), page)
    return {"items": [_plan_out(plan) for plan in items], "next": next_link}


@router.get("/label-plans/{plan_id}", response={200: LabelPlanOut, ERRORS: ErrorOut}, operation_id="label_plan_get")
def label_plan_get(request, plan_id: Id):
    return _plan_out(api_label_plan_get(request.user, plan_id))


@router.get("/label-plans/{plan_id}/result", response={200: dict[str, Any], ERRORS: ErrorOut},
            operation_id="label_plan_result")
def label_plan_result(request, plan_id: Id):
    """The plan's result document (`buurtbalans.label-plan-result/1`) as the screen's download gives it: for a role
    that may not read markers, shares of fewer than 5 households rounded or "< 5". 404 while the plan is not done."""
    return api_label_plan_result(request.user, plan_id)


@router.post("/label-plans", auth=needs("steering", WRITE), response={202: PlanCreatedOut, ERRORS: ErrorOut},
             operation_id="label_plan_create")
@idempotent
def label_plan_create(request, body: PlanIn):
    """Plan the labels of a quarter's vacancies, as the screen's form does: the plan runs as a job. The answer is 202
    with the job; poll `/api/v1/jobs/{id}`, then read `/label-plans/{id}` and its result."""
    membership = require(request.user, Action.PLAN_LABELS)
    today = timezone.localdate()
    if body.quarter not in {code for code, _label in quarter_choices(today)}:
        raise ApiError(422, _("Choose this quarter or one of the three after it."),
                       [(("body", "quarter"), _("one of %(codes)s")
                         % {"codes": ", ".join(code for code, _label in quarter_choices(today))})])
    year, quarter = (int(part) for part in body.quarter.split("-"))
    start, end = quarter_period(year, quarter)
    missing = missing_plan_parameters(start)
    if missing:
        raise ApiError(422, _("The legal parameters of this period are not complete: the plan cannot be made."),
                       [(("body", "quarter"), name) for name in missing])
    estimate = inflow_estimate(membership.corporation_id, today)
    starts = estimate.form_values()
    given = {name: getattr(body, name) for name in PROBABILITY_LABELS if getattr(body, name) is not None}
    policy = {
        "min_vulnerable_placements": body.min_vulnerable_placements,
        "min_affordable_share": _share(body.min_affordable_share),
        **{name: _share(given.get(name, starts.get(name, steering_services.POLICY_DEFAULTS.get(name, "0"))))
           for name in PROBABILITY_LABELS},
    }
    overridden = [name for name, value in given.items() if name in starts and _share(value) != _share(starts[name])]
    try:
        plan = steering_services.label_plan_request(
            corporation=membership.corporation, actor=request.user, period_start=start, period_end=end,
            composition_date=today, policy=policy, estimates=estimate.as_json(), overridden=overridden,
        )
    except steering_services.SteeringInputError as exc:
        raise ApiError(422, _("The plan is not valid: see errors."),
                       [(("body",), error) for error in exc.errors]) from None
    return Status(202, PlanCreatedOut(id=plan.pk, job_id=plan.job_id, job=f"/api/v1/jobs/{plan.job_id}"))


@router.get("/vacancies", response={200: VacancyPage, ERRORS: ErrorOut}, operation_id="vacancy_list")
def vacancy_list(request, filters: Query[VacancyFilters], page: Query[PageParams]):
    """The vacant dwellings with their newest proposed label and newest decided label (the vacancies page)."""
    rows = api_vacancy_list(request.user, complex_id=filters.complex)
    items, next_link = cursor_page(request, rows, page)
    return {"items": items, "next": next_link}
