"""Dated legal parameters (income limits, rent caps, norms) per year, loaded from tables/parameters.csv.

Every value keeps its source key; `tables/sources.csv` maps each key to its URL (the list in
`reference/rules.md`). A value the sources do not give ("n/f") is None and listed by
`ParameterSet.missing_parameters()`: a decision that needs it must report "parameter missing" and never guess.
A value that does not exist in that year ("-", e.g. the pension-age assets exception before 2022) is also None,
but `ParameterSet.optional()` returns None for it instead of raising.

Interpretations and open questions: docs/rules/parameters.md.
"""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path

from buurtbalans.engine.parameters.wws_tables import WwsRentTable, builtin_wws_rent_tables, wws_rent_table_for

TABLES_DIR = Path(__file__).resolve().parent / "tables"
MISSING_MARKERS = {"", "n/f"}
NOT_APPLICABLE_MARKERS = {"-", "–"}
SHARE_FIELDS = frozenset(
    {"affordability_fit_quota", "daeb_target_share", "free_allocation_share", "free_allocation_share_max"}
)


class ParameterMissing(LookupError):
    """A decision needs a parameter that is not known for the reference date."""

    def __init__(self, name: str, valid_from: date):
        super().__init__(f"parameter missing: {name} (valid from {valid_from.isoformat()})")
        self.name = name
        self.valid_from = valid_from


class ParameterTableError(ValueError):
    """A parameter table has bad rows; `errors` lists every one as "file row N, column: message"."""

    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class ParameterSet:
    """The legal parameters valid from `valid_from` until the next set. Amounts in euros; rents per month.

    `version` identifies the exact values (date plus a hash of the rows), so a decision that records it can be
    traced to the figures it used even after a correction.
    """

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
    free_allocation_share: Decimal | None = None
    daeb_income_limit_extended: Decimal | None = None
    pension_assets_limit_single: Decimal | None = None
    pension_assets_limit_multi: Decimal | None = None
    middle_rent_limit: Decimal | None = None
    sources: dict[str, str] = field(default_factory=dict, compare=False)
    notes: dict[str, str] = field(default_factory=dict, compare=False)
    not_applicable: frozenset[str] = field(default_factory=frozenset, compare=False)

    def require(self, name: str) -> Decimal:
        """The value of `name`, or ParameterMissing when the sources do not give it (or it does not apply)."""
        value = getattr(self, name)
        if value is None:
            raise ParameterMissing(name, self.valid_from)
        return value

    def optional(self, name: str) -> Decimal | None:
        """The value of `name`; None when it does not exist in this year; ParameterMissing when it is unknown."""
        if name in self.not_applicable:
            return None
        return self.require(name)

    def missing_parameters(self) -> tuple[str, ...]:
        """Names of the parameters that exist in this year but whose value is unknown ("n/f")."""
        return tuple(name for name in VALUE_FIELDS if getattr(self, name) is None and name not in self.not_applicable)

    def allowance_income_limit(self, household_size: int, is_pension_age_household: bool) -> Decimal:
        """Inkomensgrens passend toewijzen for the household type (1-person / multi-person × AOW age)."""
        return self.require(allowance_income_limit_name(household_size, is_pension_age_household))

    def daeb_income_limit(self, household_size: int) -> Decimal:
        """DAEB-inkomensgrens for a 1-person or a multi-person household."""
        return self.require(daeb_income_limit_name(household_size))

    def middle_income_limit(self, household_size: int) -> Decimal:
        """Middeninkomensgrens for a 1-person or a multi-person household."""
        return self.require(middle_income_limit_name(household_size))


def _kind(household_size: int) -> str:
    return "single" if household_size <= 1 else "multi"


def allowance_income_limit_name(household_size: int, is_pension_age_household: bool) -> str:
    """The parameter name of the allowance income limit for a household type."""
    return f"allowance_income_limit_{_kind(household_size)}{'_pension' if is_pension_age_household else ''}"


def daeb_income_limit_name(household_size: int) -> str:
    return f"daeb_income_limit_{_kind(household_size)}"


def middle_income_limit_name(household_size: int) -> str:
    return f"middle_income_limit_{_kind(household_size)}"


def pension_assets_limit_name(household_size: int) -> str:
    return f"pension_assets_limit_{_kind(household_size)}"


def allowance_cap_name(household_size: int) -> str:
    """Aftoppingsgrens laag for 1-2 persons, hoog for 3 or more (docs/rules/affordability-fit.md)."""
    return "allowance_cap_low" if household_size <= 2 else "allowance_cap_high"


