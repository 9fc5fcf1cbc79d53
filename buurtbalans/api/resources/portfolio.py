"""Stock: complexes and dwellings (read), and the stock import (write, the screen's import service)."""

# No `from __future__ import annotations` in resource modules: django-ninja reads the annotations of the endpoint
# through decorators such as @idempotent, which it can only do when they are objects rather than strings.
from decimal import Decimal
from pathlib import PurePath

from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema
from ninja.files import UploadedFile

from buurtbalans.api.access import WRITE, needs
from buurtbalans.api.errors import ApiError
from buurtbalans.api.idempotency import idempotent
from buurtbalans.api.pagination import PageParams, cursor_page
from buurtbalans.api.schemas import ERRORS, ErrorOut, Id, page_of
from buurtbalans.api.selectors import api_complex_get, api_complex_list, api_dwelling_get, api_dwelling_list
from buurtbalans.api.services import api_portfolio_import
from buurtbalans.portfolio.models import DwellingStatus

router = Router(auth=needs("portfolio"))

DwellingStatusCode = DwellingStatus | None


class ComplexOut(Schema):
    id: int
    external_id: str
    name: str
    neighbourhood: str | None = None  # CBS buurt code, e.g. BU01930001

    @staticmethod
    def resolve_neighbourhood(obj) -> str | None:
        return obj.neighbourhood.cbs_code if obj.neighbourhood_id else None


class DwellingOut(Schema):
    id: int
    external_id: str
    complex_id: Id | None = None
    street: str
    house_number: int
    house_number_suffix: str
    postcode: str
    city: str
    dwelling_type: str
    rooms: int | None = None
    floor_area: Decimal | None = None
    build_year: int | None = None
    energy_label: str
    base_rent: Decimal | None = None
    service_charges: Decimal | None = None
    wws_points: Decimal | None = None
    is_daeb: bool
    accessibility_label: str
    status: str


class ComplexFilters(Schema):
    external_id: str | None = None
    neighbourhood: str | None = None


class DwellingFilters(Schema):
    complex: Id | None = None
    status: DwellingStatusCode = None
    external_id: str | None = None


ComplexPage = page_of(ComplexOut)
DwellingPage = page_of(DwellingOut)


@router.get("/complexes", response={200: ComplexPage, ERRORS: ErrorOut}, operation_id="complex_list",
            openapi_extra={"responses": {200: {"links": {"GetComplex": {
                "operationId": "complex_get", "parameters": {"complex_id": "$response.body#/items/0/id"}}}}}})
def complex_list(request, filters: Query[ComplexFilters], page: Query[PageParams]):
    """The corporation's complexes, in id order. Filters: `external_id`, `neighbourhood` (CBS buurt code)."""
    rows = api_complex_list(request.user, external_id=filters.external_id, neighbourhood=filters.neighbourhood)
    items, next_link = cursor_page(request, rows, page)
    return {"items": items, "next": next_link}


@router.get("/complexes/{complex_id}", response={200: ComplexOut, ERRORS: ErrorOut}, operation_id="complex_get")
def complex_get(request, complex_id: Id):
    return api_complex_get(request.user, complex_id)


@router.get("/dwellings", response={200: DwellingPage, ERRORS: ErrorOut}, operation_id="dwelling_list",
            openapi_extra={"responses": {200: {"links": {"GetDwelling": {
                "operationId": "dwelling_get", "parameters": {"dwelling_id": "$response.body#/items/0/id"}}}}}})
def dwelling_list(request, filters: Query[DwellingFilters], page: Query[PageParams]):
    """The corporation's dwellings, in id order. Filters: `complex` (id), `status`, `external_id`."""
    rows = api_dwelling_list(request.user, complex_id=filters.complex, status=filters.status,
                             external_id=filters.external_id)
    items, next_link = cursor_page(request, rows, page)
    return {"items": items, "next": next_link}


@router.get("/dwellings/{dwelling_id}", response={200: DwellingOut, ERRORS: ErrorOut}, operation_id="dwelling_get")
def dwelling_get(request, dwelling_id: Id):
    return api_dwelling_get(request.user, dwelling_id)


class ImportCounts(Schema):
    new: int | None = None
    updated: int | None = None
    unchanged: int | None = None
    rows: int | None = None  # instead of the three for a sheet of special-category data the role may not read


class ImportOut(Schema):
    source: str
    written: bool
    dry_run: bool
    counts: dict[str, ImportCounts]
    warnings: list[str]


@router.post("/portfolio/imports", auth=needs("portfolio", WRITE), response={200: ImportOut, ERRORS: ErrorOut},
             operation_id="portfolio_import_create")
@idempotent
def portfolio_import_create(request, file: File[UploadedFile], dry_run: Query[bool] = False):
    """Import a stock file: the formats of the screen's import (.xlsx, .zip of CSV files, one CSV file).

    All or nothing: on any error nothing is written and the answer is 422 with every error in `errors`, each with
    `loc` = [file, row, column] (row and column null for a problem of the whole file or column). With
    `dry_run=true` the file is only checked. Send an `Idempotency-Key` to make a retry safe.
    """
    name = PurePath(file.name or "").name
    if not name:
        raise ApiError(400, _("Give the file a name (.xlsx, .zip or .csv)."), [(("body", "file"), _("no name"))])
    report, shown = api_portfolio_import(file=file, user=request.user, dry_run=dry_run)
    if not report.is_valid:
        errors = [((e.file, e.row, e.column), e.message) for e in report.errors]
        raise ApiError(422, _("%(source)s: %(errors)d error(s), nothing written.")
                       % {"source": report.source, "errors": report.error_count}, errors)
    return ImportOut(source=report.source, written=report.written, dry_run=report.dry_run, counts=shown,
                     warnings=report.warnings)
