"""Per-area CSV tables: Leefbaarometer 3.0 scores and plain indicator tables (`bu_code`, `jaar`, one column each).

A **Leefbaarometer** file has the columns `lbm` and `afw` (and usually `won, fys, vrz, soc, onv`), an area code and
a year. With a version column (`versie`), only rows of version 3.0 are read: scores of Leefbaarometer 1.0 and 2.0 come
from other models and are not comparable with 3.0, so they are left out (and counted in the report) rather than
stored where they could be mixed with 3.0 in a trend line. Without a version column the file is taken to be 3.0 (as
the national download is); a warning follows when its rows do not have 3.0's national average (lbm - afw = 4.1023).

A **plain table** has an area code column (`bu_code`, or `wk_code`/`gm_code`/`code` for other levels), a year
column (`jaar`) and any number of indicator columns, whose names become the indicator keys as they are. Name and code
columns (`bu_naam`, `wk_code`, ...) are not indicators.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from buurtbalans.neighbourhoods.indicators import (
    INDICATORS,
    LEEFBAAROMETER_3_NATIONAL_AVERAGE,
    LEEFBAAROMETER_COLUMNS,
    LEEFBAAROMETER_DIMENSIONS,
)
from buurtbalans.neighbourhoods.indicators import LEEFBAAROMETER as LEEFBAAROMETER_DATASET
from buurtbalans.neighbourhoods.indicators import TABLE as TABLE_DATASET
from buurtbalans.neighbourhoods.opendata.common import (
    AREA_CODE,
    LEEFBAAROMETER,
    TABLE,
    CsvTable,
    FileResult,
    LoadedFile,
    Problems,
    Value,
    belongs_to,
    clean_code,
    looks_like_ours,
    not_a_number,
    parse_number,
    parse_year,
)

CODE_HEADERS = ("bu_code", "buurtcode", "buurt_code", "wk_code", "wijkcode", "gm_code", "gemeentecode", "code",
                "gwb_code", "regiocode", "statcode")
YEAR_HEADERS = ("jaar", "year", "peiljaar", "perioden", "periode")
NAME_HEADERS = {"BU": ("bu_naam", "buurtnaam", "naam", "name"), "WK": ("wk_naam", "wijknaam", "naam", "name"),
                "GM": ("gm_naam", "gemeentenaam", "naam", "name")}
VERSION_HEADERS = ("versie", "version", "lbm_versie")
# Columns that describe the row rather than measure something.
LABEL_HEADERS = {"versie", "version", "soort_regio", "soortregio", "id", "opmerking", "toelichting", "bron", "source",
                 "note", "notes", "brtnr_gemeente"}
LABEL_SUFFIXES = ("_naam", "naam", "_name", "name", "_code", "code")
MAX_KEY_LENGTH = 80
# won + fys + vrz + soc + onv = afw and lbm - afw = 4.1023 hold to rounding in every 3.0 row; beyond this a file
# is suspect (columns swapped, another version).
LEEFBAAROMETER_TOLERANCE = 1e-3


def code_column(table: CsvTable) -> int | None:
    """The first code column (in CODE_HEADERS order) that holds CBS area codes."""
    lowered = [h.lower() for h in table.header]
    for name in CODE_HEADERS:
        if name not in lowered:
            continue
        index = lowered.index(name)
        sample = [clean_code(cells[index]) for _n, cells in table.rows[:20] if index < len(cells) and cells[index]]
        if sample and sum(1 for code in sample if AREA_CODE.match(code)) >= len(sample) / 2:
            return index
    return None


def year_column(table: CsvTable) -> int | None:
    return table.column(*YEAR_HEADERS)


def is_leefbaarometer(table: CsvTable) -> bool:
    return table.column("lbm") is not None and table.column("afw") is not None


def is_label_column(header: str) -> bool:
    lowered = header.strip().lower()
    return (
        lowered in LABEL_HEADERS
        or lowered in CODE_HEADERS
        or lowered in YEAR_HEADERS
        or lowered.endswith(LABEL_SUFFIXES)
    )


def _cell(cells: list[str], index: int | None) -> str:
    return cells[index].strip() if index is not None and index < len(cells) else ""


class _RowReader:
    """Code, year and duplicate checks shared by both table kinds."""

    def __init__(self, loaded: LoadedFile, table: CsvTable, municipality_code: str, problems: Problems):
        self.loaded, self.table, self.municipality_code, self.problems = loaded, table, municipality_code, problems
        self.code_index = code_column(table)
        self.year_index = year_column(table)
        self.seen: dict[tuple, int] = {}

    def area_and_year(self, number: int, cells: list[str], *extra) -> tuple[str, int] | None:
        """(code, year) of a row of this municipality, None for other rows and for bad ones (reported)."""
        name = self.loaded.name
        code = clean_code(_cell(cells, self.code_index))
        column = self.table.header[self.code_index]
        if not AREA_CODE.match(code):
            if not code or looks_like_ours(code, self.municipality_code):
                self.problems.error(name, _('%(file)s row %(row)d, %(column)s: "%(value)s" is not a CBS area code')
                                    % {"file": name, "row": number, "column": column, "value": code})
            return None
        if not belongs_to(code, self.municipality_code):
            return None
        raw_year = _cell(cells, self.year_index)
        try:
            year = parse_year(raw_year)
        except ValueError:
            self.problems.error(name, _('%(file)s row %(row)d, %(column)s: "%(value)s" is not a year') % {
                "file": name, "row": number, "column": self.table.header[self.year_index], "value": raw_year})
            return None
        key = (code, year, *extra)
        if key in self.seen:
            self.problems.error(name, _("%(file)s row %(row)d: %(code)s %(year)d appears twice (also row %(other)d)")
                                % {"file": name, "row": number, "code": code, "year": year, "other": self.seen[key]})
            return None
        self.seen[key] = number
        return code, year

    def name_index(self) -> int | None:
        level = clean_code(self.table.header[self.code_index])[:2] if self.code_index is not None else "BU"
        return self.table.column(*NAME_HEADERS.get(level, NAME_HEADERS["BU"]))


def read_leefbaarometer(loaded: LoadedFile, table: CsvTable, municipality_code: str, problems: Problems) -> FileResult:
    """Leefbaarometer 3.0 scores of the municipality's areas (see the module docstring on versions)."""
    result = FileResult(loaded.name, LEEFBAAROMETER)
    reader = _RowReader(loaded, table, municipality_code, problems)
    columns = [(i, LEEFBAAROMETER_COLUMNS[h.strip().lower()]) for i, h in enumerate(table.header)
               if h.strip().lower() in LEEFBAAROMETER_COLUMNS]
    version_index = table.column(*VERSION_HEADERS)
    name_index = table.column("bu_naam", "buurtnaam", "naam", "name")
    if version_index is None:
        result.notes.append(_("no version column: read as Leefbaarometer 3.0"))
    skipped_versions: dict[str, int] = {}
    off_model = 0
    for number, cells in table.rows:
        if version_index is not None:
            version = _cell(cells, version_index)
            if not _is_version_3(version):
                code = clean_code(_cell(cells, reader.code_index))
                if belongs_to(code, municipality_code):
                    skipped_versions[version or "?"] = skipped_versions.get(version or "?", 0) + 1
                continue
        area_year = reader.area_and_year(number, cells)
        if area_year is None:
            continue
        code, year = area_year
        result.rows += 1
        if name_index is not None and _cell(cells, name_index):
            result.names[code] = _cell(cells, name_index)
        row_values: dict[str, float] = {}
        for index, key in columns:
            raw = _cell(cells, index)
            try:
                value, decimals = parse_number(raw)
            except ValueError:
                problems.error(loaded.name, not_a_number(loaded.name, number, table.header[index], raw))
                continue
            if value is None:
                continue
            row_values[key] = value
            result.values.append(Value(
                area_code=code, key=key, year=year, value=value,
                source=f"Leefbaarometer 3.0 ({loaded.name}), {table.header[index]}",
                dataset=LEEFBAAROMETER_DATASET, decimals=decimals, where=f"{loaded.name} row {number}",
            ))
        if _breaks_the_model(row_values):
            off_model += 1
    if skipped_versions:
        versions = ", ".join(f"{v} ({n})" for v, n in sorted(skipped_versions.items()))
        result.notes.append(
            _("rows of other versions left out, as they are not comparable with 3.0: %(versions)s")
            % {"versions": versions}
        )
    if off_model:
        problems.warn(_(
            "%(file)s: in %(count)d rows the dimensions do not add up to afw or lbm - afw is not %(average)s; "
            "is this Leefbaarometer 3.0?"
        ) % {"file": loaded.name, "count": off_model, "average": LEEFBAAROMETER_3_NATIONAL_AVERAGE})
    return result


