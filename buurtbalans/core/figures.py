"""How figures about households are shown on screens and in downloads: numbers in the user's language and the
small-cell rule.

Small-cell rule (privacy, issue 14 item 8; docs/steering.md "Small-cell rule"): for users who may not read
vulnerability markers (policy analysts, administrators), a count of fewer than 5 households is shown as "< 5",
and the share computed from it is shown rounded half up to 5 percentage points ("≈ 10%"): 10 points where the
complex is so small that a 5-point share would still give the count away, and "< 5" only where even 10 points
would (`rounding_step`). The same holds for a share expected after a plan that stands for fewer than 5
households. Users who may read markers (VIEW_MARKERS) see exact figures. The figures behind a decision are still
the exact ones; only what is shown is coarsened. It lives in core because the overview, the buurt and complex
pages, the monitor, the steering screens and all their downloads apply the same rule.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from django.utils.formats import number_format

from buurtbalans.core.permissions import Action, can

SMALL_CELL = 5
SMALL_CELL_TEXT = "< 5"
# A protected small share is rounded to the first of these (percentage points) that hides its count.
ROUNDING_STEPS = (5, 10)
ROUNDED_MARK = "≈\u00a0"


def is_protected(user) -> bool:
    """Whether the small-cell rule applies to what this user sees (no right to read markers)."""
    return not can(user, Action.VIEW_MARKERS)


def percent(share, digits: int = 1) -> str:
    """0.355 -> "35.5%" (localised decimal sign); an en dash for None."""
    if share is None:
        return "–"
    return f"{number_format(_rounded(Decimal(str(share)) * 100, digits), digits)}%"


def points(share, digits: int = 1) -> str:
    """A difference of shares in percentage points: 0.05 -> "5.0"."""
    if share is None:
        return "–"
    return number_format(_rounded(Decimal(str(share)) * 100, digits), digits)


def _rounded(value: Decimal, digits: int) -> Decimal:
    # number_format cuts the decimals it does not show; round half up first.
    return value.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)


def euro(amount) -> str:
    if amount is None:
        return "–"
    return f"€\u00a0{number_format(Decimal(amount), 2, force_grouping=True)}"


def _round_to_step(share: Fraction, step: int) -> Fraction:
    """A share rounded half up to a multiple of `step` percentage points (exact: 3/40 = 7.5% -> 10%)."""
    units = share * 100 / step
    return Fraction((units.numerator * 2 + units.denominator) // (units.denominator * 2) * step, 100)


@functools.cache
def rounding_step(total: int) -> int | None:
    """The percentage points a protected share of `total` households is rounded to; None: show "< 5".

    Every rounded value must stand for at least two of the counts 1..4 it could come from (with 0 as a possible
    partner: "≈ 0%" of 60 households is 0 or 1). The choice depends on the total alone, which is shown, so the
    choice itself gives nothing away. 5 points from 54 households up and for 33-40, 10 points for 17-20, 27-32
    and 41-53; below 17 and for 21-26 households even 10 points would point to one count, so "< 5".
    """
    if total <= 0:
        return None
    for step in ROUNDING_STEPS:
        classes: dict[Fraction, list[int]] = {}
        for count in range(min(SMALL_CELL - 1, total) + 1):
            classes.setdefault(_round_to_step(Fraction(count, total), step), []).append(count)
        if all(len(counts) >= 2 for counts in classes.values() if counts != [0]):
            return step
    return None


def protected_share(share, total: int) -> Decimal | None:
    """A share about fewer than 5 of `total` households, rounded under the small-cell rule; None: not shown."""
    step = rounding_step(total)
    if step is None or share is None:
        return None
    value = Fraction(Decimal(str(share))) if not isinstance(share, Fraction) else share
    rounded = _round_to_step(value, step)
    return Decimal(rounded.numerator) / Decimal(rounded.denominator)


def protected_share_text(share, total: int) -> str:
    """The text "≈ 10%" for a rounded small share, or "< 5" where the complex is too small to round safely."""
    rounded = protected_share(share, total)
    return SMALL_CELL_TEXT if rounded is None else f"{ROUNDED_MARK}{percent(rounded, 0)}"


def protected_export_share(share, total: int):
    """For CSV/Excel: the rounded small share as a number (0.1), or the text "< 5"."""
    rounded = protected_share(share, total)
    return SMALL_CELL_TEXT if rounded is None else float(rounded)


@dataclass(frozen=True)
class Cell:
    """A count of households out of a total, shown under the small-cell rule when `protected`."""

    count: int
    total: int
    protected: bool

    @property
    def is_suppressed(self) -> bool:
        return self.protected and self.count < SMALL_CELL

    @property
    def share(self) -> float | None:
        return self.count / self.total if self.total else None

    @property
    def _exact_share(self) -> Fraction | None:
        return Fraction(self.count, self.total) if self.total else None

    @property
    def is_rounded(self) -> bool:
        """The count is hidden and its share shown rounded (a complex large enough to round safely)."""
        return self.is_suppressed and self.total > 0 and rounding_step(self.total) is not None

    @property
    def shown_share(self) -> Decimal | float | None:
        """The share as this user may see it: exact, rounded (small-cell rule), or None when hidden or unknown."""
        if not self.is_suppressed:
            return self.share
        return protected_share(self._exact_share, self.total) if self.total else None

    @property
    def share_text(self) -> str:
        if self.is_suppressed and self.total:
            return protected_share_text(self._exact_share, self.total)
        return SMALL_CELL_TEXT if self.is_suppressed else percent(self.share)

    @property
    def count_text(self) -> str:
        return SMALL_CELL_TEXT if self.is_suppressed else number_format(self.count, 0, force_grouping=True)

    @property
    def export_share(self):
        """For CSV/Excel: the share rounded to 4 decimals; under the small-cell rule the rounded share (0.1) or
        the text "< 5"."""
        if self.is_suppressed:
            return protected_export_share(self._exact_share, self.total) if self.total else SMALL_CELL_TEXT
        return None if self.share is None else round(self.share, 4)

    @property
    def export_count(self):
        return SMALL_CELL_TEXT if self.is_suppressed else self.count

    def __str__(self) -> str:
        return self.share_text


def is_small_share(share, households: int, protected: bool) -> bool:
    """Whether a share of `households` (e.g. one expected after a plan) stands for fewer than 5 of them, for a user
    under the small-cell rule: the share would give the count away, as the count itself would."""
    if not protected or share is None:
        return False
    return Cell(round(float(share) * households), households, True).is_suppressed


def small_share_text(share, households: int, protected: bool) -> str:
    """A share as text; under the small-cell rule (`is_small_share`) rounded ("≈ 10%") or "< 5"."""
    if is_small_share(share, households, protected):
        return protected_share_text(share, households)
    return percent(share)


def small_share_export(share, households: int, protected: bool):
    """A share for CSV/Excel/JSON; under the small-cell rule the rounded share or "< 5"."""
    if is_small_share(share, households, protected):
        return protected_export_share(share, households)
    return share
