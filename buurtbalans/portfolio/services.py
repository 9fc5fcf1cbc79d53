"""Writes to the stock and the households: importing and exporting a corporation's portfolio.

API for views, commands and jobs:

    portfolio_import(*, source: Path, corporation, actor=None, dry_run: bool, on_progress=None,
                     as_of: date | None = None) -> ImportReport
    portfolio_import_previewed(report, *, corporation, actor, counts_shown, job=None, command="")  audit a check
    portfolio_export(*, corporation, actor, format: str, destination: Path) -> Path

See `buurtbalans.portfolio.importing` for the format and the report, and `docs/import.md`.

History (issue 16): a written import's PORTFOLIO_IMPORTED audit event carries the date the file speaks for
(`as_of`, default the day of the import); the history app, above this one, records the dwellings' statuses, the
households' income bands and the complexes' ownership as on that date when that event is saved, inside the
import's transaction (`history.services.history_record_import`; docs/history.md).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buurtbalans.core.audit import audit_record
from buurtbalans.core.db import analyze_tables
from buurtbalans.core.models import AuditEvent, HousingCorporation
from buurtbalans.core.permissions import Action, can, require
from buurtbalans.core.uploads import import_previewed_record
from buurtbalans.households.models import Applicant, Household, Tenancy, VulnerabilityMarker
from buurtbalans.portfolio.importing.columns import SHEETS, SHEETS_BY_NAME
from buurtbalans.portfolio.importing.export import write_csv, write_xlsx
from buurtbalans.portfolio.importing.parse import parse_sheet
from buurtbalans.portfolio.importing.plan import plan_import
from buurtbalans.portfolio.importing.readers import SourceError, open_source
from buurtbalans.portfolio.importing.report import ImportError, ImportReport
from buurtbalans.portfolio.importing.write import write_plan
from buurtbalans.portfolio.models import Complex, Dwelling

ProgressCallback = Callable[[int, int], None]

_WRITE_EVENTS = {
    "households": AuditEvent.Type.HOUSEHOLDS_WRITTEN,
    "tenancies": AuditEvent.Type.TENANCIES_WRITTEN,
    "markers": AuditEvent.Type.MARKERS_WRITTEN,
    "applicants": AuditEvent.Type.APPLICANTS_WRITTEN,
}
_SHEET_ORDER = {sheet.name: i for i, sheet in enumerate(SHEETS)}
# Sheets of special-category data: a check of them compares them with what is stored about whom.
SPECIAL_SHEETS = ("markers",)
# After this many new or changed rows the planner's statistics are refreshed (see core.db.analyze_tables).
ANALYZE_AFTER_ROWS = 5_000


def _check_actor(actor, corporation: HousingCorporation) -> None:
    """A user may import or export only their own corporation's portfolio, with the right to manage it.

    A command run without a user (actor None) is trusted: whoever runs it has the database anyway.
    """
    if actor is None:
        return
    membership = require(actor, Action.MANAGE_PORTFOLIO)
    if membership.corporation_id != corporation.pk:
        raise PermissionDenied


class _Progress:
    """Turns "n more rows done" into on_progress(done, total) calls, never past the total."""

    def __init__(self, callback: ProgressCallback | None, total: int):
        self.callback, self.total, self.done = callback, max(total, 1), 0

    def advance(self, rows: int) -> None:
        self.done = min(self.done + rows, self.total)
        if self.callback is not None:
            self.callback(self.done, self.total)

    def finish(self) -> None:
        self.done = self.total
        if self.callback is not None:
            self.callback(self.total, self.total)


def portfolio_import(
    *,
    source: Path,
    corporation: HousingCorporation,
    actor=None,
    dry_run: bool,
    on_progress: ProgressCallback | None = None,
    source_name: str | None = None,
    as_of: date | None = None,
) -> ImportReport:
    """Validate a portfolio file completely, then write all of it in one transaction, or nothing.

    Steps: read every sheet and parse every cell (collecting every error); check what needs the whole
    input and the database (duplicate keys, references, marker kinds); sort rows into new / updated /
    unchanged by external id within `corporation`; if there was no error and this is not a dry run,
    write the new and changed rows sheet by sheet with set-based upserts, and record audit events.

    Args:
        source: an .xlsx workbook, a folder of CSV files, one CSV file or a .zip of CSV files; sheets
            and files are named after the sheets (`dwellings.csv`, sheet `dwellings`, or Dutch names).
        corporation: whose portfolio this is; rows of other corporations are never read or touched.
        actor: the user importing, or None for a command run without one.
        dry_run: validate and count, write nothing (not even an audit event).
        on_progress: called as on_progress(done, total) while reading and writing.
        source_name: the name the user knows the file by, for messages, when `source` is stored under
            another name (an upload). It also decides the sheet of a single CSV file.
        as_of: the date the file speaks for ("as on", e.g. from a dated file name); the history of statuses, income
            bands and ownership is recorded as on it. Default: the day of the import.

    Returns:
        The report: errors, counts per sheet, whether anything was written, timings.

    Raises:
        PermissionDenied: when `actor` may not manage this corporation's portfolio.
    """
    _check_actor(actor, corporation)
    started = time.perf_counter()
    source = Path(source)
    name = source_name or source.name
    report = ImportReport(source=name, dry_run=dry_run)
    try:
        opened = open_source(source, name)
    except SourceError as exc:
        report.add_error(ImportError(exc.file, None, None, exc.message))
        report.timings["total"] = time.perf_counter() - started
        return report
    report.warnings.extend(opened.warnings)
    estimated = sum(raw.estimated_rows for raw in opened.sheets)
    progress = _Progress(on_progress, estimated if dry_run else 2 * estimated)
    try:
        parsed = [parse_sheet(raw, report, on_row=progress.advance) for raw in opened.sheets]
    finally:
        opened.finish()
    report.timings["read"] = time.perf_counter() - started

    try:
        if dry_run:
            _check(parsed, corporation, report)
        else:
            with transaction.atomic():
                # One import at a time per corporation: a second one waits here rather than interleaving.
                HousingCorporation.objects.select_for_update().filter(pk=corporation.pk).first()
                plan = _check(parsed, corporation, report)
                if report.is_valid:
                    write_started = time.perf_counter()
                    written = write_plan(plan, corporation, on_rows=progress.advance)
                    _audit_import(report, written, plan, corporation, actor, as_of or timezone.localdate())
                    report.timings["write"] = time.perf_counter() - write_started
                    report.written = True
            if report.written:
                # PostgreSQL checks the deferred foreign keys of every written row at commit.
                report.timings["commit"] = time.perf_counter() - write_started - report.timings["write"]
                changed_rows = sum(c["new"] + c["updated"] for c in report.counts.values())
                if changed_rows >= ANALYZE_AFTER_ROWS:
                    analyze_tables(Complex, Dwelling, Household, Tenancy, VulnerabilityMarker, Applicant)
    except DatabaseError as exc:
        # A constraint the checks did not foresee: the transaction is rolled back, nothing is written.
        report.written = False
        message = _("the database refused the data: %(reason)s") % {"reason": str(exc).strip()}
        report.add_error(ImportError(name, None, None, message))
    progress.finish()
    report.timings["total"] = time.perf_counter() - started
    return report


def portfolio_import_previewed(report: ImportReport, *, corporation: HousingCorporation, actor, counts_shown: bool,
                               job=None, command: str = "") -> None:
    """Audit a dry run that read a sheet of special-category data; nothing for a file without such a sheet.

    One IMPORT_PREVIEWED event per such sheet, whose data names the households it read, from the web's check
    (`job`) or a command's --dry-run alike.

    `counts_shown`: whether the one who checked saw the new/updated/unchanged split (it tells what is stored).
    """
    for sheet in SPECIAL_SHEETS:
        rows = report.rows_read.get(sheet, 0)
        if rows:
            import_previewed_record(job=job, actor=actor, corporation=corporation, source_name=report.source,
                                    command=command, sheet=sheet, rows=rows, subject_type="household",
                                    subject_ids=report.subjects.get(sheet, ()), counts_shown=counts_shown)


def _check(parsed, corporation, report: ImportReport):
    started = time.perf_counter()
    plan = plan_import(parsed, corporation, report)
    # Reading order: sheet by sheet, row by row (file-level problems first); the sort is stable.
    report.errors.sort(key=lambda e: (_SHEET_ORDER.get(e.sheet, -1), e.row or 0))
    report.timings["check"] = time.perf_counter() - started
    return plan


def _audit_import(report: ImportReport, written: dict[str, list[str]], plan, corporation, actor,
                  as_of: date) -> None:
    for sheet_name, event in _WRITE_EVENTS.items():
        households = written.get(sheet_name)
        if not households:
            continue
        counts = plan.sheets[sheet_name].counts()
        audit_record(
            actor=actor,
            event=event,
            corporation=corporation,
            subject_type="household",
            subject_ids=households,
            subject_label=f"{report.source}: {sheet_name}",
            purpose="import",
            data={"source": report.source, "sheet": sheet_name, "new": counts["new"], "updated": counts["updated"]},
        )
    audit_record(
        actor=actor,
        event=AuditEvent.Type.PORTFOLIO_IMPORTED,
        corporation=corporation,
        subject_type="portfolio_import",
        subject_label=report.source,
        purpose="import",
        # Last: the history app records the history as on `as_of` when this event is saved (docs/history.md).
        data={"source": report.source, "counts": report.counts, "as_of": as_of.isoformat()},
    )


EXPORT_FORMATS = ("xlsx", "csv")


def portfolio_export(
    *,
    corporation: HousingCorporation,
    actor,
    format: str,  # noqa: A002 - the name the command line uses
    destination: Path,
    include_markers: bool = False,
    purpose: str = "export",
) -> Path:
    """Write the corporation's portfolio in the import format, so that it can be imported again unchanged.

    Exporting households is an export of personal data and exporting markers a read of special-category
    data; both are recorded in the audit log with purpose "export".

    Args:
        corporation: whose portfolio; nothing of another corporation is read.
        actor: the user exporting, or None for a command run without one.
        format: "xlsx" (one workbook) or "csv" (a folder with one file per sheet).
        destination: for csv the folder; for xlsx the file, or a folder to put `<code>-portfolio.xlsx` in.
        include_markers: whether to export vulnerability markers (special-category data). Off by default: a user
            needs the right to read markers, and a command run without a user must ask for them explicitly.
        purpose: why the data leaves the system; recorded in the audit log.

    Returns:
        The folder or file written.

    Raises:
        PermissionDenied: when `actor` may not manage this corporation's portfolio.
        ValueError: for an unknown format.
    """
    _check_actor(actor, corporation)
    if include_markers and actor is not None and not can(actor, Action.VIEW_MARKERS):
        # Managing the portfolio is no purpose for reading special-category data.
        raise PermissionDenied
    if format not in EXPORT_FORMATS:
        raise ValueError(f"format must be one of {', '.join(EXPORT_FORMATS)}")
    sheets = [s for s in SHEETS if include_markers or s.name != "markers"]
    destination = Path(destination)
    with transaction.atomic():
        if format == "csv":
            path = destination
            rows = write_csv(path, corporation, sheets)
        else:
            path = destination / f"{corporation.code}-portfolio.xlsx" if destination.is_dir() else destination
            rows = write_xlsx(path, corporation, sheets)
        households = sorted(
            {row[0] for row in rows["households"]}
            | {row[SHEETS_BY_NAME["tenancies"].index("household")] for row in rows["tenancies"]}
            | {row[SHEETS_BY_NAME["applicants"].index("household")] for row in rows["applicants"]}
            | {row[0] for row in rows.get("markers", [])}
        )
        counts = {name: len(sheet_rows) for name, sheet_rows in rows.items()}
        if rows.get("markers"):
            audit_record(
                actor=actor,
                event=AuditEvent.Type.MARKERS_READ,
                corporation=corporation,
                subject_type="household",
                subject_ids=sorted({row[0] for row in rows["markers"]}),
                subject_label=path.name,
                purpose=purpose,
                data={"format": format, "markers": counts["markers"]},
            )
        if households:
            audit_record(
                actor=actor,
                event=AuditEvent.Type.PERSONAL_DATA_EXPORTED,
                corporation=corporation,
                subject_type="household",
                subject_ids=households,
                subject_label=path.name,
                purpose=purpose,
                data={"format": format, "counts": counts},
            )
    return path
