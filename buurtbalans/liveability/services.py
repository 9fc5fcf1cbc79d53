"""Writes of the liveability app: social management records, their import, monitor settings and vitality.

API for views, commands and jobs:

    signal_create / support_need_create / visit_create / meeting_place_create / meeting_place_use_record /
        activity_create(*, actor, ...)                      one record entered on screen (audited)
    social_records_import(*, source, corporation, actor, dry_run, source_name=None) -> ImportReport
    monitor_settings_update(*, actor, policy: dict, indicators: dict) -> None   (queues the re-scoring)
    vitality_refresh(*, corporation, reference_date, on_progress=None) -> dict  (counts; a job or a command)
    vitality_rescore(*, corporation) -> int                                     (after a settings change)

Every write above asks for a recount of the complexes it concerns when it commits (services_recount.py).

Queued jobs (the worker runs them, see jobs.py; each returns the Job, whose page shows the progress):

    vitality_refresh_enqueue(*, actor, reference_date) -> Job                  (or the recount already waiting)
    social_records_check_enqueue(*, actor, file, suffix) -> Job                 (stores the upload, dry run)
    social_records_import_enqueue(*, actor, check_job) -> (Job, queued: bool)   (the real import, once)
    liveability_report_enqueue(*, actor, municipality_code, year) -> Job
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buurtbalans.core.audit import actor_label, audit_record
from buurtbalans.core.figures import is_protected
from buurtbalans.core.jobs import job_enqueue
from buurtbalans.core.models import AuditEvent, HousingCorporation, Job, Upload
from buurtbalans.core.permissions import Action, can, require
from buurtbalans.core.uploads import upload_check_enqueue, upload_import_enqueue
from buurtbalans.engine.vitality import IndicatorRule, WarningPolicy, assess
from buurtbalans.households.models import Tenancy
from buurtbalans.liveability import importing
from buurtbalans.liveability.indicators import DEFAULT_POLICY, INDICATOR_KEYS, INDICATORS, LEEFBAAROMETER_KEYS
from buurtbalans.liveability.measures import latest_up_to, measure_complexes, public_series, year_before
from buurtbalans.liveability.models import (
    Activity,
    AreaVitality,
    ArrearsRecord,
    ComplexVitality,
    IndicatorSetting,
    MeetingPlace,
    MeetingPlaceUse,
    MonitorSettings,
    RecordSource,
    Signal,
    SupportNeed,
    Visit,
)
from buurtbalans.liveability.selectors import support_need_household_codes
from buurtbalans.neighbourhoods.models import Neighbourhood
from buurtbalans.portfolio.importing.report import ImportReport
from buurtbalans.portfolio.models import Complex, Dwelling

ProgressCallback = Callable[[int, int], None]
# Measurements per refresh: the reference date and the same day in each of the four years before it.
HISTORY_YEARS = 4
# The kinds of the jobs these services queue; their runners are in jobs.py (which imports this module).
VITALITY_REFRESH_KIND = "vitality_refresh"
VITALITY_NIGHTLY_KIND = "vitality_nightly"
RECORDS_IMPORT_KIND = "social_records_import"
REPORT_KIND = "liveability_report"


# --- entering records on screen --------------------------------------------------------------------------------


def _manager(actor, complex_: Complex | None = None):
    """The actor's membership, if they may enter records (for a complex of their own corporation)."""
    membership = require(actor, Action.MANAGE_SOCIAL_RECORDS)
    if complex_ is not None and complex_.corporation_id != membership.corporation_id:
        raise PermissionDenied
    return membership


def _record_written(actor, membership, record, *, event=AuditEvent.Type.SOCIAL_RECORDS_WRITTEN,
                    subject_ids=()) -> None:
    audit_record(
        actor=actor,
        event=event,
        corporation=membership.corporation,
        subject_type=record._meta.model_name,
        subject_ids=subject_ids,
        subject_label=f"{record._meta.model_name} #{record.pk}",
        purpose="social_management",
        data={"id": record.pk},
    )


def _create(actor, membership, model, **fields):
    """Create one record for the actor's corporation, with the name of who entered it, and audit the write."""
    record = model.objects.create(corporation=membership.corporation, recorded_by_name=actor_label(actor), **fields)
    _record_written(actor, membership, record)
    return record


def _recount(corporation, complex_ids, reason: str, actor=None, rescore: bool = False) -> None:
    """Ask for the monitor's recount of `complex_ids` once this write commits (`services_recount`)."""
    # services_recount builds on this module, so it is imported when first needed.
    from buurtbalans.liveability.services_recount import vitality_recount_request

    vitality_recount_request(corporation=corporation, complex_ids=complex_ids, rescore=rescore, reason=reason,
                             user=actor)


def _check_dates(start: date | None, end: date | None, field: str) -> None:
    if start is not None and end is not None and end < start:
        raise ValidationError({field: _("This date is before the start date.")})


@transaction.atomic
def signal_create(*, actor, complex_: Complex, kind: str, reported_on: date, resolved_on: date | None = None,
                  note: str = "") -> Signal:
    """Record a signal (nuisance, neglect, pollution, loneliness) at a complex."""
    membership = _manager(actor, complex_)
    _check_dates(reported_on, resolved_on, "resolved_on")
    _recount(membership.corporation, [complex_.pk], "signal", actor)
    return _create(actor, membership, Signal, complex=complex_, kind=kind, reported_on=reported_on,
                   resolved_on=resolved_on, note=note)


