"""The household page: size, income and tenancy history; vulnerability markers only on request, with a purpose.

Also the administrator's list of kinds of marker (`/settings/marker-kinds/`): the defaults, read-only, and the
corporation's own, which it adds, renames, switches off or deletes; counts only, never who has a marker.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from buurtbalans.core.exports import Column, export_response, personal_data_export_record, requested_format
from buurtbalans.core.permissions import Action, can, require
from buurtbalans.households import services
from buurtbalans.households.forms import (
    MarkerKindConcentrationForm,
    MarkerKindCreateForm,
    MarkerKindLabelForm,
    MarkerPurposeForm,
)
from buurtbalans.households.selectors import (
    INCOME_BAND_LABELS,
    MARKER_PURPOSE_LABELS,
    household_band,
    household_get,
    income_band_limits,
    marker_kind_get,
    marker_kind_list,
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


def _set_by(row) -> str:
    return gettext("Buurtbalans (default)") if row.is_default else gettext("Your corporation")


def marker_kind_columns() -> list[Column]:
    return [
        Column(_("Code"), lambda r: r.kind.code),
        Column(_("Name"), lambda r: r.kind.label),
        Column(_("Set by"), _set_by),
        Column(_("In use"), lambda r: gettext("yes") if r.kind.is_active else gettext("no")),
        Column(_("Households with this marker today"), lambda r: r.households.export_count),
        Column(_("Counts for concentration"),
               lambda r: gettext("yes") if r.kind.counts_for_concentration else gettext("no")),
        Column(_("Reason"), lambda r: r.kind.concentration_reason),
    ]


@require_http_methods(["GET", "POST"])
def marker_kinds(request):
    """The kinds of marker of the administrator's corporation, with counts; the form to add one of its own."""
    user = request.user
    require(user, Action.MANAGE_MARKER_KINDS)
    form = MarkerKindCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            kind = services.marker_kind_create(actor=user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, gettext("Kind “%(label)s” is added and in use.") % {"label": kind.label})
            return redirect("marker_kind_list")
    rows = marker_kind_list(user, reference_date=timezone.localdate())
    export_format = requested_format(request) if request.method == "GET" else None
    if export_format:
        # Kinds and counts under the small-cell rule: no personal data, so no export event.
        return export_response(export_format=export_format, name="marker-kinds", columns=marker_kind_columns(),
                               rows=rows)
    context = {
        "nav": "marker_kinds",
        "defaults": [r for r in rows if r.is_default],
        "own": [r for r in rows if not r.is_default],
        "form": form,
        "today": timezone.localdate(),
    }
    return render(request, "households/marker_kind_list.html", context, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
def marker_kind_detail(request, pk: int):
    """One kind: rename, switch on or off, set whether it counts for concentration (with the reason), or delete
    it (own kinds); a default kind is shown read-only. The name and the concentration setting are two forms on
    the page, told apart by the posted `form` ("label" or "concentration")."""
    user = request.user
    kind = marker_kind_get(user, pk)
    row = next(r for r in marker_kind_list(user, reference_date=timezone.localdate()) if r.kind.pk == kind.pk)
    posted = request.POST.get("form", "label") if request.method == "POST" else None
    form = MarkerKindLabelForm(request.POST if posted == "label" else None, initial={"label": kind.label})
    concentration_form = MarkerKindConcentrationForm(
        request.POST if posted == "concentration" else None,
        initial={"counts_for_concentration": kind.counts_for_concentration, "reason": kind.concentration_reason},
    )
    bound = form if posted == "label" else concentration_form
    if posted is not None and bound.is_valid():
        try:
            if posted == "label":
                services.marker_kind_label_set(actor=user, kind=kind, label=form.cleaned_data["label"])
                message = gettext("The new name is saved.")
            else:
                services.marker_kind_concentration_set(actor=user, kind=kind, **concentration_form.cleaned_data)
                message = gettext("Whether this kind counts for the concentration is saved.")
        except ValidationError as error:
            bound.add_error(None, error)
        else:
            messages.success(request, message)
            return redirect("marker_kind_detail", pk=kind.pk)
    context = {"nav": "marker_kinds", "row": row, "kind": kind, "form": form,
               "concentration_form": concentration_form, "today": timezone.localdate()}
    status = 400 if form.errors or concentration_form.errors else 200
    return render(request, "households/marker_kind_detail.html", context, status=status)


@require_POST
def marker_kind_active(request, pk: int):
    """Switch one of the corporation's own kinds on (is_active=1) or off."""
    user = request.user
    kind = marker_kind_get(user, pk)
    is_active = request.POST.get("is_active") == "1"
    try:
        services.marker_kind_active_set(actor=user, kind=kind, is_active=is_active)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        if is_active:
            message = gettext("Kind “%(label)s” is switched on.")
        else:
            message = gettext("Kind “%(label)s” is switched off. Its markers stay; imports refuse new ones.")
        messages.success(request, message % {"label": kind.label})
    return redirect("marker_kind_detail", pk=kind.pk)


@require_POST
def marker_kind_delete(request, pk: int):
    """Delete one of the corporation's own kinds that no marker has or had."""
    user = request.user
    kind = marker_kind_get(user, pk)
    try:
        services.marker_kind_delete(actor=user, kind=kind)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("marker_kind_detail", pk=kind.pk)
    messages.success(request, gettext("Kind “%(label)s” is deleted.") % {"label": kind.label})
    return redirect("marker_kind_list")
