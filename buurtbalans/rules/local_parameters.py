"""A corporation's own values of legal parameters: which ones it may set, and how they apply.

Some legal parameters are a limit a corporation may tighten in its own policy or in its performance agreements
(prestatieafspraken): the aftoppingsgrenzen are a maximum rent for low-income households (passend toewijzen), and a
corporation may offer those households homes only up to a lower cap of its own. Such an own value applies to that
corporation's decisions only (allocation rounds, labelling plans, the rent above the cap), never to another
corporation, and never makes the rules less strict than the law:

- at save, an own maximum above the legal maximum in any year it covers is refused (`local_value_problems`);
- at read, the stricter of the two applies (`overlay`), so a later legal change can never loosen the rules either;
- where the law gives no value (unknown, or it does not exist that year), the own value does not fill it in: the
  decision still says "parameter missing".

Which parameters, and why the others are not, is in docs/rules/parameters.md ("Own values of a corporation").
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum

from django.utils.translation import gettext as _

from buurtbalans.core.formatting import format_euro
from buurtbalans.engine.parameters import ParameterSet, amount_text, set_in_force


class Bound(StrEnum):
    """What the law sets. Only maxima so far (an own value may only be lower); a minimum (e.g. an own, higher
    passend-toewijzen norm) would be the mirror image: only higher, and the larger of the two applies."""

    MAXIMUM = "maximum"


# The parameters a corporation may set for itself, with the kind of limit the law sets.
LOCAL_PARAMETER_KEYS: dict[str, Bound] = {
    "allowance_cap_low": Bound.MAXIMUM,
    "allowance_cap_high": Bound.MAXIMUM,
}

# The caps rise from the quality discount limit to the high cap (engine.parameters.parameter_set_problems).
_ORDER = ("quality_discount_limit", "allowance_cap_low", "allowance_cap_high")


@dataclass(frozen=True)
class LocalValue:
    """One own value as the rules read it (a `LocalParameterValue` row without the database)."""

    key: str
    valid_from: date
    valid_until: date | None
    value: Decimal
    source: str = ""
    note: str = ""

    def covers(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_until is None or day <= self.valid_until)


def stricter(key: str, own: Decimal, legal: Decimal) -> Decimal:
    """The stricter of an own value and the legal value of `key` (the lower, for a legal maximum)."""
    # Every key so far is a legal maximum (Bound.MAXIMUM).
    return min(own, legal)


def overlay(params: ParameterSet, values: Iterable[LocalValue], day: date) -> ParameterSet:
    """`params` (the legal set in force on `day`) with the own values that cover `day` laid over it.

    An own value replaces the legal one only where it is stricter; an unknown or absent legal value stays so.
    When any value changed, the version gets "+local:<hash>", so a decision records that it used own values.
    """
    applied: dict[str, LocalValue] = {}
    for value in values:
        legal = getattr(params, value.key, None)
        if value.key not in LOCAL_PARAMETER_KEYS or legal is None or not value.covers(day):
            continue
        if stricter(value.key, value.value, legal) != legal:
            applied[value.key] = value
    if not applied:
        return params
    digest = hashlib.sha256(
        "\n".join(f"{key}={amount_text(v.value)}" for key, v in sorted(applied.items())).encode()
    ).hexdigest()[:8]
    sources = {**params.sources, **{key: v.source for key, v in applied.items()}}
    notes = {**params.notes, **{key: v.note for key, v in applied.items()}}
    return replace(
        params,
        version=f"{params.version}+local:{digest}",
        sources=sources,
        notes=notes,
        **{key: v.value for key, v in applied.items()},
    )


def _days_to_check(candidate: LocalValue, sets: Sequence[ParameterSet], others: Sequence[LocalValue]) -> list[date]:
    """The first day of the candidate's period and every day within it on which the legal or own values change."""
    end = candidate.valid_until or date.max

    def inside(day: date) -> bool:
        return candidate.valid_from < day <= end

    days = {candidate.valid_from}
    days.update(s.valid_from for s in sets if inside(s.valid_from))
    for other in others:
        days.update(d for d in (other.valid_from, other.valid_until and other.valid_until + timedelta(days=1)) if d)
    return sorted(d for d in days if d == candidate.valid_from or inside(d))


def local_value_problems(
    candidate: LocalValue, sets: Sequence[ParameterSet], others: Sequence[LocalValue] = ()
) -> list[str]:
    """Why `candidate` may not be saved, as plain sentences; empty when it may.

    Args:
        candidate: the own value to save.
        sets: the legal parameter sets in force (`rules.parameters.parameter_sets()`).
        others: the corporation's other own values (not the one being changed).
    """
    from buurtbalans.rules.labels import parameter_label

    if candidate.key not in LOCAL_PARAMETER_KEYS:
        return [_("A corporation cannot set its own value for this parameter.")]
    problems: list[str] = []
    for other in others:
        if other.key == candidate.key and _overlaps(other, candidate):
            problems.append(
                _("You already have an own value for this parameter from %(date)s. End or remove that one first.")
                % {"date": other.valid_from.strftime("%d-%m-%Y")}
            )
    if problems:
        return problems
    label = parameter_label(candidate.key)
    for day in _days_to_check(candidate, sets, others):
        try:
            legal = set_in_force(sets, day)
        except LookupError:
            continue
        legal_value = getattr(legal, candidate.key)
        if legal_value is not None and stricter(candidate.key, candidate.value, legal_value) != candidate.value:
            problems.append(
                _("Your own value may not be higher than the law allows: %(name)s is %(legal)s from %(date)s.")
                % {"name": label, "legal": _money(legal_value), "date": legal.valid_from.strftime("%d-%m-%Y")}
            )
            continue
        in_force = overlay(legal, [*(o for o in others if o.covers(day)), candidate], day)
        problems.extend(_order_problems(candidate.key, in_force, day))
    return list(dict.fromkeys(problems))


def _order_problems(key: str, params: ParameterSet, day: date) -> list[str]:
    """The caps must rise: quality discount limit <= low cap <= high cap, also with own values."""
    from buurtbalans.rules.labels import parameter_label

    problems = []
    for lower, upper in zip(_ORDER, _ORDER[1:], strict=False):
        if key not in (lower, upper):
            continue
        low, high = getattr(params, lower), getattr(params, upper)
        if low is not None and high is not None and low > high:
            problems.append(
                _("%(lower)s (%(low)s) cannot be higher than %(upper)s (%(high)s) on %(date)s.")
                % {
                    "lower": parameter_label(lower),
                    "low": _money(low),
                    "upper": parameter_label(upper),
                    "high": _money(high),
                    "date": day.strftime("%d-%m-%Y"),
                }
            )
    return problems


def _overlaps(a: LocalValue, b: LocalValue) -> bool:
    return a.valid_from <= (b.valid_until or date.max) and b.valid_from <= (a.valid_until or date.max)


def _money(value: Decimal) -> str:
    return format_euro(value, 2)


__all__ = ["Bound", "LOCAL_PARAMETER_KEYS", "LocalValue", "local_value_problems", "overlay", "stricter"]
