"""A cooperative's documents: the management agreement, the demarcation list, the co-optation right, and others."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from buurtbalans.cooperatives import selectors, services
from buurtbalans.cooperatives.forms import DocumentForm
from buurtbalans.cooperatives.views.common import file_response, form_view
from buurtbalans.core.permissions import Action


@require_http_methods(["GET", "POST"])
def document_add(request, pk: int):
    cooperative = selectors.cooperative_get(request.user, pk)
    services.require_staff(request.user, cooperative, Action.MANAGE_COOPERATIVES)
    form = DocumentForm(request.POST or None, request.FILES or None)
    return form_view(
        request,
        cooperative=cooperative,
        form=form,
        save=lambda: services.document_add(
            actor=request.user,
            cooperative=cooperative,
            data=form.data_for_service(),
            upload=form.cleaned_data.get("file"),
        ),
        saved=_("The document has been recorded."),
        title=_("Record a document"),
        intro=_(
            "The management agreement, the demarcation list, the co-optation right or another "
            "agreement. The file is optional: you can also record a paper original."
        ),
        submit=_("Record"),
        multipart=True,
    )


@require_GET
def document_file(request, pk: int):
    return file_response(selectors.document_get(request.user, pk))


@require_POST
def document_delete(request, pk: int):
    document = selectors.document_get(request.user, pk)
    services.document_delete(actor=request.user, document=document)
    messages.success(request, _("The document has been removed."))
    return redirect("cooperative_detail", pk=document.cooperative_id)
