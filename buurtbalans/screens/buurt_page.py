"""The buurt pages: the neighbourhoods with our stock, and one buurt's public context with our complexes in it."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from buurtbalans.core.exports import Column, export_response, requested_format
from buurtbalans.core.figures import is_protected
from buurtbalans.core.pagination import paginate
from buurtbalans.core.permissions import Action, can, require
from buurtbalans.neighbourhoods.models import Neighbourhood
from buurtbalans.neighbourhoods.public import public_context
from buurtbalans.portfolio.selectors import (
    DEFAULT_COMPLEX_SORT,
    complex_composition_list,
    neighbourhood_list_with_stock,
)
from buurtbalans.screens.composition import complex_columns, composition_context

NEIGHBOURHOODS_PER_PAGE = 100


def neighbourhood_columns() -> list[Column]:
    return [
        Column(_("Neighbourhood"), "name"),
        Column(_("CBS code"), "cbs_code"),
        Column(_("District"), lambda n: n.district.name),
        Column(_("Municipality"), lambda n: n.municipality.name),
        Column(_("Complexes"), "complex_count"),
        Column(_("Dwellings"), "dwelling_count"),
    ]


@require_GET
def neighbourhood_list(request):
    """The buurten where the corporation has complexes."""
    neighbourhoods = neighbourhood_list_with_stock(request.user)
    export_format = requested_format(request)
    if export_format:
        return export_response(
            export_format=export_format, name="neighbourhoods", columns=neighbourhood_columns(), rows=neighbourhoods
        )
    page = paginate(request, neighbourhoods, per_page=NEIGHBOURHOODS_PER_PAGE)
    return render(request, "screens/neighbourhood_list.html", {"nav": "neighbourhoods", "page": page})


@require_GET
def neighbourhood_detail(request, cbs_code: str):
    """One buurt: its public context (CBS, Leefbaarometer) and the corporation's complexes in it.

    The public figures are the same for every corporation; the complex table shows only the user's own.
    """
    user = request.user
    require(user, Action.VIEW_STOCK)
    neighbourhood = get_object_or_404(
        Neighbourhood.objects.select_related("district", "municipality"), cbs_code=cbs_code.upper()
    )
    today = timezone.localdate()
    with_complexes = can(user, Action.VIEW_AGGREGATES)
    public = public_context(neighbourhood)

    export_format = requested_format(request)
    if export_format:
        table = request.GET.get("table") or "complexes"
        if table == "complexes" and with_complexes:
            sort = request.GET.get("sort") or DEFAULT_COMPLEX_SORT
            rows = list(complex_composition_list(user, reference_date=today, neighbourhood=neighbourhood, sort=sort))
            name = f"{neighbourhood.cbs_code}-complexes"
            return export_response(export_format=export_format, name=name,
                                   columns=complex_columns(is_protected(user)), rows=rows)
        if table in public["tables"]:
            columns, rows = public["tables"][table]
            return export_response(
                export_format=export_format, name=f"{neighbourhood.cbs_code}-{table}", columns=columns, rows=rows
            )
        raise Http404("unknown table")

    context = {"nav": "neighbourhoods", "neighbourhood": neighbourhood, "today": today, **public}
    if with_complexes:
        context.update(composition_context(request, reference_date=today, neighbourhood=neighbourhood))
    context["with_complexes"] = with_complexes
    return render(request, "screens/neighbourhood_detail.html", context)
