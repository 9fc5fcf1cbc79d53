"""The indicator values of every complex of a corporation on one reference date, counted in the database.

Used by `services.vitality_refresh` (not by views: the screens read the stored `ComplexVitality` rows). Each measure
is one grouped query over the whole corporation, so a refresh of 100k dwellings costs a few queries per date, not
one per complex. Definitions (docs/monitor.md, "Indicators"):

- vulnerable_share: households with a vulnerability marker of a kind that counts for concentration, valid on the
  date / households living there on the date;
- primary_share: households in the primary target group (income band "primary" under that date's limits) /
  households; None when that year's limits are not known;
- signals_per_100: signals and support needs reported in the 12 months up to the date, per 100 dwellings;
- turnover_rate: tenancies that ended in the 12 months up to the date / dwellings;
- arrears_share: households in arrears on the complex's latest arrears date in the 12 months up to the date /
  households; None without arrears figures in that period;
- vacancy_days: mean days between the end of the previous tenancy and the start of the next, over the lettings in
  the 12 months up to the date (lettings without a previous tenancy, e.g. new builds, are left out); None without
  lettings;
- lbm and its five dimensions: the buurt's latest Leefbaarometer 3.0 figure up to the date's year.

"Dwellings" are the complex's dwellings that are not sold or demolished (their current status: the portfolio keeps
no status history). Households and their incomes are those of the tenancies running on the date; an income is the
household's assessed income as known now.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Max, OuterRef, Subquery

from buurtbalans.households.models import Tenancy
from buurtbalans.households.selectors import income_band_conditions, income_band_limits
from buurtbalans.liveability.indicators import LEEFBAAROMETER_KEYS
from buurtbalans.liveability.models import ArrearsRecord, Signal, SupportNeed
from buurtbalans.neighbourhoods.models import PublicIndicator
from buurtbalans.portfolio.composition import GONE as GONE
from buurtbalans.portfolio.composition import composition_by_complex
from buurtbalans.portfolio.models import Complex


@dataclass
class ComplexMeasure:
    complex_id: int
    dwelling_count: int = 0
    household_count: int = 0
    values: dict[str, float | None] = field(default_factory=dict)


def year_before(day: date) -> date:
    """The day one year earlier (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def _share(part: float | None, whole: int) -> float | None:
    if part is None or not whole:
        return None
    return part / whole


def measure_complexes(corporation_id: int, reference_date: date) -> dict[int, ComplexMeasure]:
    """Every complex's own indicator values on `reference_date` (the Leefbaarometer comes from `public_series`)."""
    start = year_before(reference_date)  # the 12 months are (start, reference_date]
    complexes = Complex.objects.filter(corporation_id=corporation_id)
    measures = {pk: ComplexMeasure(pk) for pk in complexes.values_list("pk", flat=True)}

    # Dwellings and households from the one composition count (`portfolio.composition`), as the overview shows them.
    # Without the year's income limits nobody can be placed in the primary band: unknown, not 0%.
    has_bands = income_band_conditions(income_band_limits(reference_date).parameters)["primary"] is not None
    for pk, composition in composition_by_complex(corporation_id, reference_date).items():
        measure = measures[pk]
        measure.dwelling_count = composition.lettable_count
        households = measure.household_count = composition.household_count
        measure.values["vulnerable_share"] = _share(composition.marker_count, households)
        measure.values["primary_share"] = _share(composition.band_count("primary"), households) if has_bands else None
    for measure in measures.values():  # a complex without dwellings has no households either
        measure.values.setdefault("vulnerable_share", None)
        measure.values.setdefault("primary_share", None)

    signals: dict[int, int] = defaultdict(int)
    for model in (Signal, SupportNeed):
        for complex_id, n in (
            model.objects.filter(corporation_id=corporation_id, reported_on__gt=start,
                                 reported_on__lte=reference_date)
            .order_by().values_list("complex_id").annotate(n=Count("pk")).values_list("complex_id", "n")
        ):
            signals[complex_id] += n

    ended = dict(
        Tenancy.objects.filter(corporation_id=corporation_id, end_date__gt=start, end_date__lte=reference_date,
                               dwelling__complex__isnull=False)
        .order_by().values_list("dwelling__complex_id").annotate(n=Count("pk")).values_list("dwelling__complex_id", "n")
    )

    arrears = _arrears_counts(corporation_id, start, reference_date)
    vacancy = _vacancy_days(corporation_id, start, reference_date)

    for pk, measure in measures.items():
        dwellings = measure.dwelling_count
        measure.values["signals_per_100"] = 100 * signals.get(pk, 0) / dwellings if dwellings else None
        measure.values["turnover_rate"] = _share(ended.get(pk, 0), dwellings)
        measure.values["arrears_share"] = _share(arrears.get(pk), measure.household_count)
        measure.values["vacancy_days"] = vacancy.get(pk)
    return measures


def _arrears_counts(corporation_id: int, start: date, end: date) -> dict[int, int]:
    """Households in arrears per complex on its latest arrears date in (start, end].

    A complex total (a record without a contract) on that date wins over per-contract records of the same date.
    """
    records = ArrearsRecord.objects.filter(corporation_id=corporation_id, reference_date__gt=start,
                                           reference_date__lte=end)
    latest = dict(
        records.order_by().values_list("complex_id").annotate(d=Max("reference_date")).values_list("complex_id", "d")
    )
    totals: dict[int, int] = {}
    per_contract: dict[int, int] = defaultdict(int)
    for complex_id, day, has_tenancy, households in (
        records.order_by().values_list("complex_id", "reference_date", "tenancy_id", "households_in_arrears")
    ):
        if latest.get(complex_id) != day:
            continue
        if has_tenancy is None:
            totals[complex_id] = households
        else:
            per_contract[complex_id] += households
    return {complex_id: totals.get(complex_id, per_contract.get(complex_id, 0)) for complex_id in latest}


def _vacancy_days(corporation_id: int, start: date, end: date) -> dict[int, float]:
    """Mean days empty before the lettings in (start, end], per complex."""
    previous_end = (
        Tenancy.objects.filter(dwelling_id=OuterRef("dwelling_id"), end_date__isnull=False,
                               end_date__lt=OuterRef("start_date"))
        .order_by("-end_date").values("end_date")[:1]
    )
    lettings = (
        Tenancy.objects.filter(corporation_id=corporation_id, start_date__gt=start, start_date__lte=end,
                               dwelling__complex__isnull=False)
        .annotate(previous_end=Subquery(previous_end))
        .filter(previous_end__isnull=False)
        .order_by()
        .values_list("dwelling__complex_id", "start_date", "previous_end")
    )
    days: dict[int, list[int]] = defaultdict(list)
    for complex_id, start_date, previous in lettings:
        # A tenancy ending on the 31st and the next starting on the 1st: no day empty.
        days[complex_id].append(max(0, (start_date - previous).days - 1))
    return {complex_id: sum(gaps) / len(gaps) for complex_id, gaps in days.items()}


def public_series(area_codes) -> dict[str, dict[str, list[tuple[int, float]]]]:
    """Per buurt code, per Leefbaarometer key, its (year, value) series, oldest first."""
    series: dict[str, dict[str, list[tuple[int, float]]]] = defaultdict(lambda: defaultdict(list))
    for code, key, year, value in (
        PublicIndicator.objects.filter(area_code__in=list(area_codes), key__in=LEEFBAAROMETER_KEYS)
        .order_by("area_code", "key", "year").values_list("area_code", "key", "year", "value")
    ):
        series[code][key].append((year, value))
    return series


def latest_up_to(series: list[tuple[int, float]], year: int) -> float | None:
    known = [value for y, value in series if y <= year]
    return known[-1] if known else None