@transaction.atomic
def support_need_create(*, actor, complex_: Complex, reported_on: date, dwelling: Dwelling | None = None,
                        resolved_on: date | None = None, referred_to: str = "", note: str = "") -> SupportNeed:
    """Record a support need (special-category data, stored apart; the write is audited as such).

    Raises:
        PermissionDenied: for a role whose purpose does not cover support needs (MANAGE_SUPPORT_NEEDS), even when it
            manages the other social records (administrators).
    """
    membership = _manager(actor, complex_)
    require(actor, Action.MANAGE_SUPPORT_NEEDS)
    if dwelling is not None and dwelling.complex_id != complex_.pk:
        raise ValidationError({"dwelling": _("This dwelling is not in the complex.")})
    _check_dates(reported_on, resolved_on, "resolved_on")
    need = SupportNeed.objects.create(
        corporation=membership.corporation, complex=complex_, dwelling=dwelling, reported_on=reported_on,
        resolved_on=resolved_on, referred_to=referred_to, note=note, recorded_by_name=actor_label(actor),
    )
    _record_written(actor, membership, need, event=AuditEvent.Type.SUPPORT_NEEDS_WRITTEN,
                    subject_ids=support_need_household_codes([need]))
    _recount(membership.corporation, [complex_.pk], "support_need", actor)
    return need


@transaction.atomic
def visit_create(*, actor, complex_: Complex, kind: str, visited_on: date, households_reached: int | None = None,
                 note: str = "") -> Visit:
    """Record a home visit, portiek conversation or walk at a complex."""
    membership = _manager(actor, complex_)
    _recount(membership.corporation, [complex_.pk], "visit", actor)
    return _create(actor, membership, Visit, complex=complex_, kind=kind, visited_on=visited_on,
                   households_reached=households_reached, note=note)


@transaction.atomic
def meeting_place_create(*, actor, name: str, complex_: Complex | None = None,
                         neighbourhood: Neighbourhood | None = None, opened_on: date | None = None,
                         closed_on: date | None = None, capacity: int | None = None, note: str = "",
                         external_id: str = "") -> MeetingPlace:
    """Record a meeting place (ontmoetingsruimte), in a complex and/or a buurt."""
    membership = _manager(actor, complex_)
    _check_dates(opened_on, closed_on, "closed_on")
    if neighbourhood is None and complex_ is not None:
        neighbourhood = complex_.neighbourhood
    _recount(membership.corporation, [complex_.pk] if complex_ is not None else [], "meeting_place", actor)
    return _create(actor, membership, MeetingPlace, name=name, complex=complex_, neighbourhood=neighbourhood,
                   opened_on=opened_on, closed_on=closed_on, capacity=capacity, note=note, external_id=external_id)


@transaction.atomic
def meeting_place_use_record(*, actor, meeting_place: MeetingPlace, month: date, dayparts_open: int,
                             visitors: int) -> MeetingPlaceUse:
    """Record (or correct) a meeting place's use in one month."""
    membership = _manager(actor)
    if meeting_place.corporation_id != membership.corporation_id:
        raise PermissionDenied
    use, _created = MeetingPlaceUse.objects.update_or_create(
        meeting_place=meeting_place, month=month.replace(day=1),
        defaults={"corporation": membership.corporation, "dayparts_open": dayparts_open, "visitors": visitors,
                  "recorded_by_name": actor_label(actor), "source": RecordSource.SCREEN},
    )
    _record_written(actor, membership, use)
    _recount(membership.corporation, [meeting_place.complex_id] if meeting_place.complex_id else [],
             "meeting_place_use", actor)
    return use


@transaction.atomic
def activity_create(*, actor, held_on: date, title: str, kind: str, complex_: Complex | None = None,
                    meeting_place: MeetingPlace | None = None, participants: int | None = None,
                    organised_by: str = "", note: str = "") -> Activity:
    """Record an activity for residents, at a complex and/or a meeting place."""
    membership = _manager(actor, complex_)
    if complex_ is None and meeting_place is None:
        raise ValidationError({"complex": _("Give a complex or a meeting place.")})
    if meeting_place is not None and meeting_place.corporation_id != membership.corporation_id:
        raise PermissionDenied
    concerned = {complex_.pk if complex_ is not None else None, meeting_place.complex_id if meeting_place else None}
    _recount(membership.corporation, concerned - {None}, "activity", actor)
    return _create(actor, membership, Activity, complex=complex_, meeting_place=meeting_place, held_on=held_on,
                   title=title, kind=kind, participants=participants, organised_by=organised_by, note=note)


# --- import -----------------------------------------------------------------------------------------------------

# Sheet -> (model, fields written from the sheet's columns, references resolved to these fields).
_RECORD_FIELDS = {
    "signals": (Signal, ("kind", "reported_on", "resolved_on", "note")),
    "support_needs": (SupportNeed, ("reported_on", "resolved_on", "referred_to", "note")),
    "visits": (Visit, ("kind", "visited_on", "households_reached", "note")),
    "meeting_places": (MeetingPlace, ("name", "opened_on", "closed_on", "capacity", "note")),
    "activities": (Activity, ("held_on", "title", "kind", "participants", "organised_by", "note")),
}
# Sheet -> the ids the check resolves from a row's codes, written along with the sheet's own fields.
_RESOLVED_FIELDS = {
    "signals": ("complex_id",),
    "support_needs": ("complex_id", "dwelling_id"),
    "visits": ("complex_id",),
    "meeting_places": ("complex_id", "neighbourhood_id"),
    "activities": ("complex_id",),
}
# Sheets whose rows may leave the complex out: a meeting place or an activity can belong to a buurt only.
_COMPLEX_OPTIONAL = ("meeting_places", "activities")


class _Plan:
    """What the import will write: per sheet, new objects and changed objects; counts as in the portfolio import."""

    def __init__(self):
        self.new: dict[str, list] = defaultdict(list)
        self.changed: dict[str, list] = defaultdict(list)
        self.fields: dict[str, tuple[str, ...]] = {}
        self.counts: dict[str, dict[str, int]] = {}

    def count(self, sheet: str, outcome: str) -> None:
        self.counts.setdefault(sheet, {"new": 0, "updated": 0, "unchanged": 0})[outcome] += 1

    def add(self, sheet: str, obj, outcome: str) -> None:
        """Count one row, and keep its object when it is to be written ("new" or "updated")."""
        if outcome == "new":
            self.new[sheet].append(obj)
        elif outcome == "updated":
            self.changed[sheet].append(obj)
        self.count(sheet, outcome)


