"""The trend of a cooperative's complexes next to comparable complexes without a cooperative.

Per calendar year, for the cooperative's complexes together and for the comparison group together:
- turnover: tenancies that ended in the year per 100 dwellings (mutatiegraad; a vital complex keeps its residents);
- lettings: tenancies that started in the year;
- share of those lettings to the lowest incomes (primary target group, income at the start against the limits of
  the letting's date, by the rules engine): a rising share signals the influx RIGO's tipping-point research warns
  of.

Comparable complexes (at most `MAX_COMPARABLE`): complexes of the same corporation that no cooperative held in the
years shown, first in the same buurt, then the same wijk, then the same municipality, then anywhere; among those
the nearest in size (dwellings). The rule used is shown with the figures.

With the liveability monitor (issue 6) installed and visible to the user, the vitality score per year (the
dwelling-weighted mean of the monitor's measurement of each complex) is added to both groups (`vitality_scores`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Count, Q

from buurtbalans.cooperatives.models import CooperativeComplex, HousingCooperative
from buurtbalans.core.permissions import Action, require
from buurtbalans.engine.rules import HouseholdFacts, IncomeBand, income_band
from buurtbalans.households.models import Tenancy
from buurtbalans.portfolio.models import Complex, Dwelling
from buurtbalans.rules.parameters import parameters_for

MAX_COMPARABLE = 30
YEARS = 5


@dataclass
class YearFigures:
    year: int
    dwellings: int = 0
    ended: int = 0
    lettings: int = 0
    lowest_income_lettings: int = 0
    lettings_with_band: int = 0
    vitality_score: float | None = None

    @property
    def turnover_per_100(self) -> float | None:
        return None if not self.dwellings else 100 * self.ended / self.dwellings

    @property
    def lowest_income_share(self) -> float | None:
        return None if not self.lettings_with_band else self.lowest_income_lettings / self.lettings_with_band


@dataclass
class Comparison:
    years: list[int]
    cooperative_complexes: list[Complex]
    comparable_complexes: list[Complex]
    rule: str  # "neighbourhood", "district", "municipality", "corporation" or "none"
    cooperative: list[YearFigures] = field(default_factory=list)
    comparable: list[YearFigures] = field(default_factory=list)
    has_vitality: bool = False

    @property
    def rows(self) -> list[tuple[YearFigures, YearFigures]]:
        return list(zip(self.cooperative, self.comparable, strict=True))


def _held_complex_ids(corporation_id: int, first: date, last: date) -> set[int]:
    return set(
        CooperativeComplex.objects.filter(cooperative__corporation_id=corporation_id, valid_from__lte=last)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=first))
        .values_list("complex_id", flat=True)
    )


def _comparable(
    cooperative_complexes: list[Complex], excluded: set[int], corporation_id: int
) -> tuple[list[Complex], str]:
    sizes = dict(
        Dwelling.objects.filter(complex__in=cooperative_complexes)
        .order_by()
        .values_list("complex_id")
        .annotate(n=Count("pk"))
        .values_list("complex_id", "n")
    )
    target_size = sum(sizes.values()) / max(len(cooperative_complexes), 1)
    candidates = (
        Complex.objects.filter(corporation_id=corporation_id)
        .exclude(pk__in=excluded)
        .annotate(size=Count("dwellings"))
        .filter(size__gt=0)
        .select_related("neighbourhood")
        .only(
            "id",
            "external_id",
            "name",
            "neighbourhood__cbs_code",
            "neighbourhood__district_id",
            "neighbourhood__municipality_id",
            "corporation_id",
        )
    )
    neighbourhoods = {c.neighbourhood_id for c in cooperative_complexes if c.neighbourhood_id}
    districts = {c.neighbourhood.district_id for c in cooperative_complexes if c.neighbourhood_id}
    municipalities = {c.neighbourhood.municipality_id for c in cooperative_complexes if c.neighbourhood_id}
    for rule, condition in (
        ("neighbourhood", Q(neighbourhood_id__in=neighbourhoods)),
        ("district", Q(neighbourhood__district_id__in=districts)),
        ("municipality", Q(neighbourhood__municipality_id__in=municipalities)),
        ("corporation", Q()),
    ):
        found = list(candidates.filter(condition))
        # Three complexes at least, or the group says more about one complex than about the kind of complex.
        if len(found) >= 3 or (rule == "corporation" and found):
            found.sort(key=lambda c: (abs(c.size - target_size), c.external_id))
            return sorted(found[:MAX_COMPARABLE], key=lambda c: c.external_id), rule
    return [], "none"


def _figures(complex_ids: list[int], years: list[int]) -> list[YearFigures]:
    by_year = {y: YearFigures(year=y) for y in years}
    dwellings = Dwelling.objects.filter(complex_id__in=complex_ids).count()
    first, last = date(years[0], 1, 1), date(years[-1], 12, 31)
    for end_date in Tenancy.objects.filter(
        dwelling__complex_id__in=complex_ids, end_date__gte=first, end_date__lte=last
    ).values_list("end_date", flat=True):
        by_year[end_date.year].ended += 1
    lettings = Tenancy.objects.filter(
        dwelling__complex_id__in=complex_ids, start_date__gte=first, start_date__lte=last
    ).values_list(
        "start_date",
        "income_at_start",
        "household_size_at_start",
        "is_pension_age_at_start",
        "household__assessed_income",
        "household__size",
        "household__is_pension_age_household",
    )
    params_by_date: dict[date, object] = {}
    for start, income, size, pension, current_income, current_size, current_pension in lettings:
        figures = by_year[start.year]
        figures.lettings += 1
        income = current_income if income is None else income
        if income is None:
            continue
        if start not in params_by_date:
            try:
                params_by_date[start] = parameters_for(start)
            except LookupError:
                params_by_date[start] = None
        params = params_by_date[start]
        if params is None:
            continue
        household = HouseholdFacts(
            household_size=max(int(size or current_size or 1), 1),
            assessed_income=max(Decimal(income), Decimal(0)),
            is_pension_age_household=bool(current_pension if pension is None else pension),
        )
        band = income_band(household, params).band
        if band is None:
            continue
        figures.lettings_with_band += 1
        figures.lowest_income_lettings += band is IncomeBand.PRIMARY
    for figures in by_year.values():
        figures.dwellings = dwellings
    return [by_year[y] for y in years]


def vitality_scores(user, complex_ids: list[int], years: list[int]) -> dict[int, float] | None:
    """The dwelling-weighted mean vitality score of these complexes per year, from the liveability monitor.

    Per complex the monitor's measurement of the year (31 December, or the latest one in that year) is taken, through
    the liveability app's own selector, so its rights apply (VIEW_MONITOR). None when the monitor is not installed,
    the user may not see it, or it has no scores for these complexes.
    """
    from django.apps import apps

    from buurtbalans.core.permissions import can

    if not complex_ids or not apps.is_installed("buurtbalans.liveability") or not can(user, Action.VIEW_MONITOR):
        return None
    from buurtbalans.liveability.selectors import complex_vitality_series

    weighted: dict[int, list[float]] = {year: [0.0, 0.0] for year in years}
    for complex_ in Complex.objects.filter(pk__in=complex_ids):
        by_year = {}
        for measurement in complex_vitality_series(user, complex_):  # oldest first: the year's last one wins
            by_year[measurement.reference_date.year] = measurement
        for year in years:
            measurement = by_year.get(year)
            if measurement is None or measurement.score is None:
                continue
            weight = max(measurement.dwelling_count, 1)
            weighted[year][0] += measurement.score * weight
            weighted[year][1] += weight
    scores = {year: total / weight for year, (total, weight) in weighted.items() if weight}
    return scores or None


def cooperative_comparison(user, cooperative: HousingCooperative, *, today: date) -> Comparison:
    """The comparison for one cooperative of the user's corporation (aggregates only: VIEW_AGGREGATES)."""
    membership = require(user, Action.VIEW_AGGREGATES)
    require(user, Action.VIEW_COOPERATIVES)
    years = list(range(today.year - YEARS, today.year))
    held_ids = list(
        CooperativeComplex.objects.filter(cooperative=cooperative).values_list("complex_id", flat=True).distinct()
    )
    complexes = list(
        Complex.objects.filter(pk__in=held_ids, corporation_id=membership.corporation_id)
        .select_related("neighbourhood")
        .order_by("external_id")
    )
    excluded = _held_complex_ids(membership.corporation_id, date(years[0], 1, 1), today)
    comparable, rule = _comparable(complexes, excluded, membership.corporation_id) if complexes else ([], "none")
    result = Comparison(years=years, cooperative_complexes=complexes, comparable_complexes=comparable, rule=rule)
    result.cooperative = _figures([c.pk for c in complexes], years)
    result.comparable = _figures([c.pk for c in comparable], years)
    for group, ids in (
        (result.cooperative, [c.pk for c in complexes]),
        (result.comparable, [c.pk for c in comparable]),
    ):
        scores = vitality_scores(user, ids, years)
        if scores:
            result.has_vitality = True
            for figures in group:
                figures.vitality_score = scores.get(figures.year)
    return result
