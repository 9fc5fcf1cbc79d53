"""Reading the history "as on date D" (issue 16 item 1) and the steering power left per complex (item 2).

One selector per kind, each scoped to one corporation (a HousingCorporation or its id: rows of another corporation are
never read) and answering for all its complexes, dwellings or households at once in one or two grouped queries:

    dwelling_status_on(corporation, day) -> {dwelling pk: status}
        the status in the period that holds `day` (valid_from <= day < valid_to); dwellings with no period then
        (added later) are left out
    dwelling_status_counts_on(corporation, day) -> {complex pk: {status: n}}
    income_bands_on(corporation, year) -> {household pk: band}
        the band of the latest income year up to `year` ("primary", "secondary", "middle", "high", "unknown")
    ownership_on(corporation, year) -> {complex pk: ComplexOwnership}
        the row of the latest year up to `year` (a year without an import keeps what the last one said)
    vitality_on(corporation, year) -> {complex pk: VitalityOn}
        the complex's last vitality measurement in `year` (score, parts, values); none in that year: left out
    ownership_series(corporation) -> (years, {complex pk: {year: ComplexOwnership}})

These take a corporation, not a user: the evaluation (issue 16 item 4) and the outcome helpers (`history.outcomes`)
call them after checking the user's right. The steering-power selectors below take the user and check VIEW_MONITOR,
the monitor's right: ownership is stock data without personal data, shown per complex and buurt.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q

from buurtbalans.core.permissions import Action, require
from buurtbalans.history.models import ComplexOwnership, DwellingStatusPeriod, HouseholdIncomeBand
from buurtbalans.liveability.models import ComplexVitality
from buurtbalans.portfolio.models import Complex


def _corporation_id(corporation) -> int:
    return corporation if isinstance(corporation, int) else corporation.pk


def _valid_on(day: date) -> Q:
    return Q(valid_from__lte=day) & (Q(valid_to__isnull=True) | Q(valid_to__gt=day))


def dwelling_status_on(corporation, day: date) -> dict[int, str]:
    """Every dwelling's status on `day`, as the imports said it (one query)."""
    return dict(
        DwellingStatusPeriod.objects.filter(_valid_on(day), corporation_id=_corporation_id(corporation))
        .order_by().values_list("dwelling_id", "status")
    )


def dwelling_status_counts_on(corporation, day: date) -> dict[int, dict[str, int]]:
    """Per complex (its current one) the dwellings per status on `day` (one grouped query)."""
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    for complex_id, status, n in (
        DwellingStatusPeriod.objects.filter(_valid_on(day), corporation_id=_corporation_id(corporation),
                                            dwelling__complex__isnull=False)
        .order_by().values_list("dwelling__complex_id", "status").annotate(n=Count("pk"))
        .values_list("dwelling__complex_id", "status", "n")
    ):
        counts[complex_id][status] = n
    return dict(counts)


def income_bands_on(corporation, year: int) -> dict[int, str]:
    """Every tenant household's income band in `year`: that of its latest income year up to `year` (one query).

    Income bands are personal data: callers show them only as counts per complex (the outcomes, the evaluation).
    """
    rows = HouseholdIncomeBand.objects.filter(corporation_id=_corporation_id(corporation), year__lte=year)
    later = HouseholdIncomeBand.objects.filter(household_id=OuterRef("household_id"), year__gt=OuterRef("year"),
                                               year__lte=year)
    return dict(rows.filter(~Exists(later)).order_by().values_list("household_id", "band"))


def ownership_on(corporation, year: int) -> dict[int, ComplexOwnership]:
    """Every complex's ownership in `year`: the row of its latest year up to `year` (one query)."""
    rows = ComplexOwnership.objects.filter(corporation_id=_corporation_id(corporation), year__lte=year)
    later = ComplexOwnership.objects.filter(complex_id=OuterRef("complex_id"), year__gt=OuterRef("year"),
                                            year__lte=year)
    return {row.complex_id: row for row in rows.filter(~Exists(later)).order_by()}


@dataclass(frozen=True)
class VitalityOn:
    """A complex's vitality measurement: the score (0-100) and its parts, on `reference_date`."""

    reference_date: date
    score: float | None
    parts: dict = field(default_factory=dict)  # {indicator: {"sub_score", "weight_share", ...}}
    values: dict = field(default_factory=dict)  # {indicator: value}


