"""Across sheets and against the database: duplicate keys, references, marker kinds, erased households, the diff.

Everything here reads; nothing writes. The result says, per sheet, which rows are new, which change an
existing row (matched by external id within the corporation) and which are unchanged.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass, field
from operator import itemgetter

from django.db import connection
from django.db.models import Q
from django.utils.translation import gettext as _

from buurtbalans.core.models import AuditEvent
from buurtbalans.households.models import Applicant, Household, Tenancy, VulnerabilityKind, VulnerabilityMarker
from buurtbalans.neighbourhoods.models import Neighbourhood
from buurtbalans.portfolio.importing.columns import (
    REF_COMPLEX,
    REF_DWELLING,
    REF_HOUSEHOLD,
    REF_KIND,
    REF_NEIGHBOURHOOD,
    Sheet,
)
from buurtbalans.portfolio.importing.parse import ParsedSheet
from buurtbalans.portfolio.importing.report import ImportReport, empty_counts
from buurtbalans.portfolio.importing.values import normalize_word
from buurtbalans.portfolio.models import Complex, Dwelling

MODELS = {
    "complexes": Complex,
    "dwellings": Dwelling,
    "households": Household,
    "tenancies": Tenancy,
    "markers": VulnerabilityMarker,
    "applicants": Applicant,
}

# How a referring column reads the referred row's key through the ORM.
_REF_PATHS = {
    REF_COMPLEX: "complex__external_id",
    REF_NEIGHBOURHOOD: "neighbourhood__cbs_code",
    REF_DWELLING: "dwelling__external_id",
    REF_HOUSEHOLD: "household__external_id",
    REF_KIND: "kind_id",
}


@dataclass
class SheetPlan:
    parsed: ParsedSheet
    existing: dict  # key -> the stored row as the sheet would write it, with the database id appended
    new: list[tuple] = field(default_factory=list)
    updated: list[tuple] = field(default_factory=list)
    unchanged: int = 0

    @property
    def sheet(self) -> Sheet:
        return self.parsed.sheet

    @property
    def to_write(self) -> list[tuple]:
        return self.new + self.updated

    @property
    def update_fields(self) -> list[str]:
        """The columns a re-import overwrites: those in the file, except the key."""
        return [name for name in self.parsed.present if name not in self.sheet.key]

    def counts(self) -> dict[str, int]:
        return {"new": len(self.new), "updated": len(self.updated), "unchanged": self.unchanged}


@dataclass
class Plan:
    sheets: dict[str, SheetPlan]
    # Database ids of the rows that exist before the import, by key.
    ids: dict[str, dict[str, int]]
    neighbourhood_ids: dict[str, int]


def key_getter(sheet: Sheet):
    return itemgetter(*[sheet.index(name) for name in sheet.key])


def _existing(sheet: Sheet, corporation) -> dict:
    """Existing rows of the corporation as the sheet would write them, keyed like the file."""
    paths = [_REF_PATHS[c.ref] if c.ref else c.name for c in sheet.columns]
    queryset = MODELS[sheet.name].objects.filter(corporation=corporation).order_by().values_list(*paths, "id")
    key = key_getter(sheet)
    # The id rides along as the last element; comparisons use the column positions before it.
    return {key(row): row for row in _fetch(queryset, json_positions=[
        i for i, c in enumerate(sheet.columns) if c.name == "vera_unit"])}


def _fetch(queryset, json_positions: list[int]) -> list[tuple]:
    """The queryset's rows; on PostgreSQL in one fetch rather than Django's 100 at a time (3x faster at 100k).

    psycopg already returns Decimal, date and bool; only JSON arrives as text (Django parses it itself).
    """
    if connection.vendor != "postgresql":
        return list(queryset)
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    if json_positions:
        for index, row in enumerate(rows):
            if any(row[p] is not None for p in json_positions):
                row = list(row)
                for p in json_positions:
                    if row[p] is not None:
                        row[p] = json.loads(row[p])
                rows[index] = tuple(row)
    return rows


def _ids(model, corporation) -> dict[str, int]:
    return dict(_fetch(model.objects.filter(corporation=corporation).order_by().values_list("external_id", "id"), []))


def kind_lookup(corporation) -> dict[str, int]:
    """Marker kind code or label (normalised) -> id; the corporation's own kinds win over the defaults."""
    lookup: dict[str, int] = {}
    kinds = VulnerabilityKind.objects.filter(Q(corporation=corporation) | Q(corporation__isnull=True))
    # Defaults first, so a corporation's kind with the same code or label replaces them.
    for kind in sorted(kinds, key=lambda k: k.corporation_id is not None):
        lookup[normalize_word(kind.label)] = kind.pk
    for kind in sorted(kinds, key=lambda k: k.corporation_id is not None):
        lookup[normalize_word(kind.code)] = kind.pk
    return lookup