def _check_importer(actor, corporation: HousingCorporation) -> None:
    """A user imports only into their own corporation, with the right to manage records; a command is trusted."""
    if actor is None:
        return
    membership = require(actor, Action.MANAGE_SOCIAL_RECORDS)
    if membership.corporation_id != corporation.pk:
        raise PermissionDenied


def social_records_import(*, source: Path, corporation: HousingCorporation, actor=None, dry_run: bool,
                          source_name: str | None = None, on_progress: ProgressCallback | None = None
                          ) -> ImportReport:
    """Check and (unless `dry_run` or with errors) write the records in the file, all or nothing.

    Rows with a code (`external_id`) update the record with that code; rows without one are added. Meeting place
    use is keyed by place and month, arrears by contract (or complex) and date.

    Returns:
        The ImportReport: errors with file, row and column; counts per sheet (new/updated/unchanged); written.
    """
    _check_importer(actor, corporation)
    started = time.monotonic()
    name = source_name or Path(source).name
    report = ImportReport(source=name, dry_run=dry_run)
    parsed = importing.parse_file(Path(source), name, report)
    if on_progress:
        on_progress(1, 3)
    report.timings["read"] = time.monotonic() - started
    if parsed is None:
        return report
    if "support_needs" in parsed.sheets and actor is not None and not can(actor, Action.MANAGE_SUPPORT_NEEDS):
        # Managing the records is no purpose for special-category data: the whole file waits, nothing is written.
        parsed.sheets["support_needs"].error(report, None, None, _(
            "holds support needs. Your role may not import support needs: they are special-category data. "
            "Leave this sheet out, or ask a neighbourhood manager to import the file."))
    plan = _plan(parsed, corporation, report)
    order = {sheet.name: index for index, sheet in enumerate(importing.SHEETS)}
    report.errors.sort(key=lambda e: (order.get(e.sheet, len(order)), e.file, e.row or 0))
    report.counts = plan.counts
    report.timings["check"] = time.monotonic() - started - report.timings["read"]
    if on_progress:
        on_progress(2, 3)
    if report.is_valid and not dry_run:
        with transaction.atomic():
            _write(plan, corporation, actor, name)
        report.written = True
    report.timings["total"] = time.monotonic() - started
    if on_progress:
        on_progress(3, 3)
    return report


def _plan(parsed: importing.ParsedFile, corporation: HousingCorporation, report: ImportReport) -> _Plan:
    """Check every row's references, then (only when the whole file is valid) work out what to write.

    The steps run in the order of the sheets' references: meeting places before the activities and the use that
    name them. A file with any error gets counts but no objects: nothing of it will be written.
    """
    check = _Check(parsed, corporation, report)
    for sheet in _RECORD_FIELDS:
        if sheet in parsed.sheets:
            check.codes_unique(sheet)
            check.record_rows(sheet)
    check.place_use_rows()
    check.arrears_rows()
    plan = _Plan()
    for sheet in parsed.sheets:
        plan.counts.setdefault(sheet, {"new": 0, "updated": 0, "unchanged": 0})
    if report.is_valid:
        _plan_records(plan, corporation, check.resolved)
    return plan


