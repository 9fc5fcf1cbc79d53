"""Words for the placement screens: half years and the engine's grounds."""

from __future__ import annotations

from django.utils.translation import gettext as _

from buurtbalans.engine.placements import half_year_bounds


def half_year_label(code: str) -> str:
    """ "2026-H1" as "1e helft 2026" (in English: "first half of 2026"); an odd code as it is."""
    try:
        first, _last = half_year_bounds(code)
    except ValueError:
        return code
    if first.month == 1:
        return _("first half of %(year)s") % {"year": first.year}
    return _("second half of %(year)s") % {"year": first.year}
