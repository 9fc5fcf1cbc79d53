"""The complex table with its composition (households per income band, vulnerability markers), as the overview
and the buurt page show it and as their downloads write it, under the same small-cell rule.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from buurtbalans.core.exports import Column
from buurtbalans.core.figures import Cell, is_protected
from buurtbalans.core.pagination import paginate
from buurtbalans.households.selectors import (
    INCOME_BAND_LABELS,
    INCOME_BAND_SHORT_LABELS,
    INCOME_BANDS,
    income_band_limits,
)
from buurtbalans.portfolio.selectors import (
    DEFAULT_COMPLEX_SORT,
    complex_composition_list,
    complex_count,
    complex_order_list,
    is_plain_complex_sort,
)

COMPLEXES_PER_PAGE = 50


def complex_columns(protected: bool = False) -> list[Column]:
    """The complex composition table as exported (the same figures as on screen, with counts and shares).

    `protected`: the small-cell rule of the steering pages (`steering.reasons.Cell`) for users who may not read
    markers: a count of fewer than 5 households, and its share, is written as "< 5".
    """
    if protected:
        return _small_cell_complex_columns()
    columns = [
        Column(_("Complex code"), "external_id"),
        Column(_("Complex"), "name"),
        Column(_("Neighbourhood code"), "neighbourhood_code"),
        Column(_("Neighbourhood"), "neighbourhood_name"),
        Column(_("Dwellings"), "dwelling_count"),
        Column(_("Occupied"), "occupied_count"),
        Column(_("Vacant"), "vacant_count"),
        Column(_("Households"), "household_count"),
    ]
    for band in INCOME_BANDS:
        columns.append(Column(INCOME_BAND_LABELS[band], f"{band}_count"))
        columns.append(Column(_("%(band)s (share)") % {"band": INCOME_BAND_LABELS[band]}, _rounded(f"{band}_share")))
    columns.append(Column(_("Households with a vulnerability marker"), "marker_count"))
    columns.append(Column(_("Share with a vulnerability marker"), _rounded("marker_share")))
    return columns


def composition_cell(row, key: str, protected: bool) -> Cell:
    """A count of a composition (`key`: an income band or "marker") out of its households, as a `Cell`.

    `row` is a complex of `complex_composition_list` or the dict of `complex_composition`/`stock_summary`. The one
    place the overview, the buurt and the complex page (and their downloads) turn a composition into figures, so
    screen and download follow the same small-cell rule.
    """
    read = row.get if isinstance(row, dict) else (lambda name, default=None: getattr(row, name, default))
    return Cell(read(f"{key}_count", 0) or 0, read("household_count", 0) or 0, protected)


def composition_rows(row, protected: bool) -> list[tuple]:
    """[(band, label, Cell)] per income band, for the composition chart and its table (core/_composition_chart)."""
    return [(band, INCOME_BAND_LABELS[band], composition_cell(row, band, protected))
            for band in INCOME_BANDS]


def _small_cell_complex_columns() -> list[Column]:
    def cell(row, band: str) -> Cell:
        return composition_cell(row, band, True)

    columns = complex_columns()[:8]
    for band in INCOME_BANDS:
        columns.append(Column(INCOME_BAND_LABELS[band], lambda r, b=band: cell(r, b).export_count))
        columns.append(Column(_("%(band)s (share)") % {"band": INCOME_BAND_LABELS[band]},
                              lambda r, b=band: cell(r, b).export_share))
    columns.append(Column(_("Households with a vulnerability marker"), lambda r: cell(r, "marker").export_count))
    columns.append(Column(_("Share with a vulnerability marker"), lambda r: cell(r, "marker").export_share))
    return columns


def _rounded(attribute: str):
    def read(row):
        value = getattr(row, attribute, None)
        # Downloads write the figure unrounded, as a number (docs/ui.md, "Figures: one rounding rule").
        return value

    return read


def composition_context(request, *, reference_date, neighbourhood=None) -> dict:
    """The sorted, paginated complex table shared by the overview and the buurt page."""
    user = request.user
    sort = request.GET.get("sort") or DEFAULT_COMPLEX_SORT
    count = complex_count(user, neighbourhood=neighbourhood)
    if is_plain_complex_sort(sort):
        # Cut the page first, then aggregate only its complexes.
        ids = complex_order_list(user, neighbourhood=neighbourhood, sort=sort)
        page = paginate(request, ids, per_page=COMPLEXES_PER_PAGE, count=count)
        rows = complex_composition_list(user, reference_date=reference_date, neighbourhood=neighbourhood, sort=sort)
        by_pk = {row.pk: row for row in rows.filter(pk__in=page.object_list)}
        page.object_list = [by_pk[pk] for pk in page.object_list]
    else:
        # Sorting on a figure needs every complex's figures: one grouped query.
        rows = complex_composition_list(user, reference_date=reference_date, neighbourhood=neighbourhood, sort=sort)
        page = paginate(request, rows, per_page=COMPLEXES_PER_PAGE, count=count)
    # The small-cell rule, as in the download of the same table (complex_columns).
    protected = is_protected(user)
    for row in page.object_list:
        row.band_cells = [composition_cell(row, band, protected) for band in INCOME_BANDS]
        row.marker_cell = composition_cell(row, "marker", protected)
    return {
        "complex_page": page,
        "complex_small_cells": any(c.is_suppressed for row in page.object_list for c in (*row.band_cells,
                                                                                         row.marker_cell)),
        "sort": sort,
        "bands": [(band, INCOME_BAND_SHORT_LABELS[band], INCOME_BAND_LABELS[band]) for band in INCOME_BANDS],
        "band_limits": income_band_limits(reference_date),
    }


