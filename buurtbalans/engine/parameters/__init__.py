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
import io
import re
from collections.abc import Iterable, Mapping, Sequence
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
    """A decision needs a parameter that is not known for the reference date.

    `name` is the parameter, `valid_from` the date of the set that lacks it.
    """

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
    """The parameter name of the DAEB income limit (DAEB-inkomensgrens) for a household size."""
    return f"daeb_income_limit_{_kind(household_size)}"


def middle_income_limit_name(household_size: int) -> str:
    """The parameter name of the middle income limit (middeninkomensgrens) for a household size."""
    return f"middle_income_limit_{_kind(household_size)}"


def pension_assets_limit_name(household_size: int) -> str:
    """The parameter name of the pension-age assets limit (vermogensgrens ouderen) for a household size."""
    return f"pension_assets_limit_{_kind(household_size)}"


def allowance_cap_name(household_size: int) -> str:
    """Aftoppingsgrens laag for 1-2 persons, hoog for 3 or more (docs/rules/affordability-fit.md)."""
    return "allowance_cap_low" if household_size <= 2 else "allowance_cap_high"


_META_FIELDS = {"valid_from", "version", "sources", "notes", "not_applicable"}
VALUE_FIELDS = tuple(f.name for f in fields(ParameterSet) if f.name not in _META_FIELDS)


PARAMETER_TABLE_COLUMNS = ("valid_from", "key", "value", "source", "note")
REQUIRED_TABLE_COLUMNS = ("valid_from", "key", "value")


@dataclass(frozen=True)
class ParameterRow:
    """One row of a long-format parameter table: one value of one key for one `valid_from` date.

    `value` is the text as written: a number, "n/f" or empty (unknown), "-" (does not exist in that year).
    """

    valid_from: date
    key: str
    value: str
    source: str = ""
    note: str = ""

    @property
    def is_not_applicable(self) -> bool:
        """Whether the value does not exist in that year ("-"): `ParameterSet.optional` gives None for it."""
        return self.value in NOT_APPLICABLE_MARKERS

    @property
    def is_unknown(self) -> bool:
        """Whether the sources do not give the value ("n/f" or empty): a decision needing it reports it missing."""
        return self.value in MISSING_MARKERS

    @property
    def amount(self) -> Decimal | None:
        """The value as a Decimal; None when unknown or not applicable."""
        if self.is_unknown or self.is_not_applicable:
            return None
        return Decimal(self.value)


def amount_text(value: Decimal) -> str:
    """The canonical text of an amount or share for a table row: no exponent, no trailing zeros ("633.25")."""
    return f"{value.normalize():f}"


def parse_parameter_rows(
    records: Iterable[Mapping[str, str | None]], name: str, *, first_row: int = 2, require_source: bool = False
) -> tuple[ParameterRow, ...]:
    """Check long-format rows (valid_from, key, value, source[, note]) and return them, in file order.

    Every bad row is reported, not only the first; rows are numbered as a spreadsheet shows them (the header is
    row 1). A value is a number (decimal point), "n/f" or empty (unknown) or "-" (does not exist in that year).

    Args:
        records: the rows as dicts by column name (csv.DictReader rows).
        name: the file name used in messages.
        first_row: the number of the first record.
        require_source: a number must name its source (for values an administrator enters).

    Raises:
        ParameterTableError: with every bad row ("<name> row N, column: message"), when any row is bad.
    """
    rows: list[ParameterRow] = []
    seen: dict[tuple[date, str], int] = {}
    errors: list[str] = []
    for line_number, record in enumerate(records, start=first_row):
        where = f"{name} row {line_number}"
        if None in record:
            errors.append(f"{where}: more cells than columns")
            continue
        raw_date = (record.get("valid_from") or "").strip()
        try:
            valid_from = date.fromisoformat(raw_date)
        except ValueError:
            errors.append(f"{where}, valid_from: not a date (YYYY-MM-DD): {record.get('valid_from')!r}")
            valid_from = None
        key = (record.get("key") or "").strip()
        if key not in VALUE_FIELDS:
            errors.append(f"{where}, key: unknown parameter {key!r}")
            key = ""
        raw = (record.get("value") or "").strip()
        source = (record.get("source") or "").strip()
        if raw not in NOT_APPLICABLE_MARKERS and raw not in MISSING_MARKERS:
            try:
                value = Decimal(raw)
            except InvalidOperation:
                errors.append(f"{where}, value: not a number: {raw!r}")
                continue
            if not value.is_finite() or value < 0 or (key in SHARE_FIELDS and value > 1):
                errors.append(f"{where}, value: out of range for {key or 'this parameter'}: {raw!r}")
                continue
            if require_source and not source:
                errors.append(f"{where}, source: a value needs its source (a source key such as S28, or a URL)")
                continue
        if valid_from is None or not key:
            continue
        if (valid_from, key) in seen:
            errors.append(
                f"{where}, key: {key} given twice for {valid_from.isoformat()} (also on row {seen[valid_from, key]})"
            )
            continue
        seen[valid_from, key] = line_number
        rows.append(ParameterRow(valid_from, key, raw, source, (record.get("note") or "").strip()))
    if errors:
        raise ParameterTableError(errors)
    return tuple(rows)