def erased_household_codes(corporation) -> set[str]:
    """The codes of the corporation's households erased on request (AVG art. 17).

    `privacy.erasure` replaces an erased household's code by a random one and records HOUSEHOLD_ERASED with the old
    code as whose data; the audit log is never rewritten, so this is where the old codes stay known. One query,
    whatever the size of the file (erasures are few; a register has 100k households).
    """
    events = AuditEvent.objects.filter(corporation=corporation, event_type=AuditEvent.Type.HOUSEHOLD_ERASED)
    return {str(code) for ids in events.order_by().values_list("subject_ids", flat=True) for code in ids or ()}


def erased_message() -> str:
    return _("this household was erased on request (AVG art. 17). Erase it in your own system too, or contact the "
             "privacy officer.")


def _report_erased(parsed: ParsedSheet, column: str, erased: set[str], report: ImportReport) -> None:
    """An erased household may not come back: a row with its code is an error (the whole file is refused)."""
    index = parsed.sheet.index(column)
    message = erased_message()
    for position, row in enumerate(parsed.rows):
        if row[index] is not None and row[index] in erased:
            parsed.error(report, position, column, message)


def plan_import(parsed_sheets: list[ParsedSheet], corporation, report: ImportReport) -> Plan:
    """Check what only the whole input and the database can tell, and sort rows into new/updated/unchanged."""
    by_name = {p.sheet.name: p for p in parsed_sheets}
    ids: dict[str, dict[str, int]] = {}
    plans: dict[str, SheetPlan] = {}

    switched_off: dict[int, str] = {}
    if "markers" in by_name:
        switched_off = _resolve_kinds(by_name["markers"], corporation, report)

    for parsed in parsed_sheets:
        _report_duplicates(parsed, report)

    # Households erased on request, by their old code: in the households sheet and wherever a row names one.
    naming = [(p, "external_id") for p in parsed_sheets if p.sheet.name == REF_HOUSEHOLD]
    naming += [(p, c.name) for p in parsed_sheets for c in p.sheet.columns
               if c.ref == REF_HOUSEHOLD and c.name in p.present]
    erased = erased_household_codes(corporation) if naming else set()
    if erased:
        for parsed, column in naming:
            _report_erased(parsed, column, erased, report)

    # Keys each sheet can refer to: the file's rows plus the corporation's rows already stored.
    needed = {c.ref for p in parsed_sheets for c in p.sheet.columns if c.ref and c.name in p.present}
    for parsed in parsed_sheets:
        if not parsed.is_complete:
            continue
        existing = _existing(parsed.sheet, corporation)
        plans[parsed.sheet.name] = SheetPlan(parsed, existing)
        if parsed.sheet.key == ("external_id",):
            ids[parsed.sheet.name] = {key: row[-1] for key, row in existing.items()}
    for name in (REF_COMPLEX, REF_DWELLING, REF_HOUSEHOLD):
        if name in needed and name not in ids:
            ids[name] = _ids(MODELS[name], corporation)

    neighbourhood_ids: dict[str, int] = {}
    for parsed in parsed_sheets:
        for column in parsed.sheet.columns:
            if not column.ref or column.name not in parsed.present or column.ref == REF_KIND:
                continue
            index = parsed.sheet.index(column.name)
            if column.ref == REF_NEIGHBOURHOOD:
                codes = {row[index] for row in parsed.rows if row[index] is not None}
                neighbourhood_ids = dict(
                    Neighbourhood.objects.filter(cbs_code__in=codes).values_list("cbs_code", "id")
                )
                known = neighbourhood_ids.keys()
                message = _('"%(value)s" is not a buurt known to Buurtbalans (import the open data first)')
            else:
                in_file = by_name.get(column.ref)
                file_keys = set()
                if in_file is not None:
                    file_keys = {row[0] for row in in_file.rows}  # external_id is the first column
                known = file_keys | ids.get(column.ref, {}).keys()
                message = {
                    REF_COMPLEX: _('"%(value)s" is not a complex in this file or in Buurtbalans'),
                    REF_DWELLING: _('"%(value)s" is not a dwelling in this file or in Buurtbalans'),
                    REF_HOUSEHOLD: _('"%(value)s" is not a household in this file or in Buurtbalans'),
                }[column.ref]
            for position, row in enumerate(parsed.rows):
                value = row[index]
                if value is not None and value not in known and value not in erased:  # erased: reported above
                    parsed.error(report, position, column.name, message % {"value": value})

    if switched_off:
        _report_switched_off_kinds(by_name["markers"], plans.get("markers"), switched_off, report)

    if "tenancies" in plans:
        _report_overlapping_tenancies(plans["tenancies"], report)

    for parsed in parsed_sheets:
        report.rows_read[parsed.sheet.name] = len(parsed.rows)
    if "markers" in by_name:
        # Whose special-category data the file names: the audit of a check records them (IMPORT_PREVIEWED).
        markers = by_name["markers"]
        at = markers.sheet.index("household")
        report.subjects["markers"] = sorted({row[at] for row in markers.rows if row[at] is not None})

    for name, plan in plans.items():
        _diff(plan)
        report.counts[name] = plan.counts()
    for parsed in parsed_sheets:
        report.counts.setdefault(parsed.sheet.name, empty_counts())
    return Plan(plans, ids, neighbourhood_ids)


