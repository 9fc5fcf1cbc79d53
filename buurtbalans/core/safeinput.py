"""Reading the files users and operators give us, safely: text decoding, CSV, zip, xlsx and JSON, with limits.

Every import and every command that reads a file goes through here, so a hostile or broken file ends in one
`InputError` naming the file (and the row and field where there is one) instead of a traceback, a worker out of
memory or garbage in the database:

- `decode_text`: the byte order mark decides (UTF-8, UTF-16 LE/BE as Excel's "Unicode text", UTF-32), else strict
  UTF-8, else Windows-1252 (what Excel on Windows writes as "CSV"), but only for bytes without NUL: a file with NUL
  bytes that is not UTF-16/32 is not text.
- `csv_table`: the separator sniffed from the header line (`;` as Dutch Excel writes, `,` or tab), any newline
  convention (also the old Mac CR), and a cell longer than the csv module's limit as an error on its row.
- `zip_files` / `check_zip`: at most `IMPORT_MAX_ZIP_MEMBERS` members and `IMPORT_MAX_UNZIPPED_BYTES` unpacked, checked
  on the zip's directory and again while reading (a directory can lie), no zip inside a zip, and no member that
  packs more than `IMPORT_MAX_ZIP_RATIO` times its size beyond the first `ZIP_RATIO_FREE_BYTES`.
- `open_workbook` / `workbook_rows`: an .xlsx read by openpyxl after the same zip checks; openpyxl parses its XML with
  defusedxml (a dependency), so entity declarations (billion laughs, external entities) are refused.
- `load_json`: UTF-8 (or UTF-16/32 with BOM) JSON without NaN/Infinity, numbers that fit a float, at most
  `MAX_JSON_DEPTH` levels deep and of the expected top-level type.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import logging
import math
import zipfile
import zlib
from collections.abc import Callable, Iterator
from itertools import chain, compress, repeat
from operator import attrgetter, is_
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext

logger = logging.getLogger(__name__)


def _(message: str) -> str:
    # The file readers of the commands also run without Django set up (the label-plan benchmark): English then.
    return gettext(message) if settings.configured else message

# Defaults of the settings of the same name (settings.py reads them from the environment).
IMPORT_MAX_UNZIPPED_BYTES = 500 * 1024 * 1024
IMPORT_MAX_ZIP_MEMBERS = 1000
IMPORT_MAX_ZIP_RATIO = 100
# Below this many unpacked bytes a member may compress as well as it likes: small, very regular files (a sheet of
# empty rows) compress far better than 100:1 and harm no one.
ZIP_RATIO_FREE_BYTES = 10 * 1024 * 1024
# Real documents (GeoJSON, CBS OData, our round and plan files) nest fewer than 10 levels; Python's own recursion
# limit is about 1000, and code that prints or walks a value must never come near it.
MAX_JSON_DEPTH = 64
READ_CHUNK = 1024 * 1024

ZIP_MAGIC = b"PK\x03\x04"
# Longest first: the UTF-32 LE mark begins with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)


class InputError(Exception):
    """A file that cannot be read as what it should be; `str()` is the one-line message for the user.

    Attributes:
        file: the name the user knows the file by ("dwellings.csv", "stock.xlsx sheet dwellings").
        row: the row as a spreadsheet shows it (header = 1), or None for the whole file.
        field: the column or JSON path, or None.
        message: what is wrong, in the user's language.
    """

    def __init__(self, file: str, message: str, *, row: int | None = None, field: str | None = None):
        self.file, self.message, self.row, self.field = str(file), str(message), row, field
        super().__init__(describe(self.file, self.message, row=row, field=field))


def describe(file: str, message: str, *, row: int | None = None, field: str | None = None) -> str:
    """The one-line form every import uses: `file row N, field: message`."""
    values = {"file": file, "row": row, "column": field, "message": message}
    if row is not None and field:
        return _("%(file)s row %(row)s, %(column)s: %(message)s") % values
    if row is not None:
        return _("%(file)s row %(row)s: %(message)s") % values
    if field:
        return _("%(file)s, column %(column)s: %(message)s") % values
    return _("%(file)s: %(message)s") % values


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default)) if settings.configured else default


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):,.0f} MB"


# --- text -------------------------------------------------------------------------------------------------------


def decode_text(data: bytes, file: str, *, fallback: str | None = "cp1252") -> str:
    """The text of a file, decoded as described in the module docstring.

    Args:
        data: the file's bytes.
        file: its name, for messages.
        fallback: the code page for bytes that are not UTF-8 (None: such a file is refused, as for JSON).

    Raises:
        InputError: NUL bytes (not a text file), or bytes that do not fit the encoding its mark announces.
    """
    for bom, encoding, label in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise InputError(file, _("is not valid %(encoding)s text (byte %(position)d)")
                                 % {"encoding": label, "position": exc.start}) from None
            break
    else:
        if b"\x00" in data:
            raise InputError(file, _(
                "holds NUL bytes, so it is not a text file we can read (save it as CSV UTF-8 or Unicode text)"))
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            if fallback is None:
                raise InputError(file, _("is not UTF-8 text (byte %(position)d)") % {"position": exc.start}) from None
            # Excel on Windows saves "CSV" in the local code page; its five unused bytes become U+FFFD.
            text = data.decode(fallback, errors="replace")
    if "\x00" in text:
        raise InputError(file, _("holds NUL characters, so it is not a text file we can read"))
    return text.removeprefix("\ufeff")


def read_bytes(path: Path, file: str, *, max_bytes: int | None = None) -> bytes:
    """A file's bytes; a missing, unreadable or too large file is an InputError."""
    try:
        if max_bytes is not None and path.stat().st_size > max_bytes:
            raise InputError(file, _("is larger than %(limit)s") % {"limit": _megabytes(max_bytes)})
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(file, _("does not exist")) from None
    except IsADirectoryError:
        raise InputError(file, _("is a folder, not a file")) from None
    except OSError as exc:
        raise InputError(file, _("cannot be read: %(error)s") % {"error": exc.strerror or exc}) from None


