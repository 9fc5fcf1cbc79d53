"""Which rents a vacancy may be let at: the applicable cap, the lawful ceiling and the proposed rent per label.

Interpretation (docs/labelling.md, "Rents"):
- The applicable cap (aftoppingsgrens) is `allowance_cap_high` when the smallest household the dwelling is let to has
  3 or more persons, otherwise `allowance_cap_low` (as in passend toewijzen, docs/rules/affordability-fit.md).
- The ceiling is the legal maximum base rent from the WWS points and, for a DAEB dwelling, also the DAEB rent limit
  (liberalisatiegrens): a DAEB dwelling let above it would no longer be DAEB.
- An affordable label keeps the current rent, lowered to the cap when above it, and never above the ceiling.
- ABOVE_CAP asks the ceiling, rounded down to the cent, and is allowed only when that is above the cap.
"""

from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

from buurtbalans.engine.labelling.facts import Label, LabelPlanParameterMissing, Vacancy, VacancyRent
from buurtbalans.engine.parameters import ParameterSet, allowance_cap_name

CENT = Decimal("0.01")


def floor_cent(amount: Decimal) -> Decimal:
    """Round down to the cent: a proposed rent may never exceed a limit by rounding."""
    return amount.quantize(CENT, rounding=ROUND_FLOOR)


def required_parameters(vacancies: tuple[Vacancy, ...] | list[Vacancy]) -> tuple[str, ...]:
    """The parameter names these vacancies need, in a fixed order."""
    names = {allowance_cap_name(v.household_size_min) for v in vacancies}
    if any(v.is_daeb for v in vacancies):
        names.add("daeb_rent_limit")
    return tuple(n for n in ("allowance_cap_low", "allowance_cap_high", "daeb_rent_limit") if n in names)


def check_parameters(vacancies: tuple[Vacancy, ...], params: ParameterSet) -> None:
    """Raise LabelPlanParameterMissing naming every parameter the vacancies need but the set does not give."""
    missing = tuple(name for name in required_parameters(vacancies) if getattr(params, name) is None)
    if missing:
        raise LabelPlanParameterMissing(
            missing,
            f"parameter missing: {', '.join(missing)} (the legal parameters valid from "
            f"{params.valid_from.isoformat()} do not give it); no plan is made without it",
        )


def vacancy_rent(vacancy: Vacancy, params: ParameterSet) -> VacancyRent:
    """The cap, ceiling and proposed rents of one vacancy (see the module docstring).

    Raises:
        ParameterMissing: when the cap or, for DAEB, the DAEB rent limit is unknown (call check_parameters first
            for a message naming all of them).
    """
    cap_name = allowance_cap_name(vacancy.household_size_min)
    cap = params.require(cap_name)
    ceiling = vacancy.max_base_rent
    if vacancy.is_daeb:
        ceiling = min(ceiling, params.require("daeb_rent_limit"))
    affordable = floor_cent(min(vacancy.base_rent, cap, ceiling))
    highest = floor_cent(ceiling)
    return VacancyRent(
        cap_name=cap_name,
        cap=cap,
        ceiling=ceiling,
        affordable_rent=affordable,
        above_cap_rent=highest if highest > cap else None,
    )


def proposed_rent(rent: VacancyRent, label: Label) -> Decimal:
    """The base rent proposed with `label`.

    Raises:
        ValueError: ABOVE_CAP for a vacancy whose ceiling is not above the cap.
    """
    if label is Label.ABOVE_CAP:
        if rent.above_cap_rent is None:
            raise ValueError("ABOVE_CAP is not allowed: the lawful ceiling is not above the cap")
        return rent.above_cap_rent
    return rent.affordable_rent
