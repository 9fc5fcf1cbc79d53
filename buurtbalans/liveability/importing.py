"""Importing social management records and rent arrears from CSV or Excel (docs/monitor.md, "Import").

The same validation as the portfolio import: the cell parsers (`portfolio.importing.values`), the header matching and
row parsing (`portfolio.importing.columns`, `.parse`) and the error report (`portfolio.importing.report`) are reused,
so messages read the same ("signals.csv row 4, kind: "x" is not one of nuisance, ..."). Every sheet is read and every
reference checked before anything is written; with any error nothing is written.

Sheets (an .xlsx workbook's sheets, CSV files named after them, or a zip/folder of CSV files):
signals, support_needs, visits, meeting_places, meeting_place_use, activities, arrears. Dutch names work too
(signalen, zorgsignalen, bezoeken, ontmoetingsruimtes, gebruik_ontmoetingsruimtes, activiteiten, huurachterstanden).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from pathlib import Path

from django.utils.translation import gettext as _

from buurtbalans.core import safeinput
from buurtbalans.portfolio.importing import values as v
from buurtbalans.portfolio.importing.columns import Column, Sheet, normalize_header
from buurtbalans.portfolio.importing.parse import ParsedSheet, parse_sheet
from buurtbalans.portfolio.importing.readers import (
    HEADER_PEEK_BYTES,
    RawSheet,
    SourceError,
    csv_header,
    csv_sheet,
    csv_sheet_for,
)
from buurtbalans.portfolio.importing.report import ImportError, ImportReport

CODE = ("code", "nummer", "id", "kenmerk")
COMPLEX = ("complexcode", "complexnummer", "cluster", "clustercode", "Cluster.code")
NOTE = ("toelichting", "omschrijving", "notitie", "opmerking", "opmerkingen")

SIGNAL_KINDS = {
    "nuisance": ["overlast", "burenoverlast", "geluidsoverlast"],
    "neglect": ["verloedering", "verwaarlozing", "verwaarloosd"],
    "pollution": ["vervuiling", "zwerfvuil", "vuil", "afval"],
    "loneliness": ["eenzaamheid", "eenzaam", "sociaal isolement"],
}
VISIT_KINDS = {
    "home_visit": ["huisbezoek", "huisbezoeken", "home visit"],
    "portiek_conversation": ["portiekgesprek", "portiekgesprekken", "portiek conversation"],
    "walk": ["schouw", "wijkschouw", "buurtschouw", "wijkwandeling", "neighbourhood walk"],
    "other": ["overig", "anders"],
}
ACTIVITY_KINDS = {
    "meeting": ["ontmoeting", "koffieochtend", "buurtmaaltijd", "meeting and socialising"],
    "green": ["groen", "opruimactie", "schoonmaakactie", "tuin", "green and clean-up"],
    "children": ["kinderen", "jongeren", "jeugd", "children and young people"],
    "learning": ["taal", "taalcafe", "leren", "cursus", "language and learning"],
    "health": ["gezondheid", "bewegen", "sport", "health and exercise"],
    "residents": ["bewonersavond", "bewonersbijeenkomst", "residents meeting", "residents' meeting"],
    "other": ["overig", "anders"],
}


def _code() -> v.Parser:
    return v.text_parser(max_length=60)


def _text(length: int) -> v.Parser:
    return v.text_parser(max_length=length)


_DATE = v.parse_date
_COUNT = v.int_parser(minimum=0, maximum=10_000_000)


def parse_month(value: object) -> date:
    """A month: `2025-03`, `03-2025`, `3/2025` or any date in it (stored as the first of the month)."""
    if isinstance(value, (date, datetime)) or (isinstance(value, str) and len(value) >= 8):
        day = v.parse_date(value)
        return day.replace(day=1)
    text = str(value).strip()
    for separator in ("-", "/", "."):
        parts = text.split(separator)
        if len(parts) == 2 and all(p.isdigit() for p in parts):
            first, second = parts
            year, month = (int(first), int(second)) if len(first) == 4 else (int(second), int(first))
            if 1 <= month <= 12 and v.MIN_YEAR <= year <= v.MAX_YEAR:
                return date(year, month, 1)
    raise v.bad(value, _("is not a month (expected yyyy-mm)"))


def _ends_after(start: str, end: str):
    def check(row: list, at: dict[str, int]) -> list[tuple[str, str]]:
        first, last = row[at[start]], row[at[end]]
        if first is not None and last is not None and last < first:
            return [(end, _("is before %(start)s") % {"start": first})]
        return []

    return check


def _activity_place(row: list, at: dict[str, int]) -> list[tuple[str, str]]:
    if row[at["complex"]] is None and row[at["meeting_place"]] is None:
        return [("complex", _("give a complex or a meeting place"))]
    return []


def _arrears_households(row: list, at: dict[str, int]) -> list[tuple[str, str]]:
    """Per tenancy the household is in arrears when the amount is above zero; per complex the count is required."""
    tenancy, amount, count = row[at["tenancy"]], row[at["amount"]], row[at["households_in_arrears"]]
    if tenancy is None:
        if count is None:
            return [("households_in_arrears", _("a value is required for a complex total (no contract given)"))]
        return []
    derived = 1 if amount is not None and amount > 0 else 0
    if count is None:
        row[at["households_in_arrears"]] = derived
    elif count != derived:
        return [("households_in_arrears", _("must be %(n)s for one contract with this amount") % {"n": derived})]
    return []


SIGNALS = Sheet(
    name="signals",
    aliases=("signalen", "signaal", "meldingen", "signal"),
    key=("external_id",),
    check_row=_ends_after("reported_on", "resolved_on"),
    columns=(
        Column("external_id", _code(), (*CODE, "signaalcode", "meldingnummer"), default=""),
        Column("complex", _code(), COMPLEX, required=True, blank=False),
        Column("kind", v.choice_parser(SIGNAL_KINDS), ("soort", "type", "categorie"), required=True, blank=False),
        Column("reported_on", _DATE, ("datum", "meldingsdatum", "gemeld_op", "date"), required=True, blank=False),
        Column("resolved_on", _DATE, ("afgehandeld_op", "afgehandeld", "einddatum")),
        Column("note", _text(1000), NOTE, default=""),
    ),
)
SUPPORT_NEEDS = Sheet(
    name="support_needs",
    aliases=("zorgsignalen", "zorgsignaal", "ondersteuningsbehoefte", "support_need"),
    key=("external_id",),
    check_row=_ends_after("reported_on", "resolved_on"),
    columns=(
        Column("external_id", _code(), (*CODE, "signaalcode", "meldingnummer"), default=""),
        Column("complex", _code(), COMPLEX, required=True, blank=False),
        Column("dwelling", _code(), ("eenheid", "eenheidcode", "vhe", "Eenheid.code")),
        Column("reported_on", _DATE, ("datum", "meldingsdatum", "gemeld_op", "date"), required=True, blank=False),
        Column("resolved_on", _DATE, ("afgehandeld_op", "afgehandeld", "einddatum")),
        Column("referred_to", _text(200), ("doorverwezen_naar", "verwezen_naar", "doorverwijzing"), default=""),
        Column("note", _text(1000), NOTE, default=""),
    ),
)
VISITS = Sheet(
    name="visits",
    aliases=("bezoeken", "bezoek", "huisbezoeken", "portiekgesprekken", "visit"),
    key=("external_id",),
    columns=(
        Column("external_id", _code(), CODE, default=""),
        Column("complex", _code(), COMPLEX, required=True, blank=False),
        Column("kind", v.choice_parser(VISIT_KINDS), ("soort", "type"), required=True, blank=False),
        Column("visited_on", _DATE, ("datum", "bezoekdatum", "date"), required=True, blank=False),
        Column("households_reached", _COUNT, ("bereikte_huishoudens", "aantal_huishoudens", "huishoudens")),
        Column("note", _text(1000), NOTE, default=""),
    ),
)
MEETING_PLACES = Sheet(
    name="meeting_places",
    aliases=("ontmoetingsruimtes", "ontmoetingsruimten", "ontmoetingsplekken", "ontmoetingsruimte", "meeting_place"),
    key=("external_id",),
    check_row=_ends_after("opened_on", "closed_on"),
    columns=(
        Column("external_id", _code(), CODE, required=True, blank=False),
        Column("name", _text(200), ("naam",), required=True, blank=False, default=""),
        Column("complex", _code(), COMPLEX),
        Column("neighbourhood", v.parse_bu_code, ("buurtcode", "buurt", "bu_code")),
        Column("opened_on", _DATE, ("geopend_op", "open_sinds", "startdatum")),
        Column("closed_on", _DATE, ("gesloten_op", "einddatum")),
        Column("capacity", _COUNT, ("capaciteit", "personen")),
        Column("note", _text(1000), NOTE, default=""),
    ),
)
MEETING_PLACE_USE = Sheet(
    name="meeting_place_use",
    aliases=("gebruik_ontmoetingsruimtes", "gebruik_ontmoetingsruimten", "gebruik", "meeting_place_uses"),
    key=("meeting_place", "month"),
    columns=(
        Column("meeting_place", _code(), ("ontmoetingsruimte", "ruimte", "ontmoetingsruimtecode"), required=True,
               blank=False),
        Column("month", parse_month, ("maand", "periode"), required=True, blank=False),
        Column("dayparts_open", v.int_parser(minimum=0, maximum=93), ("dagdelen_open", "dagdelen"), required=True,
               blank=False),
        Column("visitors", _COUNT, ("bezoekers", "aantal_bezoekers"), required=True, blank=False),
    ),
)
ACTIVITIES = Sheet(
    name="activities",
    aliases=("activiteiten", "activiteit", "activity"),
    key=("external_id",),
    check_row=_activity_place,
    columns=(
        Column("external_id", _code(), CODE, default=""),
        Column("held_on", _DATE, ("datum", "date"), required=True, blank=False),
        Column("title", _text(200), ("titel", "naam", "activiteit"), required=True, blank=False, default=""),
        Column("kind", v.choice_parser(ACTIVITY_KINDS), ("soort", "type"), default="meeting"),
        Column("complex", _code(), COMPLEX),
        Column("meeting_place", _code(), ("ontmoetingsruimte", "ruimte", "ontmoetingsruimtecode")),
        Column("participants", _COUNT, ("deelnemers", "aantal_deelnemers", "bezoekers")),
        Column("organised_by", _text(200), ("organisator", "georganiseerd_door", "organisatie"), default=""),
        Column("note", _text(1000), NOTE, default=""),
    ),
)
ARREARS = Sheet(
    name="arrears",
    aliases=("huurachterstanden", "huurachterstand", "achterstanden", "achterstand"),
    key=("complex", "tenancy", "reference_date"),
    check_row=_arrears_households,
    columns=(
        Column("complex", _code(), COMPLEX, required=True, blank=False),
        Column("tenancy", _code(), ("contractcode", "huurcontract", "contract", "Huurovereenkomst.code")),
        Column("reference_date", _DATE, ("peildatum", "datum", "date"), required=True, blank=False),
        Column("amount", v.decimal_parser(places=2, max_digits=12, noun="amount"),
               ("bedrag", "achterstand", "huurachterstand", "openstaand_bedrag"), required=True, blank=False),
        Column("households_in_arrears", _COUNT, ("huishoudens_met_achterstand", "aantal_huishoudens", "huishoudens")),
    ),
)
SHEETS: tuple[Sheet, ...] = (
    SIGNALS, SUPPORT_NEEDS, VISITS, MEETING_PLACES, MEETING_PLACE_USE, ACTIVITIES, ARREARS,
)
SHEET_LOOKUP = {normalize_header(name): sheet for sheet in SHEETS for name in (sheet.name, *sheet.aliases)}


def sheet_for(name: str) -> Sheet | None:
    return SHEET_LOOKUP.get(normalize_header(name))


def records_csv_sheet(name: str, head: bytes) -> Sheet | None:
    """The sheet one CSV file holds, from its name (`signals.csv`, `meldingen-2025.csv`) or else from its header
    (`head`: its first bytes); see `portfolio.importing.readers.csv_sheet_for`."""
    return csv_sheet_for(name, None, sheets=SHEETS, by_name=sheet_for) or csv_sheet_for(
        name, csv_header(head, name), sheets=SHEETS, by_name=sheet_for)


def _claim(found: dict[str, str], sheet: Sheet | None, label: str, warnings: list[str]) -> bool:
    if sheet is None:
        warnings.append(_("%(label)s is not one of our sheets and was ignored") % {"label": label})
        return False
    if sheet.name in found:
        raise SourceError(label, _("holds the %(sheet)s again (also in %(other)s)") % {
            "sheet": sheet.name, "other": found[sheet.name]})
    found[sheet.name] = label
    return True


def open_sheets(path: Path, name: str) -> tuple[list[RawSheet], list[str], object]:
    """The sheets of an .xlsx workbook, a CSV file (its name or header says which sheet), a zip or a folder of CSV
    files (named after their sheets).

    Returns the sheets in SHEETS order, warnings (ignored sheets) and a function that closes the workbook.

    Raises:
        SourceError: unreadable, or none of our sheets in it.
    """
    path = Path(path)
    if not path.exists():
        raise SourceError(name, _("does not exist"))
    suffix = Path(name).suffix.lower() or path.suffix.lower()
    sheets: list[RawSheet] = []
    warnings: list[str] = []
    found: dict[str, str] = {}
    close = None
    if path.is_dir() or suffix in (".csv", ".zip"):
        # (file name, function returning its bytes), read only when the name is one of our sheets.
        if path.is_dir():
            files = [(p.name, partial(safeinput.read_bytes, p, p.name))
                     for p in sorted(path.iterdir()) if p.suffix.lower() == ".csv"]
        elif suffix == ".zip":
            files = safeinput.zip_files(path, name)
        else:
            files = [(name, partial(safeinput.read_bytes, path, name))]
        for file_name, read in files:
            if suffix == ".csv" and not path.is_dir():
                # One CSV file on its own: its name says which sheet, or else its header (`records_csv_sheet`).
                data = read()
                sheet = records_csv_sheet(file_name, data[:HEADER_PEEK_BYTES])
            else:
                data, sheet = None, sheet_for(Path(file_name).stem)
            if not _claim(found, sheet, file_name, warnings):
                continue
            sheets.append(csv_sheet(sheet, file_name, read() if data is None else data))
    elif suffix in (".xlsx", ".xlsm"):
        workbook = safeinput.open_workbook(path, name)
        close = workbook.close
        try:
            for worksheet in workbook.worksheets:
                label = _("%(file)s sheet %(sheet)s") % {"file": name, "sheet": worksheet.title}
                sheet = sheet_for(worksheet.title)
                if not _claim(found, sheet, label, warnings):
                    continue
                header, rows, estimated = safeinput.workbook_sheet(worksheet, label)
                sheets.append(RawSheet(sheet, label, header, rows, estimated, False))
        except BaseException:
            close()
            raise
    else:
        raise SourceError(name, _("is not an .xlsx file, a .csv file, a .zip of CSV files or a folder of CSV files"))
    if not sheets:
        if close:
            close()
        expected = ", ".join(s.name for s in SHEETS)
        raise SourceError(name, _("holds none of the sheets %(expected)s") % {"expected": expected})
    order = {sheet.name: i for i, sheet in enumerate(SHEETS)}
    sheets.sort(key=lambda raw: order[raw.sheet.name])
    return sheets, warnings, close


@dataclass
class ParsedFile:
    """Every sheet of the input, parsed; `rows[sheet]` holds (position, {column: value}) of rows without errors."""

    sheets: dict[str, ParsedSheet] = field(default_factory=dict)

    def good_rows(self, name: str):
        parsed = self.sheets.get(name)
        if parsed is None:
            return
        names = parsed.sheet.names
        for position, row in enumerate(parsed.rows):
            if position not in parsed.bad_rows:
                yield position, dict(zip(names, row, strict=True))


def parse_file(path: Path, name: str, report: ImportReport) -> ParsedFile | None:
    """Read and parse every sheet; None when the file cannot be read at all (the error is in the report)."""
    try:
        raws, warnings, close = open_sheets(path, name)
    except SourceError as exc:
        report.add_error(ImportError(exc.file, exc.row, exc.field, exc.message))
        return None
    report.warnings.extend(warnings)
    parsed = ParsedFile()
    try:
        for raw in raws:
            parsed.sheets[raw.sheet.name] = parse_sheet(raw, report)
    finally:
        if callable(close):
            close()
    return parsed


def amount_text(value: Decimal | None) -> str:
    return "" if value is None else f"{value:.2f}"
