"""Compliance per year and municipality (passend toewijzen, DAEB): the figures the compliance screen shows, from the
same selector (`rules.selectors.compliance_get`) and tables (`rules.tables`)."""

# No `from __future__ import annotations`: see resources/portfolio.py.
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from buurtbalans.api.access import needs, purpose_of
from buurtbalans.api.errors import ApiError
from buurtbalans.api.schemas import ERRORS, ErrorOut, PurposeCode, purpose_header
from buurtbalans.api.selectors import api_compliance_municipalities
from buurtbalans.core.permissions import Action, can, require
from buurtbalans.households.selectors import household_income_read_record
from buurtbalans.rules import selectors as rules_selectors
from buurtbalans.rules.tables import figure_rows, non_fitting_rows

router = Router(auth=needs("rules"))


class ComplianceFigures(Schema):
    municipality: str = Field(description="CBS municipality code; empty for the corporation's total.")
    name: str
    is_total: bool
    lettings: int
    low_income_lettings: int | None = None
    fit: int | None = None
    fit_share: Decimal | None = None
    fit_norm_met: bool | None = None
    daeb_lettings: int
    daeb_target_group_lettings: int | None = None
    daeb_target_share: Decimal | None = None
    daeb_norm: Decimal | None = None
    daeb_norm_met: bool | None = None
    free_room_used: int | None = None
    free_room_allowed: int | None = None
    free_room_left: int | None = None
    exception_budget_used: int | None = None
    exception_budget_left: int | None = None
    agreement: Decimal | None = None
    missing_parameters: list[str]


class NonFittingOut(Schema):
    letting_id: str
    exception_reason: str
    # Only for roles that see single households on the screen (then X-Purpose is needed and the read recorded).
    municipality: str = ""
    household: str = ""
    explanation: str = ""


class ComplianceOut(Schema):
    year: int
    municipality: str | None = None
    figures: list[ComplianceFigures]
    non_fitting: list[NonFittingOut]
    with_households: bool


class ComplianceFilters(Schema):
    year: int | None = Field(None, ge=1900, le=2200, description="The calendar year; default this year.")
    municipality: str | None = Field(None, max_length=20, description="A CBS municipality code, or 'unknown'.")


@router.get("/compliance", response={200: ComplianceOut, ERRORS: ErrorOut}, operation_id="compliance_get")
def compliance_get(request, filters: Query[ComplianceFilters],
                   x_purpose: PurposeCode = purpose_header()):  # noqa: B008
    """The year's passend toewijzen and DAEB figures per municipality and in total, and the non-fitting lettings
    (VIEW_COMPLIANCE), as the compliance screen shows them. Roles that see single households on that screen also
    get each non-fitting letting's household and explanation; they must send `X-Purpose` and the read is
    recorded, as on the screen."""
    user = request.user
    require(user, Action.VIEW_COMPLIANCE)
    today = timezone.localdate()
    year = filters.year or today.year
    if year not in rules_selectors.compliance_years(today):
        raise ApiError(400, _("There are no compliance figures for this year."),
                       [(("query", "year"), _("a year from %(first)d to %(last)d") % {
                           "first": min(rules_selectors.compliance_years(today)), "last": today.year})])
    municipality = filters.municipality or None
    if municipality is not None and municipality not in api_compliance_municipalities(user):
        raise ApiError(400, _("This municipality has none of your complexes."),
                       [(("query", "municipality"), _("not a municipality of your complexes"))])
    with_households = can(user, Action.VIEW_HOUSEHOLDS)
    purpose = purpose_of(request, x_purpose) if with_households else None
    try:
        outcome = rules_selectors.compliance_get(user, year=year, municipality=municipality)
    except LookupError:
        raise ApiError(400, _("No legal parameters cover this year."),
                       [(("query", "year"), _("no parameters"))]) from None
    non_fitting = non_fitting_rows(outcome, with_households=with_households)
    if with_households and non_fitting:
        household_income_read_record(user=user, households=[r.household_code for r in non_fitting if r.household_code],
                                     purpose=purpose, what=f"API: non-fitting lettings {year}")
    figures = [ComplianceFigures(
        municipality=row.code, name=row.name, is_total=row.is_total, lettings=row.lettings,
        low_income_lettings=row.low_income_lettings, fit=row.fit, fit_share=row.fit_share,
        fit_norm_met=row.fit_norm_met, daeb_lettings=row.daeb_lettings,
        daeb_target_group_lettings=row.daeb_target_group_lettings, daeb_target_share=row.daeb_target_share,
        daeb_norm=row.daeb_norm, daeb_norm_met=row.daeb_norm_met, free_room_used=row.free_room_used,
        free_room_allowed=row.free_room_allowed, free_room_left=row.free_room_left,
        exception_budget_used=row.exception_budget_used, exception_budget_left=row.exception_budget_left,
        agreement=row.agreement, missing_parameters=list(row.missing_parameters),
    ) for row in figure_rows(outcome)]
    return ComplianceOut(
        year=year, municipality=municipality, figures=figures, with_households=with_households,
        non_fitting=[NonFittingOut(letting_id=r.letting_id, exception_reason=str(r.exception_reason),
                                   municipality=r.municipality, household=r.household_code,
                                   explanation=str(r.explanation)) for r in non_fitting],
    )