def _resolve_kinds(parsed: ParsedSheet, corporation, report: ImportReport) -> dict[int, str]:
    """Replace each marker's kind (code or label) by the kind's id; report the unknown ones.

    Returns the rows whose kind is switched off (position -> the kind as written): they are checked against the
    stored markers once those are known (`_report_switched_off_kinds`).
    """
    if "kind" not in parsed.present:
        return {}
    lookup = kind_lookup(corporation)
    index = parsed.sheet.index("kind")
    kinds = VulnerabilityKind.objects.filter(Q(corporation=corporation) | Q(corporation__isnull=True))
    is_off = {pk for pk, is_active in kinds.values_list("pk", "is_active") if not is_active}
    known = ", ".join(sorted(kinds.filter(is_active=True).values_list("code", flat=True)))
    switched_off: dict[int, str] = {}
    for position, row in enumerate(parsed.rows):
        text = row[index]
        if text is None:
            continue
        kind_id = lookup.get(normalize_word(text))
        if kind_id is None:
            parsed.error(
                report, position, "kind",
                _('"%(value)s" is not a known kind of marker (known: %(known)s)') % {"value": text, "known": known},
            )
        elif kind_id in is_off:
            switched_off[position] = text
        row = list(row)
        row[index] = kind_id
        parsed.rows[position] = tuple(row)
    return switched_off


def _report_switched_off_kinds(parsed: ParsedSheet, plan: SheetPlan | None, rows: dict[int, str],
                               report: ImportReport) -> None:
    """A kind the corporation switched off keeps its markers but takes no new ones (`households.services`).

    A row that is a stored marker (same household, kind and start) may stay, so the export of a portfolio can be
    imported again; a row that would add a marker of the kind is an error naming the file, row and column.
    """
    existing = plan.existing if plan is not None else {}
    key = key_getter(parsed.sheet)
    message = _('"%(value)s" is a kind of marker that is switched off: it takes no new markers. Choose another kind, '
                "or ask your administrator to switch it on again (Kinds of markers).")
    for position, text in rows.items():
        if key(parsed.rows[position]) not in existing:
            parsed.error(report, position, "kind", message % {"value": text})


def _report_duplicates(parsed: ParsedSheet, report: ImportReport) -> None:
    key = key_getter(parsed.sheet)
    first_seen: dict = {}
    column = parsed.sheet.key[0] if len(parsed.sheet.key) == 1 else parsed.sheet.key[-1]
    for position, row in enumerate(parsed.rows):
        value = key(row)
        if value is None or (isinstance(value, tuple) and None in value):
            continue
        first = first_seen.setdefault(value, position)
        if first != position:
            shown = value if not isinstance(value, tuple) else ", ".join(str(v) for v in value)
            if len(parsed.sheet.key) == 1:
                message = _('"%(value)s" appears more than once (first on row %(row)d)')
            else:
                message = _("this marker (household, kind, valid from) appears more than once (first on row %(row)d)")
            parsed.error(report, position, column, message % {"value": shown, "row": parsed.row_numbers[first]})


