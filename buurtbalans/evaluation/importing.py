"""Importing interventions from CSV or Excel: one sheet, one row per intervention (docs/evaluation.md, "Import").

Checked like the bids import and with the same parts (`portfolio.importing`: the column aliases, the cell parsers,
the sheet parser and the error report): every problem is reported with file, row and column, and when there is
one, nothing is written. The writes go through `services.interventions_write`.

| column | aliases | value |
|---|---|---|
| complex | complexcode, complexnummer, cluster | a complex code of ours |
| kind | soort, type, interventie | a kind (code or Dutch words: sociaal beheer, renovatie, ...) |
| started_on | startdatum, start, vanaf | the first day |
| ended_on | einddatum, eind, tot | the last day (empty: still running) |
| description | omschrijving, toelichting | free text, at most 1000 characters |
| external_id | code, kenmerk | the code in the corporation's own records (updates the row with that code) |
"""

from __future__ import annotations

import time
from pathlib import Path

from django.utils.translation import gettext as _

from buurtbalans.core.safeinput import InputError
from buurtbalans.evaluation.models import Intervention, InterventionKind
from buurtbalans.evaluation.services import interventions_write
from buurtbalans.portfolio.importing import values as v
from buurtbalans.portfolio.importing.columns import Column, Sheet
from buurtbalans.portfolio.importing.parse import parse_sheet
from buurtbalans.portfolio.importing.readers import RawSheet, single_sheet
from buurtbalans.portfolio.importing.report import ImportError, ImportReport
from buurtbalans.portfolio.models import Complex

SHEET_NAME = "interventions"
KIND_WORDS = {
    InterventionKind.MOTIVATION_LETTINGS: ["motivatie", "verhuur op motivatie", "toewijzen op motivatie"],
    InterventionKind.ABOVE_CAP_LABELS: ["boven aftoppingsgrens", "labels boven de aftoppingsgrens", "boven de grens"],
    InterventionKind.PLACEMENTS: ["plaatsingen", "plaatsing", "bemiddeling", "magic mix", "intake"],
    InterventionKind.COOPERATIVE_START: ["wooncooperatie", "cooperatie", "start wooncooperatie"],
    InterventionKind.SOCIAL_MANAGEMENT: ["sociaal beheer", "programma sociaal beheer", "buurtbeheer"],
    InterventionKind.MEETING_PLACE: ["ontmoetingsruimte", "ontmoetingsplek", "opening ontmoetingsruimte"],
    InterventionKind.RENOVATION: ["renovatie", "groot onderhoud", "verduurzaming"],
    InterventionKind.SALE: ["verkoop", "uitponden", "verkocht"],
    InterventionKind.OTHER: ["overig", "anders"],
}


def _ends_after_start(row: list, at: dict[str, int]) -> list[tuple[str, str]]:
    start, end = row[at["started_on"]], row[at["ended_on"]]
    if start is not None and end is not None and end < start:
        return [("ended_on", _("is before %(start)s") % {"start": start})]
    return []


INTERVENTIONS_SHEET = Sheet(
    name=SHEET_NAME,
    aliases=("interventies", "interventie", "intervention", "maatregelen"),
    key=("complex", "kind", "started_on"),
    check_row=_ends_after_start,
    columns=(
        Column("complex", v.text_parser(max_length=60), required=True, blank=False,
               aliases=("complexcode", "complexnummer", "cluster", "clustercode", "Cluster.code"), expected="1040"),
        Column("kind", v.choice_parser(KIND_WORDS), required=True, blank=False,
               aliases=("soort", "type", "interventie", "maatregel"), expected="sociaal beheer"),
        Column("started_on", v.parse_date, required=True, blank=False,
               aliases=("startdatum", "start", "vanaf", "begindatum"), expected="2023-03-01"),
        Column("ended_on", v.parse_date, aliases=("einddatum", "eind", "tot", "tot_en_met"), expected="2024-12-31"),
        Column("description", v.text_parser(max_length=1000), default="",
               aliases=("omschrijving", "toelichting", "beschrijving", "opmerking"), expected="Portiekgesprekken"),
        Column("external_id", v.text_parser(max_length=60), default="", aliases=("code", "kenmerk", "nummer"),
               expected="INT-2023-04"),
    ),
)


