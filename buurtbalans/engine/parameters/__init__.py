"""Dated legal parameters (income limits, rent caps, norms) per year, loaded from tables/parameters.csv.

Every value keeps its source key (see `reference/rules.md` sources, listed in tables/sources.csv when
present). A value the sources do not give ("n/f") is None: a decision that needs it must report
"parameter missing" and never guess.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

TABLES_DIR = Path(__file__).resolve().parent / "tables"
MISSING_MARKERS = {"", "n/f"}


class ParameterMissing(LookupError):
    """A decision needs a parameter that is not known for the reference date."""

    def __init__(self, name: str, valid_from: date):
        super().__init__(f"parameter missing: {name} (valid from {valid_from.isoformat()})")
        self.name = name
        self.valid_from = valid_from


@dataclass(frozen=True)
class ParameterSet:
    """The legal parameters valid from `valid_from` until the next set. Amounts in euros; rents per month."""

    valid_from: date
    version: str
    quality_discount_limit: Decimal | None = None
    allowance_cap_low: Decimal | None = None
    allowance_cap_high: Decimal | None = None
    daeb_rent_limit: Decimal | None = None
    allowance_income_limit_single: Decimal | None = None
    allowance_income_limit_multi: Decimal | None = None
    allowance_income_limit_single_pension: Decimal | None = None
    allowance_income_limit_multi_pension: Decimal | None = None
    daeb_income_limit_single: Decimal | None = None
    daeb_income_limit_multi: Decimal | None = None
    middle_income_limit_single: Decimal | None = None
    middle_income_limit_multi: Decimal | None = None
    affordability_fit_quota: Decimal | None = None
    daeb_target_share: Decimal | None = None
    free_allocation_share_max: Decimal | None = None
    sources: dict[str, str] = field(default_factory=dict, compare=False)

    def require(self, name: str) -> Decimal:
        """The value of `name`, or ParameterMissing when the sources do not give it."""
        value = getattr(self, name)
        if value is None:
            raise ParameterMissing(name, self.valid_from)
        return value

    def allowance_income_limit(self, household_size: int, is_pension_age_household: bool) -> Decimal:
        """Inkomensgrens passend toewijzen for the household type (1-person / multi-person × AOW age)."""
        kind = "single" if household_size <= 1 else "multi"
        suffix = "_pension" if is_pension_age_household else ""
        return self.require(f"allowance_income_limit_{kind}{suffix}")

    def daeb_income_limit(self, household_size: int) -> Decimal:
        return self.require("daeb_income_limit_single" if household_size <= 1 else "daeb_income_limit_multi")

    def middle_income_limit(self, household_size: int) -> Decimal:
        return self.require("middle_income_limit_single" if household_size <= 1 else "middle_income_limit_multi")


VALUE_FIELDS = tuple(f.name for f in fields(ParameterSet) if f.name not in {"valid_from", "version", "sources"})


def read_parameter_table(path: Path) -> tuple[ParameterSet, ...]:
    """Parse a long-format table (valid_from, key, value, source) into parameter sets, oldest first."""
    by_date: dict[date, dict] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for line_number, row in enumerate(csv.DictReader(handle), start=2):
            valid_from = date.fromisoformat(row["valid_from"])
            key = row["key"].strip()
            if key not in VALUE_FIELDS:
                raise ValueError(f"{path.name} row {line_number}, key: unknown parameter {key!r}")
            raw = row["value"].strip()
            entry = by_date.setdefault(valid_from, {"sources": {}})
            entry[key] = None if raw in MISSING_MARKERS else Decimal(raw)
            if row.get("source", "").strip():
                entry["sources"][key] = row["source"].strip()
    return tuple(
        ParameterSet(valid_from=valid_from, version=f"{path.stem}:{valid_from.isoformat()}", **values)
        for valid_from, values in sorted(by_date.items())
    )


@cache
def builtin_parameter_sets() -> tuple[ParameterSet, ...]:
    return read_parameter_table(TABLES_DIR / "parameters.csv")


def parameters_for(reference_date: date, sets: tuple[ParameterSet, ...] | None = None) -> ParameterSet:
    """The parameter set valid on `reference_date` (the latest whose valid_from is on or before it).

    Raises:
        LookupError: when the date lies before the first set.
    """
    candidates = [s for s in (sets or builtin_parameter_sets()) if s.valid_from <= reference_date]
    if not candidates:
        raise LookupError(f"no legal parameters known for {reference_date.isoformat()}")
    return candidates[-1]
