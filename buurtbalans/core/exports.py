"""Every table in the UI can be downloaded as CSV or Excel: one helper for all of them.

A view describes its table once as a list of `Column`s and hands the rows to `export_response`. CSV is
streamed row by row, so a 100k-row export never sits in memory; Excel is written with openpyxl's
write-only workbook (constant memory) into a temporary file, because a zip archive cannot be streamed
before it is complete.
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

from django.http import FileResponse, Http404, StreamingHttpResponse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import slugify

from buurtbalans.core.audit import audit_record
from buurtbalans.core.models import AuditEvent

FORMATS = ("csv", "xlsx")
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


@dataclass(frozen=True)
class Column:
    """One column of an exported table: a header and how to read the value from a row.

    `value` is an attribute name, a dict key, or a callable taking the row.
    """

    label: str | Promise
    value: str | Callable[[Any], Any]

    def read(self, row: Any) -> Any:
        if callable(self.value):
            return self.value(row)
        if isinstance(row, dict):
            return row.get(self.value)
        return getattr(row, self.value, None)


def requested_format(request) -> str | None:
    """The export format asked for with `?format=csv|xlsx`, or None for the HTML page."""
    value = request.GET.get("format")
    if value is None or value == "":
        return None
    if value not in FORMATS:
        raise Http404("unknown export format")
    return value


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


class _Echo:
    """A write-only file object for csv.writer that hands each line back instead of storing it."""

    def write(self, value: str) -> str:
        return value


def _csv_lines(columns: Sequence[Column], rows: Iterable[Any]):
    writer = csv.writer(_Echo())
    # A byte-order mark makes Excel read the file as UTF-8 (names such as "Wooncoöperatie").
    yield "\ufeff" + writer.writerow([str(c.label) for c in columns])
    for row in rows:
        yield writer.writerow([_csv_text(c.read(row)) for c in columns])


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
        export_format: "csv" (streamed) or "xlsx".
        name: the base of the file name and the sheet title, e.g. "complexes".
        columns: the table's columns.
        rows: the table's rows (a queryset iterated with `.iterator()` by the caller for large tables).
    """
    filename = export_filename(name, export_format)
    if export_format == "csv":
        response = StreamingHttpResponse(_csv_lines(columns, rows), content_type=CSV_CONTENT_TYPE)
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
