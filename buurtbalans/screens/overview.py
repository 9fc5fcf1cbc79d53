"""The corporation overview (`/`): stock by status, households, vacancy, and the composition per complex.

Roles without the corporation-wide figures are sent to their own start screen.
"""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET

from buurtbalans.core.exports import export_response, requested_format
from buurtbalans.core.figures import is_protected
from buurtbalans.core.permissions import Action, can
from buurtbalans.portfolio.models import DwellingStatus
from buurtbalans.portfolio.selectors import DEFAULT_COMPLEX_SORT, complex_composition_list, stock_summary
from buurtbalans.screens.composition import complex_columns, composition_cell, composition_context, composition_rows


@require_GET
def overview(request):
    """The corporation at a glance: stock by status, households, vacancy, and the composition per complex."""
    user = request.user
    if not can(user, Action.VIEW_AGGREGATES):
        if can(user, Action.EXPORT_SUBJECT_DATA):  # the privacy officer starts from a household's request
            return redirect("privacy_home")
        if can(user, Action.VIEW_AUDIT):
            return redirect("audit_log")
        if can(user, Action.ASSESS_MOTIVATION):  # the motivation assessor's only work: scoring blind
            return redirect("allocation_assess_list")
        # Signed in, but none of the corporation-wide screens is for this role (e.g. a cooperative board, whose
        # portal comes with the cooperatives app): say so instead of a bare "forbidden".
        if can(user, Action.COOPERATIVE_PORTAL):  # cooperatives (issue 7): a board's home is its cooperative's portal
            return redirect("cooperative_portal")
        if can(user, Action.MANAGE_SHARED_PARAMETERS):  # the platform administrator's work: the legal parameters
            return redirect("rules_parameters")
        return render(request, "core/welcome.html", {"nav": "overview"})
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


