"""Reading the input: an .xlsx workbook, a folder of CSV files, one CSV file or a .zip of CSV files.

Each sheet comes out as a header and an iterator of (row number, cells), numbered as a spreadsheet
shows them (the header is row 1). CSV files may be UTF-8 (with or without BOM) or Windows-1252, and
separated by `;`, `,` or tabs (Dutch Excel writes `;`).
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _

from buurtbalans.portfolio.importing.columns import SHEETS, Sheet, sheet_for


class SourceError(Exception):
    """The input cannot be read at all (missing, not a workbook, no known sheet)."""

    def __init__(self, file: str, message: str):
        super().__init__(f"{file}: {message}")
        self.file = file
        self.message = message


@dataclass
class RawSheet:
    sheet: Sheet
    label: str  # how messages name it: "dwellings.csv" or "stock.xlsx sheet dwellings"
    header: list[str]
    rows: Iterator[tuple[int, Sequence]]
    estimated_rows: int
    is_text: bool = True  # every cell is a str (CSV); False for Excel cells (None, numbers, dates)


@dataclass
class Source:
    sheets: list[RawSheet]
    warnings: list[str]
    close: object = None  # callable releasing the workbook

    def finish(self) -> None:
        if callable(self.close):
            self.close()


def open_source(path: Path, name: str | None = None) -> Source:
    """Open `path` and find the sheets in it, in dependency order.

    Args:
        path: the workbook, CSV file, zip or folder.
        name: what to call it in messages (an upload stored under another name); default the file name.

    Raises:
        SourceError: when the path does not exist, cannot be read, or holds none of our sheets.
    """
    path = Path(path)
    name = name or path.name or str(path)
    if not path.exists():
        raise SourceError(name, _("does not exist"))
    suffix = path.suffix.lower()
    if path.is_dir():
        files = [(p.name, p.read_bytes) for p in sorted(path.iterdir()) if p.suffix.lower() == ".csv"]
        source = _csv_source(files, container=name)
    elif suffix in (".xlsx", ".xlsm"):
        source = _xlsx_source(path, name)
    elif suffix == ".csv":
        source = _csv_source([(name, path.read_bytes)], container=None)
    elif suffix == ".zip":
        try:
            archive = zipfile.ZipFile(path)
        except zipfile.BadZipFile:
            raise SourceError(name, _("is not a readable zip file")) from None
        with archive:
            names = [n for n in archive.namelist() if n.lower().endswith(".csv") and not n.startswith("__MACOSX")]
            files = [(Path(n).name, archive.read(n)) for n in sorted(names)]
        source = _csv_source(files, container=name)
    else:
        raise SourceError(
            name, _("is not an .xlsx file, a .csv file, a .zip of CSV files or a folder of CSV files")
        )
    if not source.sheets:
        source.finish()
        expected = ", ".join(s.name for s in SHEETS)
        raise SourceError(name, _("holds none of the sheets %(expected)s") % {"expected": expected})
    order = {sheet.name: i for i, sheet in enumerate(SHEETS)}
    source.sheets.sort(key=lambda raw: order[raw.sheet.name])
    return source


def _claim(found: dict[str, str], sheet: Sheet | None, label: str, warnings: list[str]) -> bool:
    if sheet is None:
        warnings.append(_("%(label)s is not one of our sheets and was ignored") % {"label": label})
        return False
    if sheet.name in found:
        raise SourceError(label, _("holds the %(sheet)s again (also in %(other)s)") % {
            "sheet": sheet.name, "other": found[sheet.name]})
    found[sheet.name] = label
    return True


def _xlsx_source(path: Path, name: str) -> Source:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError):
        raise SourceError(name, _("is not a readable Excel (.xlsx) file")) from None
    sheets, warnings, found = [], [], {}
    for worksheet in workbook.worksheets:
        label = _("%(file)s sheet %(sheet)s") % {"file": name, "sheet": worksheet.title}
        if not _claim(found, sheet_for(worksheet.title), label, warnings):
            continue
        rows = worksheet.iter_rows(values_only=True)
        header_cells = next(rows, None) or ()
        header = ["" if cell is None else str(cell).strip() for cell in header_cells]
        estimated = max(0, (worksheet.max_row or 1) - 1)
        sheets.append(RawSheet(sheet_for(worksheet.title), label, header, enumerate(rows, start=2), estimated, False))
    return Source(sheets, warnings, close=workbook.close)


def decode(data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel on Windows saves "CSV" in the local code page.
        return data.decode("cp1252", errors="replace")


def _csv_source(files, container: str | None) -> Source:
    """`files` is [(file name, bytes or a function returning them)].

    Messages name the file alone (`dwellings.csv`), not `container` (the folder or zip): that is the name
    the user knows.
    """
    sheets, warnings, found = [], [], {}
    for name, read in files:
        sheet = sheet_for(Path(name).stem)
        if not _claim(found, sheet, name, warnings):
            continue
        text = decode(read() if callable(read) else read)
        first_line = text.split("\n", 1)[0]
        delimiter = max((";", ",", "\t"), key=first_line.count)
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        header = [h.strip() for h in next(reader, [])]
        estimated = max(0, text.count("\n") - (1 if text.endswith("\n") else 0))
        # Every record is a row as a spreadsheet shows it, blank lines included.
        sheets.append(RawSheet(sheet, name, header, enumerate(reader, start=2), estimated))
    return Source(sheets, warnings)
