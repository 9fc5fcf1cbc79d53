"""Five years of lettings in the demo: tenancies walked back from today, and a household for each.

Steps 3 and 4 of `generator.generate_corporation`. Each function draws from the generator in the order the demo
has always drawn, so the same seed keeps giving the same lettings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import NamedTuple

import numpy as np

from buurtbalans.demo.limits import HIGH, LOW, MIDDLE, PRIMARY, SECONDARY, LegalLimits, incomes
from buurtbalans.demo.rows import DAYS_PER_YEAR, HouseholdRow, TenancyRow, as_decimals
from buurtbalans.demo.stock import Dwellings

HISTORY_YEARS = 5
TURNOVER_RATE = 0.07
RENT_INCREASE = 0.03

# Household sizes 1..6 per dwelling type.
SIZE_PROBABILITIES = {
    "single_family": (0.16, 0.30, 0.19, 0.21, 0.10, 0.04),
    "apartment": (0.52, 0.27, 0.11, 0.07, 0.03, 0.0),
    "senior": (0.68, 0.32, 0, 0, 0, 0),
    "room": (1, 0, 0, 0, 0, 0),
}
EXCEPTION_REASONS = ("special_family_situation", "rehousing", "restructuring", "other")
EXCEPTION_WEIGHTS = (0.35, 0.25, 0.15, 0.25)
# Target mix over the DAEB stock before lettings are made to fit (which moves a few percent up a band).
TARGET_PRIMARY, TARGET_SECONDARY, TARGET_MIDDLE, TARGET_HIGH = 0.74, 0.17, 0.07, 0.02


class Tenancies(NamedTuple):
    """The tenancies as arrays, sorted by dwelling and start; days are ordinals."""

    dwelling: np.ndarray  # index into the dwellings
    start: np.ndarray
    end: np.ndarray  # -1 while the tenancy runs


@dataclass(frozen=True)
class Composition:
    """Who lives in each household: size, adults, children and whether it has reached pension age (AOW)."""

    size: np.ndarray
    adults: np.ndarray
    children: np.ndarray
    is_pension: np.ndarray


@dataclass(frozen=True)
class Lettings:
    """The tenancies (arrays, for the markers) and the rows of their households and tenancies."""

    tenancies: Tenancies
    households: list[HouseholdRow]
    tenancy_rows: list[TenancyRow]


def generate_lettings(
    rng: np.random.Generator,
    homes: Dwellings,
    low_share: np.ndarray,
    limits: LegalLimits,
    *,
    reference_date: date,
    dwelling_ids: list[str],
    prefix: str,
) -> Lettings:
    """Steps 3 and 4: the tenancies of every dwelling, and a household with an income for each.

    Args:
        rng: the random generator.
        homes: the dwellings.
        low_share: the low-income share among tenants in each dwelling's buurt.
        limits: the legal limits per year.
        reference_date: "today": current tenancies run on it, history goes back from it.
        dwelling_ids: the dwellings' external ids.
        prefix: starts every external id.
    """
    ref_day, ref_year = reference_date.toordinal(), reference_date.year
    window_start = ref_day - round(HISTORY_YEARS * DAYS_PER_YEAR)
    tenancies = walk_back_tenancies(rng, homes.build_year, homes.status, ref_day=ref_day, window_start=window_start)
    dw = tenancies.dwelling
    kind, is_daeb = homes.kind[dw], homes.is_daeb[dw]
    people = household_composition(rng, kind, homes.rooms[dw])
    band, position = income_bands(rng, low_share[dw], is_daeb)

    start_year = np.array([date.fromordinal(int(d)).year for d in tenancies.start.tolist()])
    years_ago = (ref_day - tenancies.start) / DAYS_PER_YEAR
    rent_at_start = np.round(homes.base_rent[dw] / (1 + RENT_INCREASE) ** years_ago, 2)
    in_window = tenancies.start >= window_start
    band, exception = fit_lettings(rng, limits, band, in_window & is_daeb, start_year, people.size, rent_at_start)

    is_multi = people.size > 1
    income_now = incomes(limits, np.full(len(dw), ref_year), is_multi, people.is_pension, band, position)
    income_start = incomes(limits, start_year, is_multi, people.is_pension, band, position)
    reason = exception_reasons(rng, exception, people)
    contract = contract_types(rng, kind)
    is_current = tenancies.end < 0
    records = income_records(rng, is_current & (years_ago > 10), is_current, as_decimals(income_now),
                             as_decimals(income_start), start_year, ref_year)

    household_ids = [f"{prefix}-H{i + 1:06d}" for i in range(len(dw))]
    households = [
        HouseholdRow(household_ids[i], sz, ad, ch, pens, *record)
        for i, (sz, ad, ch, pens, record) in enumerate(
            zip(people.size.tolist(), people.adults.tolist(), people.children.tolist(), people.is_pension.tolist(),
                records, strict=True)
        )
    ]
    rows = tenancy_rows(tenancies, dwelling_ids, household_ids, as_decimals(income_start), rent_at_start, contract,
                        reason, prefix=prefix)
    return Lettings(tenancies, households, rows)


def walk_back_tenancies(
    rng: np.random.Generator, build_year: np.ndarray, status: np.ndarray, *, ref_day: int, window_start: int
) -> Tenancies:
    """Step 3: per dwelling its current (or last) tenancy, and the ones before it back into the history window.

    Durations are exponential with a mean of 1 / 7% per year, so about 7% of dwellings turn over each year. A
    tenancy that started within the history window is preceded by the tenancy that ended before it (a few weeks
    of vacancy in between), whose household moved out; the walk stops at the dwelling's first letting.
    """
    completion = np.array([date(int(y), 7, 1).toordinal() for y in build_year.tolist()])
    anchor = _last_tenancy_ends(rng, status, ref_day)
    # A new dwelling that is vacant or being renovated may never have been let.
    active = np.flatnonzero(anchor >= completion + 60)
    ended = status[active] != "occupied"
    dwellings, starts, ends = [], [], []
    while len(active):
        start, is_first = _tenancy_starts(rng, anchor[active], completion[active])
        dwellings.append(active)
        starts.append(start.astype(int))
        ends.append(np.where(ended, anchor[active], -1).astype(int))
        previous_end = start - rng.integers(7, 91, len(active))
        go_on = (start >= window_start) & ~is_first & (previous_end >= completion[active] + 60)
        anchor[active[go_on]] = previous_end[go_on]
        active = active[go_on]
        # Every tenancy before the last one has ended.
        ended = np.full(len(active), True)
    dwelling = np.concatenate(dwellings) if dwellings else np.zeros(0, dtype=int)
    start = np.concatenate(starts) if starts else np.zeros(0, dtype=int)
    end = np.concatenate(ends) if ends else np.zeros(0, dtype=int)
    order = np.lexsort((start, dwelling))
    return Tenancies(dwelling[order], start[order], end[order])


def _last_tenancy_ends(rng, status: np.ndarray, ref_day: int) -> np.ndarray:
    """When each dwelling's last tenancy ends: today for an occupied one (it runs on), a few weeks ago for a vacant
    one, and months ago for one under renovation (emptied before the work began)."""
    n = len(status)
    anchor = np.full(n, ref_day)
    left = rng.integers(7, 121, n)
    anchor = np.where(status == "vacant", ref_day - left, anchor)
    return np.where(status == "renovation", ref_day - rng.integers(60, 401, n), anchor)


def _tenancy_starts(rng, end: np.ndarray, completion: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The start of the tenancies that end at `end`, and whether each is the dwelling's first letting.

    A tenancy that would start before the dwelling was finished is its first letting and starts within two months
    of completion instead; every tenancy lasts at least 30 days.
    """
    duration = np.maximum(np.round(rng.exponential(DAYS_PER_YEAR / TURNOVER_RATE, len(end))), 30)
    start = end - duration
    is_first = start < completion
    start = np.where(is_first, completion + rng.integers(0, 61, len(end)), start)
    return np.minimum(start, end - 30), is_first