class _Check:
    """The checks of an import that need the database: every code in the file must name something of the corporation.

    Each check reports its errors on the row (file, row, column) and keeps the rows that pass in `resolved`, per
    sheet as (position, row), with the codes resolved to ids (`complex_id`, `dwelling_id`, ...).
    """

    def __init__(self, parsed: importing.ParsedFile, corporation: HousingCorporation, report: ImportReport):
        self.parsed, self.corporation, self.report = parsed, corporation, report
        self.complexes = dict(Complex.objects.filter(corporation=corporation).values_list("external_id", "pk"))
        # Activities and use refer to meeting places by code: one stored already, or one earlier in the file.
        self.places = set(MeetingPlace.objects.filter(corporation=corporation).exclude(external_id="")
                          .values_list("external_id", flat=True))
        self.places_in_file: set[str] = set()
        self.buurten = dict(Neighbourhood.objects.values_list("cbs_code", "pk"))
        self.resolved: dict[str, list[tuple[int, dict]]] = defaultdict(list)

    def error(self, sheet: str, position: int, column: str, message: str) -> None:
        self.parsed.sheets[sheet].error(self.report, position, column, message)

    def _row_number(self, sheet: str, position: int) -> int:
        return self.parsed.sheets[sheet].row_numbers[position]

    def codes_unique(self, sheet: str) -> None:
        """A code used twice is an error, on every row after the first, even when the first has other errors."""
        parsed_sheet = self.parsed.sheets[sheet]
        code_at = parsed_sheet.sheet.index("external_id")
        seen: dict[str, int] = {}
        for position, row in enumerate(parsed_sheet.rows):
            code = row[code_at] or ""
            if not code:
                continue
            if code in seen:
                self.error(sheet, position, "external_id", _('"%(code)s" is already used in row %(row)s') % {
                    "code": code, "row": self._row_number(sheet, seen[code])})
            else:
                seen[code] = position

    def record_rows(self, sheet: str) -> None:
        """Resolve the references of a record sheet's rows; keep the rows whose every reference is known."""
        for position, row in self.parsed.good_rows(sheet):
            if self._record_row(sheet, position, row):
                self.resolved[sheet].append((position, row))

    def _record_row(self, sheet: str, position: int, row: dict) -> bool:
        # Every reference is checked, so that the report lists all of a row's errors at once.
        ok = True
        if "complex" in row:
            row["complex_id"] = self.complex_id(sheet, position, row["complex"],
                                                required=sheet not in _COMPLEX_OPTIONAL)
            ok = row["complex_id"] is not False
            if not ok:
                row["complex_id"] = None
        if sheet == "support_needs" and ok and row.get("dwelling"):
            ok = self._dwelling(sheet, position, row)
        if sheet == "meeting_places":
            ok = self._neighbourhood(sheet, position, row) and ok
            self.places_in_file.add(row.get("external_id") or "")
        if sheet == "activities" and row.get("meeting_place"):
            ok = self.place_known(sheet, position, row["meeting_place"]) and ok
        return ok

    def complex_id(self, sheet: str, position: int, code: str | None, *, required: bool) -> int | None | bool:
        """The id of the corporation's complex with this code; None without a code; False (reported) if unknown."""
        if code is None:
            return None if not required else False
        pk = self.complexes.get(code)
        if pk is None:
            self.error(sheet, position, "complex", _('"%(code)s" is not a complex of yours') % {"code": code})
            return False
        return pk

    def _dwelling(self, sheet: str, position: int, row: dict) -> bool:
        """A support need's dwelling must be the corporation's and lie in the row's complex."""
        dwelling = Dwelling.objects.filter(corporation=self.corporation, external_id=row["dwelling"]).values_list(
            "pk", "complex_id").first()
        if dwelling is None:
            self.error(sheet, position, "dwelling", _('"%(code)s" is not a dwelling of yours') % {
                "code": row["dwelling"]})
            return False
        if dwelling[1] != row["complex_id"]:
            self.error(sheet, position, "dwelling", _('"%(code)s" is not in complex %(complex)s') % {
                "code": row["dwelling"], "complex": row["complex"]})
            return False
        row["dwelling_id"] = dwelling[0]
        return True

    def _neighbourhood(self, sheet: str, position: int, row: dict) -> bool:
        """A meeting place's buurt, if given, must be one Buurtbalans knows (any corporation's: buurten are public)."""
        if not row.get("neighbourhood"):
            return True
        row["neighbourhood_id"] = self.buurten.get(row["neighbourhood"])
        if row["neighbourhood_id"] is None:
            self.error(sheet, position, "neighbourhood", _('"%(code)s" is not a buurt known in Buurtbalans')
                       % {"code": row["neighbourhood"]})
            return False
        return True

    def place_known(self, sheet: str, position: int, place: str) -> bool:
        """A meeting place named by an activity or a month of use is stored already or is in the file."""
        if place in self.places or place in self.places_in_file:
            return True
        self.error(sheet, position, "meeting_place",
                   _('"%(code)s" is not a meeting place in the file or in Buurtbalans') % {"code": place})
        return False

    def place_use_rows(self) -> None:
        """Use of meeting places: one row per known place and month."""
        sheet = "meeting_place_use"
        seen: dict[tuple[str, date], int] = {}
        for position, row in self.parsed.good_rows(sheet):
            place, month = row["meeting_place"], row["month"]
            if not self.place_known(sheet, position, place):
                continue
            if (place, month) in seen:
                self.error(sheet, position, "month", _("%(month)s is already given for this place in row %(row)s")
                           % {"month": f"{month:%Y-%m}", "row": self._row_number(sheet, seen[(place, month)])})
                continue
            seen[(place, month)] = position
            self.resolved[sheet].append((position, row))

    def arrears_rows(self) -> None:
        """Arrears: a known complex, a contract (if given) that is one of the complex's tenancies, once per date."""
        sheet = "arrears"
        codes = {row["tenancy"] for _p, row in self.parsed.good_rows(sheet) if row.get("tenancy")}
        tenancies = {
            code: (pk, complex_id)
            for code, pk, complex_id in Tenancy.objects.filter(corporation=self.corporation, external_id__in=codes)
            .values_list("external_id", "pk", "dwelling__complex_id")
        }
        seen: dict[tuple, int] = {}
        for position, row in self.parsed.good_rows(sheet):
            pk = self.complex_id(sheet, position, row["complex"], required=True)
            if pk is False or not self._arrears_tenancy(position, row, pk, tenancies):
                continue
            key = _arrears_key(row["tenancy_id"], pk, row["reference_date"])
            if key in seen:
                self.error(sheet, position, "reference_date", _("this contract or complex already has arrears on "
                                                                "this date in row %(row)s") % {
                    "row": self._row_number(sheet, seen[key])})
                continue
            seen[key] = position
            self.resolved[sheet].append((position, row))

    def _arrears_tenancy(self, position: int, row: dict, complex_id: int, tenancies: dict) -> bool:
        """Resolve an arrears row's complex and contract; the contract must be a tenancy in that complex."""
        row["complex_id"], row["tenancy_id"] = complex_id, None
        if not row.get("tenancy"):
            return True
        found = tenancies.get(row["tenancy"])
        if found is None:
            self.error("arrears", position, "tenancy", _('"%(code)s" is not a contract of yours') % {
                "code": row["tenancy"]})
            return False
        if found[1] != complex_id:
            self.error("arrears", position, "tenancy", _('"%(code)s" is not a contract in complex %(complex)s') % {
                "code": row["tenancy"], "complex": row["complex"]})
            return False
        row["tenancy_id"] = found[0]
        return True


def _arrears_key(tenancy_id: int | None, complex_id: int, reference_date: date) -> tuple:
    """Arrears are kept per contract and date; those of a whole complex per complex and date."""
    return (tenancy_id or f"complex-{complex_id}", reference_date)


def _plan_records(plan: _Plan, corporation: HousingCorporation, resolved: dict) -> None:
    """Turn the checked rows into new and changed model objects, sheet by sheet."""
    for sheet in _RECORD_FIELDS:
        if resolved.get(sheet):
            _plan_record_sheet(plan, corporation, sheet, resolved[sheet])
    if resolved.get("meeting_place_use"):
        _plan_place_use(plan, corporation, resolved["meeting_place_use"])
    if resolved.get("arrears"):
        _plan_arrears(plan, corporation, resolved["arrears"])


