"""Yearly compliance with the allocation norms: passendheidsnorm (95%) and the DAEB allocation rule (92.5% / 7.5%).

Pure: lettings and parameter sets in, figures out. Per municipality and for the corporation as a whole.
Interpretations: docs/rules/affordability-fit.md ("Yearly norm") and docs/rules/daeb-allocation.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_FLOOR, Decimal

from buurtbalans.engine.parameters import ParameterSet, pension_assets_limit_name, set_in_force
from buurtbalans.engine.rules.affordability import AffordabilityFitDecision, affordability_fit
from buurtbalans.engine.rules.facts import FitOutcome, HouseholdFacts, RentBasis, RentFacts
from buurtbalans.engine.rules.income import daeb_target_group

# Why a letting knowingly did not fit: the VERA reasons for a non-fitting allocation (Bijzondere gezinssituatie,
# Herstructurering, Herhuisvesting [S41]) plus the pension-age assets and large-household exceptions [S1][S13].
# Mirrors households.models.AllocationException (a test keeps the two equal).
EXCEPTION_REASONS = (
    "special_family_situation",
    "restructuring",
    "rehousing",
    "pension_age_assets",
    "large_household",
    "other",
)


@dataclass(frozen=True)
class Letting:
    """One letting (toewijzing) as the compliance engine needs it."""

    letting_id: str
    letting_date: date
    municipality: str  # CBS code GMxxxx
    dwelling_id: str
    base_rent: Decimal
    is_daeb_dwelling: bool
    household: HouseholdFacts
    exception_reason: str = ""
    allowance_rent: Decimal | None = None


@dataclass(frozen=True)
class NonFittingLetting:
    """A letting to a low-income household above its cap: the engine's reason and the recorded exception reason."""

    letting_id: str
    municipality: str
    reason: str
    exception_reason: str = ""
    # The affordability decision's reason as a code and figures (engine.rules.affordability), for Dutch screens.
    reason_code: str = ""
    reason_figures: tuple[tuple[str, object], ...] = ()


@dataclass(frozen=True)
class ComplianceFigures:
    """Counts and norms for one municipality or the whole corporation. None = not computable (parameter missing).

    Attributes:
        lettings: all lettings in the year.
        low_income_lettings: lettings subject to the passendheidstoets (income at or below the allowance income
            limit, not excepted for pension-age assets).
        fit / not_fit: of those, at or below / above their cap.
        fit_share: fit / low_income_lettings (None when there are none or it is not computable).
        fit_norm_met: fit_share >= the passendheidsnorm (True when there are no low-income lettings).
        daeb_lettings: lettings of DAEB dwellings.
        daeb_target_group_lettings: of those, to the DAEB target group.
        daeb_target_share: daeb_target_group_lettings / daeb_lettings.
        daeb_norm: the minimum target share applied (92.5%, 85% with a performance agreement; corporation level:
            the weighted norm of its municipalities).
        daeb_norm_met: target share and free room both within the rule.
        free_room_used / free_room_allowed / free_room_left: DAEB lettings that use the free allocation room,
            how many the rule allows for the DAEB lettings so far (rounded down), and the difference.
        exception_budget_used / exception_budget_left: non-fitting lettings, and how many more the 5% room
            allows for the low-income lettings so far (rounded down; negative when the norm is breached).
    """

    lettings: int
    low_income_lettings: int | None
    fit: int | None
    not_fit: int | None
    fit_share: Decimal | None
    fit_norm_met: bool | None
    daeb_lettings: int
    daeb_target_group_lettings: int | None
    daeb_target_share: Decimal | None
    daeb_norm: Decimal | None
    daeb_norm_met: bool | None
    free_room_used: int | None
    free_room_allowed: int | None
    free_room_left: int | None
    exception_budget_used: int | None
    exception_budget_left: int | None
    non_fitting: tuple[NonFittingLetting, ...] = ()
    missing_parameters: tuple[str, ...] = ()


@dataclass(frozen=True)
class ComplianceReport:
    """Compliance for one calendar year."""

    year: int
    parameter_versions: tuple[str, ...]
    affordability_fit_quota: Decimal | None
    total: ComplianceFigures
    municipalities: Mapping[str, ComplianceFigures] = field(default_factory=dict)
    rent_basis: RentBasis = RentBasis.BASE_RENT


@dataclass
class _Tally:
    """Running counts for one municipality; None once a count cannot be known."""

    lettings: int = 0
    low_income: int | None = 0
    fit: int | None = 0
    not_fit: int | None = 0
    daeb: int = 0
    daeb_target: int | None = 0
    free_used: int | None = 0
    non_fitting: list[NonFittingLetting] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)

    def note_missing(self, names: Iterable[str]) -> None:
        for name in names:
            if name not in self.missing:
                self.missing.append(name)


def _add(count: int | None, value: bool | None) -> int | None:
    if count is None or value is None:
        return None
    return count + int(value)


