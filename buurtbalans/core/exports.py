"""Every table in the UI can be downloaded as CSV or Excel: one helper for all of them.

A view describes its table once as a list of `Column`s and hands the rows to `export_response`. CSV is
streamed row by row, so a 100k-row export never sits in memory; Excel is written with openpyxl's
write-only workbook (constant memory) into a temporary file, because a zip archive cannot be streamed
before it is complete.

CSV comes in two dialects (docs/ui.md, "Tables and exports"), both offered on every table's export links:

* `?format=csv-nl`, the first link ("CSV"), for Dutch Excel: `;` between cells (Dutch Excel's list separator, so
  a double click opens the file in columns), decimal commas, dates as dd-mm-jjjj, yes/no in words, UTF-8 with a
  byte order mark, and a column of codes (`Column.codes`) written as its label with the code in a column next to it;
* `?format=csv`, "CSV (internationaal)": `,`, decimal points, ISO dates, codes as they are. This is the CSV as it
  was before issue 14, unchanged, so a script or bookmark that fetches `?format=csv` gets what it always got.

`requested_format` hands views an `ExportFormat`: a str equal to "csv" for both dialects (views compare with
"csv" and "xlsx"), carrying the dialect on to `export_response`. A view that passes the literal "csv" gets the
international dialect.
"""

from __future__ import annotations

import csv
import json
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import Choices
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import slugify
from django.utils.translation import gettext, gettext_lazy

from buurtbalans.core.audit import audit_record
from buurtbalans.core.models import AuditEvent

DUTCH = "nl"
INTERNATIONAL = "intl"
# The values of `?format=`: the CSV dialect is part of the format the user picks from the export links.
CSV_FORMATS = {"csv-nl": DUTCH, "csv": INTERNATIONAL}
FORMATS = (*CSV_FORMATS, "xlsx")
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Spreadsheet programs run a cell that starts with one of these as a formula ("CSV injection"); an
# imported address like "=HYPERLINK(...)" must arrive as text.
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_formula_safe(text: str) -> str:
    """Text for a CSV cell that no spreadsheet runs: a leading apostrophe before a formula character."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def xlsx_formula_safe(cell) -> None:
    """Keep an openpyxl cell's text as text: openpyxl would write a string starting with "=" as a formula."""
    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_PREFIXES):
        cell.data_type = "s"


CODE_HEADER = gettext_lazy("%(column)s (code)")


@dataclass(frozen=True)
class Column:
    """One column of an exported table: a header and how to read the value from a row.

    `value` is an attribute name, a dict key, or a callable taking the row.

    `codes` marks a column of codes ("builtin", "OPEN"): a Django `Choices` class, a {code: label} mapping or a
    callable code -> label. The Dutch CSV writes the label (Dutch in a Dutch session) and, with `code_column`,
    the code in a column "<label> (code)" right after it, for whoever reads the file back in. The international
    CSV and Excel write the code alone, as before. A code without a label is written as it is.
    """

    label: str | Promise
    value: str | Callable[[Any], Any]
    codes: Any = None
    code_column: bool = True

    def read(self, row: Any) -> Any:
        if callable(self.value):
            return self.value(row)
        if isinstance(row, dict):
            return row.get(self.value)
        return getattr(row, self.value, None)

    def label_of(self, code: Any) -> Any:
        """The label of `code` under `codes` (the code itself when it has none)."""
        if code is None or code == "" or self.codes is None:
            return code
        codes = self.codes
        if isinstance(codes, type) and issubclass(codes, Choices):
            codes = dict(codes.choices)
        label = codes(code) if callable(codes) else codes.get(code)
        return code if label is None or label == "" else label


class ExportFormat(str):
    """"csv" or "xlsx", as views compare it, with the CSV dialect the user chose (`DUTCH` or `INTERNATIONAL`)."""

    dialect: str

    def __new__(cls, value: str, dialect: str = INTERNATIONAL):
        instance = super().__new__(cls, value)
        instance.dialect = dialect
        return instance

    @property
    def query_value(self) -> str:
        """What `?format=` says for this format."""
        return "csv-nl" if self == "csv" and self.dialect == DUTCH else str(self)


def as_export_format(value: str) -> ExportFormat:
    """An `ExportFormat` for a `?format=` value ("csv-nl", "csv", "xlsx") or a view's literal "csv"."""
    if isinstance(value, ExportFormat):
        return value
    if value in CSV_FORMATS:
        return ExportFormat("csv", CSV_FORMATS[value])
    return ExportFormat(value)


def requested_format(request) -> ExportFormat | None:
    """The export format asked for with `?format=csv-nl|csv|xlsx`, or None for the HTML page.

    Both CSV dialects come back equal to "csv"; the dialect rides along for `export_response`.
    """
    value = request.GET.get("format")
    if value is None or value == "":
        return None
    if value not in FORMATS:
        raise Http404("unknown export format")
    return as_export_format(value)


