"""Co-optation: the cooperative chose the household of a letting; a candidate can be checked before the letting."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from buurtbalans.cooperatives import selectors, services
from buurtbalans.cooperatives.forms import CandidateCheckForm, CoOptationForm
from buurtbalans.cooperatives.letting_check import LettingFacts, letting_check
from buurtbalans.cooperatives.views.common import page_context, refused
from buurtbalans.core.permissions import Action, membership_of


@require_http_methods(["GET", "POST"])
def co_optation_add(request, pk: int):
    """Record a co-optation on a letting, and check a proposed candidate before a letting (nothing stored)."""
    user = request.user
    cooperative = selectors.cooperative_get(user, pk)
    services.require_staff(user, cooperative, Action.RECORD_CO_OPTATION)
    form = CoOptationForm(request.POST or None, corporation=cooperative.corporation)
    check_form = CandidateCheckForm(request.GET if "dwelling_code" in request.GET else None, cooperative=cooperative)
    candidate = _candidate_check(check_form)
    if request.method == "POST" and form.is_valid():
        try:
            recorded = services.co_optation_record(
                actor=user,
                cooperative=cooperative,
                tenancy=form.cleaned_data["contract_code"],
                decided_on=form.cleaned_data["decided_on"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            refused(form, exc)
        else:
            messages.success(
                request,
                _("The co-optation has been recorded as the selection method of letting %(code)s.")
                % {"code": recorded.tenancy.external_id},
            )
            return redirect("cooperative_detail", pk=cooperative.pk)
    membership = membership_of(user)
    return render(
        request,
        "cooperatives/co_optation.html",
        page_context(
            request,
            cooperative,
            form=form,
            check_form=check_form,
            candidate=candidate,
            corporation=membership.corporation,
        ),
        status=400 if form.errors else 200,
    )


def _candidate_check(check_form):
    """The letting check of a proposed candidate, when one was asked for; nothing of it is stored."""
    if not (check_form.is_bound and check_form.is_valid()):
        return None
    data = check_form.cleaned_data
    try:
        return letting_check(
            LettingFacts(
                letting_date=data["letting_date"],
                base_rent=data["dwelling"].base_rent,
                household_size=data["household_size"],
                assessed_income=data["assessed_income"],
                is_pension_age=data["is_pension_age"],
                assets=None,
                is_daeb_dwelling=data["dwelling"].is_daeb,
            )
        )
    except LookupError:
        check_form.add_error("letting_date", _("No legal parameters cover this date."))
        return None
