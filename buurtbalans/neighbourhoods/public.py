"""A buurt's public figures (CBS, Leefbaarometer) as the buurt page shows them: rows, bars and exportable tables.

The same for every corporation: nothing here reads a corporation's own data.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from buurtbalans.core.exports import Column
from buurtbalans.neighbourhoods.indicators import GROUP_LABELS, LEEFBAAROMETER_3_NATIONAL_AVERAGE
from buurtbalans.neighbourhoods.selectors import neighbourhood_context

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