def vitality_on(corporation, year: int) -> dict[int, VitalityOn]:
    """Every complex's last vitality measurement in `year` (`liveability.ComplexVitality`; one query)."""
    rows = ComplexVitality.objects.filter(corporation_id=_corporation_id(corporation),
                                          reference_date__year=year)
    later = ComplexVitality.objects.filter(complex_id=OuterRef("complex_id"), reference_date__year=year,
                                           reference_date__gt=OuterRef("reference_date"))
    return {
        complex_id: VitalityOn(day, score, parts or {}, values or {})
        for complex_id, day, score, parts, values in rows.filter(~Exists(later)).order_by()
        .values_list("complex_id", "reference_date", "score", "parts", "values")
    }


def vitality_scores(corporation, complex_ids=None) -> dict[int, dict[int, float]]:
    """{complex pk: {year: score}}: per year the last measured score (one query)."""
    rows = ComplexVitality.objects.filter(corporation_id=_corporation_id(corporation), score__isnull=False)
    if complex_ids is not None:
        rows = rows.filter(complex_id__in=list(complex_ids))
    scores: dict[int, dict[int, float]] = defaultdict(dict)
    for complex_id, day, score in rows.order_by("complex_id", "reference_date").values_list(
            "complex_id", "reference_date", "score"):
        scores[complex_id][day.year] = score  # later in the year wins
    return dict(scores)


def ownership_series(corporation, complex_ids=None) -> tuple[list[int], dict[int, dict[int, ComplexOwnership]]]:
    """The years with an ownership row, and per complex its row for each of those years from its first one on
    (a year without its own row carries the row before it, as `ownership_on` does). One query."""
    rows = ComplexOwnership.objects.filter(corporation_id=_corporation_id(corporation))
    if complex_ids is not None:
        rows = rows.filter(complex_id__in=list(complex_ids))
    own: dict[int, dict[int, ComplexOwnership]] = defaultdict(dict)
    years: set[int] = set()
    for row in rows.order_by("complex_id", "year"):
        own[row.complex_id][row.year] = row
        years.add(row.year)
    ordered = sorted(years)
    series: dict[int, dict[int, ComplexOwnership]] = {}
    for complex_id, by_year in own.items():
        carried, current = {}, None
        for year in ordered:
            current = by_year.get(year, current)
            if current is not None:
                carried[year] = current
        series[complex_id] = carried
    return ordered, series


# --- steering power (issue 16 item 2) ----------------------------------------------------------------------------

DEFAULT_STEERING_POWER_THRESHOLD = 0.5


def steering_power_threshold() -> float:
    """Below this owned share the corporation has lost its means to steer a complex (settings, default 50 %)."""
    return float(getattr(settings, "BUURTBALANS_STEERING_POWER_THRESHOLD", DEFAULT_STEERING_POWER_THRESHOLD))


@dataclass
class SteeringPower:
    """One complex's owned share over the years, and since when it is under the threshold (None: it is not)."""

    complex: Complex
    shares: list[tuple[int, float]]  # (year, owned share), oldest first; years without dwellings left out
    latest: ComplexOwnership | None
    threshold: float
    under_since: int | None = None
    # True when the first year known is already under: it fell under then or before.
    under_from_start: bool = False
    scores: dict[int, float] = field(default_factory=dict)  # the vitality score per year

    @property
    def latest_share(self) -> float | None:
        return self.latest.owned_share if self.latest is not None else None

    @property
    def is_under(self) -> bool:
        return self.under_since is not None

    @property
    def score_before(self) -> tuple[int, float] | None:
        """The last vitality score measured before the year the share fell under the threshold."""
        if self.under_since is None:
            return None
        before = [(year, score) for year, score in self.scores.items() if year < self.under_since]
        return max(before) if before else None

    @property
    def score_latest(self) -> tuple[int, float] | None:
        return max(self.scores.items()) if self.scores else None


def _under_since(shares: list[tuple[int, float]], threshold: float) -> tuple[int | None, bool]:
    """The first year of the last run of years under the threshold, when the latest year is in it."""
    if not shares or shares[-1][1] >= threshold:
        return None, False
    index = len(shares) - 1
    while index > 0 and shares[index - 1][1] < threshold:
        index -= 1
    return shares[index][0], index == 0


