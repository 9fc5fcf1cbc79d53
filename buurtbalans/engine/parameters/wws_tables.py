"""WWS maximum-rent tables (huurprijstabel, woningwaarderingsstelsel): whole points -> maximum base rent.

The amounts are public regulation data (the huurprijstabel of the Besluit huurprijzen woonruimte), kept in one dated
long-format table like the other legal parameters: `tables/wws_maximum_rent.csv` (valid_from, points, max_base_rent,
source; see tables/README.md). Each year's table is valid from 1 January: the rent at 143 points equals the DAEB rent
limit of that year (2025: 900.07 [S22], 2026: 932.93 [S28]), which fixes the date the table belongs to.
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

# Self-contained dwellings (zelfstandige woonruimten). Add a year's rows when its table is published.
WWS_SELF_CONTAINED_TABLE = TABLES_DIR / "wws_maximum_rent.csv"


@dataclass(frozen=True)
class WwsRentTable:
    """Maximum rent per whole WWS point for self-contained dwellings, valid from `valid_from`."""

    valid_from: date
    version: str
    source: str
    rows: tuple[tuple[int, Decimal], ...]  # (points, maximum base rent per month), ascending points

    @property
    def min_points(self) -> int:
        """The lowest points in the table; fewer points get its amount (`maximum_rent`, rule below_table)."""
        return self.rows[0][0]

    @property
    def max_points(self) -> int:
        """The highest points in the table; above it the last step per point continues (rule above_table)."""
        return self.rows[-1][0]

    def amount_at(self, points: int) -> Decimal:
        """The table amount for whole `points` inside the table.

        Raises:
            KeyError: when the table has no row for `points`.
        """
        return dict(self.rows)[points]


def read_wws_rent_tables(path: Path) -> tuple[WwsRentTable, ...]:
    """Read a long table (valid_from, points, max_base_rent, source) into one table per date, oldest first.

    Each date's table must have one row per whole point with rents that never fall.

    Raises:
        ValueError: naming the file, row and column of the first problem.
    """
    by_date: dict[date, list[tuple[int, Decimal]]] = {}
    sources: dict[date, str] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            try:
                valid_from = date.fromisoformat(row["valid_from"])
                points, amount = int(row["points"]), Decimal(row["max_base_rent"])
            except (ValueError, ArithmeticError) as exc:
                raise ValueError(f"{path.name} row {line}: {exc}") from exc
            by_date.setdefault(valid_from, []).append((points, amount))
            sources.setdefault(valid_from, row.get("source", "").strip())
    tables = []
    for valid_from, rows in sorted(by_date.items()):
        for (points_before, amount_before), (points, amount) in zip(rows, rows[1:], strict=False):
            if points != points_before + 1 or amount < amount_before:
                raise ValueError(
                    f"{path.name} {valid_from.isoformat()}: rows {points_before} -> {points} are not consecutive "
                    "and rising"
                )
        if len(rows) < 2:
            raise ValueError(f"{path.name} {valid_from.isoformat()}: needs at least two rows")
        version = f"{path.stem}:{valid_from.isoformat()}"
        tables.append(WwsRentTable(valid_from, version, sources[valid_from], tuple(rows)))
    return tuple(tables)


@cache
def builtin_wws_rent_tables() -> tuple[WwsRentTable, ...]:
    """The WWS tables shipped with the product, oldest first."""
    return read_wws_rent_tables(WWS_SELF_CONTAINED_TABLE)


def wws_rent_table_for(reference_date: date, tables: tuple[WwsRentTable, ...] | None = None) -> WwsRentTable | None:
    """The table valid on `reference_date`, or None when no table is known for that date (before 2025)."""
    candidates = [t for t in (tables or builtin_wws_rent_tables()) if t.valid_from <= reference_date]
    return candidates[-1] if candidates else None