def _plan_record_sheet(plan: _Plan, corporation: HousingCorporation, sheet: str, rows: list) -> None:
    """A row with a stored record's code updates that record (unless nothing differs); any other row is new."""
    model, fields = _RECORD_FIELDS[sheet]
    all_fields = (*fields, *_RESOLVED_FIELDS[sheet])
    plan.fields[sheet] = all_fields
    codes = [row["external_id"] for _p, row in rows if row.get("external_id")]
    existing = {obj.external_id: obj for obj in model.objects.filter(corporation=corporation, external_id__in=codes)}
    for _position, row in rows:
        values = {f: row.get(f) for f in all_fields}
        obj = existing.get(row.get("external_id") or "")
        if obj is None:
            obj = model(corporation=corporation, external_id=row.get("external_id") or "",
                        source=RecordSource.IMPORT, **values)
            # Resolved to the meeting place's id when written: the place may be new in this same file.
            obj._place = row.get("meeting_place")
            plan.add(sheet, obj, "new")
        elif all(getattr(obj, f) == v for f, v in values.items()) and (
            sheet != "activities" or _place_code(obj) == (row.get("meeting_place") or None)
        ):
            plan.add(sheet, obj, "unchanged")
        else:
            for f, v in values.items():
                setattr(obj, f, v)
            if sheet == "activities":
                obj._place = row.get("meeting_place")
            plan.add(sheet, obj, "updated")


def _plan_place_use(plan: _Plan, corporation: HousingCorporation, rows: list) -> None:
    """Use is kept per meeting place and month: a month given again replaces the counts."""
    existing = {
        (use.meeting_place.external_id, use.month): use
        for use in MeetingPlaceUse.objects.filter(corporation=corporation).select_related("meeting_place")
    }
    for _position, row in rows:
        use = existing.get((row["meeting_place"], row["month"]))
        counts = (row["dayparts_open"], row["visitors"])
        if use is None:
            use = MeetingPlaceUse(corporation=corporation, month=row["month"], dayparts_open=counts[0],
                                  visitors=counts[1], source=RecordSource.IMPORT)
            use._place = row["meeting_place"]
            plan.add("meeting_place_use", use, "new")
        elif (use.dayparts_open, use.visitors) == counts:
            plan.add("meeting_place_use", use, "unchanged")
        else:
            use.dayparts_open, use.visitors = counts
            plan.add("meeting_place_use", use, "updated")


def _plan_arrears(plan: _Plan, corporation: HousingCorporation, rows: list) -> None:
    """Arrears per contract (or complex) and date: a date given again replaces the amount and the count."""
    dates = {row["reference_date"] for _p, row in rows}
    existing = {
        _arrears_key(a.tenancy_id, a.complex_id, a.reference_date): a
        for a in ArrearsRecord.objects.filter(corporation=corporation, reference_date__in=dates)
    }
    for _position, row in rows:
        record = existing.get(_arrears_key(row["tenancy_id"], row["complex_id"], row["reference_date"]))
        amount = Decimal(row["amount"])
        if record is None:
            record = ArrearsRecord(
                corporation=corporation, complex_id=row["complex_id"], tenancy_id=row["tenancy_id"],
                reference_date=row["reference_date"], amount=amount,
                households_in_arrears=row["households_in_arrears"], source=RecordSource.IMPORT,
            )
            plan.add("arrears", record, "new")
        elif (record.amount, record.households_in_arrears) == (amount, row["households_in_arrears"]):
            plan.add("arrears", record, "unchanged")
        else:
            record.amount, record.households_in_arrears = amount, row["households_in_arrears"]
            plan.add("arrears", record, "updated")


def _place_code(activity: Activity) -> str | None:
    return activity.meeting_place.external_id if activity.meeting_place_id else None


def _write(plan: _Plan, corporation: HousingCorporation, actor, source_name: str) -> None:
    """Write the plan (inside the caller's transaction) and the audit events."""
    who = actor_label(actor)
    models_by_sheet = {**{s: m for s, (m, _f) in _RECORD_FIELDS.items()}, "meeting_place_use": MeetingPlaceUse,
                       "arrears": ArrearsRecord}
    # Meeting places first: activities and use point at them.
    order = ["meeting_places", "signals", "support_needs", "visits", "activities", "meeting_place_use", "arrears"]
    for sheet in order:
        model = models_by_sheet[sheet]
        new, changed = plan.new.get(sheet, []), plan.changed.get(sheet, [])
        if sheet in ("activities", "meeting_place_use"):
            places = dict(MeetingPlace.objects.filter(corporation=corporation).exclude(external_id="")
                          .values_list("external_id", "pk"))
            for obj in [*new, *changed]:
                code = getattr(obj, "_place", None)
                obj.meeting_place_id = places.get(code) if code else None
        for obj in new:
            obj.recorded_by_name = who
        model.objects.bulk_create(new, batch_size=1000)
        if changed:
            fields = list(plan.fields.get(sheet, ()))
            if sheet == "activities":
                fields.append("meeting_place_id")
            if sheet == "meeting_place_use":
                fields = ["dayparts_open", "visitors"]
            if sheet == "arrears":
                fields = ["amount", "households_in_arrears"]
            model.objects.bulk_update(changed, [f.removesuffix("_id") if f.endswith("_id") else f for f in fields],
                                      batch_size=1000)
    _recount(corporation, _complexes_written(plan), "records_import", actor)
    counts = {sheet: c for sheet, c in plan.counts.items()}
    audit_record(
        actor=actor, event=AuditEvent.Type.SOCIAL_RECORDS_IMPORTED, corporation=corporation,
        subject_type="social_records_import", subject_label=f"social management records from {source_name}",
        purpose="social_management", data={"counts": counts}, actor_name=None if actor else who,
    )
    if plan.new.get("support_needs") or plan.changed.get("support_needs"):
        audit_record(
            actor=actor, event=AuditEvent.Type.SUPPORT_NEEDS_WRITTEN, corporation=corporation,
            subject_type="support_need", subject_label=f"support needs from {source_name}",
            subject_ids=support_need_household_codes([*plan.new.get("support_needs", []),
                                                      *plan.changed.get("support_needs", [])]),
            purpose="social_management", data={"counts": counts.get("support_needs", {})},
        )
    arrears = [*plan.new.get("arrears", []), *plan.changed.get("arrears", [])]
    if arrears:
        # Per-contract arrears are a household's financial data: the event says whose.
        tenancy_ids = [a.tenancy_id for a in arrears if a.tenancy_id]
        households = list(
            Tenancy.objects.filter(pk__in=tenancy_ids).values_list("household__external_id", flat=True).distinct()
        )
        audit_record(
            actor=actor, event=AuditEvent.Type.ARREARS_WRITTEN, corporation=corporation, subject_type="arrears",
            subject_ids=households, subject_label=f"rent arrears from {source_name}", purpose="social_management",
            data={"counts": counts.get("arrears", {})},
        )


