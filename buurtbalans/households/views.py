"""The household page: size, income and tenancy history; vulnerability markers only on request, with a purpose."""

from __future__ import annotations

from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from buurtbalans.core.exports import Column, export_response, personal_data_export_record, requested_format
from buurtbalans.core.permissions import Action, can, require
from buurtbalans.households.forms import MarkerPurposeForm
from buurtbalans.households.selectors import (
    INCOME_BAND_LABELS,
    MARKER_PURPOSE_LABELS,
    household_band,
    household_get,
    income_band_limits,
    markers_for_household,
    tenancy_list_for_household,
)


def tenancy_columns() -> list[Column]:
    return [
        Column(_("Contract code"), "external_id"),
        Column(_("Dwelling code"), lambda t: t.dwelling.external_id),
        Column(_("Address"), lambda t: t.dwelling.address),
        Column(_("Complex"), lambda t: t.dwelling.complex.name if t.dwelling.complex else ""),
        Column(_("Start"), "start_date"),
        Column(_("End"), "end_date"),
        Column(_("Contract type"), lambda t: t.get_contract_type_display()),
        Column(_("Income at start (per year)"), "income_at_start"),
        Column(_("Rent at start (per month)"), "rent_at_start"),
    ]


def _household_context(request, household, **extra) -> dict:
    user = request.user
    today = timezone.localdate()
    limits = income_band_limits(today)
    band = household_band(household, limits.parameters)
    return {
        "nav": "overview",
        "household": household,
        "tenancies": list(tenancy_list_for_household(user, household)),
        "band": band,
        "band_label": INCOME_BAND_LABELS[band],
        "band_limits": limits,
        "may_read_markers": can(user, Action.VIEW_MARKERS),
        # The privacy officer's buttons (AVG art. 15 and 17): buurtbalans.privacy.
        "may_export_subject": can(user, Action.EXPORT_SUBJECT_DATA),
        "may_erase": can(user, Action.ERASE_HOUSEHOLD),
        **extra,
    }


@require_GET
def household_detail(request, pk: int):
    """Size, income and tenancy history of one household (roles with VIEW_HOUSEHOLDS); markers stay hidden."""
    user = request.user
    export_format = requested_format(request)
    household = household_get(user, pk, purpose="export" if export_format else "household_page")
    if export_format:
        tenancies = tenancy_list_for_household(user, household)
        personal_data_export_record(
            actor=user,
            corporation=household.corporation,
            subject_type="household",
            subject_ids=[household.external_id],
            what=f"tenancy history of household {household.external_id}",
            export_format=export_format,
            purpose="household_page",
        )
        return export_response(
            export_format=export_format,
            name=f"household-{household.external_id}-tenancies",
            columns=tenancy_columns(),
            rows=tenancies,
        )
    return render(request, "households/household_detail.html", _household_context(request, household))


@never_cache
@require_http_methods(["GET", "POST"])
def household_markers(request, pk: int):
    """Ask why the user needs the markers (GET), then show them and log the read (POST)."""
    user = request.user
    require(user, Action.VIEW_MARKERS)
    if request.method == "GET":
        household = household_get(user, pk, purpose=None)
        form = MarkerPurposeForm(user=user)
        return render(request, "households/marker_purpose.html", {"nav": "overview", "household": household,
                                                                     "form": form})
    form = MarkerPurposeForm(request.POST, user=user)
    if not form.is_valid():
        household = household_get(user, pk, purpose=None)
        return render(
            request, "households/marker_purpose.html", {"nav": "overview", "household": household, "form": form},
            status=400,
        )
    purpose = form.cleaned_data["purpose"]
    household = household_get(user, pk, purpose=purpose)
    markers = markers_for_household(user=user, household=household, purpose=purpose)
    context = _household_context(
        request, household, markers=markers, marker_purpose=MARKER_PURPOSE_LABELS.get(purpose, purpose)
    )
    return render(request, "households/household_detail.html", context)
