"""Periods as the reader says them (issue 14 item 5): "1e helft 2026", not the stored code "2026-H1".

Cooperative review periods ("2025", "2025-H1", "2025-Q3") and placement contingents ("2026-H2") are stored and
sent in forms as codes, which sort and compare well; a screen, an export's text cell and a PDF show these words.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

_CODE = re.compile(r"^(\d{4})(?:-([HQ])([1-4]))?$")


def period_display(code: str) -> str:
    """ "2026-H1" as "1e helft 2026", "2025-Q3" as "3e kwartaal 2025", "2025" as it is; another text unchanged."""
    match = _CODE.match(code or "")
    if not match:
        return code
    year, part, number = match.groups()
    if part == "H" and number in ("1", "2"):
        if number == "1":
            return _("first half of %(year)s") % {"year": year}
        return _("second half of %(year)s") % {"year": year}
    if part == "Q":
        return _("quarter %(number)s of %(year)s") % {"number": number, "year": year}
    return year if part is None else code


def half_year_choices(first_year: int, last_year: int) -> list[tuple[str, str]]:
    """The half years of `first_year` .. `last_year` as (code, words), newest first, for a form's choice."""
    return [(f"{year}-H{half}", period_display(f"{year}-H{half}"))
            for year in range(last_year, first_year - 1, -1) for half in (2, 1)]
