"""A cooperative's agreements and their measurable commitments."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from buurtbalans.cooperatives import selectors, services
from buurtbalans.cooperatives.forms import AgreementForm, CommitmentForm
from buurtbalans.cooperatives.views.common import form_view
from buurtbalans.core.permissions import Action


@require_http_methods(["GET", "POST"])
def agreement_add(request, pk: int):
    cooperative = selectors.cooperative_get(request.user, pk)
    services.require_staff(request.user, cooperative, Action.MANAGE_COOPERATIVES)
    form = AgreementForm(request.POST or None, cooperative=cooperative)
    return form_view(
        request,
        cooperative=cooperative,
        form=form,
        save=lambda: services.agreement_create(
            actor=request.user,
            cooperative=cooperative,
            data={k: form.cleaned_data[k] for k in AgreementForm.Meta.fields},
        ),
        saved=_("The agreement has been recorded. Now add its commitments."),
        # An agreement without commitments measures nothing: straight on to its first commitment.
        next_url=lambda agreement: reverse("cooperative_commitment_add", args=[agreement.pk]),
        title=_("Record an agreement"),
        intro=_("An agreement holds the measurable commitments of the cooperative."),
        submit=_("Record"),
    )


@require_http_methods(["GET", "POST"])
def commitment_add(request, pk: int):
    agreement = selectors.agreement_get(request.user, pk)
    return _commitment_form(request, agreement, None)


@require_http_methods(["GET", "POST"])
def commitment_edit(request, pk: int):
    commitment = selectors.commitment_get(request.user, pk)
    return _commitment_form(request, commitment.agreement, commitment)


def _commitment_form(request, agreement, commitment):
    cooperative = agreement.cooperative
    services.require_staff(request.user, cooperative, Action.MANAGE_COOPERATIVES)
    initial = {} if commitment else {"valid_from": agreement.valid_from, "valid_until": agreement.valid_until}
    form = CommitmentForm(request.POST or None, instance=commitment, initial=initial)
    title = _("Change a commitment") if commitment else _("Add a commitment to %(title)s") % {"title": agreement.title}
    return form_view(
        request,
        cooperative=cooperative,
        form=form,
        save=lambda: services.commitment_save(
            actor=request.user, agreement=agreement, data=form.data_for_service(), commitment=commitment
        ),
        saved=_("The commitment has been saved."),
        title=title,
        intro=_(
            "A commitment is measured against the activity log: activities, participants, "
            "participants from the buurt, or weeks with an opening."
        ),
        submit=_("Save"),
    )
