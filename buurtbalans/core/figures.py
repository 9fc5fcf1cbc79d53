"""How figures about households are shown on screens and in downloads: numbers in the user's language and the
small-cell rule.

Small-cell rule (privacy): for users who may not read vulnerability markers or single households (policy
analysts, administrators), a count of fewer than 5 households, and the share computed from it, is shown as
"< 5"; so is a share expected after a plan that stands for fewer than 5 households. The figures behind a decision
are still the exact ones; only what is shown is coarsened. It lives in core because the overview, the buurt and
complex pages, the monitor, the steering screens and all their downloads apply the same rule.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import number_format

from buurtbalans.core.permissions import Action, can

SMALL_CELL = 5
SMALL_CELL_TEXT = "< 5"


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
    def share_text(self) -> str:
        return SMALL_CELL_TEXT if self.is_suppressed else percent(self.share)

    @property
    def count_text(self) -> str:
        return SMALL_CELL_TEXT if self.is_suppressed else number_format(self.count, 0, force_grouping=True)

    @property
    def export_share(self):
        """For CSV/Excel: the share rounded to 4 decimals, or the text "< 5"."""
        if self.is_suppressed:
            return SMALL_CELL_TEXT
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
    """A share as text, or "< 5" under the small-cell rule (`is_small_share`)."""
    return SMALL_CELL_TEXT if is_small_share(share, households, protected) else percent(share)
