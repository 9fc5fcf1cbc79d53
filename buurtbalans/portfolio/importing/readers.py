"""Reading the input: an .xlsx workbook, a folder of CSV files, one CSV file or a .zip of CSV files.

Files in a folder or zip are matched to sheets by name; one CSV file on its own by its name or, when the name
says nothing (`export.csv`), by its header (`csv_sheet_for`).

Each sheet comes out as a header and an iterator of (row number, cells), numbered as a spreadsheet
shows them (the header is row 1). CSV files may be UTF-8 (with or without BOM), UTF-16 or UTF-32 with a
BOM (Excel's "Unicode text") or Windows-1252, separated by `;`, `,` or tabs (Dutch Excel writes `;`),
with any newline convention. Decoding, zip and workbook limits live in `core.safeinput`: a file that
breaks them raises `SourceError` here, or while its rows are read (`parse.parse_sheet` reports it).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from django.utils.translation import gettext as _

from buurtbalans.core import safeinput
from buurtbalans.core.safeinput import InputError
from buurtbalans.portfolio.importing.columns import SHEETS, Sheet, normalize_header, sheet_for

# The input cannot be read (missing, not a workbook, no known sheet, a broken limit); `file`, `row`, `field`
# and `message` say where and what.
SourceError = InputError


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
        files = [(p.name, partial(safeinput.read_bytes, p, p.name))
                 for p in sorted(path.iterdir()) if p.suffix.lower() == ".csv"]
        source = _csv_source(files)
    elif suffix in (".xlsx", ".xlsm"):
        source = _xlsx_source(path, name)
    elif suffix == ".csv":
        source = _single_csv_source(name, safeinput.read_bytes(path, name))
    elif suffix == ".zip":
        source = _csv_source(safeinput.zip_files(path, name))
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
    workbook = safeinput.open_workbook(path, name)
    sheets, warnings, found = [], [], {}
    try:
        for worksheet in workbook.worksheets:
            label = _("%(file)s sheet %(sheet)s") % {"file": name, "sheet": worksheet.title}
            if not _claim(found, sheet_for(worksheet.title), label, warnings):
                continue
            header, rows, estimated = safeinput.workbook_sheet(worksheet, label)
            sheets.append(RawSheet(sheet_for(worksheet.title), label, header, rows, estimated, False))
    except BaseException:
        workbook.close()
        raise
    return Source(sheets, warnings, close=workbook.close)


def csv_sheet(sheet: Sheet, name: str, data: bytes) -> RawSheet:
    """One CSV file as a sheet; every record is a row as a spreadsheet shows it, blank lines included.

    Raises:
        SourceError: the bytes are not text (see `safeinput.decode_text`) or the header cannot be read.
    """
    text = safeinput.decode_text(data, name)
    header, rows = safeinput.csv_table(text, name)
    return RawSheet(sheet, name, header, rows, safeinput.estimated_rows(text))


def single_sheet(sheet: Sheet, path: Path, name: str) -> RawSheet:
    """A file that holds one sheet (bids, interventions): a CSV file, or the first sheet of a workbook.

    The kind of file is read from `name` (an upload's own name), else from `path`.

    Raises:
        SourceError: the file cannot be read, a workbook has no sheet, or it is neither CSV nor .xlsx/.xlsm.
    """
    suffix = Path(name).suffix.lower() or Path(path).suffix.lower()
    if suffix == ".csv":
        return csv_sheet(sheet, name, safeinput.read_bytes(path, name))
    if suffix not in (".xlsx", ".xlsm"):
        raise SourceError(name, _("is not a .csv or .xlsx file"))
    workbook = safeinput.open_workbook(path, name)
    try:
        if not workbook.worksheets:
            raise SourceError(name, _("holds no sheets"))
        worksheet = workbook.worksheets[0]
        label = _("%(file)s sheet %(sheet)s") % {"file": name, "sheet": worksheet.title}
        header, rows, _estimated = safeinput.workbook_sheet(worksheet, label)
        rows = list(rows)
    finally:
        workbook.close()
    return RawSheet(sheet, label, header, iter(rows), len(rows), False)


def _csv_source(files) -> Source:
    """`files` is [(file name, a function returning its bytes)], read only when the name is one of our sheets.

    Messages name the file alone (`dwellings.csv`), not the folder or zip it came in: that is the name the
    user knows.
    """
    sheets, warnings, found = [], [], {}
    for name, read in files:
        sheet = sheet_for(Path(name).stem)
        if not _claim(found, sheet, name, warnings):
            continue
        sheets.append(csv_sheet(sheet, name, read()))
    return Source(sheets, warnings)


# How much of an uploaded CSV file the form reads to find its header (a header row is far shorter).
HEADER_PEEK_BYTES = 64 * 1024


def csv_header(data: bytes, name: str) -> list[str] | None:
    """The header row of a CSV file from its bytes (its first bytes do), or None when they are not readable text.

    The bytes may end inside a character (a peek at the start of a file): up to three bytes are dropped until they
    decode.
    """
    for cut in range(4):
        try:
            text = safeinput.decode_text(data[: len(data) - cut], name)
        except InputError:
            continue
        try:
            header, _rows = safeinput.csv_table(text, name)
        except InputError:
            return None
        return header
    return None


def csv_sheet_for(
    name: str,
    header: Sequence[str] | None,
    *,
    sheets: Sequence[Sheet] = SHEETS,
    by_name: Callable[[str], Sheet | None] = sheet_for,
) -> Sheet | None:
    """The sheet one CSV file holds, or None.

    1. Its name: `dwellings.csv`, `Eenheden.csv` (as for a folder or zip), or one word of the name that is a sheet's
       name, when only one sheet is named: `eenheden-export-2026.csv`, `complexes-2026-06-01.csv` (our own export).
    2. Else its header: the sheet whose required columns are all there and which knows more of the header's columns
       than any other such sheet (a tie decides nothing). Housing systems name their exports as they like.
    """
    stem = Path(name).stem
    sheet = by_name(stem)
    if sheet is not None:
        return sheet
    named = {found.name: found for word in re.split(r"[\W_]+", stem) if word and (found := by_name(word))}
    if len(named) == 1:
        return next(iter(named.values()))
    if named or not header:
        return None
    scores = []
    for candidate in sheets:
        known = {candidate.lookup[key].name for key in map(normalize_header, header) if key in candidate.lookup}
        required = {column.name for column in candidate.columns if column.required}
        if required <= known:
            scores.append((len(known), candidate))
    scores.sort(key=lambda score: -score[0])
    if not scores or (len(scores) > 1 and scores[0][0] == scores[1][0]):
        return None
    return scores[0][1]


def _single_csv_source(name: str, data: bytes) -> Source:
    """One CSV file: the sheet its name or header says (`csv_sheet_for`); none is an error from `open_source`."""
    warnings: list[str] = []
    sheet = csv_sheet_for(name, None) or csv_sheet_for(name, csv_header(data[:HEADER_PEEK_BYTES], name))
    if not _claim({}, sheet, name, warnings):
        return Source([], warnings)
    return Source([csv_sheet(sheet, name, data)], warnings)