def _is_subject(decision: AffordabilityFitDecision, household: HouseholdFacts, params: ParameterSet) -> bool | None:
    """Whether a letting counts in the passendheidstoets; None when a missing parameter hides it."""
    if decision.outcome in (FitOutcome.FIT, FitOutcome.NOT_FIT):
        return True
    if decision.outcome is FitOutcome.NOT_APPLICABLE:
        return False
    if decision.income_limit is None:
        return None  # the income limit itself is missing
    if decision.rent_cap is None:
        # Only the cap is missing: the household is low-income; it is excepted only if the assets exception
        # could apply, which depends on the unknown cap.
        could_be_excepted = (
            household.is_pension_age_household
            and household.assets is not None
            and pension_assets_limit_name(household.household_size) not in params.not_applicable
        )
        return None if could_be_excepted else True
    return None  # the assets threshold is missing


def _floor(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_FLOOR))


def compliance_for_year(
    lettings: Iterable[Letting],
    year: int,
    *,
    parameter_sets: tuple[ParameterSet, ...],
    agreed_free_shares: Mapping[str, Decimal | None] | None = None,
    municipalities: frozenset[str] | None = None,
    rent_basis: RentBasis = RentBasis.BASE_RENT,
) -> ComplianceReport:
    """Passendheidsnorm and DAEB allocation compliance for one calendar year.

    Steps (docs/rules/affordability-fit.md, docs/rules/daeb-allocation.md):
      1. Keep the lettings dated in `year` (and in `municipalities`, when given).
      2. Decide each letting with the parameter set valid on its own date: affordability fit, DAEB target group,
         use of the free allocation room.
      3. Count per municipality. The norms come from the set valid on 1 January of the year. The free room of a
         municipality in `agreed_free_shares` is raised to the agreed share, never below `free_allocation_share`
         nor above `free_allocation_share_max` (from 2022: 7.5% up to 15%; the norm falls by as much, 92.5% down
         to 85%).
      4. Corporation total: the counts summed; the DAEB norm is met when the target-group lettings reach the sum of
         each municipality's minimum and the free room used stays within the sum of each municipality's room
         (the Aw tests at corporation level; the raised room counts only where it was agreed).
    Norm comparisons are exact (no rounded shares). A count that needs a missing parameter is None, and so is
    everything derived from it; the names are listed in `missing_parameters`.

    Args:
        lettings: the lettings (any years; others are ignored).
        year: the calendar year.
        parameter_sets: the parameter sets (the product's: `rules.parameters.parameter_sets()`).
        agreed_free_shares: CBS code -> the free allocation share agreed in the municipality's performance
            agreement (None: the legal maximum).
        municipalities: only these CBS codes, when given.
        rent_basis: which rent is tested (default the base rent).

    Returns:
        The report with per-municipality figures and the corporation total.

    Raises:
        LookupError: when no parameter set covers the year or a letting date.
    """
    year_params = set_in_force(parameter_sets, date(year, 1, 1))
    tallies: dict[str, _Tally] = {}
    versions: list[str] = [year_params.version]
    for letting in lettings:
        if letting.letting_date.year != year:
            continue
        if municipalities is not None and letting.municipality not in municipalities:
            continue
        params = set_in_force(parameter_sets, letting.letting_date)
        if params.version not in versions:
            versions.append(params.version)
        tally = tallies.setdefault(letting.municipality, _Tally())
        tally.lettings += 1
        rent = RentFacts(letting.base_rent, letting.allowance_rent)
        fit = affordability_fit(letting.household, rent, params, rent_basis=rent_basis)
        subject = _is_subject(fit, letting.household, params)
        tally.low_income = _add(tally.low_income, subject)
        if subject is None or (subject and fit.outcome is None):
            tally.note_missing(fit.missing_parameters)
        if subject is not False:
            tally.fit = _add(tally.fit, None if fit.outcome is None else fit.outcome is FitOutcome.FIT)
            tally.not_fit = _add(tally.not_fit, None if fit.outcome is None else fit.outcome is FitOutcome.NOT_FIT)
        if fit.outcome is FitOutcome.NOT_FIT:
            tally.non_fitting.append(
                NonFittingLetting(letting.letting_id, letting.municipality, fit.reason, letting.exception_reason,
                                  reason_code=fit.reason_code, reason_figures=fit.reason_figures)
            )
        if letting.is_daeb_dwelling:
            tally.daeb += 1
            target = daeb_target_group(letting.household, params)
            tally.daeb_target = _add(tally.daeb_target, target.is_daeb_target_group)
            tally.free_used = _add(tally.free_used, target.uses_free_room)
            tally.note_missing(target.missing_parameters)

    quota = year_params.affordability_fit_quota
    agreed_free_shares = agreed_free_shares or {}
    standard = _daeb_norms(year_params)
    by_municipality: dict[str, ComplianceFigures] = {}
    applied: dict[str, tuple[Decimal | None, Decimal | None]] = {}
    for code in sorted(tallies):
        applied[code] = _daeb_norms(year_params, agreed_free_shares[code]) if code in agreed_free_shares else standard
        by_municipality[code] = _figures(tallies[code], quota, *applied[code])

    total = _total(tallies, applied, quota, standard)
    return ComplianceReport(
        year=year,
        parameter_versions=tuple(versions),
        affordability_fit_quota=quota,
        total=total,
        municipalities=by_municipality,
        rent_basis=rent_basis,
    )


