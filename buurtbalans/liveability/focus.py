"""Focus buurten from public data: the worst quarter on both low incomes and the Leefbaarometer score.

`rank_focus(candidates)` is plain Python over the figures; `focus_neighbourhoods(municipality_code, year)` reads the
figures with the open-data tables and calls it. The definition (docs/monitor.md, "Focus buurten"):

1. Per buurt and per value, the latest year available up to `year` (each value its own year).
   - Low-income share: CBS's share of households with a low income (`low_income_households_share`), else CBS's
     households at or around the social minimum (`social_minimum_households_share`, up to 105%), else a
     municipal table's share below 105% of the social minimum (`pct_hh_onder_105_sociaal_minimum`). One measure
     is used for the whole municipality: the first in that order that the most buurten have (mixing measures
     would rank unlike with unlike).
   - Inhabitants: CBS `inhabitants` or the municipal `inwoners` (the same register count), the later year; CBS
     when both have the same year.
   - Leefbaarometer 3.0 score `lbm`, and its five dimensions of the same year.
2. Candidates: buurten with at least 200 inhabitants and both values known.
3. Worst quarter on a value: with n candidates, k = ceil(n / 4); the threshold is the k-th worst value (highest
   low-income share, lowest score), and every candidate at or beyond it is in, so ties at the threshold are
   included (a quarter is never cut through equal values).
4. `focus` is true for candidates in the worst quarter on both values.
5. The list is ordered by the sum of both ranks (1 = worst; ties share the best rank), then by code.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

MIN_INHABITANTS = 200
LOW_INCOME_KEYS = (
    "low_income_households_share",
    "social_minimum_households_share",
    "pct_hh_onder_105_sociaal_minimum",
)
LOW_INCOME_DEFINITIONS = {
    "low_income_households_share": "CBS: share of households with a low income",
    "social_minimum_households_share": "CBS: share of households up to 105% of the social minimum",
    "pct_hh_onder_105_sociaal_minimum": "municipal table: share of households below 105% of the social minimum",
}
INHABITANT_KEYS = ("inhabitants", "inwoners")  # in order of preference within one year
DIMENSIONS = ("lbm_won", "lbm_fys", "lbm_vrz", "lbm_soc", "lbm_onv")


@dataclass(frozen=True)
class Candidate:
    """One buurt's figures, each with the year it is from (None when unknown)."""

    bu_code: str
    bu_naam: str
    wk_code: str
    inhabitants: float | None
    inhabitants_year: int | None
    low_income_share: float | None
    low_income_year: int | None
    lbm: float | None
    lbm_year: int | None
    dimensions: dict[str, float]  # lbm_won ... of lbm_year; may be empty


@dataclass(frozen=True)
class FocusRow:
    bu_code: str
    bu_naam: str
    wk_code: str
    focus: bool
    low_income_share: float | None
    low_income_year: int | None
    low_income_key: str
    lbm: float | None
    lbm_year: int | None
    weakest_dimension: str | None
    weakest_dimension_value: float | None
    inhabitants: float | None
    inhabitants_year: int | None
    low_income_rank: int | None
    lbm_rank: int | None
    low_income_worst_quarter: bool
    lbm_worst_quarter: bool
    excluded: str  # "" for candidates; else why the buurt was not ranked

    def as_dict(self) -> dict:
        return asdict(self)


def worst_quarter_threshold(values: Sequence[float], *, higher_is_worse: bool) -> float | None:
    """The k-th worst value, k = ceil(n / 4); everything at or beyond it is in the worst quarter."""
    if not values:
        return None
    k = math.ceil(len(values) / 4)
    ordered = sorted(values, reverse=higher_is_worse)
    return ordered[k - 1]


def _ranks(values: dict[str, float], *, higher_is_worse: bool) -> dict[str, int]:
    """Competition ranks (1 = worst; equal values share the best of their ranks)."""
    ordered = sorted(values.items(), key=lambda item: -item[1] if higher_is_worse else item[1])
    ranks: dict[str, int] = {}
    previous = None
    for position, (code, value) in enumerate(ordered, start=1):
        if previous is None or value != previous[1]:
            previous = (position, value)
        ranks[code] = previous[0]
    return ranks


def weakest_dimension(dimensions: dict[str, float]) -> tuple[str | None, float | None]:
    """The Leefbaarometer dimension with the lowest value (furthest below the Dutch average), by key order on ties."""
    known = [(value, DIMENSIONS.index(key), key) for key, value in dimensions.items() if key in DIMENSIONS]
    if not known:
        return None, None
    value, _index, key = min(known)
    return key, value


