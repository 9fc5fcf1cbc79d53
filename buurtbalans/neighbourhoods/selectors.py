"""Reading public context data: municipalities, buurten and their figures (CBS, Leefbaarometer, municipal tables).

Public data belongs to no corporation and holds nothing personal, so these selectors do not narrow by corporation;
views still require a role that may see stock (`Action.VIEW_STOCK`) before showing it.

- `neighbourhood_list(*, municipality_code=None)`
- `neighbourhood_context(neighbourhood) -> dict`: the buurt page's public context (latest figure per indicator for
  the buurt, its wijk and its gemeente; Leefbaarometer 3.0 score and five dimensions per year; credit lines).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext

from buurtbalans.neighbourhoods.indicators import (
    DATASET_CREDITS,
    LEEFBAAROMETER,
    LEEFBAAROMETER_COLUMNS,
    ORDER,
    indicator_definition,
)
from buurtbalans.neighbourhoods.models import Neighbourhood, PublicIndicator

# The source the demo stores on the figures of its made-up town (`seed_demo`); shown in words. Demos made before
# this constant stored an English sentence starting with the second text.
DEMO_SOURCE = "buurtbalans-demo"
_OLD_DEMO_SOURCE = "synthetic demo data"


def source_display(source: str) -> str:
    """A figure's stored source as the reader reads it: the demo's made-up figures said so in words."""
    if source == DEMO_SOURCE or source.startswith(_OLD_DEMO_SOURCE):
        return gettext("made-up figures of the demo")
    return source


# Leefbaarometer key -> short name in neighbourhood_context()["leefbaarometer"] rows (lbm_won -> won).
_LBM_SHORT = {key: column for column, key in LEEFBAAROMETER_COLUMNS.items()}


@dataclass(frozen=True)
class IndicatorFact:
    """The latest figure of one indicator for one area, with what the UI needs to show it."""

    key: str
    label: Promise | str
    unit: Promise | str
    group: str
    dataset: str
    decimals: int
    value: float
    year: int
    source: str


def neighbourhood_list(*, municipality_code: str | None = None) -> QuerySet[Neighbourhood]:
    queryset = Neighbourhood.objects.select_related("district", "municipality")
    if municipality_code:
        queryset = queryset.filter(municipality__cbs_code=municipality_code)
    return queryset.order_by("cbs_code")


def _latest(rows) -> dict[str, IndicatorFact]:
    latest: dict[str, tuple] = {}
    for area_code, key, year, value, source, dataset in rows:
        if key not in latest or year > latest[key][2]:
            latest[key] = (area_code, key, year, value, source, dataset)
    facts = {}
    for key in sorted(latest, key=lambda k: (ORDER.get(k, len(ORDER)), k)):
        _area, _key, year, value, source, dataset = latest[key]
        definition = indicator_definition(key, dataset)
        facts[key] = IndicatorFact(
            key=key,
            label=definition.label,
            unit=definition.unit_label,
            group=definition.group,
            dataset=dataset or definition.dataset,
            decimals=definition.decimals,
            value=value,
            year=year,
            source=source_display(source),
        )
    return facts


def neighbourhood_context(neighbourhood: Neighbourhood) -> dict:
    """The public context of one buurt, for the buurt page.

    Returns:
        {
          "indicators": {key: IndicatorFact} latest figure per indicator of the buurt (Leefbaarometer excluded),
              in the order of neighbourhoods/indicators.py, then unknown keys alphabetically;
          "district_indicators", "municipality_indicators": the same for its wijk and gemeente (CBS KWB is often
              published for wijken only);
          "leefbaarometer": [{"year", "lbm", "afw", "won", "fys", "vrz", "soc", "onv"}] per year, oldest first
              (a dimension is None when the year has only the total);
          "leefbaarometer_latest": the last of those rows, or None;
          "credits": the source lines the licences ask for, one per dataset shown.
        }
    """
    codes = [neighbourhood.cbs_code]
    district_code = neighbourhood.district.cbs_code if neighbourhood.district_id else None
    municipality_code = neighbourhood.municipality.cbs_code if neighbourhood.municipality_id else None
    codes += [c for c in (district_code, municipality_code) if c]
    rows = list(
        PublicIndicator.objects.filter(area_code__in=codes).values_list(
            "area_code", "key", "year", "value", "source", "dataset"
        )
    )
    own = [r for r in rows if r[0] == neighbourhood.cbs_code]
    liveability: dict[int, dict] = {}
    for _area, key, year, value, _source, dataset in own:
        if key in _LBM_SHORT and (dataset == LEEFBAAROMETER or not dataset):
            row = liveability.setdefault(year, {"year": year, **{short: None for short in _LBM_SHORT.values()}})
            row[_LBM_SHORT[key]] = value
    series = [liveability[year] for year in sorted(liveability)]
    datasets = sorted({r[5] for r in rows if r[5]})
    return {
        "indicators": _latest(r for r in own if r[1] not in _LBM_SHORT),
        "district_indicators": _latest(r for r in rows if r[0] == district_code),
        "municipality_indicators": _latest(r for r in rows if r[0] == municipality_code),
        "leefbaarometer": series,
        "leefbaarometer_latest": series[-1] if series else None,
        "credits": [DATASET_CREDITS[d] for d in datasets if d in DATASET_CREDITS],
    }