def read_parameter_csv(text: str, name: str, *, require_source: bool = False) -> tuple[ParameterRow, ...]:
    """Parse the text of a long-format parameter table (the format of tables/parameters.csv).

    A comma, a semicolon (Dutch spreadsheet exports) or a tab separates the columns; lines may end in CRLF, LF or CR.

    Raises:
        ParameterTableError: with every bad row, or a missing or unknown column, or no rows at all.
    """
    text = text.removeprefix("\ufeff")
    first_line = re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]  # also the CR-only lines of old Mac files
    delimiter = max((",", ";", "\t"), key=first_line.count)  # a comma on a tie
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [(h or "").strip() for h in (reader.fieldnames or [])]
        missing = [c for c in REQUIRED_TABLE_COLUMNS if c not in header]
        unknown = [c for c in header if c and c not in PARAMETER_TABLE_COLUMNS]
        errors = []
        if missing:
            errors.append(f"{name} row 1: missing column(s): {', '.join(missing)}")
        if unknown:
            errors.append(f"{name} row 1: unknown column(s): {', '.join(unknown)}")
        if errors:
            raise ParameterTableError(errors)
        reader.fieldnames = header
        rows = parse_parameter_rows(reader, name, require_source=require_source)
    except csv.Error as exc:  # a cell over the csv module's limit
        raise ParameterTableError([f"{name} row {max(reader.line_num, 1)}: cannot be read as CSV: {exc}"]) from None
    if not rows:
        raise ParameterTableError([f"{name}: no rows (only a header)"])
    return rows


def parameter_sets_from_rows(rows: Iterable[ParameterRow], prefix: str) -> tuple[ParameterSet, ...]:
    """Group checked rows by `valid_from` into parameter sets, oldest first.

    A key that a date does not list is unknown for that date. The version is
    `<prefix>:<valid_from>:<hash of that date's key=value rows>`, so a changed value gives a new version.
    """
    by_date: dict[date, list[ParameterRow]] = {}
    for row in rows:
        by_date.setdefault(row.valid_from, []).append(row)
    return tuple(_parameter_set(valid_from, by_date[valid_from], prefix) for valid_from in sorted(by_date))


def _parameter_set(valid_from: date, rows: list[ParameterRow], prefix: str) -> ParameterSet:
    values: dict[str, Decimal | None] = {}
    sources: dict[str, str] = {}
    notes: dict[str, str] = {}
    not_applicable: set[str] = set()
    for row in rows:
        values[row.key] = row.amount
        if row.is_not_applicable:
            not_applicable.add(row.key)
        if row.source:
            sources[row.key] = row.source
        if row.note:
            notes[row.key] = row.note
    digest = hashlib.sha256("\n".join(sorted(f"{r.key}={r.value}" for r in rows)).encode()).hexdigest()[:8]
    return ParameterSet(
        valid_from=valid_from,
        version=f"{prefix}:{valid_from.isoformat()}:{digest}",
        sources=sources,
        notes=notes,
        not_applicable=frozenset(not_applicable),
        **values,
    )


def read_parameter_table(path: Path) -> tuple[ParameterSet, ...]:
    """Parse a long-format table file (valid_from, key, value, source[, note]) into parameter sets, oldest first.

    A key that a date does not list is unknown for that date. Every bad row is reported, not only the first.

    Raises:
        ParameterTableError: with every bad row (row number and column), when any row is bad.
    """
    return parameter_sets_from_rows(read_parameter_rows(path), path.stem)


def read_parameter_rows(path: Path) -> tuple[ParameterRow, ...]:
    """The checked rows of a long-format table file (see `parse_parameter_rows`)."""
    with path.open(newline="", encoding="utf-8") as handle:
        return parse_parameter_rows(csv.DictReader(handle), path.name)


@cache
def builtin_parameter_rows() -> tuple[ParameterRow, ...]:
    """The rows of the parameter table shipped with the product (tables/parameters.csv)."""
    return read_parameter_rows(TABLES_DIR / "parameters.csv")


