"""Buurt screens: the neighbourhoods with our stock, and one buurt's public context with our complexes in it."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from buurtbalans.core.exports import Column, export_response, requested_format
from buurtbalans.core.figures import is_protected
from buurtbalans.core.permissions import Action, can, require
from buurtbalans.core.views import complex_columns, composition_context, paginate
from buurtbalans.neighbourhoods.indicators import GROUP_LABELS, LEEFBAAROMETER_3_NATIONAL_AVERAGE
from buurtbalans.neighbourhoods.models import Neighbourhood
from buurtbalans.neighbourhoods.selectors import neighbourhood_context
from buurtbalans.portfolio.selectors import (
    DEFAULT_COMPLEX_SORT,
    complex_composition_list,
    neighbourhood_list_with_stock,
)

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
    return render(request, "neighbourhoods/neighbourhood_list.html", {"nav": "neighbourhoods", "page": page})


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
    return render(request, "neighbourhoods/neighbourhood_detail.html", context)


LEEFBAAROMETER_DIMENSIONS = (
    ("won", _("Dwellings"), _("the homes themselves: size, type and age")),
    ("fys", _("Physical environment"), _("green, water, noise and air")),
    ("vrz", _("Amenities"), _("shops, schools, doctors and public transport nearby")),
    ("soc", _("Social cohesion"), _("how people live together and how often they move")),
    ("onv", _("Nuisance and insecurity"), _("crime, nuisance and feeling safe")),
)


def indicator_columns() -> list[Column]:
    return [
        Column(_("Group"), "group_label"),
        Column(_("Indicator"), "label"),
        Column(_("Key"), "key"),
        Column(_("Value"), "value"),
        Column(_("Unit"), "unit"),
        Column(_("Year"), "year"),
        Column(_("Source"), "source"),
    ]


def leefbaarometer_columns() -> list[Column]:
    return [
        Column(_("Year"), "year"),
        Column(_("Leefbaarometer score"), "lbm"),
        Column(_("Deviation from the Dutch average"), "afw"),
        *[Column(label, key) for key, label, _text in LEEFBAAROMETER_DIMENSIONS],
    ]


def dimension_bars(row: dict | None, width: int = 400, bar_height: int = 28) -> list[dict]:
    """Diverging bars around zero for the five Leefbaarometer dimensions of one year (SVG units)."""
    if not row:
        return []
    values = [row.get(key) for key, _label, _text in LEEFBAAROMETER_DIMENSIONS]
    scale = max([abs(v) for v in values if v is not None] + [0.05])
    middle = width / 2
    bars = []
    for index, ((key, label, text), value) in enumerate(zip(LEEFBAAROMETER_DIMENSIONS, values, strict=True)):
        length = 0 if value is None else (middle - 10) * abs(value) / scale
        bars.append({
            "key": key,
            "label": label,
            "text": text,
            "value": value,
            "is_positive": value is not None and value >= 0,
            "x": round(middle if value is None or value >= 0 else middle - length, 2),
            "width": round(length, 2),
            "y": index * (bar_height + 8) + 4,
            "text_y": index * (bar_height + 8) + 4 + bar_height / 2 + 4,
        })
    return bars


def _fact_rows(facts: dict) -> list[dict]:
    """IndicatorFacts as rows with their group's label, in the catalogue's order (grouped for the table)."""
    rows = [
        {
            "key": f.key, "label": f.label, "unit": f.unit, "value": f.value, "year": f.year, "source": f.source,
            "decimals": f.decimals, "group": f.group, "group_label": GROUP_LABELS.get(f.group, f.group),
        }
        for f in facts.values()
    ]
    # Stable sort: the catalogue order stays within each group, groups appear where they first occur.
    first_seen: dict[str, int] = {}
    for index, row in enumerate(rows):
        first_seen.setdefault(row["group"], index)
    return sorted(rows, key=lambda r: first_seen[r["group"]])


def public_context(neighbourhood) -> dict:
    """The public figures of the buurt, as rows for the page and as exportable tables."""
    data = neighbourhood_context(neighbourhood)
    indicators = _fact_rows(data["indicators"])
    district_indicators = _fact_rows(data["district_indicators"])
    municipality_indicators = _fact_rows(data["municipality_indicators"])
    latest = data["leefbaarometer_latest"]
    weakest = None
    if latest:
        known = [(latest.get(key), label) for key, label, _text in LEEFBAAROMETER_DIMENSIONS
                 if latest.get(key) is not None]
        if known:
            weakest = min(known, key=lambda pair: pair[0])
    return {
        "public": data,
        "indicators": indicators,
        "district_indicators": district_indicators,
        "municipality_indicators": municipality_indicators,
        "leefbaarometer": data["leefbaarometer"],
        "leefbaarometer_latest": latest,
        "leefbaarometer_weakest": weakest,
        "leefbaarometer_dimensions": LEEFBAAROMETER_DIMENSIONS,
        "leefbaarometer_bars": dimension_bars(latest),
        "national_average": LEEFBAAROMETER_3_NATIONAL_AVERAGE,
        "credits": data["credits"],
        "tables": {
            "indicators": (indicator_columns(), indicators),
            "district-indicators": (indicator_columns(), district_indicators),
            "municipality-indicators": (indicator_columns(), municipality_indicators),
            "leefbaarometer": (leefbaarometer_columns(), data["leefbaarometer"]),
        },
    }