def _complexes_written(plan: _Plan) -> set[int]:
    """The complexes whose records the import adds or changes (a meeting place's, for its use and activities)."""
    written = [obj for sheet in plan.new.keys() | plan.changed.keys()
               for obj in (*plan.new.get(sheet, ()), *plan.changed.get(sheet, ()))]
    complexes = {obj.complex_id for obj in written if getattr(obj, "complex_id", None)}
    places = {obj.meeting_place_id for obj in written if getattr(obj, "meeting_place_id", None)}
    if places:
        complexes |= set(MeetingPlace.objects.filter(pk__in=places).exclude(complex=None)
                         .values_list("complex_id", flat=True))
    return complexes


# --- monitor settings -------------------------------------------------------------------------------------------


def monitor_rules(corporation_id: int) -> tuple[tuple[IndicatorRule, ...], WarningPolicy]:
    """The corporation's indicator rules and warning policy: its own settings over the defaults."""
    own = {s.key: s for s in IndicatorSetting.objects.filter(corporation_id=corporation_id)}
    rules = []
    for key in INDICATOR_KEYS:
        indicator = INDICATORS[key]
        setting = own.get(key)
        if setting is None:
            rules.append(indicator.default_rule())
        else:
            rules.append(IndicatorRule(key, indicator.direction, setting.weight, setting.norm, setting.tolerance,
                                       setting.warning))
    policy_row = MonitorSettings.objects.filter(corporation_id=corporation_id).first()
    policy = DEFAULT_POLICY if policy_row is None else WarningPolicy(
        min_score=policy_row.min_score, score_drop=policy_row.score_drop,
        worsening_count=policy_row.worsening_count, stable_share=policy_row.stable_share,
    )
    return tuple(rules), policy


@transaction.atomic
def monitor_settings_update(*, actor, policy: dict, indicators: dict[str, dict]) -> None:
    """Save the corporation's weights, norms and warning thresholds, audit the change, and queue the re-scoring.

    Args:
        actor: a user with MANAGE_MONITOR_SETTINGS.
        policy: {"min_score", "score_drop", "worsening_count", "stable_share"}.
        indicators: {key: {"weight", "norm", "tolerance", "warning"}} for the keys being set.

    Every complex is scored again (not counted again) by the recount job queued when this commits
    (`services_recount`), or added to the one already waiting.
    """
    membership = require(actor, Action.MANAGE_MONITOR_SETTINGS)
    corporation = membership.corporation
    old_rules, old_policy = monitor_rules(corporation.pk)
    who = actor_label(actor)
    for key, values in indicators.items():
        if key not in INDICATORS:
            raise ValidationError(f"unknown indicator {key!r}")
        # The engine's own checks (weight >= 0, tolerance > 0) before anything is stored.
        IndicatorRule(key, INDICATORS[key].direction, values["weight"], values["norm"], values["tolerance"],
                      values.get("warning"))
        IndicatorSetting.objects.update_or_create(
            corporation=corporation, key=key,
            defaults={**{f: values.get(f) for f in ("weight", "norm", "tolerance", "warning")},
                      "changed_by_name": who},
        )
    MonitorSettings.objects.update_or_create(corporation=corporation, defaults={**policy, "changed_by_name": who})
    new_rules, new_policy = monitor_rules(corporation.pk)
    changes = {
        rule.key: {"old": asdict(old), "new": asdict(rule)}
        for old, rule in zip(old_rules, new_rules, strict=True) if old != rule
    }
    if old_policy != new_policy:
        changes["policy"] = {"old": asdict(old_policy), "new": asdict(new_policy)}
    audit_record(
        actor=actor, event=AuditEvent.Type.MONITOR_SETTINGS_CHANGED, corporation=corporation,
        subject_type="monitor_settings", subject_label="weights and norms of the vitality indicators",
        purpose="monitor", data={"changes": changes},
    )
    # Scores only: the counted values do not depend on the settings. A job, like every recount: at 100k dwellings
    # scoring 6,000 measurements again is too long for a request, and several saves in a row give one job.
    _recount(corporation, [], "settings", actor, rescore=True)


# --- vitality ---------------------------------------------------------------------------------------------------


def measurement_dates(reference_date: date, years: int = HISTORY_YEARS) -> list[date]:
    """The reference date and the same day in each of the `years` years before it, oldest first."""
    dates = [reference_date]
    for _year in range(years):
        dates.append(year_before(dates[-1]))
    return dates[::-1]



def _profiles(corporation_id: int, dates: list[date]) -> dict:
    """The complex profiles in force on each date (steering's `mix.profiles_for`)."""
    from buurtbalans.steering import mix

    categories = mix.categories_for(corporation_id)
    return {day: mix.profiles_for(corporation_id, categories, on=day) for day in dates}


def _complex_rules(rules: tuple[IndicatorRule, ...], profiles, complex_id: int) -> tuple[tuple, dict]:
    """The rules for one complex: the profile's limits as the composition warning levels (`profile_norms`)."""
    from buurtbalans.liveability.profile_norms import complex_rules

    return complex_rules(rules, profiles, complex_id)


def _assessment_row(rules, policy, values, history, previous_score, sources=None):
    result = assess(rules, values, history, previous_score=previous_score, policy=policy)
    norms = {rule.key: rule for rule in rules}
    parts = {
        p.key: {"sub_score": p.sub_score, "weight_share": p.weight_share, "norm": norms[p.key].norm,
                "warning": norms[p.key].warning, **({"profile": sources[p.key]} if sources and p.key in sources
                                                     else {})}
        for p in result.composite.parts
    }
    trends = {
        key: {"change": t.change, "first_year": t.first_year, "last_year": t.last_year,
              "direction": None if t.direction is None else str(t.direction)}
        for key, t in result.trends.items()
    }
    warnings = [
        {"kind": str(w.kind), "key": w.key, "value": w.value, "threshold": w.threshold, "keys": list(w.keys)}
        for w in result.warnings
    ]
    return result.composite.score, parts, trends, warnings