_META_FIELDS = {"valid_from", "version", "sources", "notes", "not_applicable"}
VALUE_FIELDS = tuple(f.name for f in fields(ParameterSet) if f.name not in _META_FIELDS)


def read_parameter_table(path: Path) -> tuple[ParameterSet, ...]:
    """Parse a long-format table (valid_from, key, value, source[, note]) into parameter sets, oldest first.

    A key that a date does not list is unknown for that date. Every bad row is reported, not only the first.

    Raises:
        ParameterTableError: with every bad row (row number and column), when any row is bad.
    """
    by_date: dict[date, dict] = {}
    errors: list[str] = []
    with path.open(newline="", encoding="utf-8") as handle:
        for line_number, row in enumerate(csv.DictReader(handle), start=2):
            where = f"{path.name} row {line_number}"
            try:
                valid_from = date.fromisoformat((row.get("valid_from") or "").strip())
            except ValueError:
                errors.append(f"{where}, valid_from: not a date (YYYY-MM-DD): {row.get('valid_from')!r}")
                continue
            key = (row.get("key") or "").strip()
            if key not in VALUE_FIELDS:
                errors.append(f"{where}, key: unknown parameter {key!r}")
                continue
            raw = (row.get("value") or "").strip()
            entry = by_date.setdefault(valid_from, {"sources": {}, "notes": {}, "not_applicable": set(), "rows": []})
            if key in entry or key in entry["not_applicable"]:
                errors.append(f"{where}, key: {key} given twice for {valid_from.isoformat()}")
                continue
            if raw in NOT_APPLICABLE_MARKERS:
                entry["not_applicable"].add(key)
                entry[key] = None
            elif raw in MISSING_MARKERS:
                entry[key] = None
            else:
                try:
                    value = Decimal(raw)
                except InvalidOperation:
                    errors.append(f"{where}, value: not a number: {raw!r}")
                    continue
                if not value.is_finite() or value < 0 or (key in SHARE_FIELDS and value > 1):
                    errors.append(f"{where}, value: out of range for {key}: {raw!r}")
                    continue
                entry[key] = value
            if (row.get("source") or "").strip():
                entry["sources"][key] = row["source"].strip()
            if (row.get("note") or "").strip():
                entry["notes"][key] = row["note"].strip()
            entry["rows"].append(f"{key}={raw}")
    if errors:
        raise ParameterTableError(errors)
    sets = []
    for valid_from, entry in sorted(by_date.items()):
        digest = hashlib.sha256("\n".join(sorted(entry.pop("rows"))).encode()).hexdigest()[:8]
        not_applicable = frozenset(entry.pop("not_applicable"))
        sets.append(
            ParameterSet(
                valid_from=valid_from,
                version=f"{path.stem}:{valid_from.isoformat()}:{digest}",
                not_applicable=not_applicable,
                **entry,
            )
        )
    return tuple(sets)


@cache
def builtin_parameter_sets() -> tuple[ParameterSet, ...]:
    """The parameter sets shipped with the product (tables/parameters.csv)."""
    return read_parameter_table(TABLES_DIR / "parameters.csv")


@cache
def source_urls() -> dict[str, tuple[str, ...]]:
    """Source key (e.g. "S28") -> its URLs, from tables/sources.csv."""
    urls: dict[str, list[str]] = {}
    with (TABLES_DIR / "sources.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            urls.setdefault(row["key"].strip(), []).append(row["url"].strip())
    return {key: tuple(values) for key, values in urls.items()}


def parameters_for(reference_date: date, sets: tuple[ParameterSet, ...] | None = None) -> ParameterSet:
    """The parameter set valid on `reference_date` (the latest whose valid_from is on or before it).

    Raises:
        LookupError: when the date lies before the first set.
    """
    candidates = [s for s in (sets or builtin_parameter_sets()) if s.valid_from <= reference_date]
    if not candidates:
        raise LookupError(f"no legal parameters known for {reference_date.isoformat()}")
    return candidates[-1]


__all__ = [
    "ParameterMissing",
    "ParameterSet",
    "ParameterTableError",
    "VALUE_FIELDS",
    "WwsRentTable",
    "allowance_cap_name",
    "allowance_income_limit_name",
    "builtin_parameter_sets",
    "builtin_wws_rent_tables",
    "daeb_income_limit_name",
    "middle_income_limit_name",
    "parameters_for",
    "pension_assets_limit_name",
    "read_parameter_table",
    "source_urls",
    "wws_rent_table_for",
]
