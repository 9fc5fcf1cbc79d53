"""Income band (primaire / secundaire doelgroep, middeninkomens, hogere inkomens) and the DAEB target group.

See docs/rules/income-bands.md and docs/rules/daeb-allocation.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from buurtbalans.engine.parameters import (
    ParameterSet,
    allowance_income_limit_name,
    daeb_income_limit_name,
    middle_income_limit_name,
)
from buurtbalans.engine.rules.facts import HouseholdFacts, IncomeBand


@dataclass(frozen=True)
class IncomeBandDecision:
    """The income band, or None with the missing parameters when the sources do not give a limit it needs."""

    band: IncomeBand | None
    reason: str
    parameter_version: str
    missing_parameters: tuple[str, ...] = ()
    # The reason as a code and its figures, for a screen in its own language (rules/reasons.py).
    reason_code: str = ""
    reason_figures: tuple[tuple[str, object], ...] = ()

    @property
    def missing_parameter(self) -> str | None:
        """The first missing parameter, for a one-line message; None when the decision was made."""
        return self.missing_parameters[0] if self.missing_parameters else None


@dataclass(frozen=True)
class DaebTargetGroupDecision:
    """DAEB-doelgroep membership (None when the DAEB income limit is missing).

    `uses_free_room` says whether a letting of a DAEB dwelling to this household uses the free allocation room
    (vrije toewijzingsruimte): from 2022 every letting outside the target group; in 2021 (80-10-10) only lettings
    above the extended limit (docs/rules/daeb-allocation.md).
    """

    is_daeb_target_group: bool | None
    uses_free_room: bool | None
    reason: str
    parameter_version: str
    missing_parameters: tuple[str, ...] = ()
    # The reason as a code and its figures, for a screen in its own language (rules/reasons.py).
    reason_code: str = ""
    reason_figures: tuple[tuple[str, object], ...] = ()

    @property
    def missing_parameter(self) -> str | None:
        """The first missing parameter, for a one-line message; None when the decision was made."""
        return self.missing_parameters[0] if self.missing_parameters else None


def _euro(amount: Decimal) -> str:
    return f"€{amount:,.2f}"


# The bands in rising order of income; each lies above the previous band's limit.
INCOME_BAND_ORDER: tuple[IncomeBand, ...] = (
    IncomeBand.PRIMARY,
    IncomeBand.SECONDARY,
    IncomeBand.MIDDLE,
    IncomeBand.HIGH,
)


@dataclass(frozen=True)
class HouseholdType:
    """A household type with its own income limits: sizes `min_size` up to `max_size` (None: no maximum)."""

    min_size: int
    max_size: int | None
    is_pension_age_household: bool


# Every household type the limits tell apart (1-person / multi-person x below / at pension age), as the parameter
# names split them (`engine.parameters`: one person is "single"), so the database filters use the same split.
HOUSEHOLD_TYPES: tuple[HouseholdType, ...] = tuple(
    HouseholdType(min_size, max_size, is_pension)
    for min_size, max_size in ((1, 1), (2, None))
    for is_pension in (False, True)
)


@dataclass(frozen=True)
class IncomeBandRange:
    """The incomes of one band for one household type: above `above` (exclusive), up to `up_to` (inclusive).

    None means unbounded on that side. Only bands whose own limits are known get a range.
    """

    band: IncomeBand
    above: Decimal | None
    up_to: Decimal | None

    def contains(self, income: Decimal) -> bool:
        """Whether a yearly assessed income falls in this range: a limit belongs to the band below it."""
        return (self.above is None or income > self.above) and (self.up_to is None or income <= self.up_to)


def income_band_limit_names(household_size: int, is_pension_age_household: bool) -> tuple[str, str, str]:
    """The limits between the bands, in rising order: allowance (passend toewijzen), DAEB, middle income."""
    return (
        allowance_income_limit_name(household_size, is_pension_age_household),
        daeb_income_limit_name(household_size),
        middle_income_limit_name(household_size),
    )


def income_band_ranges(
    params: ParameterSet, household_size: int, is_pension_age_household: bool
) -> tuple[IncomeBandRange, ...]:
    """The income range of each band a household of this type can be placed in: the one definition of the bands.

    Band i lies above limit i-1 and at or below limit i (limits inclusive). It gets a range only when both those
    limits are known; a missing limit leaves its neighbouring bands out (unknown, never a guess). Because the
    limits rise from band to band, every known limit below a band also floors it and every known limit above
    caps it, so the ranges never overlap, even when an entered limit breaks the order.
    `income_band` decides one household with these ranges, and the database filters for counting
    (households.selectors.income_band_conditions) are generated from them.

    Args:
        params: the parameter set valid on the reference date.
        household_size: the household's size (children included).
        is_pension_age_household: whether the household is at pension age.

    Returns:
        The ranges in rising order of income.
    """
    limits: tuple[Decimal | None, ...] = tuple(
        getattr(params, name) for name in income_band_limit_names(household_size, is_pension_age_household)
    )
    ranges = []
    for index, band in enumerate(INCOME_BAND_ORDER):
        below, above = limits[:index], limits[index:]
        if (index > 0 and below[-1] is None) or (above and above[0] is None):
            continue
        known_below = [v for v in below if v is not None]
        known_above = [v for v in above if v is not None]
        ranges.append(
            IncomeBandRange(
                band=band,
                above=max(known_below) if known_below else None,
                up_to=min(known_above) if known_above else None,
            )
        )
    return tuple(ranges)


def income_band(household: HouseholdFacts, params: ParameterSet) -> IncomeBandDecision:
    """Income band of a household (vier inkomensgroepen): primary, secondary, middle or high.

    Steps (docs/rules/income-bands.md; sources [S32] for primary/secondary, [S23] for middle incomes):
      1. primary: income at or below the allowance income limit (inkomensgrens passend toewijzen) of the
         household type (1-person / multi-person x below / at AOW age);
      2. secondary: above that, at or below the DAEB income limit (1-person / multi-person);
      3. middle: above the DAEB limit, at or below the middle-income limit (middeninkomensgrens);
      4. high: above the middle-income limit.
    Limits are inclusive. A band is given only when the limits that bound it are known; otherwise the decision
    names the missing parameters and gives no band (never a guess). Because the limits rise from band to band, a
    known higher limit rules out the bands below it (2021, multi-person, income above the DAEB limit: the
    missing allowance limit is not needed, only the missing middle-income limit is). The bands' ranges come from
    `income_band_ranges`.

    Args:
        household: the household; its `assessed_income` excludes children's income.
        params: the parameter set valid on the reference date.

    Returns:
        The band, or band None with `missing_parameters`.
    """
    income = household.assessed_income
    names = income_band_limit_names(household.household_size, household.is_pension_age_household)
    limits: tuple[Decimal | None, ...] = tuple(getattr(params, name) for name in names)
    for band_range in income_band_ranges(params, household.household_size, household.is_pension_age_household):
        if band_range.contains(income):
            index = INCOME_BAND_ORDER.index(band_range.band)
            lower = limits[index - 1] if index > 0 else None
            upper = limits[index] if index < len(names) else None
            code, figures = _band_reason_code(band_range.band, income, lower, upper, names)
            return IncomeBandDecision(
                band=band_range.band,
                reason=_band_reason(band_range.band, income, lower, upper, names),
                parameter_version=params.version,
                reason_code=code,
                reason_figures=figures,
            )
    # No band: name the missing limits of the bands the known limits do not rule out.
    unresolved: list[str] = []
    for index in range(len(INCOME_BAND_ORDER)):
        excluded = any(v is not None and income > v for v in limits[index:]) or any(
            v is not None and income <= v for v in limits[:index]
        )
        if excluded:
            continue
        bounds = (
            (index - 1, names[index - 1] if index > 0 else None),
            (index, names[index] if index < len(names) else None),
        )
        unresolved.extend(n for i, n in bounds if n is not None and limits[i] is None and n not in unresolved)
    ordered = tuple(n for n in names if n in unresolved)
    return IncomeBandDecision(
        band=None,
        reason="parameter missing: " + ", ".join(ordered),
        parameter_version=params.version,
        missing_parameters=ordered,
        reason_code="parameter_missing",
        reason_figures=(("name", ", ".join(ordered)),),
    )


def _band_reason(band, income, lower, upper, names) -> str:
    if band is IncomeBand.PRIMARY:
        return f"income {_euro(income)} is at or below the allowance income limit {_euro(upper)}"
    if band is IncomeBand.HIGH:
        return f"income {_euro(income)} is above the middle-income limit {_euro(lower)}"
    upper_name = names[1] if band is IncomeBand.SECONDARY else names[2]
    return f"income {_euro(income)} is above {_euro(lower)} and at or below {_euro(upper)} ({upper_name})"


def _band_reason_code(band, income, lower, upper, names) -> tuple[str, tuple[tuple[str, object], ...]]:
    """`_band_reason` as a code and its figures."""
    if band is IncomeBand.PRIMARY:
        return "income_at_or_below_allowance_limit", (("income", income), ("limit", upper))
    if band is IncomeBand.HIGH:
        return "income_above_middle_limit", (("income", income), ("limit", lower))
    upper_name = names[1] if band is IncomeBand.SECONDARY else names[2]
    return "income_between_limits", (("income", income), ("lower", lower), ("upper", upper),
                                     ("upper_name", upper_name))


def daeb_target_group(household: HouseholdFacts, params: ParameterSet) -> DaebTargetGroupDecision:
    """DAEB target group (DAEB-doelgroep): assessed income at or below the DAEB income limit.

    Since 2022 the limit differs for 1-person and multi-person households [S13][S19]; in 2021 one limit applied
    and, under the 80-10-10 rule, lettings between it and the extended limit (€44,655) had their own 10% band
    [S17][S18]. Pension age plays no part. See docs/rules/daeb-allocation.md.

    Args:
        household: the household.
        params: the parameter set valid on the reference date.

    Returns:
        Membership and whether a DAEB letting to this household uses the free allocation room; None for
        both with `missing_parameters` when the DAEB income limit is unknown.
    """
    name = daeb_income_limit_name(household.household_size)
    limit = getattr(params, name)
    income = household.assessed_income
    if limit is None:
        return DaebTargetGroupDecision(
            None, None, f"parameter missing: {name}", params.version, missing_parameters=(name,),
            reason_code="parameter_missing", reason_figures=(("name", name),),
        )
    if income <= limit:
        return DaebTargetGroupDecision(
            True, False, f"income {_euro(income)} is at or below the DAEB income limit {_euro(limit)}", params.version,
            reason_code="daeb_income_at_or_below_limit", reason_figures=(("income", income), ("limit", limit)),
        )
    if "daeb_income_limit_extended" in params.not_applicable:
        return DaebTargetGroupDecision(
            False,
            True,
            f"income {_euro(income)} is above the DAEB income limit {_euro(limit)}: free allocation room",
            params.version,
            reason_code="daeb_income_above_limit_free_room",
            reason_figures=(("income", income), ("limit", limit)),
        )
    extended = params.daeb_income_limit_extended
    if extended is None:
        return DaebTargetGroupDecision(
            False,
            None,
            "parameter missing: daeb_income_limit_extended",
            params.version,
            missing_parameters=("daeb_income_limit_extended",),
            reason_code="parameter_missing",
            reason_figures=(("name", "daeb_income_limit_extended"),),
        )
    if income <= extended:
        return DaebTargetGroupDecision(
            False,
            False,
            f"income {_euro(income)} is above the DAEB income limit {_euro(limit)} and at or below the extended "
            f"limit {_euro(extended)} (80-10-10 band)",
            params.version,
            reason_code="daeb_income_in_extended_band",
            reason_figures=(("income", income), ("limit", limit), ("extended", extended)),
        )
    return DaebTargetGroupDecision(
        False,
        True,
        f"income {_euro(income)} is above the extended DAEB limit {_euro(extended)}: free allocation room",
        params.version,
        reason_code="daeb_income_above_extended_free_room",
        reason_figures=(("income", income), ("extended", extended)),
    )
