"""WWS maximum-rent tables (huurprijstabel, woningwaarderingsstelsel): whole points -> maximum base rent.

The tables are public regulation data as distributed with the `woningwaardering` package (see tables/README.md).
Each table is valid from 1 January of its year: the rent at 143 points equals the DAEB rent limit of that
year (2025: 900.07 [S22], 2026: 932.93 [S28]), which fixes the date the table belongs to.
See docs/rules/maximum-rent-wws.md.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

TABLES_DIR = Path(__file__).resolve().parent / "tables"

# (valid_from, file, source key). Add a row when a new year's table is published.
WWS_SELF_CONTAINED_TABLES = (
    (date(2025, 1, 1), "wws_maximum_rent_self_contained_2025.csv", "S45 S22"),
    (date(2026, 1, 1), "wws_maximum_rent_self_contained_2026.csv", "S45 S28"),
)


@dataclass(frozen=True)
class WwsRentTable:
    """Maximum rent per whole WWS point for self-contained dwellings, valid from `valid_from`."""

    valid_from: date
    version: str
    source: str
    rows: tuple[tuple[int, Decimal], ...]  # (points, maximum base rent per month), ascending points

    @property
    def min_points(self) -> int:
        return self.rows[0][0]

    @property
    def max_points(self) -> int:
        return self.rows[-1][0]

    def amount_at(self, points: int) -> Decimal:
        """The table amount for whole `points` inside the table.

        Raises:
            KeyError: when the table has no row for `points`.
        """
        return dict(self.rows)[points]


def read_wws_rent_table(path: Path, valid_from: date, source: str = "") -> WwsRentTable:
    """Read a `Punten,Bedrag` table and check that it has one row per whole point, rents rising.

    Raises:
        ValueError: when the table has a gap, a duplicate or a falling amount.
    """
    with path.open(newline="", encoding="utf-8") as handle:
        rows = tuple((int(row["Punten"]), Decimal(row["Bedrag"])) for row in csv.DictReader(handle))
    for (points_before, amount_before), (points, amount) in zip(rows, rows[1:], strict=False):
        if points != points_before + 1 or amount < amount_before:
            raise ValueError(f"{path.name}: rows {points_before} -> {points} are not consecutive and rising")
    if len(rows) < 2:
        raise ValueError(f"{path.name}: needs at least two rows")
    version = f"{path.stem}:{valid_from.isoformat()}"
    return WwsRentTable(valid_from=valid_from, version=version, source=source, rows=rows)


@cache
def builtin_wws_rent_tables() -> tuple[WwsRentTable, ...]:
    """The WWS tables shipped with the product, oldest first."""
    return tuple(
        read_wws_rent_table(TABLES_DIR / name, valid_from, source)
        for valid_from, name, source in WWS_SELF_CONTAINED_TABLES
    )


def wws_rent_table_for(reference_date: date, tables: tuple[WwsRentTable, ...] | None = None) -> WwsRentTable | None:
    """The table valid on `reference_date`, or None when no table is known for that date (before 2025)."""
    candidates = [t for t in (tables or builtin_wws_rent_tables()) if t.valid_from <= reference_date]
    return candidates[-1] if candidates else None