def rank_focus(candidates: Iterable[Candidate], *, low_income_key: str, include_excluded: bool = False
               ) -> list[FocusRow]:
    """Rank the buurten and flag the focus buurten (see the module docstring)."""
    candidates = list(candidates)
    eligible = [
        c for c in candidates
        if c.inhabitants is not None and c.inhabitants >= MIN_INHABITANTS
        and c.low_income_share is not None and c.lbm is not None
    ]
    low = {c.bu_code: c.low_income_share for c in eligible}
    lbm = {c.bu_code: c.lbm for c in eligible}
    low_threshold = worst_quarter_threshold(list(low.values()), higher_is_worse=True)
    lbm_threshold = worst_quarter_threshold(list(lbm.values()), higher_is_worse=False)
    low_ranks = _ranks(low, higher_is_worse=True)  # type: ignore[arg-type]
    lbm_ranks = _ranks(lbm, higher_is_worse=False)  # type: ignore[arg-type]
    rows = []
    for c in candidates:
        name, value = weakest_dimension(c.dimensions)
        is_eligible = c.bu_code in low
        in_low = is_eligible and c.low_income_share >= low_threshold  # type: ignore[operator]
        in_lbm = is_eligible and c.lbm <= lbm_threshold  # type: ignore[operator]
        if is_eligible:
            excluded = ""
        elif c.inhabitants is None or c.inhabitants < MIN_INHABITANTS:
            excluded = "fewer than 200 inhabitants" if c.inhabitants is not None else "inhabitants unknown"
        elif c.low_income_share is None:
            excluded = "low-income share unknown"
        else:
            excluded = "Leefbaarometer score unknown"
        if not is_eligible and not include_excluded:
            continue
        rows.append(
            FocusRow(
                bu_code=c.bu_code, bu_naam=c.bu_naam, wk_code=c.wk_code, focus=bool(in_low and in_lbm),
                low_income_share=c.low_income_share, low_income_year=c.low_income_year, low_income_key=low_income_key,
                lbm=c.lbm, lbm_year=c.lbm_year, weakest_dimension=name, weakest_dimension_value=value,
                inhabitants=c.inhabitants, inhabitants_year=c.inhabitants_year,
                low_income_rank=low_ranks.get(c.bu_code), lbm_rank=lbm_ranks.get(c.bu_code),
                low_income_worst_quarter=bool(in_low), lbm_worst_quarter=bool(in_lbm), excluded=excluded,
            )
        )
    big = 10 ** 6
    rows.sort(key=lambda r: (r.excluded != "", (r.low_income_rank or big) + (r.lbm_rank or big), r.bu_code))
    return rows


def _latest(rows, year: int | None) -> dict[tuple[str, str], tuple[int, float]]:
    latest: dict[tuple[str, str], tuple[int, float]] = {}
    for area_code, key, row_year, value in rows:
        if year is not None and row_year > year:
            continue
        current = latest.get((area_code, key))
        if current is None or row_year > current[0]:
            latest[(area_code, key)] = (row_year, value)
    return latest


def focus_neighbourhoods(municipality_code: str, *, year: int | None = None, include_excluded: bool = False
                         ) -> tuple[list[FocusRow], str]:
    """The municipality's buurten ranked, with the focus flag; and the low-income key used.

    Public data only (no corporation's rows), so there is no user to scope by.
    """
    from buurtbalans.neighbourhoods.models import PublicIndicator
    from buurtbalans.neighbourhoods.selectors import neighbourhood_list

    buurten = list(neighbourhood_list(municipality_code=municipality_code).defer("geometry", "district__geometry",
                                                                                   "municipality__geometry"))
    keys = (*LOW_INCOME_KEYS, *INHABITANT_KEYS, "lbm", *DIMENSIONS)
    rows = PublicIndicator.objects.filter(
        area_code__startswith=f"BU{municipality_code[2:]}", key__in=keys
    ).values_list("area_code", "key", "year", "value")
    everything = list(rows)
    latest = _latest(everything, year)
    coverage = {key: sum(1 for b in buurten if (b.cbs_code, key) in latest) for key in LOW_INCOME_KEYS}
    low_key = max(LOW_INCOME_KEYS, key=lambda key: (coverage[key], -LOW_INCOME_KEYS.index(key)))
    by_area_year: dict[tuple[str, int], dict[str, float]] = {}
    for area_code, key, row_year, value in everything:
        if key in DIMENSIONS:
            by_area_year.setdefault((area_code, row_year), {})[key] = value
    candidates = []
    for buurt in buurten:
        code = buurt.cbs_code
        inhabitants = None
        for key in INHABITANT_KEYS:
            found = latest.get((code, key))
            if found and (inhabitants is None or found[0] > inhabitants[0]):
                inhabitants = found
        low = latest.get((code, low_key))
        lbm = latest.get((code, "lbm"))
        candidates.append(
            Candidate(
                bu_code=code, bu_naam=buurt.name, wk_code=buurt.district.cbs_code,
                inhabitants=inhabitants[1] if inhabitants else None,
                inhabitants_year=inhabitants[0] if inhabitants else None,
                low_income_share=low[1] if low else None, low_income_year=low[0] if low else None,
                lbm=lbm[1] if lbm else None, lbm_year=lbm[0] if lbm else None,
                dimensions=by_area_year.get((code, lbm[0]), {}) if lbm else {},
            )
        )
    return rank_focus(candidates, low_income_key=low_key, include_excluded=include_excluded), low_key
