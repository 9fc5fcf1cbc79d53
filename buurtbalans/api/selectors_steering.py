"""The API's reads of steering (label plans, vacancies with their labels) and the monitor (vitality per complex and
per buurt, focus buurten): the screens' selectors, as the screens call them, with the small-cell rule as the screens
and their downloads apply it (`core.figures.Cell` through `liveability.texts.small_cell_keys`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from types import SimpleNamespace

from django.db.models import QuerySet, Sum
from django.http import Http404

from buurtbalans.core.figures import is_protected
from buurtbalans.core.permissions import Action, require
from buurtbalans.liveability import selectors as monitor
from buurtbalans.liveability.indicators import INDICATORS
from buurtbalans.liveability.models import AreaVitality, ComplexVitality
from buurtbalans.liveability.texts import LOW_INCOME_LABELS, indicator_rows, small_cell_keys, warning_line
from buurtbalans.rules.parameters import parameters_for
from buurtbalans.steering import selectors as steering

# --- label plans and vacancies ---------------------------------------------------------------------------------


def plan_status(plan) -> str:
    """As the plans page says it (steering.views._plan_status): done, refused, failed or running."""
    if plan.is_done:
        return "done"
    if plan.problem_code:
        return "refused"
    if plan.job is None or plan.job.status == "failed":
        return "failed"
    return "running"


def api_label_plan_list(user) -> QuerySet:
    return steering.label_plan_list(user)


def api_label_plan_get(user, pk: int):
    return steering.label_plan_get(user, pk)


def api_label_plan_result(user, pk: int) -> dict:
    """The result document as `steering_plan_result` gives it to this user (small-cell rule included); 404 while
    the plan is not done."""
    from buurtbalans.steering.views import result_under_small_cells

    plan = steering.label_plan_get(user, pk, with_documents=True)
    if not plan.is_done or not plan.result_document:
        raise Http404
    document = plan.result_document
    if is_protected(user):
        document = result_under_small_cells(user, plan, document)
    return document


def missing_plan_parameters(period_start: date) -> list[str] | None:
    """The legal parameters a plan of this period needs but lacks (as the plan form warns); None when complete."""
    try:
        params = parameters_for(period_start)
    except LookupError:
        return ["allowance_cap_low", "daeb_rent_limit"]
    missing = [n for n in ("allowance_cap_low", "daeb_rent_limit") if getattr(params, n) is None]
    return missing or None


def api_vacancy_list(user, *, complex_id: int | None = None) -> QuerySet:
    """The vacancies page's rows: each vacant dwelling with its newest proposed and decided label."""
    rows = steering.vacancy_list(user)
    if complex_id is not None:
        rows = rows.filter(complex_id=complex_id)
    return rows


# --- the monitor -----------------------------------------------------------------------------------------------


def _dated(queryset: QuerySet, year: int | None) -> QuerySet:
    # The monitor keeps the latest measurement and one on 31 December of each year before it.
    return queryset.filter(reference_date__year=year) if year else queryset.filter(is_latest=True)


def api_complex_vitality_list(user, *, buurt: str | None = None, municipality: str | None = None,
                              year: int | None = None) -> QuerySet:
    require(user, Action.VIEW_MONITOR)
    rows = _dated(ComplexVitality.objects.visible_to(user, Action.VIEW_MONITOR), year).select_related(
        "complex", "complex__neighbourhood")
    if buurt:
        rows = rows.filter(complex__neighbourhood__cbs_code=buurt.upper())
    if municipality:
        rows = rows.filter(complex__neighbourhood__municipality__cbs_code=municipality.upper())
    return rows


def api_complex_vitality_get(user, pk: int) -> ComplexVitality:
    require(user, Action.VIEW_MONITOR)
    row = (ComplexVitality.objects.visible_to(user, Action.VIEW_MONITOR).select_related("complex",
                                                                                     "complex__neighbourhood")
           .filter(pk=pk).first())
    if row is None:
        raise Http404
    return row


