"""The cooperatives' complexes on a map (the liveability monitor's), for the corporation."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from buurtbalans.cooperatives import selectors
from buurtbalans.cooperatives.views.common import page_context
from buurtbalans.core.exports import Column, export_response, requested_format
from buurtbalans.core.permissions import Action, require


@require_GET
def cooperative_map(request):
    """The cooperatives' complexes on the liveability monitor's map of a municipality (issue 6), with a table."""
    from django.apps import apps

    user = request.user
    require(user, Action.VIEW_COOPERATIVES)
    require(user, Action.VIEW_MONITOR)
    if not apps.is_installed("buurtbalans.liveability"):
        raise Http404
    from buurtbalans.liveability.selectors import map_data

    rows = selectors.cooperative_map_rows(user, today=timezone.localdate())
    municipalities: dict[str, str] = {}
    for row in rows:
        buurt = row.link.complex.neighbourhood
        if buurt is not None:
            municipalities.setdefault(buurt.municipality.cbs_code, buurt.municipality.name)
    municipality = request.GET.get("municipality") or next(iter(sorted(municipalities)), None)
    if municipality is not None and municipality not in municipalities:
        raise Http404
    data = map_data(user, municipality_code=municipality, indicator="vitality") if municipality else None
    positions = {c["id"]: c for c in data["complexes"]} if data else {}
    table = []
    for row in rows:
        buurt = row.link.complex.neighbourhood
        position = positions.get(row.link.complex_id)
        table.append({
            "cooperative": row.cooperative.name, "cooperative_pk": row.cooperative.pk,
            "complex": row.link.complex.name, "complex_code": row.link.complex.external_id,
            "neighbourhood": buurt.name if buurt else "", "municipality": buurt.municipality.cbs_code if buurt else "",
            "arrangement": row.link.get_arrangement_display(),
            "x": position["x"] if position else None, "y": position["y"] if position else None,
        })
    export_format = requested_format(request)
    if export_format:
        columns = [Column(_("Cooperative"), "cooperative"), Column(_("Complex code"), "complex_code"),
                   Column(_("Complex"), "complex"), Column(_("Neighbourhood"), "neighbourhood"),
                   Column(_("Municipality"), "municipality"), Column(_("Arrangement"), "arrangement")]
        return export_response(export_format=export_format, name="cooperatives-map", columns=columns, rows=table)
    return render(request, "cooperatives/map.html", page_context(
        request, data=data, rows=table, municipalities=sorted(municipalities.items()), municipality=municipality,
        markers=[r for r in table if r["x"] is not None and r["municipality"] == municipality],
    ))