_NO_AGREEMENT = object()


def _daeb_norms(params: ParameterSet, agreed_share=_NO_AGREEMENT) -> tuple[Decimal | None, Decimal | None]:
    """(minimum target share, free room share), without a performance agreement or with one for `agreed_share`.

    An agreement raises the free room to the agreed share (None: the legal maximum), kept between the standard
    share and the maximum; the minimum target share falls by as much.
    """
    target, free, free_max = params.daeb_target_share, params.free_allocation_share, params.free_allocation_share_max
    if agreed_share is _NO_AGREEMENT:
        return target, free
    if target is None or free is None or free_max is None:
        return None, None
    share = free_max if agreed_share is None else min(max(agreed_share, free), free_max)
    return target - (share - free), share


def _figures(
    tally: _Tally,
    quota: Decimal | None,
    daeb_norm: Decimal | None,
    free_share: Decimal | None,
    *,
    min_target: Decimal | None = None,
    free_limit: Decimal | None = None,
) -> ComplianceFigures:
    """Figures from counts; `min_target` / `free_limit` in lettings, by default norm or share x DAEB lettings."""
    if min_target is None and daeb_norm is not None:
        min_target = daeb_norm * tally.daeb
    if free_limit is None and free_share is not None:
        free_limit = free_share * tally.daeb
    missing = list(tally.missing)
    for name, value in (
        ("affordability_fit_quota", quota),
        ("daeb_target_share", daeb_norm),
        ("free_allocation_share", free_share),
    ):
        if value is None and name not in missing:
            missing.append(name)
    fit_share = fit_norm_met = exception_left = None
    if tally.low_income is not None and tally.fit is not None:
        fit_share = Decimal(tally.fit) / tally.low_income if tally.low_income else None
        if quota is not None:
            fit_norm_met = Decimal(tally.fit) >= quota * tally.low_income
            exception_left = _floor((1 - quota) * tally.low_income) - (tally.not_fit or 0)
    target_share = None
    if tally.daeb_target is not None and tally.daeb:
        target_share = Decimal(tally.daeb_target) / tally.daeb
    free_allowed = _floor(free_limit) if free_limit is not None else None
    free_left = free_allowed - tally.free_used if free_allowed is not None and tally.free_used is not None else None
    daeb_norm_met = None
    if (
        tally.daeb_target is not None
        and tally.free_used is not None
        and min_target is not None
        and free_limit is not None
    ):
        daeb_norm_met = tally.daeb_target >= min_target and tally.free_used <= free_limit
    return ComplianceFigures(
        lettings=tally.lettings,
        low_income_lettings=tally.low_income,
        fit=tally.fit,
        not_fit=tally.not_fit,
        fit_share=fit_share,
        fit_norm_met=fit_norm_met,
        daeb_lettings=tally.daeb,
        daeb_target_group_lettings=tally.daeb_target,
        daeb_target_share=target_share,
        daeb_norm=daeb_norm,
        daeb_norm_met=daeb_norm_met,
        free_room_used=tally.free_used,
        free_room_allowed=free_allowed,
        free_room_left=free_left,
        exception_budget_used=tally.not_fit,
        exception_budget_left=exception_left,
        non_fitting=tuple(tally.non_fitting),
        missing_parameters=tuple(missing),
    )


def _sum(values: Iterable[int | None]) -> int | None:
    total = 0
    for value in values:
        if value is None:
            return None
        total += value
    return total


def _total(
    tallies: Mapping[str, _Tally],
    applied: Mapping[str, tuple[Decimal | None, Decimal | None]],
    quota: Decimal | None,
    standard: tuple[Decimal | None, Decimal | None],
) -> ComplianceFigures:
    combined = _Tally(
        lettings=sum(t.lettings for t in tallies.values()),
        low_income=_sum(t.low_income for t in tallies.values()),
        fit=_sum(t.fit for t in tallies.values()),
        not_fit=_sum(t.not_fit for t in tallies.values()),
        daeb=sum(t.daeb for t in tallies.values()),
        daeb_target=_sum(t.daeb_target for t in tallies.values()),
        free_used=_sum(t.free_used for t in tallies.values()),
        non_fitting=[n for code in sorted(tallies) for n in tallies[code].non_fitting],
    )
    for tally in tallies.values():
        combined.note_missing(tally.missing)
    if not combined.daeb or any(norm is None or free is None for norm, free in applied.values()):
        return _figures(combined, quota, *standard)
    # Corporation level: each municipality brings its own minimum and its own free room (raised only where agreed).
    min_target = sum((applied[code][0] * t.daeb for code, t in tallies.items()), Decimal(0))
    free_limit = sum((applied[code][1] * t.daeb for code, t in tallies.items()), Decimal(0))
    return _figures(
        combined,
        quota,
        min_target / combined.daeb,
        free_limit / combined.daeb,
        min_target=min_target,
        free_limit=free_limit,
    )