def _open_sheet(path: Path, name: str, report: ImportReport) -> RawSheet | None:
    """The sheet of the file (`readers.single_sheet`); None, with the error in the report, when it cannot be read."""
    try:
        return single_sheet(INTERVENTIONS_SHEET, path, name)
    except InputError as exc:
        report.add_error(ImportError(exc.file, exc.row, exc.field, exc.message, SHEET_NAME))
        return None


def interventions_import(*, path: Path | str, corporation, actor, file_name: str | None = None,
                         dry_run: bool = False) -> ImportReport:
    """Check an interventions file and, when it has no problem and this is not a dry run, write it.

    Every row's complex must be one of the corporation's; a code (external_id) or a complex, kind and start may
    occur once in the file.

    Returns:
        The report: every problem (file, row, column, message), the counts of new, updated and unchanged rows,
        and whether anything was written.
    """
    started = time.perf_counter()
    path = Path(path)
    name = file_name or path.name
    report = ImportReport(source=name, dry_run=dry_run)
    raw = _open_sheet(path, name, report)
    if raw is None:
        return report
    parsed = parse_sheet(raw, report)
    if not parsed.is_complete:
        return report
    at = {column.name: i for i, column in enumerate(INTERVENTIONS_SHEET.columns)}
    complexes = dict(Complex.objects.filter(corporation=corporation).values_list("external_id", "pk"))
    by_code = {code: (cid, kind, start) for code, cid, kind, start in Intervention.objects.filter(
        corporation=corporation).exclude(external_id="").values_list("external_id", "complex_id", "kind", "started_on")}
    key_code = {(cid, kind, start): code for code, (cid, kind, start) in by_code.items()}
    seen_codes: dict[str, int] = {}
    seen_keys: dict[tuple, int] = {}
    rows = []
    for position, row in enumerate(parsed.rows):
        if position in parsed.bad_rows:
            continue
        values = {column.name: row[at[column.name]] for column in INTERVENTIONS_SHEET.columns}
        complex_id = complexes.get(values["complex"])
        if complex_id is None:
            parsed.error(report, position, "complex", _('unknown complex "%(code)s"') % {"code": values["complex"]})
            continue
        code, key = values["external_id"], (complex_id, values["kind"], values["started_on"])
        if code and code in seen_codes:
            parsed.error(report, position, "external_id", _("row %(row)d has this code too")
                         % {"row": parsed.row_numbers[seen_codes[code]]})
            continue
        if key in seen_keys:
            parsed.error(report, position, "started_on",
                         _("row %(row)d has an intervention of this kind in this complex starting on this day too")
                         % {"row": parsed.row_numbers[seen_keys[key]]})
            continue
        other = key_code.get(key)
        if code and other and other != code:
            parsed.error(report, position, "external_id",
                         _('the intervention of this complex, kind and start is recorded with code "%(other)s"')
                         % {"other": other})
            continue
        seen_keys[key] = position
        if code:
            seen_codes[code] = position
        rows.append({**values, "complex_id": complex_id, "complex_code": values["complex"]})
    order = {header: i for i, header in enumerate(raw.header)}
    report.errors.sort(key=lambda e: (-1 if e.row is None else e.row, order.get(e.column, -1)))
    report.timings["check"] = time.perf_counter() - started
    if not report.is_valid:
        return report
    report.counts[SHEET_NAME] = _counts(corporation, rows)
    if dry_run:
        return report
    report.counts[SHEET_NAME] = interventions_write(actor=actor, corporation=corporation, rows=rows, file_name=name)
    report.written = True
    report.timings["total"] = time.perf_counter() - started
    return report


def _counts(corporation, rows: list[dict]) -> dict[str, int]:
    """What a write would do, for the check: new, updated and unchanged rows."""
    fields = ("kind", "started_on", "ended_on", "description", "external_id")
    stored = list(Intervention.objects.filter(corporation=corporation))
    by_code = {i.external_id: i for i in stored if i.external_id}
    by_key = {(i.complex_id, i.kind, i.started_on): i for i in stored}
    counts = {"new": 0, "updated": 0, "unchanged": 0}
    for row in rows:
        existing = (by_code.get(row["external_id"]) if row["external_id"] else None) or by_key.get(
            (row["complex_id"], row["kind"], row["started_on"]))
        if existing is None:
            counts["new"] += 1
        elif existing.complex_id == row["complex_id"] and all(getattr(existing, f) == row[f] for f in fields):
            counts["unchanged"] += 1
        else:
            counts["updated"] += 1
    return counts
