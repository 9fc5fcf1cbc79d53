"""The complex page: its dwellings, occupancy and composition, and a panel from every app that has something to
say about the complex (cooperatives, allocation, liveability, steering; see core.panels).
"""

from __future__ import annotations

from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from buurtbalans.allocation import selectors as allocation
from buurtbalans.cooperatives import selectors as cooperatives
from buurtbalans.core.exports import Column, export_response, personal_data_export_record, requested_format
from buurtbalans.core.figures import is_protected
from buurtbalans.core.pagination import paginate
from buurtbalans.core.permissions import Action, can
from buurtbalans.households.selectors import household_income_read_record, income_band_limits
from buurtbalans.liveability import selectors as liveability
from buurtbalans.portfolio.models import DwellingStatus
from buurtbalans.portfolio.selectors import (
    DEFAULT_DWELLING_SORT,
    complex_composition,
    complex_get,
    dwelling_list,
    dwelling_status_counts,
)
from buurtbalans.screens.composition import composition_cell, composition_rows
from buurtbalans.steering import selectors as steering

DWELLINGS_PER_PAGE = 50
# The apps' sections in the order the page shows them, between the composition and the dwellings.
PANEL_SOURCES = (cooperatives, allocation, liveability, steering)


def complex_panels(request, complex_, *, reference_date) -> list[str]:
    """Every app's section of the complex page, rendered; the sections the user may not see are left out."""
    page = {"complex": complex_, "today": reference_date}
    panels = (source.complex_panel(request.user, complex_, reference_date=reference_date) for source in PANEL_SOURCES)
    return [
        render_to_string(panel.template, {**page, **panel.context}, request=request)
        for panel in panels
        if panel is not None
    ]


def dwelling_columns(with_households: bool) -> list[Column]:
    columns = [
        Column(gettext_lazy("Dwelling code"), "external_id"),
        Column(gettext_lazy("Address"), "address"),
        Column(gettext_lazy("Postcode"), "postcode"),
        Column(gettext_lazy("Type"), lambda d: d.get_dwelling_type_display()),
        Column(gettext_lazy("Rooms"), "rooms"),
        Column(gettext_lazy("Base rent (per month)"), "base_rent"),
        Column(gettext_lazy("Status"), lambda d: d.get_status_display()),
        Column(gettext_lazy("Energy label"), "energy_label"),
    ]
    if with_households:
        columns += [
            Column(gettext_lazy("Household code"), "household_external_id"),
            Column(gettext_lazy("Household size"), "household_size"),
            Column(gettext_lazy("Assessed income (per year)"), "household_income"),
            Column(gettext_lazy("Income year"), "household_income_year"),
        ]
    return columns


@require_GET
def complex_detail(request, pk: int):
    """A complex: its dwellings, occupancy and composition; household columns only for roles that may see them."""
    user = request.user
    complex_ = complex_get(user, pk)
    today = timezone.localdate()
    with_households = can(user, Action.VIEW_HOUSEHOLDS)
    sort = request.GET.get("sort") or DEFAULT_DWELLING_SORT
    dwellings = dwelling_list(user, complex_, reference_date=today, with_households=with_households, sort=sort)

    export_format = requested_format(request)
    if export_format:
        if with_households:
            subject_ids = [i for i in dwellings.values_list("household_external_id", flat=True) if i]
            personal_data_export_record(
                actor=user,
                corporation=complex_.corporation,
                subject_type="complex",
                subject_ids=subject_ids,
                what=f"dwellings and households of complex {complex_.external_id}",
                export_format=export_format,
                purpose="complex_page",
                rows=len(subject_ids),
            )
        return export_response(
            export_format=export_format,
            name=f"complex-{complex_.external_id}",
            columns=dwelling_columns(with_households),
            rows=dwellings.iterator(chunk_size=500),
        )

    page = paginate(request, dwellings, per_page=DWELLINGS_PER_PAGE)
    if with_households:
        household_income_read_record(
            user=user,
            households=[d.household_external_id for d in page.object_list if d.household_external_id],
            purpose="complex_page",
            what=f"households of complex {complex_.external_id} (page {page.number})",
        )
    by_status = dwelling_status_counts(user, complex_)
    composition = complex_composition(user, complex_, reference_date=today) if can(user, Action.VIEW_AGGREGATES) else {}
    households = composition.get("household_count", 0)
    protected = is_protected(user)
    context = {
        "nav": "overview",
        "complex": complex_,
        "today": today,
        "page": page,
        "sort": sort,
        "with_households": with_households,
        "statuses": [(s, label, by_status.get(s, 0)) for s, label in DwellingStatus.choices],
        "dwelling_total": sum(by_status.values()),
        "composition": composition,
        # The small-cell rule of the overview and its download (screens.composition.composition_cell).
        "composition_rows": composition_rows(composition, protected) if composition else [],
        "marker_cell": composition_cell(composition, "marker", protected),
        "household_total": households,
        "band_limits": income_band_limits(today),
    }
    context["panels"] = complex_panels(request, complex_, reference_date=today)
    return render(request, "screens/complex_detail.html", context)
