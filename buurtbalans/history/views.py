"""The steering power list (issue 16 item 2): complexes where the corporation's owned share fell under the threshold,
the owned share per buurt over the years, and a chart of all complexes together; every table as CSV or Excel.

Read with VIEW_MONITOR, the monitor's right (allocation officers, neighbourhood managers, policy analysts, the
administrator): ownership is stock data, counted per complex and buurt, with no household in it.
"""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from buurtbalans.core.exports import Column, export_response, requested_format
from buurtbalans.core.formatting import format_share
from buurtbalans.core.permissions import Action, actions_of, require
from buurtbalans.history.panels import association_text
from buurtbalans.history.selectors import (
    ownership_by_buurt,
    ownership_series,
    steering_power_list,
    steering_power_threshold,
)
from buurtbalans.liveability.charts import Series, line_chart


def _complex_columns() -> list[Column]:
    return [
        Column(gettext_lazy("Complex code"), lambda p: p.complex.external_id),
        Column(gettext_lazy("Complex"), lambda p: p.complex.name),
        Column(gettext_lazy("Buurt code"), lambda p: p.complex.neighbourhood.cbs_code if p.complex.neighbourhood
               else ""),
        Column(gettext_lazy("Buurt"), lambda p: p.complex.neighbourhood.name if p.complex.neighbourhood else ""),
        Column(gettext_lazy("Under the threshold since"), "under_since"),
        Column(gettext_lazy("Owned share now"), lambda p: _rounded(p.latest_share)),
        Column(gettext_lazy("Dwellings"), lambda p: p.latest.dwelling_count),
        Column(gettext_lazy("Sold"), lambda p: p.latest.sold_count),
        Column(gettext_lazy("Owners' association (VvE)"), lambda p: p.latest.has_owners_association),
        Column(gettext_lazy("Vitality score before"), lambda p: _rounded(p.score_before[1] if p.score_before
                                                                           else None, 1)),
        Column(gettext_lazy("Vitality score now"), lambda p: _rounded(p.score_latest[1] if p.score_latest
                                                                        else None, 1)),
    ]


def _rounded(value, places: int = 4):
    return None if value is None else round(value, places)


def _buurt_columns(years: list[int]) -> list[Column]:
    columns = [
        Column(gettext_lazy("Buurt code"), "code"),
        Column(gettext_lazy("Buurt"), lambda a: a.name or _("No buurt")),
        Column(gettext_lazy("Complexes"), "complexes"),
        Column(gettext_lazy("Complexes under the threshold"), "complexes_under"),
    ]
    for year in years:
        columns.append(Column(_("Owned share %(year)s") % {"year": year},
                              lambda a, year=year: _rounded(a.share(year))))
    return columns


@require_GET
def steering_power(request):
    """Complexes under the threshold, the buurten over the years, and the chart of all complexes together."""
    user = request.user
    require(user, Action.VIEW_MONITOR)
    threshold = steering_power_threshold()
    powers = steering_power_list(user)
    years, total, areas = ownership_by_buurt(user)
    export_format = requested_format(request)
    if export_format:
        table = request.GET.get("table") or "complexes"
        if table == "complexes":
            return export_response(export_format=export_format, name="steering-power-complexes",
                                   columns=_complex_columns(), rows=powers)
        if table == "buurten":
            return export_response(export_format=export_format, name="steering-power-buurten",
                                   columns=_buurt_columns(years), rows=areas)
        raise Http404
    title = _("Share of the dwellings the corporation owns, all our complexes")
    points = tuple((year, total.share(year)) for year in years if total.share(year) is not None)
    chart = line_chart([Series(title, points)], percent=True, decimals=0, norm=threshold, norm_label=_("Threshold"))
    under_per_year = _complexes_under_per_year(user, years, threshold)
    chart_table = [{"year": year, "cells": [format_share(total.share(year)), under_per_year.get(year, 0)]}
                   for year in years]
    for power in powers:
        power.association_text = association_text(power.latest.has_owners_association)
    return render(request, "history/steering_power.html", {
        "nav": "monitor",
        "section": "steering_power",
        "rights": {a.value for a in actions_of(user)},
        "threshold": threshold,
        "powers": powers,
        "years": years,
        "total": total,
        "areas": [{"area": a, "shares": [a.share(y) for y in years]} for a in areas],
        "chart": chart,
        "chart_title": title,
        "chart_series": [Series(title, points), Series(str(_("Complexes under the threshold")), ())],
        "chart_table": chart_table,
        "marker": None,
    })


def _complexes_under_per_year(user, years: list[int], threshold: float) -> dict[int, int]:
    membership = require(user, Action.VIEW_MONITOR)
    _years, series = ownership_series(membership.corporation_id)
    counts: dict[int, int] = {}
    for by_year in series.values():
        for year, row in by_year.items():
            if row.owned_share is not None and row.owned_share < threshold:
                counts[year] = counts.get(year, 0) + 1
    return counts
