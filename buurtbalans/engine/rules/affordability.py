"""Affordability fit (passend toewijzen): does a letting's rent suit a low-income household?

See docs/rules/affordability-fit.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from buurtbalans.engine.parameters import (
    ParameterSet,
    allowance_cap_name,
    allowance_income_limit_name,
    pension_assets_limit_name,
)
from buurtbalans.engine.rules.facts import FitOutcome, HouseholdFacts, RentBasis, RentFacts


@dataclass(frozen=True)
class AffordabilityFitDecision:
    """Outcome of the passendheidstoets with its reason and the figures it used.

    `outcome` is None when a parameter the decision needs is missing; `missing_parameters` then names it, and
    `income_limit` / `rent_cap` hold whatever was known before the missing one.
    `is_assets_exception` is True when the outcome is NOT_APPLICABLE because of the pension-age assets exception.
    """

    outcome: FitOutcome | None
    reason: str
    parameter_version: str
    rent_basis: RentBasis
    tested_rent: Decimal
    income_limit: Decimal | None = None
    rent_cap: Decimal | None = None
    is_assets_exception: bool = False
    missing_parameters: tuple[str, ...] = ()
    # The reason as a code and its figures, so a screen can say it in its own language (rules/reasons.py);
    # `reason` is the same in English, for logs, files and the command line.
    reason_code: str = ""
    reason_figures: tuple[tuple[str, object], ...] = ()

    @property
    def missing_parameter(self) -> str | None:
        """The first missing parameter, for a one-line message; None when the decision was made."""
        return self.missing_parameters[0] if self.missing_parameters else None


def _euro(amount: Decimal) -> str:
    return f"€{amount:,.2f}"


def affordability_fit(
    household: HouseholdFacts,
    rent: RentFacts,
    params: ParameterSet,
    *,
    rent_basis: RentBasis = RentBasis.BASE_RENT,
) -> AffordabilityFitDecision:
    """Passend toewijzen (Woningwet art. 46; passendheidsnorm since 1-1-2016) for one letting.

    Steps (sources [S1]-[S4], [S7], [S8], [S13], [S14]; interpretation in docs/rules/affordability-fit.md):
      1. Take the allowance income limit (inkomensgrens passend toewijzen) of the household type. Income above
         it: NOT_APPLICABLE (the household is not in the passend-toewijzen group).
      2. Take the cap (aftoppingsgrens): laag for 1-2 persons, hoog for 3 or more. Tested rent at or below it: FIT.
      3. Rent above the cap and a pension-age household whose known assets are above the asset threshold for its
         household type (exception from 1-1-2022): NOT_APPLICABLE, marked as the assets exception.
      4. Otherwise NOT_FIT.
    Limits are inclusive: an income equal to the limit is under it; a rent equal to the cap is within it.
    A missing parameter that a step needs stops the decision with outcome None ("parameter missing").

    Args:
        household: the household (assessed income without children's income; pension age on 1 January).
        rent: the dwelling's rent.
        params: the parameter set valid on the letting date.
        rent_basis: which rent is tested; default the base rent (kale huur).

    Returns:
        The decision with its reason and the limits used.

    Raises:
        ValueError: when the allowance rent is tested but not given.
    """
    tested = rent.tested_rent(rent_basis)
    rent_word = "base rent" if rent_basis is RentBasis.BASE_RENT else "allowance rent"

    def missing(name: str, income_limit: Decimal | None = None, cap: Decimal | None = None):
        return AffordabilityFitDecision(
            None,
            f"parameter missing: {name}",
            params.version,
            rent_basis,
            tested,
            income_limit=income_limit,
            rent_cap=cap,
            missing_parameters=(name,),
            reason_code="parameter_missing",
            reason_figures=(("name", name),),
        )

    limit_name = allowance_income_limit_name(household.household_size, household.is_pension_age_household)
    income_limit = getattr(params, limit_name)
    if income_limit is None:
        return missing(limit_name)
    income = household.assessed_income
    if income > income_limit:
        return AffordabilityFitDecision(
            FitOutcome.NOT_APPLICABLE,
            f"income {_euro(income)} is above the allowance income limit {_euro(income_limit)}",
            params.version,
            rent_basis,
            tested,
            income_limit=income_limit,
            reason_code="income_above_allowance_limit",
            reason_figures=(("income", income), ("limit", income_limit)),
        )
    cap_name = allowance_cap_name(household.household_size)
    cap = getattr(params, cap_name)
    if cap is None:
        return missing(cap_name, income_limit)
    cap_word = "low" if cap_name == "allowance_cap_low" else "high"
    if tested <= cap:
        return AffordabilityFitDecision(
            FitOutcome.FIT,
            f"{rent_word} {_euro(tested)} is at or below the {cap_word} cap {_euro(cap)}",
            params.version,
            rent_basis,
            tested,
            income_limit=income_limit,
            rent_cap=cap,
            reason_code="rent_at_or_below_cap",
            reason_figures=(("rent_basis", rent_basis.value), ("rent", tested), ("cap_kind", cap_word), ("cap", cap)),
        )
    if household.is_pension_age_household and household.assets is not None:
        assets_name = pension_assets_limit_name(household.household_size)
        if assets_name not in params.not_applicable:
            assets_limit = getattr(params, assets_name)
            if assets_limit is None:
                return missing(assets_name, income_limit, cap)
            if household.assets > assets_limit:
                return AffordabilityFitDecision(
                    FitOutcome.NOT_APPLICABLE,
                    f"pension-age household with assets {_euro(household.assets)} above {_euro(assets_limit)}: "
                    f"excepted from passend toewijzen ({rent_word} {_euro(tested)} above the {cap_word} cap "
                    f"{_euro(cap)})",
                    params.version,
                    rent_basis,
                    tested,
                    income_limit=income_limit,
                    rent_cap=cap,
                    is_assets_exception=True,
                    reason_code="pension_assets_exception",
                    reason_figures=(("assets", household.assets), ("assets_limit", assets_limit),
                                    ("rent_basis", rent_basis.value), ("rent", tested), ("cap_kind", cap_word),
                                    ("cap", cap)),
                )
    return AffordabilityFitDecision(
        FitOutcome.NOT_FIT,
        f"{rent_word} {_euro(tested)} is above the {cap_word} cap {_euro(cap)} for a household of "
        f"{household.household_size} with income {_euro(income)} at or below {_euro(income_limit)}",
        params.version,
        rent_basis,
        tested,
        income_limit=income_limit,
        rent_cap=cap,
        reason_code="rent_above_cap",
        reason_figures=(("rent_basis", rent_basis.value), ("rent", tested), ("cap_kind", cap_word), ("cap", cap),
                        ("household_size", household.household_size), ("income", income),
                        ("limit", income_limit)),
    )
