"""Words for the placement screens: half years and the engine's grounds."""

from __future__ import annotations

from buurtbalans.core.periods import period_display


def half_year_label(code: str) -> str:
    """ "2026-H1" as "1e helft 2026" (in English: "first half of 2026"); an odd code as it is."""
    return period_display(code)
