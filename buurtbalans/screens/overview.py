"""The stock overview (`/stock/`): stock by status, households, vacancy, and the composition per complex.

It was the home page until the work list took that place (issue 14 item 1, `screens.home`).
"""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from buurtbalans.core.exports import export_response, requested_format
from buurtbalans.core.figures import is_protected
from buurtbalans.core.permissions import Action, require
from buurtbalans.portfolio.models import DwellingStatus
from buurtbalans.portfolio.selectors import DEFAULT_COMPLEX_SORT, complex_composition_list, stock_summary
from buurtbalans.screens.composition import complex_columns, composition_cell, composition_context, composition_rows


@require_GET
def overview(request):
    """The corporation at a glance: stock by status, households, vacancy, and the composition per complex."""
    user = request.user
    require(user, Action.VIEW_AGGREGATES)  # other roles start from their work list (screens.home)
    today = timezone.localdate()
    export_format = requested_format(request)
    if export_format:
        sort = request.GET.get("sort") or DEFAULT_COMPLEX_SORT
        rows = list(complex_composition_list(user, reference_date=today, sort=sort))
        return export_response(export_format=export_format, name="complexes",
                               columns=complex_columns(is_protected(user)), rows=rows)
    summary = stock_summary(user, reference_date=today)
    protected = is_protected(user)
    statuses = [
        (status, label, summary.dwellings_by_status.get(status, 0)) for status, label in DwellingStatus.choices
    ]
    context = {
        "nav": "overview",
        "today": today,
        "summary": summary,
        "statuses": statuses,
        # The corporation's composition under the small-cell rule too: a small corporation has a few households.
        "composition_rows": composition_rows(summary.composition, protected),
        "marker_cell": composition_cell(summary.composition, "marker", protected),
        **composition_context(request, reference_date=today),
    }
    return render(request, "screens/overview.html", context)


