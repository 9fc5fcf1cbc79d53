"""What every open-data reader shares: area codes, numbers, CSV/JSON loading and the problem list."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from buurtbalans.core import safeinput
from buurtbalans.core.safeinput import InputError

# CBS area codes: gemeente GM + 4 digits, wijk WK + gemeente digits + 2, buurt BU + wijk digits + 2.
AREA_CODE = re.compile(r"^(GM\d{4}|WK\d{6}|BU\d{8})$")
MUNICIPALITY_CODE = re.compile(r"^(?:GM)?(\d{1,4})$", re.IGNORECASE)

# Cells that mean "no value": empty, CBS's "." (unknown, too unreliable or secret) and "x" (secret), and the
# "-" of older CBS tables (nihil). None of them may become a 0 in the database.
MISSING = {"", ".", "..", "-", "x", "?", "na", "n/a", "nan", "null", "none", "geheim", "onbekend", "n.v.t."}

# At most this many errors per file are listed; a file that is wrong throughout says so once, not 40,000 times.
MAX_ERRORS_PER_FILE = 50


def normalise_municipality_code(raw: str) -> str:
    """"GM0193", "gm193" and "0193" all mean GM0193.

    Raises:
        ValueError: when it is not a municipality code.
    """
    match = MUNICIPALITY_CODE.match(raw.strip())
    if not match:
        raise ValueError(_('"%(code)s" is not a CBS municipality code such as GM0193') % {"code": raw})
    return f"GM{int(match.group(1)):04d}"


def clean_code(raw) -> str:
    """A CBS code as written in any file: CBS's OData pads codes with spaces, some files use lower case."""
    return str(raw if raw is not None else "").strip().upper()


def municipality_of(code: str) -> str | None:
    """The gemeente a well-formed area code belongs to (its digits are part of every WK and BU code)."""
    if not AREA_CODE.match(code):
        return None
    return "GM" + code[2:6]


def district_of(code: str) -> str:
    """WK code of a BU code."""
    return "WK" + code[2:8]


def belongs_to(code: str, municipality_code: str) -> bool:
    return municipality_of(code) == municipality_code


def looks_like_ours(code: str, municipality_code: str) -> bool:
    """A code that starts like one of this municipality's codes, well-formed or not (to report typos)."""
    digits = municipality_code[2:]
    return code.startswith((f"BU{digits}", f"WK{digits}", f"GM{digits}"))


def parse_number(raw) -> tuple[float | None, int]:
    """A number from a cell, with the number of decimals it was written with.

    Accepts 1234.5, 1234,5 (Dutch), 1.234,5 and 1,234.5, a trailing %, and JSON numbers. Missing values (see
    MISSING) give (None, 0).

    Raises:
        ValueError: when the cell holds something else.
    """
    if raw is None:
        return None, 0
    if isinstance(raw, bool):
        raise ValueError(raw)
    if isinstance(raw, int | float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            raise ValueError(raw)
        text = repr(raw)
        return float(raw), (len(text.split(".")[1]) if "." in text and "e" not in text else 0)
    text = str(raw).strip().replace("\u00a0", "").replace(" ", "")
    if text.lower() in MISSING:
        return None, 0
    if text.endswith("%"):
        text = text[:-1]
    if "," in text and "." in text:
        if text.rfind(",") > text.rfind("."):
            text = text.replace(".", "").replace(",", ".")
        else:
            text = text.replace(",", "")
    elif text.count(",") == 1:
        text = text.replace(",", ".")
    elif text.count(",") > 1 or text.count(".") > 1:
        separator = "," if "," in text else "."
        head, *groups = text.split(separator)
        if not head.lstrip("-").isdigit() or not all(len(g) == 3 and g.isdigit() for g in groups):
            raise ValueError(raw)
        text = text.replace(separator, "")
    if not re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", text):
        raise ValueError(raw)
    decimals = len(text.split(".")[1].split("e")[0].split("E")[0]) if "." in text else 0
    return float(text), decimals


def parse_year(raw) -> int:
    """A year from "2020", 2020 or CBS's period code "2020JJ00".

    Raises:
        ValueError: when there is no plausible year.
    """
    match = re.match(r"^\s*(\d{4})(?:JJ00)?(?:\.0)?\s*$", str(raw if raw is not None else ""))
    if not match or not 1900 <= int(match.group(1)) <= 2100:
        raise ValueError(raw)
    return int(match.group(1))


@dataclass
class Problems:
    """Errors (nothing is written while there is one) and warnings (written, but worth a look), per file."""

    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    error_count: int = 0  # all errors, also those left out of the list
    _per_file: dict[str, int] = field(default_factory=dict)

    def error(self, where: str, message: str) -> None:
        self.error_count += 1
        count = self._per_file.get(where, 0) + 1
        self._per_file[where] = count
        if count <= MAX_ERRORS_PER_FILE:
            self.errors.append(message)

    def warn(self, message: str) -> None:
        self.warnings.append(message)

    def finish(self) -> None:
        """Say how many errors were left out of the list."""
        for where, count in self._per_file.items():
            if count > MAX_ERRORS_PER_FILE:
                left_out = count - MAX_ERRORS_PER_FILE
                self.errors.append(_("%(file)s: %(count)d more errors not listed") % {"file": where, "count": left_out})
        self._per_file = {}


def not_a_number(where: str, row: int | str, column: str, raw) -> str:
    return _('%(file)s row %(row)s, %(column)s: "%(value)s" is not a number') % {
        "file": where, "row": row, "column": column, "value": raw,
    }


@dataclass
class LoadedFile:
    """A file's content, decoded and (for JSON) parsed, for the readers to recognise."""

    path: Path
    name: str  # relative to the imported directory, used in every message
    text: str
    json: object = None
    is_json: bool = False


# UTF-16 and UTF-32 text is full of NUL bytes; its byte order mark says it is text all the same.
_WIDE_MARKS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)  # the UTF-32 marks begin with these too
# A JSON integer with more digits than any figure, code or coordinate has (a float cannot hold it).
MAX_INTEGER_DIGITS = 30