# --- CSV --------------------------------------------------------------------------------------------------------


def first_line(text: str) -> str:
    """The header line, whatever ends it (CRLF, LF or the CR of old Macs)."""
    end = len(text)
    for newline in ("\n", "\r"):
        found = text.find(newline, 0, end)
        if found != -1:
            end = found
    return text[:end]


def sniff_delimiter(text: str, candidates: tuple[str, ...] = (";", ",", "\t")) -> str:
    """The candidate found most often in the header line (the first candidate on a tie or none)."""
    line = first_line(text)
    return max(candidates, key=line.count)


def clean_header(cells: list[str]) -> list[str]:
    return [cell.replace("\ufeff", "").strip() for cell in cells]


def csv_records(text: str, file: str, *, delimiter: str, start: int = 1) -> Iterator[tuple[int, list[str]]]:
    """(record number, cells) for every record of `text`, numbered from `start` as a spreadsheet shows them.

    Raises (while iterating):
        InputError: on the record that the csv module cannot read (e.g. a cell longer than its field limit).
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    number = start
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InputError(file, _csv_problem(exc), row=number) from None
        yield number, cells
        number += 1


def _csv_problem(exc: csv.Error) -> str:
    text = str(exc)
    if "field larger than field limit" in text:
        return _("a cell is longer than %(limit)s characters") % {"limit": f"{csv.field_size_limit():,}"}
    return _("cannot be read as CSV (%(reason)s)") % {"reason": text}


def csv_table(text: str, file: str, *, delimiter: str | None = None,
              candidates: tuple[str, ...] = (";", ",", "\t")) -> tuple[list[str], Iterator[tuple[int, list[str]]]]:
    """The header (clean column names) and an iterator of (row number, cells) from row 2 on.

    Raises:
        InputError: when the header itself cannot be read (rows raise it while iterating).
    """
    delimiter = delimiter or sniff_delimiter(text, candidates)
    records = csv_records(text, file, delimiter=delimiter)
    first = next(records, None)
    header = clean_header(first[1]) if first else []
    return header, (record for record in records)


def estimated_rows(text: str) -> int:
    """Records after the header, for progress: lines, whichever newline the file uses."""
    newline = "\n" if "\n" in text else "\r"
    return max(0, text.count(newline) - (1 if text.endswith(newline) else 0))


# --- zip --------------------------------------------------------------------------------------------------------


class _Budget:
    """Unpacked bytes left for one archive; every byte read from any member counts."""

    def __init__(self, file: str):
        self.file = file
        self.limit = _setting("IMPORT_MAX_UNZIPPED_BYTES", IMPORT_MAX_UNZIPPED_BYTES)
        self.used = 0

    def take(self, size: int) -> None:
        self.used += size
        if self.used > self.limit:
            raise InputError(self.file, _too_large(self.limit))


def _too_large(limit: int) -> str:
    return _("unpacks to more than %(limit)s: that is more than any import needs") % {"limit": _megabytes(limit)}


def _is_junk(name: str) -> bool:
    """Folders and the resource forks macOS adds to a zip it makes."""
    return name.endswith("/") or name.startswith("__MACOSX/") or Path(name).name.startswith("._")


def check_zip(archive: zipfile.ZipFile, file: str, *, nested: tuple[str, ...] = (".zip",)) -> list[zipfile.ZipInfo]:
    """Check an archive's directory against the limits; return its members (files only).

    Args:
        nested: name endings of members that would be archives in the archive (refused).

    Raises:
        InputError: too many members, too large unpacked, packed too well, encrypted, or a zip inside.
    """
    infos = archive.infolist()
    members = _setting("IMPORT_MAX_ZIP_MEMBERS", IMPORT_MAX_ZIP_MEMBERS)
    if len(infos) > members:
        raise InputError(file, _("holds more than %(count)d files") % {"count": members})
    limit = _setting("IMPORT_MAX_UNZIPPED_BYTES", IMPORT_MAX_UNZIPPED_BYTES)
    if sum(info.file_size for info in infos) > limit:
        raise InputError(file, _too_large(limit))
    ratio = _setting("IMPORT_MAX_ZIP_RATIO", IMPORT_MAX_ZIP_RATIO)
    files = []
    for info in infos:
        if info.is_dir():
            continue
        name = info.filename
        if name.lower().endswith(nested) and not _is_junk(name):
            raise InputError(file, _("holds another packed file (%(name)s): unpack it and give its files")
                             % {"name": name})
        if info.flag_bits & 0x1:
            raise InputError(file, _("%(name)s is encrypted: give the files without a password") % {"name": name})
        if info.file_size > ZIP_RATIO_FREE_BYTES and info.file_size > ratio * max(info.compress_size, 1):
            raise InputError(file, _("%(name)s is packed more than %(ratio)d times: that is not a normal file")
                             % {"name": name, "ratio": ratio})
        files.append(info)
    return files


def open_zip(path: Path, file: str, *, unreadable: str | None = None) -> zipfile.ZipFile:
    """The archive, or an InputError saying `unreadable` (default: not a readable zip file)."""
    try:
        return zipfile.ZipFile(path)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError, NotImplementedError):
        raise InputError(file, unreadable or _("is not a readable zip file")) from None


def zip_files(path: Path, file: str, *, suffixes: tuple[str, ...] = (".csv",)) -> list[tuple[str, Callable[[], bytes]]]:
    """The members of a zip whose names end in `suffixes`, as (file name, function reading its bytes), by name.

    Reading counts against the archive's budget; the functions work while the process runs (the archive is
    opened again for each, so nothing stays open).

    Raises:
        InputError: the archive is unreadable or breaks a limit (see `check_zip`); the read functions raise it
            too, for a member that is damaged or unpacks to more than its directory said.
    """
    with open_zip(path, file) as archive:
        infos = check_zip(archive, file)
    budget = _Budget(file)
    wanted = [info for info in infos if info.filename.lower().endswith(suffixes) and not _is_junk(info.filename)]
    chosen = sorted(wanted,
                    key=attrgetter("filename"))

    def reader(info: zipfile.ZipInfo) -> Callable[[], bytes]:
        return lambda: _read_member(path, file, info, budget)

    return [(Path(info.filename).name, reader(info)) for info in chosen]


def _read_member(path: Path, file: str, info: zipfile.ZipInfo, budget: _Budget) -> bytes:
    name = Path(info.filename).name
    parts = []
    try:
        with open_zip(path, file) as archive, archive.open(info) as member:
            while chunk := member.read(READ_CHUNK):
                budget.take(len(chunk))
                parts.append(chunk)
    except InputError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError, ValueError):
        raise InputError(file, _("%(name)s cannot be unpacked: the zip file is damaged") % {"name": name}) from None
    data = b"".join(parts)
    if data.startswith(ZIP_MAGIC):
        raise InputError(file, _("holds another packed file (%(name)s): unpack it and give its files")
                         % {"name": name})
    return data


# --- xlsx -------------------------------------------------------------------------------------------------------


def open_workbook(path: Path, file: str):
    """An .xlsx workbook in openpyxl's read-only mode, after the zip checks; close it when done.

    openpyxl reads each part through `zipfile`, which never unpacks more than a member's directory entry says
    (it stops there and then fails the CRC check), so the directory checks bound what it reads.

    Raises:
        InputError: not a readable workbook, or a zip that breaks a limit.
    """
    import openpyxl

    with open_zip(path, file, unreadable=_("is not a readable Excel (.xlsx) file")) as archive:
        check_zip(archive, file, nested=(".zip", ".xlsx", ".xlsm"))
    try:
        return openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - any failure of the parser on a hostile file is "unreadable"
        raise InputError(file, _workbook_problem(exc)) from None


def _workbook_problem(exc: Exception) -> str:
    # The type only: a parser's message may quote the file's content (personal data stays out of the logs).
    logger.info("unreadable workbook: %s", type(exc).__name__)
    try:
        from defusedxml import DefusedXmlException
    except ImportError:  # pragma: no cover - a dependency
        DefusedXmlException = ()  # noqa: N806
    if isinstance(exc, DefusedXmlException):
        return _("is refused: it holds XML entity declarations, which an Excel file never needs")
    if isinstance(exc, MemoryError):
        return _("is too large to read")
    return _("is not a readable Excel (.xlsx) file")


def workbook_rows(worksheet, label: str) -> Iterator[tuple[int, tuple]]:
    """(row number, cells) of a read-only worksheet, from row 1; a damaged sheet raises InputError on its row."""
    rows = worksheet.iter_rows(values_only=True)
    number = 1
    while True:
        try:
            cells = next(rows)
        except StopIteration:
            return
        except Exception as exc:  # noqa: BLE001 - openpyxl parses the sheet's XML as it goes
            raise InputError(label, _workbook_problem(exc), row=number) from None
        yield number, cells
        number += 1


def workbook_sheet(worksheet, label: str) -> tuple[list[str], Iterator[tuple[int, tuple]], int]:
    """The header (as text), the rows from row 2 on and the estimated number of rows of a read-only worksheet."""
    rows = workbook_rows(worksheet, label)
    first = next(rows, None)
    header = clean_header(["" if cell is None else str(cell) for cell in first[1]]) if first else []
    try:
        estimated = max(0, (worksheet.max_row or 1) - 1)
    except Exception:  # noqa: BLE001 - a damaged dimension element only spoils the progress estimate
        estimated = 0
    return header, rows, estimated


# --- JSON -------------------------------------------------------------------------------------------------------


def _constant(name: str):
    raise ValueError(_("%(name)s is not a number JSON allows") % {"name": name})


def finite_float(text: str) -> float:
    """A JSON number with a fraction or exponent; one beyond the range of a float (1e999) is refused."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(_("the number %(number)s is too large") % {"number": text[:20]})
    return value


