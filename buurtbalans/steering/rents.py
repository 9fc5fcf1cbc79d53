"""The rent an allocation officer may choose for a vacancy let above the rent cap (ABOVE_CAP, issue 10).

The limits come from the rules engine, on the plan's reference date and with the dwelling as it is now:
  - the legal maximum base rent from the WWS points (`engine.rules.maximum_rent`);
  - the cap and the lawful ceiling from the labelling engine (`engine.labelling.vacancy_rent`): the applicable
    allowance cap (aftoppingsgrens) and the legal maximum, for a DAEB dwelling also the DAEB rent limit
    (liberalisatiegrens: above it the letting would no longer be DAEB).
The officer chooses a base rent from the cap + €0.01 up to that ceiling, rounded down to the cent; the plan
proposes the ceiling. `rent_problem` is the one check of a chosen rent, used by the form and the service.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from buurtbalans.core.figures import euro
from buurtbalans.engine.labelling import Vacancy, floor_cent, vacancy_rent
from buurtbalans.engine.parameters import ParameterMissing
from buurtbalans.engine.rules import maximum_rent
from buurtbalans.rules.parameters import parameters_for
from buurtbalans.steering.reasons import cap_text

CENT = Decimal("0.01")
# As in the plan (steering.planning.HOUSEHOLD_SIZE_MIN): every vacancy is let to households from 1 person.
HOUSEHOLD_SIZE_MIN = 1


@dataclass(frozen=True)
class AboveCapRange:
    """The base rents (per month) allowed for one vacancy with ABOVE_CAP.

    Attributes:
        cap_name: "allowance_cap_low" or "allowance_cap_high".
        cap: the applicable cap; the rent must be above it.
        lowest: the lowest rent allowed: the cap plus one cent.
        highest: the highest rent allowed: the lawful ceiling rounded down to the cent (the default).
        max_base_rent: the legal maximum from the WWS points.
        whole_points: the WWS points the maximum was read at.
        daeb_rent_limit: the DAEB rent limit when it is lower than the legal maximum (a DAEB dwelling), else None.
    """

    cap_name: str
    cap: Decimal
    lowest: Decimal
    highest: Decimal
    max_base_rent: Decimal
    whole_points: int | None
    daeb_rent_limit: Decimal | None

    @property
    def is_daeb_limited(self) -> bool:
        return self.daeb_rent_limit is not None


def above_cap_range(proposal) -> AboveCapRange | None:
    """The rents allowed with ABOVE_CAP for the proposal's dwelling, or None when ABOVE_CAP is not allowed there.

    Not allowed: no WWS points or no WWS table for the plan's date (no legal maximum known), a legal parameter
    missing, or a ceiling that is not above the cap.
    """
    dwelling = proposal.dwelling
    if dwelling.wws_points is None:
        return None
    reference_date = proposal.plan.reference_date
    decision = maximum_rent(Decimal(dwelling.wws_points), reference_date)
    if decision.maximum_rent is None:
        return None
    try:
        # With the corporation's own, stricter cap, as the plan used (rules.local_parameters).
        params = parameters_for(reference_date, corporation=proposal.plan.corporation_id)
        rent = vacancy_rent(
            Vacancy(
                vacancy_id=dwelling.external_id,
                complex_id="",
                base_rent=proposal.current_rent,
                max_base_rent=decision.maximum_rent,
                is_daeb=dwelling.is_daeb,
                household_size_min=HOUSEHOLD_SIZE_MIN,
                leaving_household_vulnerable=False,
                leaving_household_primary=False,
            ),
            params,
        )
    except (LookupError, ParameterMissing):
        return None
    if rent.above_cap_rent is None:
        return None
    return AboveCapRange(
        cap_name=rent.cap_name,
        cap=rent.cap,
        lowest=floor_cent(rent.cap) + CENT,
        highest=rent.above_cap_rent,
        max_base_rent=decision.maximum_rent,
        whole_points=decision.whole_points,
        daeb_rent_limit=rent.ceiling if rent.ceiling < decision.maximum_rent else None,
    )


def rent_problem(rent: Decimal, allowed: AboveCapRange) -> str | None:
    """Why `rent` may not be chosen with ABOVE_CAP, naming the field and the limits; None when it may.

    A rent may be chosen when it is a whole number of cents, above the cap and at most the lawful ceiling.
    """
    field = _("Base rent above the rent cap")
    limits = {"lowest": euro(allowed.lowest), "highest": euro(allowed.highest), "cap": euro(allowed.cap)}
    if not rent.is_finite() or rent != rent.quantize(CENT):
        return _("%(field)s: give an amount in euros with at most two decimals, from %(lowest)s to %(highest)s.") % {
            "field": field,
            **limits,
        }
    if rent <= allowed.cap:
        return _(
            "%(field)s: %(rent)s is not above the rent cap of %(cap)s. Choose a rent from %(lowest)s to %(highest)s."
        ) % {"field": field, "rent": euro(rent), **limits}
    if rent > allowed.highest:
        return _(
            "%(field)s: %(rent)s is above the highest rent allowed here, %(highest)s (%(limit)s). Choose a rent from "
            "%(lowest)s to %(highest)s."
        ) % {"field": field, "rent": euro(rent), "limit": ceiling_text(allowed), **limits}
    return None


def ceiling_text(allowed: AboveCapRange) -> str:
    """Which limit the highest rent is, in words."""
    if allowed.is_daeb_limited:
        return _(
            "the DAEB rent limit; the legal maximum from the WWS points, %(max)s, is higher, but above the DAEB rent "
            "limit the letting would no longer be DAEB"
        ) % {"max": euro(allowed.max_base_rent)}
    if allowed.whole_points is not None:
        return _("the legal maximum for %(points)s WWS points") % {"points": allowed.whole_points}
    return _("the legal maximum from the WWS points")


def default_reason(allowed: AboveCapRange) -> str:
    """Why the highest rent is proposed, what the cap is and which rents may be chosen (B1 Dutch on screen)."""
    return _(
        "We propose the highest rent that is allowed: %(highest)s (%(limit)s). Above the rent cap this home is no "
        "longer for the lowest incomes anyway, so the plan asks the most the law allows. For this home "
        "%(cap)s applies. You may choose a rent from %(lowest)s to %(highest)s."
    ) % {
        "highest": euro(allowed.highest),
        "limit": ceiling_text(allowed),
        "cap": cap_text(allowed.cap_name, allowed.cap),
        "lowest": euro(allowed.lowest),
    }