def _whole_number(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise ValueError(_("a number has more than %(digits)d digits") % {"digits": MAX_INTEGER_DIGITS})
    return int(text)


def load_file(path: Path, name: str) -> LoadedFile | str:
    """The file's content, or the reason it is skipped: it is not a text file we can read.

    Raises:
        InputError: a file that is text but cannot be read safely (broken UTF-16, JSON that is invalid, nested too
            deeply or holds numbers no float can hold): an error, since the folder then is not what it seems.
    """
    try:
        data = safeinput.read_bytes(path, name)
    except InputError as exc:
        return exc.message
    if b"\x00" in data[:8192] and not data.startswith(_WIDE_MARKS):
        return _("not a text file (CSV, JSON or GeoJSON expected)")
    try:
        text = safeinput.decode_text(data, name)
    except InputError as exc:
        if b"\x00" in data and not data.startswith(_WIDE_MARKS):
            return _("not a text file (CSV, JSON or GeoJSON expected)")
        raise exc from None
    stripped = text.lstrip()
    if stripped[:1] in ("{", "["):
        # JSON is UTF-8 (RFC 8259), never Windows-1252 as a CSV file may be.
        safeinput.decode_text(data, name, fallback=None)
        return LoadedFile(path, name, text, safeinput.load_json(stripped, name, parse_int=_whole_number), True)
    return LoadedFile(path, name, text)



@dataclass
class CsvTable:
    header: list[str]
    # (row number as a spreadsheet shows it, the header being row 1; cells); blank lines are left out.
    rows: list[tuple[int, list[str]]]

    def column(self, *names: str) -> int | None:
        """Index of the first header among `names` (case-insensitive), in the order given."""
        lowered = [h.strip().lower() for h in self.header]
        for name in names:
            if name.lower() in lowered:
                return lowered.index(name.lower())
        return None


def read_csv(text: str, name: str) -> CsvTable | None:
    """Parse CSV text, sniffing the separator (`,`, `;` as Dutch Excel writes, or tab) from the header line.

    Returns None when the header line holds no separator (not a table).

    Raises:
        InputError: a row the csv module cannot read (a cell over its limit), with its row number.
    """
    separator = safeinput.sniff_delimiter(text, (",", ";", "\t"))
    if safeinput.first_line(text).count(separator) == 0:
        return None
    header, records = safeinput.csv_table(text, name, delimiter=separator)
    rows = [(number, cells) for number, cells in records if any(cell.strip() for cell in cells)]
    return CsvTable(header, rows)


# Kinds of file the importer recognises (OpenDataReport.values_by_kind and UsedFile.kind).
BOUNDARIES = "boundaries"
CBS_KWB = "cbs_kwb"
CBS_METADATA = "cbs_metadata"
TABLE = "table"
LEEFBAAROMETER = "leefbaarometer"


@dataclass(frozen=True)
class Value:
    """One figure read from a file, before it becomes a PublicIndicator."""

    area_code: str
    key: str
    year: int
    value: float
    source: str
    dataset: str
    decimals: int  # as written in the file: of two equal figures from two files we keep the more precise one
    where: str  # "file row N", for messages


@dataclass
class Boundary:
    """One area's polygon in WGS84, with the names the boundary file gives it and its parents."""

    code: str
    name: str | None
    geometry: dict
    point: tuple[float, float] | None  # (lon, lat) inside the polygon, for a map marker
    district_name: str | None = None
    municipality_name: str | None = None
    where: str = ""


@dataclass
class FileResult:
    """What one recognised file yielded for the municipality."""

    name: str
    kind: str
    rows: int = 0  # rows (or features) of this municipality read
    values: list[Value] = field(default_factory=list)
    boundaries: list[Boundary] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # area code -> name, as this file spells it
    notes: list[str] = field(default_factory=list)
