"""Rent class (huurklasse) and maximum rent from WWS points (maximale huurprijs).

See docs/rules/maximum-rent-wws.md (both rules).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from buurtbalans.engine.parameters import ParameterSet, WwsRentTable, wws_rent_table_for
from buurtbalans.engine.rules.facts import RentClass

CENT = Decimal("0.01")


@dataclass(frozen=True)
class RentClassDecision:
    """The rent class, or None with the missing parameters."""

    rent_class: RentClass | None
    reason: str
    parameter_version: str
    missing_parameters: tuple[str, ...] = ()


def rent_class(base_rent: Decimal, params: ParameterSet) -> RentClassDecision:
    """Huurklasse of a base rent (kale huur), as defined by VERA / woningwaardering `Huurklasse` [S45].

    - cheap (goedkoop, GOE): below the quality discount limit (kwaliteitskortingsgrens);
    - affordable (betaalbaar, BET): at or above that, below the high cap (aftoppingsgrens hoog);
    - expensive (duur, DUU): at or above the high cap, below the DAEB rent limit (huurtoeslaggrens);
    - above allowance limit (boven huurtoeslaggrens, BOV): at or above the DAEB rent limit.
    Note the lower bounds are inclusive here, as VERA defines them, unlike the passend-toewijzen cap (a rent equal
    to the high cap fits, yet its class is "expensive"): docs/rules/maximum-rent-wws.md.
    A class is given only when the limits that bound it are known.

    Args:
        base_rent: the base rent per month.
        params: the parameter set valid on the reference date.

    Returns:
        The class, or None with `missing_parameters`.
    """
    if base_rent < 0:
        raise ValueError(f"rent cannot be negative ({base_rent})")
    names = ("quality_discount_limit", "allowance_cap_high", "daeb_rent_limit")
    bounds = tuple(getattr(params, name) for name in names)
    classes = (RentClass.CHEAP, RentClass.AFFORDABLE, RentClass.EXPENSIVE, RentClass.ABOVE_ALLOWANCE_LIMIT)
    unresolved: list[str] = []
    for index, klass in enumerate(classes):
        # The limits rise (quality discount < high cap < DAEB rent limit): a known higher limit also caps a class.
        if any(b is not None and base_rent >= b for b in bounds[index:]) or any(
            b is not None and base_rent < b for b in bounds[:index]
        ):
            continue
        missing = [names[i] for i in (index - 1, index) if 0 <= i < len(names) and bounds[i] is None]
        if not missing:
            return RentClassDecision(
                klass, f"base rent €{base_rent:,.2f}: rent class {klass.value} ({klass.vera_code})", params.version
            )
        unresolved.extend(n for n in missing if n not in unresolved)
    ordered = tuple(n for n in names if n in unresolved)
    return RentClassDecision(None, "parameter missing: " + ", ".join(ordered), params.version, ordered)


@dataclass(frozen=True)
class MaximumRentDecision:
    """Maximum base rent per month for a number of WWS points on a date (None when no table is known)."""

    points: Decimal
    whole_points: int | None
    maximum_rent: Decimal | None
    rule: str  # "table", "below_table", "above_table" or "parameter_missing"
    reason: str
    table_version: str | None = None
    missing_parameters: tuple[str, ...] = ()


def round_wws_points(points: Decimal) -> int:
    """Round a WWS point total to whole points, half up (0.5 and more up).

    As woningwaardering `Stelsel.bereken_puntentotaal` does (`rond_af(..., decimalen=0)`, ROUND_HALF_UP), citing
    the WWS rule that the total is rounded to whole points after final balancing.
    """
    return int(points.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def maximum_rent(
    points: Decimal, reference_date: date, tables: tuple[WwsRentTable, ...] | None = None
) -> MaximumRentDecision:
    """Maximale huurprijs (huurprijstabel, woningwaarderingsstelsel) for self-contained dwellings.

    Steps (docs/rules/maximum-rent-wws.md; tables as shipped with woningwaardering [S45]):
      1. Pick the table valid on `reference_date` (from 1 January of its year; none before 2025: "parameter
         missing: wws_maximum_rent_table").
      2. Round the points to whole points, half up.
      3. Inside the table: the table amount. Below its first row (40 points): the amount of the first row, as
         woningwaardering does. Above its last row (250 points): the amount at 250 plus, per point above 250, the
         difference between the amounts at 250 and 249 (the rule woningwaardering quotes from the regulation).
    Surcharges (monuments, new build) are not applied here.

    Args:
        points: the WWS point total (may be fractional).
        reference_date: the date the rent applies.
        tables: the WWS tables to use; default the ones shipped with the product.

    Returns:
        The maximum base rent, rounded to cents, or None with the missing table.

    Raises:
        ValueError: when `points` is negative or not finite.
    """
    if not isinstance(points, Decimal) or not points.is_finite() or points < 0:
        raise ValueError(f"WWS points must be a non-negative Decimal, not {points!r}")
    table = wws_rent_table_for(reference_date, tables)
    if table is None:
        return MaximumRentDecision(
            points,
            None,
            None,
            "parameter_missing",
            f"parameter missing: wws_maximum_rent_table (no WWS table known for {reference_date.isoformat()})",
            missing_parameters=("wws_maximum_rent_table",),
        )
    whole = round_wws_points(points)
    if whole < table.min_points:
        amount, rule = table.amount_at(table.min_points), "below_table"
        reason = f"{whole} points is below the table; the amount at {table.min_points} points applies"
    elif whole > table.max_points:
        top = table.amount_at(table.max_points)
        step = top - table.amount_at(table.max_points - 1)
        amount, rule = top + (whole - table.max_points) * step, "above_table"
        reason = f"{whole} points: the amount at {table.max_points} points plus €{step} per point above it"
    else:
        amount, rule = table.amount_at(whole), "table"
        reason = f"{whole} points in the table valid from {table.valid_from.isoformat()}"
    return MaximumRentDecision(points, whole, amount.quantize(CENT), rule, reason, table_version=table.version)
