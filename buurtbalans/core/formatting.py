"""Figures as text: the one rounding rule of pages, exports and PDF reports (issue 14 item 3).

The rule (docs/ui.md, "Figures: one rounding rule"):
- A figure is stored and computed unrounded. It is rounded once, when it becomes text, by the functions here.
- Rounding is half up on the figure as written in decimals: 59.5 -> 60, 0.145 as a share with no decimals -> 15%,
  2.675 with two decimals -> 2.68 (a float is read as its shortest decimal form, `repr`, not its binary value).
  Negative figures round symmetrically (half away from zero: -2.5 -> -3), so a difference and its opposite read
  the same; a figure that rounds to zero has no sign.
- The decimal sign and the thousands separator are those of the active language (Dutch "1.234,5", English
  "1,234.5"); thousands are always grouped.
- An unknown figure (None, "", NaN) is an en dash "–".
- A download writes the unrounded figure as a number cell; it is rounded only where a cell is text.

Django's `number_format` cuts the decimals it does not show (59.7 -> "59"); nothing here uses it.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

from django.utils.formats import get_format

UNKNOWN = "–"
_EXACT = Context(prec=200)
_QUANTUM = {digits: Decimal(1).scaleb(-digits) for digits in range(0, 10)}


def to_decimal(value) -> Decimal | None:
    """The figure as a Decimal, a float read as its shortest decimal form (0.1 -> Decimal("0.1")); None when unknown."""
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return None if not value.is_finite() else value
    if isinstance(value, bool):
        return Decimal(int(value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        return None if not math.isfinite(value) else Decimal(repr(value))
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def round_half_up(value, decimals: int = 0) -> Decimal | None:
    """The figure rounded half up (away from zero) to `decimals` places, as a Decimal; None when unknown."""
    number = to_decimal(value)
    if number is None:
        return None
    quantum = _QUANTUM.get(decimals) or Decimal(1).scaleb(-decimals)
    rounded = number.quantize(quantum, rounding=ROUND_HALF_UP, context=_EXACT)
    return rounded.copy_abs() if rounded.is_zero() else rounded


def _grouped(digits: str, separator: str) -> str:
    if len(digits) <= 3:
        return digits
    head = len(digits) % 3 or 3
    return digits[:head] + "".join(separator + digits[i:i + 3] for i in range(head, len(digits), 3))


def _text(rounded: Decimal, decimals: int) -> str:
    """A rounded Decimal with the active language's separators."""
    plain = f"{rounded.copy_abs():f}"
    whole, _dot, fraction = plain.partition(".")
    text = _grouped(whole, get_format("THOUSAND_SEPARATOR"))
    if decimals > 0:
        text += get_format("DECIMAL_SEPARATOR") + fraction.ljust(decimals, "0")[:decimals]
    return f"-{text}" if rounded < 0 else text


def format_number(value, decimals: int = 0) -> str:
    """A figure as text: rounded half up to `decimals`, with the language's separators ("1.234,5"); "–" if unknown.

    Args:
        value: an int, float, Decimal (or a string of a number); None, "" and NaN are unknown.
        decimals: the places shown (0 for a whole number); negative: at most that many, none when the rounded
            figure is whole (-1: "25" but "12,5"), as Django's floatformat does.
    """
    if decimals < 0:
        rounded = round_half_up(value, -decimals)
        if rounded is None:
            return UNKNOWN
        return _text(rounded, 0 if rounded == rounded.to_integral_value() else -decimals)
    if type(value) is int:
        # Counts are most of the figures on a page (the complex tables write thousands): no Decimal needed.
        text = _grouped(str(abs(value)), get_format("THOUSAND_SEPARATOR"))
        if decimals > 0:
            text += get_format("DECIMAL_SEPARATOR") + "0" * decimals
        return f"-{text}" if value < 0 else text
    rounded = round_half_up(value, decimals)
    return UNKNOWN if rounded is None else _text(rounded, decimals)


def format_score(value) -> str:
    """A vitality score (0-100) as a whole number ("60" for 59.5); "–" if unknown."""
    return format_number(value, 0)


def format_percent(value, decimals: int = 0) -> str:
    """A figure that is already in percent (12.5) as "12,5%"; "–" if unknown."""
    text = format_number(value, decimals)
    return UNKNOWN if text == UNKNOWN else f"{text}%"


def format_share(value, decimals: int = 0) -> str:
    """A share given as a fraction (0.125) as a percentage ("13%", or "12,5%" with one decimal); "–" if unknown.

    The fraction is multiplied by 100 exactly (in decimals) before it is rounded, so 0.145 is 15%, not 14%.
    """
    number = to_decimal(value)
    return UNKNOWN if number is None else format_percent(number.scaleb(2), decimals)


def format_ratio(part, whole, decimals: int = 0) -> str:
    """`part` of `whole` as a percentage ("2%" for 3 of 200); "–" when either is unknown or `whole` is zero."""
    if part is None or not whole:
        return UNKNOWN
    if type(part) is int and type(whole) is int and decimals == 0 and part >= 0 and whole > 0:
        # Half up in integers, (100 part / whole + 1/2) floored: the complex tables write thousands of shares.
        rounded = (200 * part + whole) // (2 * whole)
        return f"{rounded}%" if rounded < 1000 else format_percent(rounded)
    number, total = to_decimal(part), to_decimal(whole)
    if number is None or total is None:
        return UNKNOWN
    return format_percent(_EXACT.divide(number.scaleb(2), total), decimals)


def format_euro(value, decimals: int = 0) -> str:
    """An amount in euros ("€ 1.234", "€ 719,31" with two decimals; a no-break space after the sign); "–" if unknown."""
    text = format_number(value, decimals)
    return UNKNOWN if text == UNKNOWN else f"€\u00a0{text}"


def format_signed(value, decimals: int = 0) -> str:
    """A change with its sign ("+0,052", "−3"; the minus sign U+2212); "–" if unknown; a change that rounds to zero
    is "+0"."""
    rounded = round_half_up(value, decimals)
    if rounded is None:
        return UNKNOWN
    text = _text(rounded.copy_abs(), decimals)
    return f"−{text}" if rounded < 0 else f"+{text}"
