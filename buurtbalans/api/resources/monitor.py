"""The monitor: vitality per complex and per buurt (score, its parts, warnings; the small-cell rule as on the monitor's
pages and downloads) and the focus buurten as the focus page ranks them."""

# No `from __future__ import annotations`: see resources/portfolio.py.
import datetime

from ninja import Field, Query, Router, Schema

from buurtbalans.api.access import needs
from buurtbalans.api.pagination import PageParams, cursor_page
from buurtbalans.api.schemas import ERRORS, ErrorOut, Id, page_of
from buurtbalans.api.selectors_steering import (
    api_buurt_vitality_list,
    api_complex_vitality_get,
    api_complex_vitality_list,
    api_focus,
    buurt_households,
    buurt_vitality_view,
    complex_vitality_view,
    monitor_rules,
)

router = Router(auth=needs("monitor"))

Year = int | None


class IndicatorOut(Schema):
    key: str
    label: str
    value: float | None = Field(None, description="null when unknown, or for a small cell (see small_cell)")
    sub_score: float | None = None
    weight_share: float
    is_past_warning: bool
    small_cell: bool = Field(description="The figure stands for fewer than 5 households: your role does not see it.")


class WarningOut(Schema):
    kind: str
    key: str | None = None
    text: str = Field(description="The reason as the early-warning list gives it.")


class ComplexVitalityOut(Schema):
    id: int
    complex_id: int
    complex_code: str
    complex_name: str
    buurt: str | None = None
    reference_date: datetime.date
    is_latest: bool
    dwelling_count: int
    household_count: int
    score: float | None = None
    warning_count: int
    indicators: list[IndicatorOut]
    warnings: list[WarningOut]


class BuurtIndicatorOut(Schema):
    key: str
    label: str
    value: float | None = None
    small_cell: bool


class BuurtVitalityOut(Schema):
    id: int
    buurt: str
    reference_date: datetime.date
    is_latest: bool
    complex_count: int
    dwelling_count: int
    household_count: int
    score: float | None = None
    warning_count: int = Field(description="Complexes with a warning.")
    indicators: list[BuurtIndicatorOut]


class VitalityFilters(Schema):
    buurt: str | None = Field(None, max_length=12, description="CBS buurt code, e.g. BU01930001")
    municipality: str | None = Field(None, max_length=12, description="CBS municipality code, e.g. GM0193")
    year: Year = Field(None, ge=1900, le=2200, description="The measurement of 31 December of that year (the "
                       "latest in this year); left out: the latest measurement.")


class FocusFilters(Schema):
    municipality: str | None = Field(None, max_length=12, description="One of your municipalities (GM code); left "
                                     "out: the first.")
    year: Year = Field(None, ge=1900, le=2200, description="Each figure the latest up to this year.")
    focus_only: bool = False


class FocusRowOut(Schema):
    bu_code: str
    bu_naam: str
    wk_code: str
    focus: bool
    low_income_share: float | None = None
    low_income_year: int | None = None
    low_income_rank: int | None = None
    low_income_worst_quarter: bool
    lbm: float | None = None
    lbm_year: int | None = None
    lbm_rank: int | None = None
    lbm_worst_quarter: bool
    weakest_dimension: str | None = None
    weakest_dimension_value: float | None = None
    inhabitants: float | None = None
    inhabitants_year: int | None = None


class FocusOut(Schema):
    municipality: str
    year: int | None = None
    low_income_key: str
    definition: str
    focus_count: int
    items: list[FocusRowOut]


ComplexVitalityPage = page_of(ComplexVitalityOut)
BuurtVitalityPage = page_of(BuurtVitalityOut)


@router.get("/monitor/complexes", response={200: ComplexVitalityPage, ERRORS: ErrorOut},
            operation_id="monitor_complex_list",
            openapi_extra={"responses": {200: {"links": {"GetComplexVitality": {
                "operationId": "monitor_complex_get", "parameters": {"vitality_id": "$response.body#/items/0/id"}}}}}})
def monitor_complex_list(request, filters: Query[VitalityFilters], page: Query[PageParams]):
    """Each complex's vitality (one row per complex and measurement). Filters: `buurt`, `municipality`, `year`."""
    rows = api_complex_vitality_list(request.user, buurt=filters.buurt, municipality=filters.municipality,
                                     year=filters.year)
    items, next_link = cursor_page(request, rows, page)
    rules = monitor_rules(request.user)
    return {"items": [complex_vitality_view(request.user, row, rules) for row in items], "next": next_link}


@router.get("/monitor/complexes/{vitality_id}", response={200: ComplexVitalityOut, ERRORS: ErrorOut},
            operation_id="monitor_complex_get")
def monitor_complex_get(request, vitality_id: Id):
    row = api_complex_vitality_get(request.user, vitality_id)
    return complex_vitality_view(request.user, row, monitor_rules(request.user))


@router.get("/monitor/buurten", response={200: BuurtVitalityPage, ERRORS: ErrorOut},
            operation_id="monitor_buurt_list")
def monitor_buurt_list(request, filters: Query[VitalityFilters], page: Query[PageParams]):
    """Our complexes per buurt together (means weighted by dwellings). Filters: `buurt`, `municipality`, `year`."""
    rows = api_buurt_vitality_list(request.user, buurt=filters.buurt, municipality=filters.municipality,
                                   year=filters.year)
    items, next_link = cursor_page(request, rows, page)
    households = buurt_households(request.user, items)
    return {"items": [buurt_vitality_view(request.user, row, households.get((row.area_code, row.reference_date), 0))
                      for row in items], "next": next_link}


@router.get("/focus-buurten", response={200: FocusOut, ERRORS: ErrorOut}, operation_id="focus_buurt_list")
def focus_buurt_list(request, filters: Query[FocusFilters]):
    """The buurten of a municipality ranked on low incomes and the Leefbaarometer, with the focus flag and why (both
    in the worst quarter), as the focus page shows them (public data)."""
    focus = api_focus(request.user, municipality=filters.municipality, year=filters.year)
    rows = [row for row in focus.rows if row.focus or not filters.focus_only]
    return {"municipality": focus.municipality, "year": focus.year, "low_income_key": focus.low_income_key,
            "definition": focus.definition, "focus_count": sum(1 for row in focus.rows if row.focus),
            "items": [row.as_dict() for row in rows]}