def load_json(data: bytes | str, file: str, *, expect: type | tuple[type, ...] | None = None,
              max_depth: int | None = MAX_JSON_DEPTH, parse_float: Callable[[str], object] = finite_float,
              parse_int: Callable[[str], object] | None = None) -> object:
    """Parse a JSON document within the limits of the module docstring.

    Args:
        data: the file's bytes (UTF-8, or UTF-16/32 with a byte order mark) or its text.
        file: the name for messages.
        expect: the type(s) the top level must have (dict for an object, list for an array).
        max_depth: how deeply arrays and objects may nest. None leaves the walk out, for a file whose reader
            checks the type of every value itself (a national round file: the walk would cost seconds); json's
            own recursion limit still stops a document nested hundreds of levels deep.
        parse_float: turns a number with a fraction or exponent into a value (Decimal for money).
        parse_int: turns a whole number into a value (default int, up to Python's 4300 digits).

    Raises:
        InputError: with the line and column where the text stops being JSON, or what limit it breaks.
    """
    text = decode_text(data, file, fallback=None) if isinstance(data, bytes | bytearray) else data
    if "\\u0000" in text:
        raise InputError(file, _("holds a NUL character (\\u0000), which no value may contain"))
    try:
        document = json.loads(text, parse_float=parse_float, parse_int=parse_int, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise InputError(file, _("is not valid JSON (line %(line)d, column %(column)d): %(error)s")
                         % {"line": exc.lineno, "column": exc.colno, "error": exc.msg}) from None
    except RecursionError:
        raise InputError(file, _too_deep(max_depth or MAX_JSON_DEPTH)) from None
    except ValueError as exc:  # a number over Python's 4300-digit limit, NaN, Infinity, 1e999
        reason = str(exc)
        if "integer string conversion" in reason:
            reason = _("a number has more than %(digits)d digits") % {"digits": 4300}
        raise InputError(file, _("is not valid JSON: %(error)s") % {"error": reason}) from None
    if max_depth is not None and json_depth_exceeds(document, max_depth):
        raise InputError(file, _too_deep(max_depth))
    if expect is not None and not isinstance(document, expect):
        raise InputError(file, _("must hold a JSON %(expected)s, not %(found)s") % {
            "expected": _json_kind(expect), "found": _json_kind(type(document))})
    return document


def _too_deep(depth: int) -> str:
    return _("nests lists or objects more than %(depth)d levels deep") % {"depth": depth}


def _json_kind(kind) -> str:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    names = {dict: _("object {...}"), list: _("array [...]"), str: _("string"), bool: _("true or false"),
             int: _("number"), float: _("number"), type(None): "null"}
    return _(" or ").join(dict.fromkeys(names.get(k, k.__name__) for k in kinds))


_CONTAINERS = frozenset({dict, list})


def json_depth_exceeds(document: object, max_depth: int) -> bool:
    """Whether arrays and objects nest deeper than `max_depth` (a scalar is depth 0, `[]` depth 1).

    Level by level with C-level iterators, never recursively (a deep document must not hit the recursion limit
    here either). It touches every value: about 2 s for a national round file (1.5 million bids), which is why
    that reader leaves it out.
    """
    level = [document] if type(document) in _CONTAINERS else []
    depth = 0
    while level:
        depth += 1
        if depth > max_depth:
            return True
        types = list(map(type, level))
        dicts = list(compress(level, map(is_, types, repeat(dict))))
        lists = list(compress(level, map(is_, types, repeat(list))))
        children = list(chain(chain.from_iterable(map(dict.values, dicts)), chain.from_iterable(lists)))
        level = list(compress(children, map(_CONTAINERS.__contains__, map(type, children))))
    return False


__all__ = [
    "InputError",
    "check_zip",
    "csv_records",
    "csv_table",
    "decode_text",
    "describe",
    "estimated_rows",
    "first_line",
    "json_depth_exceeds",
    "load_json",
    "open_workbook",
    "open_zip",
    "read_bytes",
    "sniff_delimiter",
    "workbook_rows",
    "workbook_sheet",
    "zip_files",
]
