"""Map the header to our columns and parse every cell, collecting every problem.

This is the hot loop of an import (100k rows x 20 cells). It works in chunks of rows, column by column:
one list comprehension per column and chunk, and only when that raises, a careful loop that records
each bad cell. Rows are tuples in the sheet's column order, never dicts.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from buurtbalans.core.safeinput import InputError
from buurtbalans.portfolio.importing.columns import Sheet, normalize_header
from buurtbalans.portfolio.importing.readers import RawSheet
from buurtbalans.portfolio.importing.report import ImportError, ImportReport


@dataclass
class ParsedSheet:
    """A sheet's rows as tuples in `sheet.columns` order; only `present` columns came from the file."""

    sheet: Sheet
    label: str
    present: list[str]  # our column names found in the header (derived columns included)
    headers: dict[str, str]  # our column name -> the header as written
    rows: list[tuple] = field(default_factory=list)
    row_numbers: list[int] = field(default_factory=list)
    bad_rows: set[int] = field(default_factory=set)  # positions in `rows` with a cell error
    is_complete: bool = True  # False when a required column is missing
    is_text: bool = True  # cells are str (CSV), not Excel values

    def header(self, name: str) -> str:
        return self.headers.get(name, name)

    def error(self, report: ImportReport, position: int | None, column: str | None, message: str) -> None:
        row = self.row_numbers[position] if position is not None else None
        header = self.header(column) if column else None
        report.add_error(ImportError(self.label, row, header, message, self.sheet.name))
        if position is not None:
            self.bad_rows.add(position)


def parse_sheet(raw: RawSheet, report: ImportReport, on_row: Callable[[int], None] | None = None) -> ParsedSheet:
    """Parse every row of `raw`; errors go to `report`. `on_row(n)` is called after each chunk of n rows."""
    sheet = raw.sheet
    positions: dict[str, int] = {}
    headers: dict[str, str] = {}
    for index, header in enumerate(raw.header):
        if not header:
            continue
        column = sheet.lookup.get(normalize_header(header))
        if column is None:
            report.warnings.append(
                _("%(file)s: column %(header)s is not one we know and was ignored")
                % {"file": raw.label, "header": header}
            )
        elif column.name in positions:
            report.add_error(
                ImportError(
                    raw.label, None, header,
                    _("gives %(column)s, as column %(other)s already does") % {
                        "column": column.name, "other": headers[column.name]},
                    sheet.name,
                )
            )
        else:
            positions[column.name] = index
            headers[column.name] = header
    report.columns[sheet.name] = {headers[name]: name for name in headers}

    parsed = ParsedSheet(sheet, raw.label, present=list(positions), headers=headers, is_text=raw.is_text)
    for column in sheet.columns:
        if column.required and column.name not in positions:
            accepted = ", ".join((column.name, *column.aliases))
            report.add_error(
                ImportError(
                    raw.label, None, column.name,
                    _("required column is missing (accepted names: %(names)s)") % {"names": accepted},
                    sheet.name,
                )
            )
            parsed.is_complete = False
    if sheet.name == "households":
        # Adults and children are always written: derived from the size when not given.
        parsed.present += [n for n in ("adults", "children") if n not in parsed.present]

    names = sheet.names
    at = {name: i for i, name in enumerate(names)}
    width = max(positions.values(), default=-1) + 1
    is_text = raw.is_text
    chunk: list = []
    chunk_numbers: list[int] = []
    try:
        for number, cells in raw.rows:
            # Skip blank lines (Excel keeps formatted but empty rows; CSV files end in empty lines).
            if is_text:
                if not any(cells):
                    continue
            elif all(c is None or c == "" for c in cells):
                continue
            if len(cells) != width:
                cells = [*cells[:width], *(["" if is_text else None] * (width - len(cells)))]
            chunk.append(cells)
            chunk_numbers.append(number)
            if len(chunk) == CHUNK_ROWS:
                _parse_chunk(parsed, chunk, chunk_numbers, positions, at, report)
                if on_row is not None:
                    on_row(len(chunk))
                chunk, chunk_numbers = [], []
    except InputError as exc:
        # A row the reader cannot read (a cell over the CSV limit, a damaged sheet): the rest of the file is
        # unknown, so the sheet counts as incomplete and nothing is checked against it.
        report.add_error(ImportError(exc.file, exc.row, exc.field, exc.message, sheet.name))
        parsed.is_complete = False
    if chunk:
        _parse_chunk(parsed, chunk, chunk_numbers, positions, at, report)
        if on_row is not None:
            on_row(len(chunk))
    return parsed


# Stands for an empty cell where a value is required; compared by identity only (a plain object).
MISSING = object()

# Rows parsed at a time: the unit of progress and the most raw cells held in memory at once.
CHUNK_ROWS = 10_000


def _parse_chunk(parsed: ParsedSheet, chunk: list, numbers: list[int], positions: dict[str, int],
                 at: dict[str, int], report: ImportReport) -> None:
    """Parse one chunk column by column: a tight comprehension per column, a careful loop only on error."""
    sheet, label = parsed.sheet, parsed.label
    offset = len(parsed.rows)
    size = len(chunk)
    bad: set[int] = set()
    columns: list[list] = [None] * len(sheet.columns)  # type: ignore[list-item]
    add_error = report.add_error
    is_text = parsed.is_text
    transposed = list(zip(*chunk, strict=True))  # one tuple of cells per column of the file
    # In the file's column order, so a row's errors read left to right as the user sees the row.
    for column in sorted(sheet.columns, key=lambda c: positions.get(c.name, -1)):
        default = column.default
        position = positions.get(column.name)
        slot = sheet.index(column.name)
        if position is None:
            columns[slot] = [default] * size
            continue
        header = parsed.headers[column.name]
        parse = column.parse
        # Empty cells of a column that needs a value become MISSING, found again below with one scan.
        empty = default if column.blank else MISSING
        cells = transposed[position]
        try:
            if is_text:
                values = [parse(s) if (s := c.strip()) else empty for c in cells]
            else:
                cells = [c.strip() if c.__class__ is str else c for c in cells]
                values = [empty if c is None or c == "" else parse(c) for c in cells]
        except ValueError:
            values = []
            for index, cell in enumerate(cells):
                cell = cell.strip() if cell.__class__ is str else cell
                if cell is None or cell == "":
                    values.append(empty)
                    continue
                try:
                    values.append(parse(cell))
                except ValueError as exc:
                    values.append(default)
                    add_error(ImportError(label, numbers[index], header, str(exc), sheet.name))
                    bad.add(index)
        if empty is MISSING and MISSING in values:
            for index, value in enumerate(values):
                if value is MISSING:
                    add_error(ImportError(label, numbers[index], header, _("a value is required"), sheet.name))
                    bad.add(index)
                    values[index] = default
        columns[slot] = values
    rows = list(zip(*columns, strict=True))
    if sheet.check_row is not None:
        check_row = sheet.check_row
        for index, row in enumerate(rows):
            if index in bad:
                continue
            values = list(row)
            problems = check_row(values, at)
            rows[index] = tuple(values)
            for name, message in problems:
                add_error(ImportError(label, numbers[index], parsed.header(name), message, sheet.name))
                bad.add(index)
    parsed.rows.extend(rows)
    parsed.row_numbers.extend(numbers)
    parsed.bad_rows.update(offset + index for index in bad)
