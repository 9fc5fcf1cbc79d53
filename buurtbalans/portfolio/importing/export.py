"""Writing a corporation's portfolio in the import format (our column names), as CSV files or one .xlsx.

The values are written so that importing them gives the same rows back: amounts with a decimal point
and two decimals, ISO dates, `true`/`false`, codes for enumerations, JSON objects with sorted keys. Text that a
spreadsheet would run as a formula (starting with =, +, -, @) is written as the web exports write it (core.exports):
with a leading apostrophe in CSV, which the import takes off again, and as a text cell in Excel.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

from buurtbalans.core.exports import FORMULA_PREFIXES, csv_formula_safe, xlsx_formula_safe
from buurtbalans.portfolio.importing.columns import REF_KIND, SHEETS, Sheet
from buurtbalans.portfolio.importing.plan import _REF_PATHS, MODELS

_EXPORT_PATHS = {**_REF_PATHS, REF_KIND: "kind__code"}


def export_rows(sheet: Sheet, corporation) -> Iterator[tuple]:
    """The corporation's rows of one sheet, in column order, sorted by key."""
    paths = [_EXPORT_PATHS[c.ref] if c.ref else c.name for c in sheet.columns]
    order = [_EXPORT_PATHS[sheet.columns[sheet.index(name)].ref] if sheet.columns[sheet.index(name)].ref else name
             for name in sheet.key]
    if sheet.name == "markers":
        order = ["household__external_id", "kind__code", "valid_from"]
    queryset = MODELS[sheet.name].objects.filter(corporation=corporation).order_by(*order, "id")
    return queryset.values_list(*paths).iterator(chunk_size=5000)


def csv_text(value: object) -> str:
    if value is None:
        return ""
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return csv_formula_safe(value) if isinstance(value, str) else str(value)


def _excel_value(value: object) -> object:
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return value


def _private(path: Path) -> Path:
    """Create (or empty) the file readable by its owner only before anything is written: it holds personal data."""
    os.close(os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600))
    os.chmod(path, 0o600)  # an existing file keeps its old mode through O_TRUNC
    return path


def write_csv(folder: Path, corporation, sheets=SHEETS) -> dict[str, list]:
    """One `<sheet>.csv` per sheet in `folder` (UTF-8 with BOM so Excel reads accents right, comma-separated).

    Returns:
        per sheet, the rows written (tuples), for the caller's audit record.
    """
    folder.mkdir(parents=True, exist_ok=True)
    written: dict[str, list] = {}
    for sheet in sheets:
        rows = written[sheet.name] = []
        with _private(folder / f"{sheet.name}.csv").open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(sheet.names)
            for row in export_rows(sheet, corporation):
                rows.append(row)
                writer.writerow([csv_text(value) for value in row])
    return written


def write_xlsx(path: Path, corporation, sheets=SHEETS) -> dict[str, list]:
    """One workbook with a sheet per sheet, written in openpyxl's write-only (streaming) mode."""
    import openpyxl
    from openpyxl.cell import WriteOnlyCell

    workbook = openpyxl.Workbook(write_only=True)
    written: dict[str, list] = {}
    for sheet in sheets:
        worksheet = workbook.create_sheet(sheet.name)
        worksheet.append(sheet.names)
        rows = written[sheet.name] = []
        date_columns = [
            i for i, c in enumerate(sheet.columns) if c.name.endswith(("_date", "valid_from", "valid_until"))
        ]
        for row in export_rows(sheet, corporation):
            rows.append(row)
            cells = [_excel_value(value) for value in row]
            for index in date_columns:
                if cells[index] is not None:
                    cell = WriteOnlyCell(worksheet, value=cells[index])
                    cell.number_format = "yyyy-mm-dd"
                    cells[index] = cell
            for index, value in enumerate(cells):
                if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
                    cells[index] = cell = WriteOnlyCell(worksheet, value=value)
                    xlsx_formula_safe(cell)
            worksheet.append(cells)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(_private(path))  # openpyxl rewrites the file in place, so it keeps the private mode
    return written
