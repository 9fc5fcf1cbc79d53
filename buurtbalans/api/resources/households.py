"""Households, tenancies and (special-category) vulnerability markers: personal data, so each read needs X-Purpose
and is recorded in the audit log as the screens record it (household income read; markers read)."""

# No `from __future__ import annotations`: see resources/portfolio.py.
import datetime
from decimal import Decimal

from ninja import Query, Router, Schema

from buurtbalans.api.access import needs, purpose_of
from buurtbalans.api.pagination import PageParams, cursor_page
from buurtbalans.api.schemas import ERRORS, ErrorOut, Id, PurposeCode, page_of, purpose_header
from buurtbalans.api.selectors import api_household_get, api_household_list, api_tenancy_get, api_tenancy_list
from buurtbalans.households.selectors import household_income_read_record, marker_purposes_for, markers_for_household

router = Router(auth=needs("households"))


class HouseholdOut(Schema):
    id: int
    external_id: str
    size: int
    adults: int
    children: int
    is_pension_age_household: bool
    assessed_income: Decimal | None = None
    income_year: int | None = None
    income_source: str


class TenancyOut(Schema):
    id: int
    external_id: str
    dwelling_id: Id
    household_id: Id
    start_date: datetime.date
    end_date: datetime.date | None = None
    income_at_start: Decimal | None = None
    rent_at_start: Decimal | None = None
    household_size_at_start: int | None = None
    is_pension_age_at_start: bool | None = None
    assets_at_start: Decimal | None = None
    contract_type: str
    exception_reason: str
    selection_method: str | None = None


class MarkerOut(Schema):
    kind: str
    kind_label: str
    source: str
    valid_from: datetime.date
    valid_until: datetime.date | None = None

    @staticmethod
    def resolve_kind(obj) -> str:
        return obj.kind.code

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return obj.kind.label


class HouseholdFilters(Schema):
    external_id: str | None = None


class TenancyFilters(Schema):
    household: Id | None = None
    dwelling: Id | None = None
    is_current: bool | None = None


HouseholdPage = page_of(HouseholdOut)
TenancyPage = page_of(TenancyOut)


def _record(request, households, purpose: str, what: str) -> None:
    household_income_read_record(user=request.user, households=households, purpose=purpose, what=f"API: {what}")


@router.get("/households", response={200: HouseholdPage, ERRORS: ErrorOut}, operation_id="household_list",
            openapi_extra={"responses": {200: {"links": {"GetHousehold": {
                "operationId": "household_get", "parameters": {"household_id": "$response.body#/items/0/id"}}}}}})
def household_list(request, filters: Query[HouseholdFilters], page: Query[PageParams],
                   x_purpose: PurposeCode = purpose_header()):  # noqa: B008
    """Households with size and income (roles that see single households). Needs `X-Purpose`; audited."""
    rows = api_household_list(request.user, external_id=filters.external_id)
    purpose = purpose_of(request, x_purpose)
    items, next_link = cursor_page(request, rows, page)
    _record(request, items, purpose, "households")
    return {"items": items, "next": next_link}


@router.get("/households/{household_id}", response={200: HouseholdOut, ERRORS: ErrorOut},
            operation_id="household_get")
def household_get(request, household_id: Id, x_purpose: PurposeCode = purpose_header()):  # noqa: B008
    household = api_household_get(request.user, household_id)
    purpose = purpose_of(request, x_purpose)
    _record(request, [household], purpose, f"household {household.external_id}")
    return household


@router.get("/households/{household_id}/markers", response={200: list[MarkerOut], ERRORS: ErrorOut},
            operation_id="household_markers")
def household_markers(request, household_id: Id, x_purpose: PurposeCode = purpose_header()):  # noqa: B008
    """Special-category data: the household's vulnerability markers, for a role with a purpose for them
    (allocation, social_management). Every read is recorded (who, whose, why), as on the screen."""
    household = api_household_get(request.user, household_id)
    purpose = purpose_of(request, x_purpose, allowed=marker_purposes_for(request.user))
    return markers_for_household(user=request.user, household=household, purpose=purpose)


@router.get("/tenancies", response={200: TenancyPage, ERRORS: ErrorOut}, operation_id="tenancy_list",
            openapi_extra={"responses": {200: {"links": {"GetTenancy": {
                "operationId": "tenancy_get", "parameters": {"tenancy_id": "$response.body#/items/0/id"}}}}}})
def tenancy_list(request, filters: Query[TenancyFilters], page: Query[PageParams],
                 x_purpose: PurposeCode = purpose_header()):  # noqa: B008
    """Tenancies (income and assets at start). Filters: `household`, `dwelling` (ids), `is_current`."""
    rows = api_tenancy_list(request.user, household_id=filters.household, dwelling_id=filters.dwelling,
                            is_current=filters.is_current)
    purpose = purpose_of(request, x_purpose)
    items, next_link = cursor_page(request, rows, page)
    _record(request, [t.household for t in items], purpose, "tenancies")
    return {"items": items, "next": next_link}


@router.get("/tenancies/{tenancy_id}", response={200: TenancyOut, ERRORS: ErrorOut}, operation_id="tenancy_get")
def tenancy_get(request, tenancy_id: Id, x_purpose: PurposeCode = purpose_header()):  # noqa: B008
    tenancy = api_tenancy_get(request.user, tenancy_id)
    purpose = purpose_of(request, x_purpose)
    _record(request, [tenancy.household], purpose, f"tenancy {tenancy.external_id}")
    return tenancy