def household_composition(rng: np.random.Generator, kind: np.ndarray, rooms: np.ndarray) -> Composition:
    """A household that fits its dwelling: size by dwelling type (at most one more than its rooms), mostly two
    adults in a multi-person household, and pension age likely in senior flats and unlikely with children."""
    m = len(kind)
    size = np.ones(m, dtype=int)
    for dwelling_type, probabilities in SIZE_PROBABILITIES.items():
        mask = kind == dwelling_type
        size[mask] = rng.choice(np.arange(1, 7), size=int(mask.sum()), p=probabilities)
    size = np.minimum(size, rooms + 1)
    u = rng.random(m)
    adults = np.where(size == 1, 1, np.where(size == 2, np.where(u < 0.78, 2, 1), np.where(u < 0.82, 2, 1)))
    adults = np.where((size >= 4) & (u > 0.97), 3, adults)
    children = size - adults
    pension_p = np.select(
        [kind == "senior", kind == "room", children > 0, size == 1],
        [0.85, 0.0, 0.01, 0.36],
        0.33,
    )
    is_pension = rng.random(m) < pension_p
    return Composition(size, adults, children, is_pension)


def income_bands(rng: np.random.Generator, low_share: np.ndarray, is_daeb: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """An income band per household and a position (0..1) within it.

    In DAEB dwellings the share of low incomes follows the buurt's public statistic and the rest fills the target
    mix (about 70% primary target group, 20% secondary, 10% middle or high); free-sector tenants earn more.
    """
    m = len(low_share)
    mean_low = float(low_share[is_daeb].mean()) if is_daeb.any() else float(low_share.mean())
    rest = np.array([max(TARGET_PRIMARY - mean_low, 0.0), TARGET_SECONDARY, TARGET_MIDDLE, TARGET_HIGH])
    rest = np.cumsum(rest / rest.sum())
    u_low, u_band = rng.random(m), rng.random(m)
    band = np.where(u_low < low_share, LOW, PRIMARY + np.searchsorted(rest, u_band, side="right"))
    free_band = SECONDARY + np.searchsorted(np.cumsum([0.35, 0.45, 0.20]), rng.random(m), side="right")
    band = np.where(is_daeb, band, free_band)
    band = np.minimum(band, HIGH)
    return band, rng.uniform(0.03, 0.97, m)


def fit_lettings(rng, limits: LegalLimits, band, is_checked, start_year, size, rent_at_start):
    """Make the DAEB lettings of the history window (`is_checked`) follow the law; return (band, is exception).

    Passend toewijzen: the primary target group gets a rent within the allowance cap, so most such lettings above
    the cap went to the secondary group instead, and the few that did not carry an exception reason. Lettings to
    middle and high incomes stay within the free allocation space.
    """
    m = len(band)
    cap_at_start = limits.allowance_cap(start_year, size)
    not_fit = is_checked & (band <= PRIMARY) & (rent_at_start > cap_at_start)
    fixed = not_fit & (rng.random(m) < 0.85)
    band = np.where(fixed, SECONDARY, band)
    exception = not_fit & ~fixed
    to_secondary = is_checked & (band >= MIDDLE) & (rng.random(m) < 0.6)
    return np.where(to_secondary, SECONDARY, band), exception


def exception_reasons(rng, exception: np.ndarray, people: Composition) -> np.ndarray:
    """Why a letting that does not fit was made anyway ("" where it fits): large households and pensioners with
    assets have reasons of their own; the others get one of the common reasons."""
    m = len(exception)
    reason_index = rng.choice(len(EXCEPTION_REASONS), size=m, p=EXCEPTION_WEIGHTS)
    reason = np.array(EXCEPTION_REASONS, dtype=object)[reason_index]
    reason = np.where((people.size >= 5) & (rng.random(m) < 0.7), "large_household", reason)
    reason = np.where(people.is_pension & (rng.random(m) < 0.6), "pension_age_assets", reason)
    return np.where(exception, reason, "")


def contract_types(rng, kind: np.ndarray) -> np.ndarray:
    """Rooms are let on campus or youth contracts; other dwellings indefinitely, a few temporarily."""
    m = len(kind)
    room_contract = np.where(rng.random(m) < 0.6, "campus", "youth")
    return np.where(kind == "room", room_contract, np.where(rng.random(m) < 0.03, "temporary", "indefinite"))


def income_records(rng, is_long_stay, is_current, income_now, income_start, start_year, ref_year) -> list[tuple]:
    """(income, year, source) per household as the corporation holds it.

    A current tenant's income is last year's (mostly from the tax authority, some declared); a household that
    moved out keeps the income it was let on. Corporations often hold no recent income for tenants who have lived
    there a long time (`is_long_stay`), so a few of those have none.
    """
    m = len(is_current)
    unknown_income = is_long_stay & (rng.random(m) < 0.03)
    source_draw = rng.random(m)
    records = []
    for i, (cur, unknown, sy, sd) in enumerate(
        zip(is_current.tolist(), unknown_income.tolist(), start_year.tolist(), source_draw.tolist(), strict=True)
    ):
        if unknown:
            records.append((None, None, "unknown"))
        elif cur:
            records.append((income_now[i], ref_year - 1, "tax_authority" if sd < 0.9 else "declared"))
        else:
            records.append((income_start[i], sy, "tax_authority"))
    return records


def tenancy_rows(tenancies: Tenancies, dwelling_ids, household_ids, income_start, rent_at_start, contract, reason, *,
                 prefix: str) -> list[TenancyRow]:
    """The tenancies as rows, with ids VW-T000001, ...: tenancy i is household i's."""
    return [
        TenancyRow(
            external_id=f"{prefix}-T{i + 1:06d}",
            dwelling_external_id=dwelling_ids[dw],
            household_external_id=household_ids[i],
            start_date=date.fromordinal(s),
            end_date=None if e < 0 else date.fromordinal(e),
            income_at_start=income_start[i],
            rent_at_start=rs,
            contract_type=ct,
            exception_reason=er,
        )
        for i, (dw, s, e, rs, ct, er) in enumerate(
            zip(tenancies.dwelling.tolist(), tenancies.start.tolist(), tenancies.end.tolist(),
                as_decimals(rent_at_start), contract.tolist(), reason.tolist(), strict=True)
        )
    ]