def complex_vitality_view(user, row: ComplexVitality, rules) -> dict:
    """One complex's vitality as its monitor page shows it to this user: the figures of fewer than 5 households
    (small cells) without value, sub-score or change, and the warnings' sentences without their value."""
    hidden = small_cell_keys(row, is_protected(user))
    buurt = row.complex.neighbourhood
    return {
        "id": row.pk, "complex_id": row.complex_id, "complex_code": row.complex.external_id,
        "complex_name": row.complex.name, "buurt": buurt.cbs_code if buurt is not None else None,
        "reference_date": row.reference_date, "is_latest": row.is_latest, "dwelling_count": row.dwelling_count,
        "household_count": row.household_count, "score": row.score, "warning_count": row.warning_count,
        "indicators": [
            {"key": r.key, "label": r.label, "value": r.value, "sub_score": r.sub_score,
             "weight_share": r.weight_share, "is_past_warning": r.is_past_warning, "small_cell": r.key in hidden}
            for r in indicator_rows(rules, row, hidden)
        ],
        "warnings": [{"kind": w.get("kind", ""), "key": w.get("key"), "text": warning_line(w, hidden)}
                     for w in row.warnings or []],
    }


def monitor_rules(user):
    return monitor.monitor_rules_get(user)[0]


def api_buurt_vitality_list(user, *, buurt: str | None = None, municipality: str | None = None,
                            year: int | None = None) -> QuerySet:
    require(user, Action.VIEW_MONITOR)
    rows = _dated(AreaVitality.objects.visible_to(user, Action.VIEW_MONITOR), year).filter(area_code__startswith="BU")
    if buurt:
        rows = rows.filter(area_code=buurt.upper())
    if municipality:
        rows = rows.filter(area_code__startswith=f"BU{municipality.upper()[2:]}") if len(municipality) > 2 else rows
    return rows


def buurt_households(user, rows: list[AreaVitality]) -> dict[tuple[str, date], int]:
    """(buurt, reference date) -> the households in the corporation's complexes there (for the small-cell rule)."""
    codes = {r.area_code for r in rows}
    dates = {r.reference_date for r in rows}
    if not codes:
        return {}
    counted = (
        ComplexVitality.objects.visible_to(user, Action.VIEW_MONITOR)
        .filter(complex__neighbourhood__cbs_code__in=codes, reference_date__in=dates)
        .values_list("complex__neighbourhood__cbs_code", "reference_date").annotate(n=Sum("household_count"))
    )
    return {(code, day): n or 0 for code, day, n in counted}


def buurt_vitality_view(user, row: AreaVitality, households: int) -> dict:
    """Our complexes in one buurt together; a household share of fewer than 5 of the buurt's households in our
    complexes is left out for a user under the small-cell rule, as for one complex."""
    hidden = small_cell_keys(SimpleNamespace(household_count=households, values=row.values), is_protected(user))
    values = row.values or {}
    return {
        "id": row.pk, "buurt": row.area_code, "reference_date": row.reference_date, "is_latest": row.is_latest,
        "complex_count": row.complex_count, "dwelling_count": row.dwelling_count, "household_count": households,
        "score": row.score, "warning_count": row.warning_count,
        "indicators": [
            {"key": key, "label": str(INDICATORS[key].label), "value": None if key in hidden else values.get(key),
             "small_cell": key in hidden}
            for key in INDICATORS if key in values
        ],
    }


@dataclass(frozen=True)
class Focus:
    municipality: str
    year: int | None
    low_income_key: str
    definition: str
    rows: list


def api_focus(user, *, municipality: str | None, year: int | None) -> Focus:
    """The focus page: the buurten of one of the corporation's municipalities (the first by default) ranked on low
    incomes and the Leefbaarometer; 404 for a municipality where it has no complexes."""
    codes = [code for code, _name in monitor.municipality_choices(user)]
    wanted = (municipality or "").upper()
    if wanted and wanted not in codes:
        raise Http404
    chosen = wanted or (codes[0] if codes else "")
    rows, low_key = monitor.focus_rows(user, chosen, year) if chosen else ([], "")
    return Focus(chosen, year, low_key, str(LOW_INCOME_LABELS.get(low_key, "")), rows)
