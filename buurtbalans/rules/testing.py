"""Helpers for tests of "parameter missing": make known legal parameters unknown again, in the test database.

Since the 2026 aftoppingsgrenzen are in the built-in table, no year lacks its caps any more. A test of what a plan,
round or report does without them stores them as unknown, the way an administrator could ("n/f" on screen or in
a file); the built-in table itself stays as shipped.
"""

from __future__ import annotations

from datetime import date

from buurtbalans.engine.parameters import ParameterRow
from buurtbalans.rules.services import parameter_values_save

CAPS = ("allowance_cap_low", "allowance_cap_high")


def parameters_unknown(valid_from: date, *keys: str) -> None:
    """Store `keys` (default: both aftoppingsgrenzen) as unknown for the set starting on `valid_from`."""
    rows = [ParameterRow(valid_from, key, "n/f", note="test: unknown") for key in keys or CAPS]
    parameter_values_save(rows=rows, actor=None, actor_name="test")


def caps_unknown(year: int = 2026) -> None:
    """The year's aftoppingsgrenzen unknown, as the 2026 ones were before they were published."""
    parameters_unknown(date(year, 1, 1), *CAPS)
