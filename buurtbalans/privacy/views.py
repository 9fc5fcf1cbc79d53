"""The privacy officer's screens: find a household, download everything about it, erase what the law allows.

Views stay thin: the household page offers the two buttons; these views check the right, call the services in
`access` and `erasure`, and render. Every page here is for a signed-in user, so it is never stored by the browser
(privacy.middleware).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from buurtbalans.core.exports import Column, export_response, requested_format
from buurtbalans.core.permissions import Action, can, require
from buurtbalans.households.models import Household
from buurtbalans.households.selectors import household_get
from buurtbalans.privacy.access import subject_access_export
from buurtbalans.privacy.erasure import ErasureRefused, erasure_plan, household_erase
from buurtbalans.privacy.forms import HouseholdCodeForm
from buurtbalans.privacy.retention import RETENTION_KINDS, retention_terms


def _require_privacy_officer(user):
    if not (can(user, Action.EXPORT_SUBJECT_DATA) or can(user, Action.ERASE_HOUSEHOLD)):
        raise PermissionDenied


@require_http_methods(["GET"])
def privacy_home(request):
    """Find a household by its whole code (a request names it), and the retention terms in force."""
    user = request.user
    _require_privacy_officer(user)
    export_format = requested_format(request)
    if export_format:
        return export_response(export_format=export_format, name="retention-terms", columns=[
            Column(gettext_lazy("Data"), lambda r: str(r[0])),
            Column(gettext_lazy("Days"), lambda r: r[2]),
            Column(gettext_lazy("Counted from"), lambda r: str(r[1])),
        ], rows=_retention_rows())
    form = HouseholdCodeForm(request.GET or None)
    if form.is_valid():
        require(user, Action.VIEW_HOUSEHOLDS)
        household = (Household.objects.visible_to(user).filter(external_id=form.cleaned_data["code"].strip())
                     .values_list("pk", flat=True).first())
        if household is not None:
            return redirect("household_detail", pk=household)
        form.add_error("code", _("We have no household with this code."))
    return render(request, "privacy/home.html", {"nav": "privacy", "form": form, "retention_rows": _retention_rows()})


def _retention_rows() -> list[tuple]:
    """(what, counted from, days) for every kind of personal data with a term."""
    terms = retention_terms()
    rows = [(kind.label, kind.starts, terms[kind.key]) for kind in RETENTION_KINDS]
    # Uploaded import files have their own terms (core.uploads): removed at once after a written import.
    rows += [
        (_("Uploaded files that were checked but not imported"), _("after the upload"),
         settings.UPLOAD_RETENTION_UNCONFIRMED_DAYS),
        (_("Uploaded files with errors, or whose import stopped"), _("after the upload"),
         settings.UPLOAD_RETENTION_FAILED_DAYS),
    ]
    return rows


@require_POST
def household_access(request, pk: int):
    """Everything about the household as one .zip (JSON and PDF); the download is audited."""
    user = request.user
    require(user, Action.EXPORT_SUBJECT_DATA)
    household = household_get(user, pk, purpose=None)
    exported = subject_access_export(user=user, household=household)
    response = HttpResponse(exported.content, content_type=exported.content_type)
    response["Content-Disposition"] = f'attachment; filename="{exported.name}"'
    return response


@require_http_methods(["GET", "POST"])
def household_erase_view(request, pk: int):
    """GET: what will and will not be erased, or why not now. POST: erase, then back to the household's page."""
    user = request.user
    require(user, Action.ERASE_HOUSEHOLD)
    household = household_get(user, pk, purpose=None)
    if request.method == "POST":
        try:
            household_erase(user=user, household=household)
        except ErasureRefused:
            pass  # the page below says why
        else:
            messages.success(request, _("The household's personal data is erased, as far as the law allows."))
            return redirect("household_detail", pk=household.pk)
    plan = erasure_plan(household)
    status = 409 if request.method == "POST" else 200
    return render(request, "privacy/erase_confirm.html", {"nav": "privacy", "household": household, "plan": plan},
                  status=status)