def vitality_refresh(*, corporation: HousingCorporation, reference_date: date,
                     on_progress: ProgressCallback | None = None) -> dict:
    """Count and score every complex's indicators, and replace the corporation's stored vitality at once.

    The indicators are counted on the reference date and on the same day of the 4 years before (the trends and the
    score drop need the earlier years); complexes and areas are replaced in one transaction, so that the monitor
    never shows a half-counted corporation.

    Returns:
        {"complexes", "measurements", "warnings", "seconds"}.
    """
    started = time.monotonic()
    # Before the first count: a write committed after this moment may be missed, one before it is counted
    # (`services_recount` compares it with when a recount was asked for).
    now = timezone.now()
    dates = measurement_dates(reference_date)
    steps = len(dates) + 2
    measured = vitality_measure(corporation, dates, on_progress=on_progress, steps=steps)
    complexes = complex_places(corporation)
    rows = vitality_rows(corporation, reference_date, measured, complexes, computed=now)
    if on_progress:
        on_progress(len(dates) + 1, steps)
    areas = _area_rows(corporation, rows, {pk: (buurt, gm) for pk, buurt, gm in complexes})
    with transaction.atomic():
        ComplexVitality.objects.filter(corporation=corporation).delete()
        AreaVitality.objects.filter(corporation=corporation).delete()
        ComplexVitality.objects.bulk_create(rows, batch_size=1000)
        AreaVitality.objects.bulk_create(areas, batch_size=1000)
    _analyze()
    if on_progress:
        on_progress(steps, steps)
    latest = [r for r in rows if r.is_latest]
    return {
        "complexes": len(latest),
        "measurements": len(rows),
        "warnings": sum(1 for r in latest if r.warning_count),
        "seconds": round(time.monotonic() - started, 2),
    }


def vitality_measure(corporation: HousingCorporation, dates: list[date], *,
                     on_progress: ProgressCallback | None = None, steps: int = 0) -> dict:
    """Every complex's own indicator values on each date (one grouped count per measure and date)."""
    measured = {}
    for index, day in enumerate(dates, start=1):
        measured[day] = measure_complexes(corporation.pk, day)
        if on_progress:
            on_progress(index, steps or len(dates))
    return measured


def complex_places(corporation: HousingCorporation, complex_ids=None) -> list[tuple[int, str | None, str | None]]:
    """(pk, buurt code, municipality code) of the corporation's complexes (of `complex_ids` only, when given)."""
    complexes = Complex.objects.filter(corporation=corporation)
    if complex_ids is not None:
        complexes = complexes.filter(pk__in=list(complex_ids))
    return list(complexes.order_by("pk").values_list(
        "pk", "neighbourhood__cbs_code", "neighbourhood__municipality__cbs_code"))


def vitality_rows(corporation: HousingCorporation, reference_date: date, measured: dict, complexes: list,
                  *, computed) -> list[ComplexVitality]:
    """The unsaved `ComplexVitality` rows of `complexes` (as `complex_places` gives them) for every measured date."""
    dates = sorted(measured)
    public = public_series({code for _pk, code, _gm in complexes if code})
    rules, policy = monitor_rules(corporation.pk)
    profiles = _profiles(corporation.pk, dates)
    rows: list[ComplexVitality] = []
    for pk, buurt, _municipality in complexes:
        lbm = public.get(buurt, {}) if buurt else {}
        history: dict[str, list] = defaultdict(list)
        previous_score = None
        for day in dates:
            measure = measured[day][pk]
            values = dict(measure.values)
            for key in LEEFBAAROMETER_KEYS:
                values[key] = latest_up_to(lbm.get(key, []), day.year)
            for key in INDICATOR_KEYS:
                if key not in LEEFBAAROMETER_KEYS and values.get(key) is not None:
                    history[key].append([day.year, values[key]])
            for key in LEEFBAAROMETER_KEYS:
                history[key] = [[year, value] for year, value in lbm.get(key, []) if year <= day.year]
            frozen_history = {key: [list(p) for p in points] for key, points in history.items()}
            complex_rules, sources = _complex_rules(rules, profiles[day], pk)
            score, parts, trends, warnings = _assessment_row(complex_rules, policy, values, frozen_history,
                                                             previous_score, sources)
            is_latest = day == reference_date
            # Earlier measurements keep only what the trend charts and the drop rule read (values, score,
            # warnings): the latest row's history holds every year, and writing the rest 6,000 times at 100k
            # dwellings cost seconds of JSON encoding.
            rows.append(ComplexVitality(
                corporation=corporation, complex_id=pk, reference_date=day, is_latest=is_latest,
                dwelling_count=measure.dwelling_count, household_count=measure.household_count, values=values,
                score=score, parts=parts if is_latest else {}, trends=trends if is_latest else {},
                warnings=warnings, warning_count=len(warnings), history=frozen_history if is_latest else {},
                computed=computed,
            ))
            previous_score = score
    return rows