def effective_parameter_sets(
    overrides: Iterable[ParameterRow], *, override_prefix: str = "database"
) -> tuple[ParameterSet, ...]:
    """The built-in sets with `overrides` laid over them, value by value.

    An override replaces the built-in row with the same `valid_from` and key (a corrected or filled-in value);
    an override for a date the table does not have starts a new set, in which unlisted keys are unknown.
    A date without overrides keeps the built-in set and its version; a date with any override gets the version
    `<override_prefix>:<valid_from>:<hash>` over all of its effective rows.
    """
    merged: dict[tuple[date, str], ParameterRow] = {(r.valid_from, r.key): r for r in builtin_parameter_rows()}
    overridden: set[date] = set()
    for row in overrides:
        merged[row.valid_from, row.key] = row
        overridden.add(row.valid_from)
    by_date: dict[date, list[ParameterRow]] = {}
    for row in merged.values():
        by_date.setdefault(row.valid_from, []).append(row)
    builtin = {s.valid_from: s for s in builtin_parameter_sets()}
    sets = []
    for valid_from in sorted(by_date):
        if valid_from not in overridden and valid_from in builtin:
            sets.append(builtin[valid_from])
        else:
            sets.append(_parameter_set(valid_from, by_date[valid_from], override_prefix))
    return tuple(sets)


@cache
def builtin_parameter_sets() -> tuple[ParameterSet, ...]:
    """The parameter sets shipped with the product (tables/parameters.csv)."""
    return parameter_sets_from_rows(builtin_parameter_rows(), "parameters")


@cache
def source_urls() -> dict[str, tuple[str, ...]]:
    """Source key (e.g. "S28") -> its URLs, from tables/sources.csv."""
    urls: dict[str, list[str]] = {}
    with (TABLES_DIR / "sources.csv").open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            urls.setdefault(row["key"].strip(), []).append(row["url"].strip())
    return {key: tuple(values) for key, values in urls.items()}


def parameter_set_problems(params: ParameterSet) -> list[str]:
    """What makes a set unusable for the rules, although each value is valid on its own; empty when none.

    The rules rely on limits that rise from band to band (docs/rules/income-bands.md) and on caps that rise from
    the quality discount limit to the DAEB rent limit; the DAEB shares cannot add up to more than the whole.
    Unknown values are skipped.
    """
    problems: list[str] = []

    def below(lower: str, upper: str, *, strict: bool = True) -> None:
        low, high = getattr(params, lower), getattr(params, upper)
        if low is None or high is None:
            return
        if low > high or (strict and low == high):
            relation = "below" if strict else "at or below"
            problems.append(f"{lower} ({low}) must be {relation} {upper} ({high})")

    for kind in ("single", "multi"):
        for pension in ("", "_pension"):
            below(f"allowance_income_limit_{kind}{pension}", f"daeb_income_limit_{kind}")
        below(f"daeb_income_limit_{kind}", f"middle_income_limit_{kind}")
    below("quality_discount_limit", "allowance_cap_low", strict=False)
    below("allowance_cap_low", "allowance_cap_high", strict=False)
    below("allowance_cap_high", "daeb_rent_limit")
    below("free_allocation_share", "free_allocation_share_max", strict=False)
    target, free = params.daeb_target_share, params.free_allocation_share
    if target is not None and free is not None and target + free > 1:
        problems.append(f"daeb_target_share ({target}) and free_allocation_share ({free}) add up to more than 1")
    return problems


def set_in_force(sets: Sequence[ParameterSet], reference_date: date) -> ParameterSet:
    """The set of `sets` valid on `reference_date` (the latest whose valid_from is on or before it).

    The engine never looks parameters up for the product: the caller hands it the sets (the product's are
    `rules.parameters.parameter_sets()`, and `rules.parameters.parameters_for(date)` is its one lookup).

    Raises:
        LookupError: when the date lies before the first set.
    """
    candidates = [s for s in sets if s.valid_from <= reference_date]
    if not candidates:
        raise LookupError(f"no legal parameters known for {reference_date.isoformat()}")
    return max(candidates, key=lambda s: s.valid_from)


def builtin_parameter_set(reference_date: date) -> ParameterSet:
    """The set of the built-in table (tables/parameters.csv) valid on `reference_date`.

    Without what an administrator entered: for the file-based commands without a database, benchmarks and engine
    tests (the product uses `rules.parameters.parameters_for`).

    Raises:
        LookupError: when the date lies before the first set.
    """
    return set_in_force(builtin_parameter_sets(), reference_date)


__all__ = [
    "PARAMETER_TABLE_COLUMNS",
    "ParameterMissing",
    "ParameterRow",
    "ParameterSet",
    "ParameterTableError",
    "SHARE_FIELDS",
    "VALUE_FIELDS",
    "WwsRentTable",
    "allowance_cap_name",
    "allowance_income_limit_name",
    "amount_text",
    "builtin_parameter_rows",
    "builtin_parameter_set",
    "builtin_parameter_sets",
    "builtin_wws_rent_tables",
    "daeb_income_limit_name",
    "effective_parameter_sets",
    "middle_income_limit_name",
    "parameter_set_problems",
    "parameter_sets_from_rows",
    "parse_parameter_rows",
    "pension_assets_limit_name",
    "read_parameter_csv",
    "read_parameter_rows",
    "read_parameter_table",
    "set_in_force",
    "source_urls",
    "wws_rent_table_for",
]
