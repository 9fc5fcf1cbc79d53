"""The corporation's registry of cooperatives: the list, a cooperative's page (also the board's portal), its entry
and its stock of complexes."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from buurtbalans.cooperatives import selectors, services
from buurtbalans.cooperatives.forms import ComplexLinkForm, CooperativeForm
from buurtbalans.cooperatives.models import cooperative_scope
from buurtbalans.cooperatives.tables import (
    commitment_year_columns,
    complex_link_columns,
    contact_columns,
    cooperative_columns,
    document_columns,
    escalation_columns,
    review_columns,
)
from buurtbalans.cooperatives.views.common import detail_url, form_view, page_context, requested_year
from buurtbalans.core.exports import export_response, requested_format
from buurtbalans.core.permissions import Action, can, require


@require_GET
def cooperative_list(request):
    """The corporation's cooperatives (staff); a board member goes to their own portal."""
    scope = cooperative_scope(request.user)
    if scope is not None and scope.is_board:
        return redirect("cooperative_portal")
    cooperatives = selectors.cooperative_list(request.user)
    export_format = requested_format(request)
    if export_format:
        return export_response(
            export_format=export_format, name="cooperatives", columns=cooperative_columns(), rows=list(cooperatives)
        )
    return render(
        request,
        "cooperatives/cooperative_list.html",
        page_context(
            request, cooperatives=list(cooperatives), may_manage=can(request.user, Action.MANAGE_COOPERATIVES)
        ),
    )


@require_http_methods(["GET", "POST"])
def cooperative_new(request):
    require(request.user, Action.MANAGE_COOPERATIVES)
    form = CooperativeForm(request.POST or None)
    return form_view(
        request,
        cooperative=None,
        form=form,
        save=lambda: services.cooperative_create(actor=request.user, data=form.cleaned_data),
        saved=_("The cooperative has been registered."),
        next_url=detail_url,
        title=_("Register a housing cooperative"),
        submit=_("Register"),
        back=reverse("cooperative_list"),
    )


@require_GET
def cooperative_portal(request):
    """The board's home: their own cooperative. Staff go to the list."""
    scope = cooperative_scope(request.user)
    if scope is not None and not scope.is_board:
        return redirect("cooperative_list")
    cooperative = selectors.board_cooperative_get(request.user)
    if cooperative is None:
        require(request.user, Action.COOPERATIVE_PORTAL)
        return render(request, "cooperatives/portal_unlinked.html", page_context(request))
    return _detail(request, cooperative)


@require_GET
def cooperative_detail(request, pk: int):
    cooperative = selectors.cooperative_get(request.user, pk)
    return _detail(request, cooperative)


def _detail(request, cooperative):
    user = request.user
    today = timezone.localdate()
    year = requested_year(request, today.year)
    figures = selectors.cooperative_year_figures(user, cooperative, year, today=today)
    links = selectors.complex_link_list(user, cooperative)
    contacts = selectors.contact_list(user, cooperative)
    documents = selectors.document_list(user, cooperative)
    reviews = selectors.review_list(user, cooperative)
    escalations = selectors.escalation_list(user, cooperative)
    export_format = requested_format(request)
    if export_format:
        table = request.GET.get("table") or "commitments"
        tables = {
            "commitments": (commitment_year_columns(), figures),
            "complexes": (complex_link_columns(), links),
            "contacts": (contact_columns(), contacts),
            "documents": (document_columns(), documents),
            "reviews": (review_columns(), reviews),
            "escalations": (escalation_columns(), escalations),
        }
        if table not in tables:
            raise Http404
        columns, rows = tables[table]
        return export_response(
            export_format=export_format, name=f"{cooperative.name}-{table}-{year}", columns=columns, rows=rows
        )
    context = page_context(
        request,
        cooperative,
        today=today,
        year=year,
        years=selectors.activity_years(user, cooperative, today),
        figures=figures,
        links=links,
        contacts=contacts,
        documents=documents,
        agreements=selectors.agreement_list(user, cooperative),
        reviews=reviews[:20],
        escalations=escalations,
        board_members=selectors.board_member_list(user, cooperative) if can(user, Action.MANAGE_COOPERATIVES) else [],
        accounts=selectors.account_list(user, cooperative),
        recent_activities=list(selectors.activity_list(user, cooperative)[:5]),
        co_optations=selectors.co_optation_list(user, cooperative) if can(user, Action.RECORD_CO_OPTATION) else [],
        with_check_reasons=can(user, Action.VIEW_HOUSEHOLDS),
    )
    return render(request, "cooperatives/cooperative_detail.html", context)


@require_http_methods(["GET", "POST"])
def cooperative_edit(request, pk: int):
    cooperative = selectors.cooperative_get(request.user, pk)
    services.require_staff(request.user, cooperative, Action.MANAGE_COOPERATIVES)
    form = CooperativeForm(request.POST or None, instance=cooperative)
    return form_view(
        request,
        cooperative=cooperative,
        form=form,
        save=lambda: services.cooperative_update(actor=request.user, cooperative=cooperative, data=form.cleaned_data),
        saved=_("The changes have been saved."),
        title=_("Change %(name)s") % {"name": cooperative.name},
        submit=_("Save"),
    )


@require_http_methods(["GET", "POST"])
def complex_add(request, pk: int):
    cooperative = selectors.cooperative_get(request.user, pk)
    services.require_staff(request.user, cooperative, Action.MANAGE_COOPERATIVES)
    form = ComplexLinkForm(request.POST or None, corporation=cooperative.corporation)

    def save():
        data = form.cleaned_data
        return services.cooperative_complex_add(
            actor=request.user,
            cooperative=cooperative,
            complex_=data["complex_code"],
            arrangement=data["arrangement"],
            valid_from=data["valid_from"],
            valid_until=data.get("valid_until"),
            dwellings=data["dwellings"],
        )

    return form_view(
        request,
        cooperative=cooperative,
        form=form,
        save=save,
        saved=_("The complex has been added."),
        title=_("Add a complex"),
        intro=_("The complex, or some of its dwellings, that the cooperative rents, manages or owns."),
        submit=_("Add"),
    )


@require_POST
def complex_remove(request, pk: int):
    link = selectors.complex_link_get(request.user, pk)
    services.cooperative_complex_remove(actor=request.user, link=link)
    messages.success(request, _("The complex has been removed from the cooperative."))
    return redirect("cooperative_detail", pk=link.cooperative_id)