def _analyze() -> None:
    """Fresh planner statistics after replacing the tables' rows.

    Without them PostgreSQL planned the map's query on the stale (empty) statistics of a first load as nested
    loops over bitmap scans: 1.8 s instead of 20 ms at 100k dwellings. Autovacuum would catch up, minutes later.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {ComplexVitality._meta.db_table}, {AreaVitality._meta.db_table}")


def _area_rows(corporation, rows: list[ComplexVitality], places: dict[int, tuple[str | None, str | None]]
               ) -> list[AreaVitality]:
    """Dwelling-weighted means per area (corporation, municipality, buurt) and date."""
    groups: dict[tuple[str, date], list[ComplexVitality]] = defaultdict(list)
    for row in rows:
        buurt, municipality = places.get(row.complex_id, (None, None))
        for code in ("", municipality, buurt):
            if code is not None:
                groups[(code, row.reference_date)].append(row)
    latest_date = max((r.reference_date for r in rows), default=None)
    areas = []
    for (code, day), members in groups.items():
        values = {}
        for key in INDICATOR_KEYS:
            known = [(m.values.get(key), m.dwelling_count or 1) for m in members if m.values.get(key) is not None]
            weight = sum(w for _v, w in known)
            values[key] = sum(v * w for v, w in known) / weight if weight else None
        scored = [(m.score, m.dwelling_count or 1) for m in members if m.score is not None]
        weight = sum(w for _s, w in scored)
        areas.append(AreaVitality(
            corporation=corporation, area_code=code, reference_date=day, is_latest=day == latest_date,
            complex_count=len(members), dwelling_count=sum(m.dwelling_count for m in members), values=values,
            score=sum(s * w for s, w in scored) / weight if weight else None,
            warning_count=sum(1 for m in members if m.warning_count),
        ))
    return areas


@transaction.atomic
def vitality_rescore(*, corporation: HousingCorporation) -> int:
    """Score the stored values again with the current settings (no recount): after weights or norms change."""
    rules, policy = monitor_rules(corporation.pk)
    rows = list(ComplexVitality.objects.filter(corporation=corporation).order_by("complex_id", "reference_date"))
    profiles = _profiles(corporation.pk, sorted({row.reference_date for row in rows}))
    full_history = {row.complex_id: row.history for row in rows if row.is_latest}
    previous: dict[int, float | None] = {}
    for row in rows:
        # History up to this row's year only, as when it was first computed (the latest row holds every year).
        history = {key: [p for p in points if p[0] <= row.reference_date.year]
                   for key, points in full_history.get(row.complex_id, {}).items()}
        complex_rules, sources = _complex_rules(rules, profiles[row.reference_date], row.complex_id)
        score, parts, trends, warnings = _assessment_row(complex_rules, policy, row.values, history,
                                                         previous.get(row.complex_id), sources)
        row.score, row.warnings, row.warning_count = score, warnings, len(warnings)
        row.parts, row.trends = (parts, trends) if row.is_latest else ({}, {})
        previous[row.complex_id] = score
    ComplexVitality.objects.bulk_update(rows, ["score", "parts", "trends", "warnings", "warning_count"],
                                        batch_size=1000)
    if rows:
        places = {
            pk: (buurt, gm) for pk, buurt, gm in Complex.objects.filter(corporation=corporation).values_list(
                "pk", "neighbourhood__cbs_code", "neighbourhood__municipality__cbs_code")
        }
        AreaVitality.objects.filter(corporation=corporation).delete()
        AreaVitality.objects.bulk_create(_area_rows(corporation, rows, places), batch_size=1000)
    return sum(1 for r in rows if r.is_latest)


# --- queued jobs ------------------------------------------------------------------------------------------------


def vitality_refresh_enqueue(*, actor, reference_date: date) -> Job:
    """Queue a recount of the vitality of every complex of the actor's corporation (`jobs.VitalityRefreshJob`).

    Counting five years of every complex takes minutes for a large stock: too long for a request.

    Args:
        actor: a user with VIEW_MONITOR; the job counts their corporation.
        reference_date: the day counted (with the same day in the 4 years before).

    Returns:
        The queued job.
    """
    from buurtbalans.liveability.services_recount import vitality_recount_queue

    membership = require(actor, Action.VIEW_MONITOR)
    # One waiting recount per corporation: a recount already waiting now counts every complex.
    return vitality_recount_queue(corporation=membership.corporation, complex_ids=None, reason="manual", user=actor,
                                  reference_date=reference_date)


def social_records_check_enqueue(*, actor, file, suffix: str) -> Job:
    """Store an uploaded file of records privately and queue its check (a dry run, `jobs.SocialRecordsImportJob`).

    Nothing is written until the user has seen the check and confirms (`social_records_import_enqueue`); the
    stored upload (core.uploads) is removed after the import, or when nobody confirms the check.

    Args:
        actor: a user with MANAGE_SOCIAL_RECORDS; the records go to their corporation.
        file: the form's uploaded file.
        suffix: the file type the readers go by (".xlsx", ".csv", ".zip"), checked by the form.

    Returns:
        The queued check.
    """
    membership = require(actor, Action.MANAGE_SOCIAL_RECORDS)
    return upload_check_enqueue(file, kind=Upload.Kind.SOCIAL_RECORDS, job_kind=RECORDS_IMPORT_KIND,
                                corporation=membership.corporation, user=actor, suffix=suffix)


def social_records_import_enqueue(*, actor, check_job: Job) -> tuple[Job, bool]:
    """Queue the real import of a checked file, once, however often "Import now" is sent at the same moment.

    The caller has shown `check_job` to the actor and checked that it is a dry run without errors.

    Args:
        actor: a user with MANAGE_SOCIAL_RECORDS at the check's corporation.
        check_job: the dry run of the file.

    Returns:
        (the real import job, whether this call queued it): a second confirmation gets the first one's import.

    Raises:
        UploadGone: the file is no longer kept (and no import of it was queued).
    """
    membership = require(actor, Action.MANAGE_SOCIAL_RECORDS)
    if check_job.kind != RECORDS_IMPORT_KIND or check_job.corporation_id != membership.corporation_id:
        raise PermissionDenied
    return upload_import_enqueue(check_job=check_job, user=actor)


def liveability_report_enqueue(*, actor, municipality_code: str, year: int) -> Job:
    """Queue the PDF report of a municipality and year (`jobs.LiveabilityReportJob`).

    The report follows the small-cell rule of who asks (`core.figures`), and so does who may download it.

    Args:
        actor: a user with VIEW_MONITOR; the report covers their corporation's stock.
        municipality_code: the municipality's CBS code (GM....).
        year: the year reported on.

    Returns:
        The queued job; its page offers the download.
    """
    membership = require(actor, Action.VIEW_MONITOR)
    return job_enqueue(kind=REPORT_KIND, corporation=membership.corporation, user=actor,
                       params={"municipality": municipality_code, "year": year, "small_cells": is_protected(actor)})
