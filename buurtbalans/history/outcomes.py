"""Outcomes per complex per year, for the evaluation of interventions (issue 16 item 4; docs/history.md).

Each helper answers for every complex of one corporation and every year asked, with a few grouped queries per year
(no query per complex), as {complex pk: {year: value}}. A value that cannot be computed (no households, no dwellings,
no income known) is left out of the year rather than given as 0, so the evaluation does not read a gap as a change.

    share_by_year(corporation, years, kind)       kind "V": households with a vulnerability marker of a kind that
        counts for concentration, valid on 1 January of the year / households living there on that day; kind "P":
        households in the primary income band in the year's income history (`income_bands_on`: their latest income
        year up to the year) and without such a marker / the same households. P is left out for a complex none of
        whose households has a known band that year. `share_counts_by_year` gives the counts behind each share
        (households counted, households there) for the small-cell rule.
    turnover_by_year(corporation, years)          tenancies that ended in the year / households on 1 January.
    signals_per_100_by_year(corporation, years)   signals and support needs reported in the year, per 100 of the
        complex's dwellings on 1 January that were not sold or demolished (the status history says which).
    owned_share_by_year(corporation, years)       dwellings the corporation owns / all the complex's dwellings (sold
        ones included, demolished ones not), as the year's ownership row says (`ownership_on`).

"Households living there on 1 January": households with a tenancy of one of the complex's dwellings running on that
day (a household renting two dwellings of the complex counts once). The complex of a dwelling is its current one.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from django.db.models import CharField, Count, OuterRef, Q, Subquery

from buurtbalans.history.models import HouseholdIncomeBand
from buurtbalans.history.selectors import dwelling_status_counts_on, ownership_on
from buurtbalans.households.models import Tenancy
from buurtbalans.households.selectors import active_marker_q, current_tenancy_q
from buurtbalans.liveability.models import Signal, SupportNeed
from buurtbalans.portfolio.composition import GONE, flag

KINDS = ("V", "P")


def _corporation_id(corporation) -> int:
    return corporation if isinstance(corporation, int) else corporation.pk


def _households_on(corporation_id: int, day: date):
    return Tenancy.objects.filter(current_tenancy_q(day), corporation_id=corporation_id,
                                  dwelling__complex__isnull=False)


def _groups(corporation_id: int, year: int) -> dict[int, dict[tuple[bool, str | None], int]]:
    """Per complex the households on 1 January of `year`, by (marked, band in the year's income history)."""
    day = date(year, 1, 1)
    band = Subquery(
        HouseholdIncomeBand.objects.filter(household_id=OuterRef("household_id"), year__lte=year)
        .order_by("-year").values("band")[:1],
        output_field=CharField(),
    )
    groups: dict[int, dict[tuple[bool, str | None], int]] = defaultdict(dict)
    for complex_id, marked, band_value, n in (
        _households_on(corporation_id, day)
        .annotate(marked=flag(active_marker_q("household_id", day)), band=band)
        .order_by().values_list("dwelling__complex_id", "marked", "band")
        .annotate(n=Count("household_id", distinct=True))
        .values_list("dwelling__complex_id", "marked", "band", "n")
    ):
        key = (bool(marked), band_value)
        groups[complex_id][key] = groups[complex_id].get(key, 0) + n
    return groups


def share_counts_by_year(corporation, years: Iterable[int], kind: str) -> dict[int, dict[int, tuple[int, int]]]:
    """Share V or P per complex per year as the counts behind it: (households counted, households there).

    The same households and the same gaps as `share_by_year`; a reader under the small-cell rule needs the count to
    know whether the share may be shown (`core.figures.Cell`).

    Raises:
        ValueError: a kind other than "V" or "P".
    """
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}, not {kind!r}")
    corporation_id = _corporation_id(corporation)
    result: dict[int, dict[int, tuple[int, int]]] = defaultdict(dict)
    for year in years:
        for complex_id, groups in _groups(corporation_id, year).items():
            households = sum(groups.values())
            if not households:
                continue
            if kind == "V":
                result[complex_id][year] = (sum(n for (marked, _b), n in groups.items() if marked), households)
            elif any(band not in (None, "unknown") for (_m, band) in groups):
                primary = sum(n for (marked, band), n in groups.items() if band == "primary" and not marked)
                result[complex_id][year] = (primary, households)
    return dict(result)


def share_by_year(corporation, years: Iterable[int], kind: str) -> dict[int, dict[int, float]]:
    """Share V or P of the households per complex per year (see the module).

    Raises:
        ValueError: a kind other than "V" or "P".
    """
    return {
        complex_id: {year: count / households for year, (count, households) in per_year.items()}
        for complex_id, per_year in share_counts_by_year(corporation, years, kind).items()
    }


def _household_counts(corporation_id: int, year: int) -> dict[int, int]:
    return dict(
        _households_on(corporation_id, date(year, 1, 1)).order_by().values_list("dwelling__complex_id")
        .annotate(n=Count("household_id", distinct=True)).values_list("dwelling__complex_id", "n")
    )


def turnover_by_year(corporation, years: Iterable[int]) -> dict[int, dict[int, float]]:
    """Tenancies ended in the year / households living in the complex on 1 January."""
    corporation_id = _corporation_id(corporation)
    result: dict[int, dict[int, float]] = defaultdict(dict)
    for year in years:
        households = _household_counts(corporation_id, year)
        ended = dict(
            Tenancy.objects.filter(corporation_id=corporation_id, end_date__year=year,
                                   dwelling__complex__isnull=False)
            .order_by().values_list("dwelling__complex_id").annotate(n=Count("pk"))
            .values_list("dwelling__complex_id", "n")
        )
        for complex_id, n in households.items():
            if n:
                result[complex_id][year] = ended.get(complex_id, 0) / n
    return dict(result)


def signals_per_100_by_year(corporation, years: Iterable[int]) -> dict[int, dict[int, float]]:
    """Signals and support needs reported in the year per 100 dwellings not sold or demolished on 1 January."""
    corporation_id = _corporation_id(corporation)
    result: dict[int, dict[int, float]] = defaultdict(dict)
    for year in years:
        dwellings = {
            complex_id: sum(n for status, n in counts.items() if status not in GONE)
            for complex_id, counts in dwelling_status_counts_on(corporation_id, date(year, 1, 1)).items()
        }
        signals: dict[int, int] = defaultdict(int)
        for model in (Signal, SupportNeed):
            for complex_id, n in (
                model.objects.filter(Q(reported_on__year=year), corporation_id=corporation_id)
                .order_by().values_list("complex_id").annotate(n=Count("pk")).values_list("complex_id", "n")
            ):
                signals[complex_id] += n
        for complex_id, n in dwellings.items():
            if n:
                result[complex_id][year] = 100 * signals.get(complex_id, 0) / n
    return dict(result)


def owned_share_by_year(corporation, years: Iterable[int]) -> dict[int, dict[int, float]]:
    """The corporation's owned share of each complex per year (its ownership history)."""
    corporation_id = _corporation_id(corporation)
    result: dict[int, dict[int, float]] = defaultdict(dict)
    for year in years:
        for complex_id, row in ownership_on(corporation_id, year).items():
            if row.owned_share is not None:
                result[complex_id][year] = row.owned_share
    return dict(result)
