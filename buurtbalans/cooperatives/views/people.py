"""The people of a cooperative: its contact persons, and the board members who use its portal."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from buurtbalans.cooperatives import selectors, services
from buurtbalans.cooperatives.forms import BoardMemberForm, ContactForm
from buurtbalans.cooperatives.views.common import form_view
from buurtbalans.core.permissions import Action


@require_http_methods(["GET", "POST"])
def contact_add(request, pk: int):
    cooperative = selectors.cooperative_get(request.user, pk)
    services.require_staff(request.user, cooperative, Action.MANAGE_COOPERATIVES)
    form = ContactForm(request.POST or None)
    return form_view(
        request,
        cooperative=cooperative,
        form=form,
        save=lambda: services.contact_add(
            actor=request.user, cooperative=cooperative, data={k: form.cleaned_data[k] for k in ContactForm.Meta.fields}
        ),
        saved=_("The contact has been added."),
        title=_("Add a contact"),
        submit=_("Add"),
    )


@require_POST
def contact_delete(request, pk: int):
    contact = selectors.contact_get(request.user, pk)
    services.contact_delete(actor=request.user, contact=contact)
    messages.success(request, _("The contact has been removed."))
    return redirect("cooperative_detail", pk=contact.cooperative_id)


@require_http_methods(["GET", "POST"])
def board_add(request, pk: int):
    cooperative = selectors.cooperative_get(request.user, pk)
    services.require_staff(request.user, cooperative, Action.MANAGE_COOPERATIVES)
    form = BoardMemberForm(request.POST or None, corporation=cooperative.corporation)
    return form_view(
        request,
        cooperative=cooperative,
        form=form,
        save=lambda: services.board_member_link(
            actor=request.user, cooperative=cooperative, user=form.cleaned_data["username"]
        ),
        saved=_("The board member can now use the portal of this cooperative."),
        title=_("Link a board member"),
        intro=_("A board member sees only this cooperative: its log, account, agreements and reviews."),
        submit=_("Link"),
    )


@require_POST
def board_remove(request, pk: int):
    link = selectors.board_member_get(request.user, pk)
    services.board_member_unlink(actor=request.user, link=link)
    messages.success(request, _("The board member has been unlinked."))
    return redirect("cooperative_detail", pk=link.cooperative_id)