def _diff(plan: SheetPlan) -> None:
    parsed = plan.parsed
    key = key_getter(parsed.sheet)
    compared = [parsed.sheet.index(name) for name in plan.update_fields]
    values = itemgetter(*compared) if compared else (lambda row: ())
    existing = plan.existing
    bad = parsed.bad_rows
    for position, row in enumerate(parsed.rows):
        if position in bad:
            continue
        found = existing.get(key(row))
        if found is None:
            plan.new.append(row)
        elif values(row) != values(found):
            plan.updated.append(row)
        else:
            plan.unchanged += 1


def _report_overlapping_tenancies(plan: SheetPlan, report: ImportReport) -> None:
    """A dwelling has one tenancy at a time: no two periods of one dwelling may overlap, and at most one is open.

    The periods are the file's rows plus the stored tenancies the file does not replace (by contract code). Dates
    count inclusive, as elsewhere: a tenancy that ends on 31-12 still lets the dwelling on that day. A conflict is
    reported on the file's row (the later one when both are in the file); stored tenancies that conflict among
    themselves are not this file's problem.
    """
    parsed = plan.parsed
    sheet = parsed.sheet
    key_at, dwelling_at = sheet.index("external_id"), sheet.index("dwelling")
    start_at, end_at = sheet.index("start_date"), sheet.index("end_date")
    has_end = "end_date" in parsed.present
    existing = plan.existing
    periods: dict[str, list[tuple]] = defaultdict(list)  # dwelling -> [(start, end, code, position or None)]
    in_file: set[str] = set()
    for position, row in enumerate(parsed.rows):
        code = row[key_at]
        in_file.add(code)
        if position in parsed.bad_rows or row[dwelling_at] is None or row[start_at] is None:
            continue
        if has_end:
            end = row[end_at]
        else:  # an update without the column keeps the stored end date; a new row has none
            stored = existing.get(code)
            end = stored[end_at] if stored is not None else None
        periods[row[dwelling_at]].append((row[start_at], end, code, position))
    for code, row in existing.items():
        if code not in in_file:
            periods[row[dwelling_at]].append((row[start_at], row[end_at], code, None))

    reported: set[int] = set()
    for dwelling, items in periods.items():
        if len(items) < 2:
            continue
        # By start; on the same day the file's rows after the stored ones, so the file's row is the one named.
        items.sort(key=lambda p: (p[0], p[3] is not None, p[3] or 0))
        longest = items[0]  # of the periods so far, the one that ends last (None: still running)
        for current in items[1:]:
            if longest[1] is None or longest[1] >= current[0]:
                this, other = (current, longest) if current[3] is not None else (longest, current)
                position = this[3]
                if position is not None and position not in reported:
                    reported.add(position)
                    _overlap_error(parsed, report, position, dwelling, this, other)
            if longest[1] is not None and (current[1] is None or current[1] > longest[1]):
                longest = current


def _overlap_error(parsed, report: ImportReport, position: int, dwelling: str, this: tuple, other: tuple) -> None:
    start = other[0].isoformat()
    if other[1] is None:
        period = _("from %(start)s, no end date") % {"start": start}
    else:
        period = _("%(start)s to %(end)s") % {"start": start, "end": other[1].isoformat()}
    values = {"other": other[2], "dwelling": dwelling, "period": period}
    if other[3] is not None:
        values["row"] = parsed.row_numbers[other[3]]
    both_open = this[1] is None and other[1] is None
    if both_open and other[3] is not None:
        message = _('is empty, and tenancy "%(other)s" on row %(row)d of dwelling "%(dwelling)s" has no end date '
                    "either: a dwelling has one current tenancy at a time")
    elif both_open:
        message = _('is empty, and tenancy "%(other)s" of dwelling "%(dwelling)s" in Buurtbalans has no end date '
                    "either: a dwelling has one current tenancy at a time")
    elif other[3] is not None:
        message = _('overlaps tenancy "%(other)s" on row %(row)d of dwelling "%(dwelling)s" (%(period)s): '
                    "a dwelling has one tenancy at a time")
    else:
        message = _('overlaps tenancy "%(other)s" of dwelling "%(dwelling)s" in Buurtbalans (%(period)s): '
                    "a dwelling has one tenancy at a time")
    # The column to change: the end of the earlier tenancy, or the start of the later one.
    column = "end_date" if both_open or this[0] < other[0] else "start_date"
    parsed.error(report, position, column, message % values)
