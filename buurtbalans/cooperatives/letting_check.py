"""The legal checks of a co-opted letting: a cooperative's choice of resident sets no allocation rule aside.

A co-optation (coöptatierecht) decides who gets the dwelling, not whether the letting may happen: passend toewijzen
(Woningwet art. 46) and the DAEB allocation rule apply as to any letting. This module runs the rules engine for one
letting with the parameter set valid on its date (`rules.parameters.parameters_for`, administrators' values
included) and says whether it passes:

- passend toewijzen FIT or NOT_APPLICABLE: passes; NOT_FIT: passes only with a recorded exception reason (it then
  uses the corporation's 5% exception budget, counted on the compliance screen);
- a DAEB dwelling let outside the DAEB target group uses the free allocation room: it passes, with that noted
  (whether the year's room suffices is the compliance screen's yearly test, not one letting's);
- a parameter the decision needs is missing: unknown (None), never a guess.

Facts at the start of the letting come from the tenancy, falling back to the current values as the compliance
report does (`rules.compliance`), and the fallbacks are named.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from buurtbalans.engine.rules import FitOutcome, HouseholdFacts, RentFacts, affordability_fit, daeb_target_group
from buurtbalans.rules.parameters import parameters_for
from buurtbalans.rules.reasons import figures_for_json


@dataclass(frozen=True)
class LettingFacts:
    letting_date: date
    base_rent: Decimal | None
    household_size: int | None
    assessed_income: Decimal | None
    is_pension_age: bool
    assets: Decimal | None
    is_daeb_dwelling: bool
    exception_reason: str = ""
    fallbacks: tuple[str, ...] = ()


def facts_of_tenancy(tenancy) -> LettingFacts:
    """The facts at the start of the letting, with the current values where the start was not recorded."""
    fallbacks: list[str] = []
    rent = tenancy.rent_at_start
    if rent is None:
        rent = tenancy.dwelling.base_rent
        fallbacks.append("rent_at_start")
    income = tenancy.income_at_start
    if income is None:
        income = tenancy.household.assessed_income
        fallbacks.append("income_at_start")
    size = tenancy.household_size_at_start
    if size is None:
        size = tenancy.household.size
        fallbacks.append("household_size_at_start")
    pension = tenancy.is_pension_age_at_start
    if pension is None:
        pension = tenancy.household.is_pension_age_household
        fallbacks.append("is_pension_age_at_start")
    return LettingFacts(
        letting_date=tenancy.start_date,
        base_rent=rent,
        household_size=size,
        assessed_income=income,
        is_pension_age=bool(pension),
        assets=tenancy.assets_at_start,
        is_daeb_dwelling=tenancy.dwelling.is_daeb,
        exception_reason=tenancy.exception_reason or "",
        fallbacks=tuple(fallbacks),
    )


def letting_check(facts: LettingFacts) -> dict:
    """The checks as a JSON-ready dict: {"passes", "parameter_version", "affordability", "daeb", "fallbacks", ...}.

    Raises:
        LookupError: when no parameter set covers the letting date.
    """
    params = parameters_for(facts.letting_date)
    result: dict = {
        "letting_date": facts.letting_date.isoformat(),
        "parameter_version": params.version,
        "fallbacks": list(facts.fallbacks),
        "exception_reason": facts.exception_reason,
    }
    missing = [n for n, v in (("rent", facts.base_rent), ("income", facts.assessed_income)) if v is None]
    if missing or not facts.household_size:
        result.update(passes=None, affordability=None, daeb=None, unknown=missing or ["household_size"])
        return result
    household = HouseholdFacts(
        household_size=max(int(facts.household_size), 1),
        # Imported incomes may be negative (business losses); the rules take the assessed income as zero then.
        assessed_income=max(Decimal(facts.assessed_income), Decimal(0)),
        is_pension_age_household=facts.is_pension_age,
        assets=facts.assets,
    )
    fit = affordability_fit(household, RentFacts(Decimal(facts.base_rent)), params)
    result["affordability"] = {
        "outcome": fit.outcome.value if fit.outcome else None,
        "reason": fit.reason,
        # The reason as a code and figures, so the screen says it in the reader's language (rules/reasons.py).
        "reason_code": fit.reason_code,
        "figures": figures_for_json(fit.reason_figures),
        "missing": list(fit.missing_parameters),
    }
    if fit.outcome is None:
        fit_passes = None
    elif fit.outcome is FitOutcome.NOT_FIT:
        fit_passes = bool(facts.exception_reason)
    else:
        fit_passes = True
    daeb_passes: bool | None = True
    if facts.is_daeb_dwelling:
        target = daeb_target_group(household, params)
        result["daeb"] = {
            "is_target_group": target.is_daeb_target_group,
            "uses_free_room": target.uses_free_room,
            "reason": target.reason,
            "reason_code": target.reason_code,
            "figures": figures_for_json(target.reason_figures),
            "missing": list(target.missing_parameters),
        }
        daeb_passes = None if target.is_daeb_target_group is None else True
    else:
        result["daeb"] = None
    if fit_passes is False:
        result["passes"] = False
    elif fit_passes is None or daeb_passes is None:
        result["passes"] = None
    else:
        result["passes"] = True
    return result