def _steering_power(corporation_id: int, complexes, threshold: float) -> list[SteeringPower]:
    complexes = list(complexes)
    ids = [c.pk for c in complexes]
    _years, series = ownership_series(corporation_id, ids)
    scores = vitality_scores(corporation_id, ids)
    result = []
    for complex_ in complexes:
        by_year = series.get(complex_.pk, {})
        shares = [(year, row.owned_share) for year, row in by_year.items() if row.owned_share is not None]
        since, from_start = _under_since(shares, threshold)
        latest = by_year[max(by_year)] if by_year else None
        result.append(SteeringPower(complex_, shares, latest, threshold, since, from_start,
                                    scores.get(complex_.pk, {})))
    return result


def steering_power_for_complex(user, complex_: Complex) -> SteeringPower | None:
    """The complex's owned share over the years against the threshold; None without ownership history."""
    membership = require(user, Action.VIEW_MONITOR)
    if complex_.corporation_id != membership.corporation_id:
        return None
    power = _steering_power(membership.corporation_id, [complex_], steering_power_threshold())[0]
    return power if power.shares else None


def steering_power_list(user, *, municipality_code: str | None = None) -> list[SteeringPower]:
    """The user's complexes whose owned share is now under the threshold, longest under first."""
    membership = require(user, Action.VIEW_MONITOR)
    complexes = Complex.objects.visible_to(user, Action.VIEW_MONITOR).select_related("neighbourhood")
    if municipality_code:
        complexes = complexes.filter(neighbourhood__municipality__cbs_code=municipality_code)
    complexes = complexes.filter(Exists(ComplexOwnership.objects.filter(complex_id=OuterRef("pk"))))
    powers = _steering_power(membership.corporation_id, complexes, steering_power_threshold())
    under = [p for p in powers if p.is_under]
    return sorted(under, key=lambda p: (p.under_since, p.latest_share or 0, p.complex.external_id))


@dataclass
class AreaOwnership:
    """The corporation's complexes in one buurt (or all of them) per year: dwellings, owned and sold."""

    code: str
    name: str
    years: dict[int, tuple[int, int, int]] = field(default_factory=dict)  # year -> (dwellings, owned, sold)
    complexes: int = 0
    complexes_under: int = 0

    def share(self, year: int) -> float | None:
        dwellings, owned, _sold = self.years.get(year, (0, 0, 0))
        return owned / dwellings if dwellings else None

    @property
    def first_year(self) -> int | None:
        return min(self.years) if self.years else None

    @property
    def last_year(self) -> int | None:
        return max(self.years) if self.years else None


def ownership_by_buurt(user, *, municipality_code: str | None = None) -> tuple[list[int], AreaOwnership,
                                                                                  list[AreaOwnership]]:
    """The years, all the user's complexes together, and per buurt: the owned share per year (summed counts)."""
    membership = require(user, Action.VIEW_MONITOR)
    threshold = steering_power_threshold()
    complexes = Complex.objects.visible_to(user, Action.VIEW_MONITOR).select_related("neighbourhood")
    if municipality_code:
        complexes = complexes.filter(neighbourhood__municipality__cbs_code=municipality_code)
    complexes = {c.pk: c for c in complexes}
    years, series = ownership_series(membership.corporation_id, list(complexes))
    total = AreaOwnership("", "")
    areas: dict[str, AreaOwnership] = {}
    for complex_id, by_year in series.items():
        complex_ = complexes[complex_id]
        buurt = complex_.neighbourhood
        area = areas.setdefault(buurt.cbs_code if buurt else "", AreaOwnership(buurt.cbs_code if buurt else "",
                                                                               buurt.name if buurt else ""))
        latest = by_year[max(by_year)]
        for target in (total, area):
            target.complexes += 1
            if latest.owned_share is not None and latest.owned_share < threshold:
                target.complexes_under += 1
            for year, row in by_year.items():
                dwellings, owned, sold = target.years.get(year, (0, 0, 0))
                target.years[year] = (dwellings + row.dwelling_count, owned + row.owned_count, sold + row.sold_count)
    return years, total, sorted(areas.values(), key=lambda a: (a.name == "", a.name, a.code))
