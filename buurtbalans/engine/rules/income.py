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

    @property
    def missing_parameter(self) -> str | None:
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

    @property
    def missing_parameter(self) -> str | None:
        return self.missing_parameters[0] if self.missing_parameters else None


def _euro(amount: Decimal) -> str:
    return f"€{amount:,.2f}"


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
    missing allowance limit is not needed, only the missing middle-income limit is).

    Args:
        household: the household; its `assessed_income` excludes children's income.
        params: the parameter set valid on the reference date.

    Returns:
        The band, or band None with `missing_parameters`.
    """
    income = household.assessed_income
    names = (
        allowance_income_limit_name(household.household_size, household.is_pension_age_household),
        daeb_income_limit_name(household.household_size),
        middle_income_limit_name(household.household_size),
    )
    limits: tuple[Decimal | None, ...] = tuple(getattr(params, name) for name in names)
    # Band i lies between bound i-1 (exclusive) and bound i (inclusive); None outside the list means unbounded.
    bands = (IncomeBand.PRIMARY, IncomeBand.SECONDARY, IncomeBand.MIDDLE, IncomeBand.HIGH)
    unresolved: list[str] = []
    for index, band in enumerate(bands):
        lower_name = names[index - 1] if index > 0 else None
        upper_name = names[index] if index < len(names) else None
        lower = limits[index - 1] if index > 0 else None
        upper = limits[index] if index < len(names) else None
        # The limits rise (allowance < DAEB < middle), so any known limit at or above this band's upper bound
        # also caps it, and any known limit at or below its lower bound also floors it.
        excluded = any(v is not None and income > v for v in limits[index:]) or any(
            v is not None and income <= v for v in limits[:index]
        )
        if excluded:
            continue
        missing = [n for n, v in ((lower_name, lower), (upper_name, upper)) if n is not None and v is None]
        if not missing:
            return IncomeBandDecision(
                band=band, reason=_band_reason(band, income, lower, upper, names), parameter_version=params.version
            )
        unresolved.extend(n for n in missing if n not in unresolved)
    ordered = tuple(n for n in names if n in unresolved)
    return IncomeBandDecision(
        band=None,
        reason="parameter missing: " + ", ".join(ordered),
        parameter_version=params.version,
        missing_parameters=ordered,
    )


def _band_reason(band, income, lower, upper, names) -> str:
    if band is IncomeBand.PRIMARY:
        return f"income {_euro(income)} is at or below the allowance income limit {_euro(upper)}"
    if band is IncomeBand.HIGH:
        return f"income {_euro(income)} is above the middle-income limit {_euro(lower)}"
    upper_name = names[1] if band is IncomeBand.SECONDARY else names[2]
    return f"income {_euro(income)} is above {_euro(lower)} and at or below {_euro(upper)} ({upper_name})"


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
            None, None, f"parameter missing: {name}", params.version, missing_parameters=(name,)
        )
    if income <= limit:
        return DaebTargetGroupDecision(
            True, False, f"income {_euro(income)} is at or below the DAEB income limit {_euro(limit)}", params.version
        )
    if "daeb_income_limit_extended" in params.not_applicable:
        return DaebTargetGroupDecision(
            False,
            True,
            f"income {_euro(income)} is above the DAEB income limit {_euro(limit)}: free allocation room",
            params.version,
        )
    extended = params.daeb_income_limit_extended
    if extended is None:
        return DaebTargetGroupDecision(
            False,
            None,
            "parameter missing: daeb_income_limit_extended",
            params.version,
            missing_parameters=("daeb_income_limit_extended",),
        )
    if income <= extended:
        return DaebTargetGroupDecision(
            False,
            False,
            f"income {_euro(income)} is above the DAEB income limit {_euro(limit)} and at or below the extended "
            f"limit {_euro(extended)} (80-10-10 band)",
            params.version,
        )
    return DaebTargetGroupDecision(
        False,
        True,
        f"income {_euro(income)} is above the extended DAEB limit {_euro(extended)}: free allocation room",
        params.version,
    )