def _plain(value: Any) -> Any:
    """A value a spreadsheet understands: numbers stay numbers, lazy translations become text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float, Decimal)):
        return value
    if isinstance(value, datetime):
        return timezone.localtime(value).replace(tzinfo=None) if timezone.is_aware(value) else value
    if isinstance(value, date):
        return value
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True) if value else ""
    return str(value)


def _csv_text(value: Any) -> str:
    """A cell of the international CSV: decimal points, ISO dates, 1/0 (as before issue 14)."""
    value = _plain(value)
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        return csv_formula_safe(value)
    return str(value)


def _decimal_comma(value: int | float | Decimal) -> str:
    """A number as Dutch Excel reads it: a decimal comma, no thousands separator, never an exponent."""
    if isinstance(value, int):
        return str(value)
    text = str(value)
    if "e" in text.lower() and text.lower() not in ("inf", "-inf", "nan"):
        text = format(Decimal(text), "f")
    return text.replace(".", ",")


def _csv_text_dutch(value: Any) -> str:
    """A cell of the Dutch CSV: decimal comma, dd-mm-jjjj, ja/nee; text made formula-safe as in every export.

    Dates are written as dd-mm-jjjj because that is the short date of the Dutch regional setting: Dutch Excel
    turns it into a date cell shown as the user writes dates, as it turns "612,50" into a number. (ISO dates,
    which Excel also reads, stay in the international CSV, which is for programs.)
    """
    value = _plain(value)
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, (int, float, Decimal)):
        return _decimal_comma(value)
    if isinstance(value, datetime):
        return value.strftime("%d-%m-%Y %H:%M:%S")
    if isinstance(value, date):
        return value.strftime("%d-%m-%Y")
    return csv_formula_safe(value)


class _Echo:
    """A write-only file object for csv.writer that hands each line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(columns: Sequence[Column], rows: Iterable[Any]):
    """The international CSV (comma, decimal point, ISO dates, codes as they are)."""
    writer = csv.writer(_Echo())
    # A byte-order mark makes Excel read the file as UTF-8 (names such as "Wooncoöperatie").
    yield "\ufeff" + writer.writerow([str(c.label) for c in columns])
    for row in rows:
        yield writer.writerow([_csv_text(c.read(row)) for c in columns])


def _csv_lines_dutch(columns: Sequence[Column], rows: Iterable[Any]):
    """The CSV for Dutch Excel: `;`, decimal commas, dd-mm-jjjj, each code's label with the code next to it."""
    writer = csv.writer(_Echo(), delimiter=";")
    header = []
    for column in columns:
        header.append(str(column.label))
        if column.codes is not None and column.code_column:
            header.append(str(CODE_HEADER % {"column": column.label}))
    # The byte-order mark: Excel reads the file as UTF-8 ("Wooncoöperatie"), not as Windows-1252.
    yield "\ufeff" + writer.writerow(header)
    for row in rows:
        cells = []
        for column in columns:
            value = column.read(row)
            if column.codes is None:
                cells.append(_csv_text_dutch(value))
                continue
            cells.append(_csv_text_dutch(column.label_of(value)))
            if column.code_column:
                cells.append(_csv_text_dutch(value))
        yield writer.writerow(cells)


def _xlsx_file(columns: Sequence[Column], rows: Iterable[Any], title: str):
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=(slugify(title) or "export")[:31])
    bold = Font(bold=True)
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=str(column.label))
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        cells = []
        for column in columns:
            value = _plain(column.read(row))
            cell = WriteOnlyCell(sheet, value=value)
            xlsx_formula_safe(cell)
            cells.append(cell)
        sheet.append(cells)
    handle = tempfile.TemporaryFile()
    workbook.save(handle)
    handle.seek(0)
    return handle


def export_filename(name: str, export_format: str) -> str:
    return f"{slugify(name) or 'export'}-{timezone.localdate().isoformat()}.{export_format}"


def export_response(
    *,
    export_format: str,
    name: str,
    columns: Sequence[Column],
    rows: Iterable[Any],
):
    """A download of `rows` in `export_format` ("csv" or "xlsx").

    Args:
        export_format: what `requested_format` returned ("csv" in the dialect the user chose, or "xlsx"); a
            plain "csv" is the international CSV, "csv-nl" the Dutch one. Both are streamed.
        name: the base of the file name and the sheet title, e.g. "complexes".
        columns: the table's columns.
        rows: the table's rows (a queryset iterated with `.iterator()` by the caller for large tables).
    """
    export_format = as_export_format(export_format)
    filename = export_filename(name, export_format)
    if export_format == "csv":
        dutch = export_format.dialect == DUTCH
        lines = _csv_lines_dutch(columns, rows) if dutch else _csv_lines(columns, rows)
        response = StreamingHttpResponse(lines, content_type=CSV_CONTENT_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response
    if export_format == "xlsx":
        return FileResponse(
            _xlsx_file(columns, rows, name), as_attachment=True, filename=filename, content_type=XLSX_CONTENT_TYPE
        )
    raise Http404("unknown export format")


def personal_data_export_record(*, actor, corporation, subject_type: str, subject_ids: Iterable[str], what: str,
                                export_format: str, purpose: str, rows: int | None = None) -> AuditEvent:
    """Write the audit event for a download of household-level data (who, whose data, what, why)."""
    return audit_record(
        actor=actor,
        event=AuditEvent.Type.PERSONAL_DATA_EXPORTED,
        corporation=corporation,
        subject_type=subject_type,
        subject_ids=subject_ids,
        subject_label=what,
        purpose=purpose,
        data={"format": export_format, **({"rows": rows} if rows is not None else {})},
    )