def _is_version_3(version: str) -> bool:
    """"Leefbaarometer 3.0", "LBM 3.0", "3.0", "3" (not 3.1 or a later model)."""
    text = version.strip().lower().replace(",", ".")
    for prefix in ("leefbaarometer", "lbm"):
        text = text.removeprefix(prefix).strip()
    return text in ("3", "3.0")


def _breaks_the_model(row: dict[str, float]) -> bool:
    if "lbm_afw" not in row:
        return False
    if "lbm" in row and abs(row["lbm"] - row["lbm_afw"] - LEEFBAAROMETER_3_NATIONAL_AVERAGE) > LEEFBAAROMETER_TOLERANCE:
        return True
    if all(key in row for key in LEEFBAAROMETER_DIMENSIONS):
        total = sum(row[key] for key in LEEFBAAROMETER_DIMENSIONS)
        return abs(total - row["lbm_afw"]) > LEEFBAAROMETER_TOLERANCE
    return False


def read_plain_table(loaded: LoadedFile, table: CsvTable, municipality_code: str, problems: Problems) -> FileResult:
    """Every indicator column of the municipality's rows, keyed by its own column name."""
    result = FileResult(loaded.name, TABLE)
    reader = _RowReader(loaded, table, municipality_code, problems)
    name_index = reader.name_index()
    columns = []
    for index, header in enumerate(table.header):
        if not header or is_label_column(header):
            continue
        known = INDICATORS.get(header)
        if known is not None and known.dataset != TABLE_DATASET:
            # `inhabitants` or `lbm` in a municipal table would end up in the CBS or Leefbaarometer series.
            problems.error(loaded.name, _(
                '%(file)s, column %(column)s: this name is reserved for %(dataset)s figures; rename the column'
            ) % {"file": loaded.name, "column": header, "dataset": known.dataset})
            continue
        if len(header) > MAX_KEY_LENGTH:
            problems.error(loaded.name, _("%(file)s, column %(column)s: a column name may have at most %(max)d "
                                          "characters") % {"file": loaded.name, "column": header,
                                                           "max": MAX_KEY_LENGTH})
            continue
        columns.append((index, header))
    for number, cells in table.rows:
        area_year = reader.area_and_year(number, cells)
        if area_year is None:
            continue
        code, year = area_year
        result.rows += 1
        if name_index is not None and _cell(cells, name_index):
            result.names[code] = _cell(cells, name_index)
        for index, header in columns:
            raw = _cell(cells, index)
            try:
                value, decimals = parse_number(raw)
            except ValueError:
                problems.error(loaded.name, not_a_number(loaded.name, number, header, raw))
                continue
            if value is None:
                continue
            result.values.append(Value(
                area_code=code, key=header, year=year, value=value, source=f"{loaded.name}, {header}",
                dataset=TABLE_DATASET, decimals=decimals, where=f"{loaded.name} row {number}",
            ))
    return result
