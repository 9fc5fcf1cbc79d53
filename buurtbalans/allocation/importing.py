"""Importing bids (reacties) from the regional platform: one CSV or Excel sheet, one row per bid.

Checked like the portfolio import and with its parts (`portfolio.importing`: the column aliases, the cell
parsers, the chunked sheet parser and the error report): every problem is reported with file, row and column,
and when there is one, nothing is written.

Columns (a header matches our name or an alias, case, spaces and punctuation ignored):

| column | aliases | value |
|---|---|---|
| listing | publicatie, publicatienummer, advertentie, listing_code | a listing code of ours (`D-1001/1`) |
| applicant | inschrijfnummer, registratienummer, woningzoekende, registration_number | a registration number |
| preference | voorkeur, volgorde, keuze, rangorde | 1 = most wanted; distinct per applicant within a round |
| submitted_at | reactiedatum, tijdstip reactie, reactietijdstip, datum reactie, submitted | date and time of the bid |

A bid already recorded with the same values is unchanged; with another preference or time it is updated.
"""

from __future__ import annotations

import re
import time
from collections import defaultdict
from datetime import date, datetime, timedelta
from datetime import time as day_time
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buurtbalans.allocation.models import ApplicantProfile, ApplicantStatus, Bid, BidSource, Listing
from buurtbalans.allocation.services import bid_check_listing
from buurtbalans.core.audit import audit_record
from buurtbalans.core.models import AuditEvent
from buurtbalans.core.safeinput import InputError
from buurtbalans.households.models import Applicant
from buurtbalans.portfolio.importing import values as v
from buurtbalans.portfolio.importing.columns import Column, Sheet
from buurtbalans.portfolio.importing.parse import parse_sheet
from buurtbalans.portfolio.importing.readers import RawSheet, single_sheet
from buurtbalans.portfolio.importing.report import ImportError, ImportReport

_DUTCH_DATETIME = re.compile(r"([0-9]{1,2})[-/.]([0-9]{1,2})[-/.]([0-9]{4})[ T]([0-9]{1,2}):([0-9]{2})(?::([0-9]{2}))?")
_NOT_A_MOMENT = gettext_lazy("is not a date and time (expected yyyy-mm-dd hh:mm or dd-mm-yyyy hh:mm)")


def parse_moment(value: object) -> datetime:
    """A bid time: ISO 8601 (with or without offset), `31-05-2025 09:15`, an Excel date/time cell, or a date
    alone (midnight). Times without an offset are Dutch local time."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, day_time.min)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        # An Excel day number with a fraction for the time of day.
        day = v.parse_date(int(value))
        seconds = round((float(value) - int(value)) * 86400)
        moment = datetime.combine(day, day_time.min) + timedelta(seconds=seconds)
    else:
        text = str(value).strip()
        match = _DUTCH_DATETIME.fullmatch(text)
        try:
            if match:
                moment = datetime(int(match[3]), int(match[2]), int(match[1]), int(match[4]), int(match[5]),
                                  int(match[6] or 0))
            elif len(text) == 10:
                moment = datetime.combine(v.parse_date(text), day_time.min)
            else:
                moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise v.bad(value, _NOT_A_MOMENT) from None
    if not v.MIN_YEAR <= moment.year <= v.MAX_YEAR:
        raise v.bad(value, _("is not a plausible date"))
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


BIDS_SHEET = Sheet(
    name="bids",
    aliases=("reacties", "reactions", "bids"),
    key=("listing", "applicant"),
    columns=(
        Column("listing", v.text_parser(max_length=80), required=True, blank=False,
               aliases=("publicatie", "publicatienummer", "advertentie", "listing_code", "listingcode"),
               expected="D-1001/1"),
        Column("applicant", v.text_parser(max_length=60), required=True, blank=False,
               aliases=("inschrijfnummer", "registratienummer", "woningzoekende", "registration_number",
                        "applicant_code"),
               expected="W-001234"),
        Column("preference", v.int_parser(minimum=1, maximum=1_000_000), required=True, blank=False,
               aliases=("voorkeur", "volgorde", "keuze", "rangorde"), expected="1"),
        Column("submitted_at", parse_moment, required=True, blank=False,
               aliases=("reactiedatum", "tijdstip reactie", "reactietijdstip", "datum reactie", "submitted"),
               expected="2025-05-26 09:15"),
    ),
)


def _open_sheet(path: Path, name: str, report: ImportReport) -> RawSheet | None:
    """The sheet of the file (`readers.single_sheet`); None, with the error in the report, when it cannot be read."""
    try:
        return single_sheet(BIDS_SHEET, path, name)
    except InputError as exc:
        report.add_error(ImportError(exc.file, exc.row, exc.field, exc.message, "bids"))
        return None


def bids_import(*, path: Path | str, corporation, actor, file_name: str | None = None,
                dry_run: bool = False) -> ImportReport:
    """Check a bids file and, when it has no problem and this is not a dry run, record its bids.

    Returns:
        The report: every problem (file, row, column, message), the counts of new, updated and unchanged bids,
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
    report.timings["read"] = time.perf_counter() - started
    if not parsed.is_complete:
        return report
    at = {column.name: i for i, column in enumerate(BIDS_SHEET.columns)}
    rows = [(position, row) for position, row in enumerate(parsed.rows) if position not in parsed.bad_rows]

    listings = {
        listing.reference: listing
        for listing in Listing.objects.filter(corporation=corporation,
                                              reference__in={row[at["listing"]] for _p, row in rows})
        .select_related("allocation_round")
    }
    applicants = {
        applicant.external_id: applicant
        for applicant in Applicant.objects.filter(corporation=corporation,
                                                  external_id__in={row[at["applicant"]] for _p, row in rows})
        .select_related("household")
    }
    housed = set(ApplicantProfile.objects.filter(applicant__in=applicants.values(), status=ApplicantStatus.HOUSED)
                 .values_list("applicant_id", flat=True))
    refused = {}
    for reference, listing in listings.items():
        problem = bid_check_listing(listing)
        if problem:
            refused[reference] = problem

    seen: dict[tuple[int, int], int] = {}
    wanted: list[tuple[int, Listing, Applicant, int, datetime]] = []
    for position, row in rows:
        reference, code = row[at["listing"]], row[at["applicant"]]
        listing, applicant = listings.get(reference), applicants.get(code)
        bad = False
        if listing is None:
            parsed.error(report, position, "listing", _('unknown listing "%(ref)s"') % {"ref": reference})
            bad = True
        elif reference in refused:
            parsed.error(report, position, "listing", _("takes no bids: %(why)s") % {"why": refused[reference]})
            bad = True
        if applicant is None:
            parsed.error(report, position, "applicant", _('unknown applicant "%(code)s"') % {"code": code})
            bad = True
        elif applicant.pk in housed:
            parsed.error(report, position, "applicant", _("applicant %(code)s is already housed") % {"code": code})
            bad = True
        if bad:
            continue
        key = (listing.pk, applicant.pk)
        if key in seen:
            parsed.error(report, position, "listing", _("row %(row)d has a bid of this applicant on this listing too")
                         % {"row": parsed.row_numbers[seen[key]]})
            continue
        seen[key] = position
        wanted.append((position, listing, applicant, row[at["preference"]], row[at["submitted_at"]]))

    existing = {
        (bid.listing_id, bid.applicant_id): bid
        for bid in Bid.objects.filter(applicant__in=[a for _p, _l, a, _pr, _t in wanted],
                                      listing__in=[li for _p, li, _a, _pr, _t in wanted])
    }
    _check_preferences(parsed, report, wanted, existing)
    counts = {"new": 0, "updated": 0, "unchanged": 0}
    changes = []
    for _position, listing, applicant, preference, submitted_at in wanted:
        bid = existing.get((listing.pk, applicant.pk))
        if bid is None:
            counts["new"] += 1
            changes.append((listing, applicant, preference, submitted_at, None))
        elif bid.preference == preference and bid.submitted_at == submitted_at:
            counts["unchanged"] += 1
        else:
            counts["updated"] += 1
            changes.append((listing, applicant, preference, submitted_at, bid))
    report.counts["bids"] = counts
    report.timings["check"] = time.perf_counter() - started - report.timings["read"]
    # In the order the user reads the file: by row, then by column from left to right.
    order = {header: i for i, header in enumerate(raw.header)}
    report.errors.sort(key=lambda e: (-1 if e.row is None else e.row, order.get(e.column, -1)))
    if not report.is_valid or dry_run:
        report.timings["total"] = time.perf_counter() - started
        return report
    _write(report, corporation, actor, changes, name)
    report.timings["total"] = time.perf_counter() - started
    return report


def _check_preferences(parsed, report, wanted, existing) -> None:
    """Preferences must be distinct per applicant within a round, counting bids already recorded."""
    round_of = {}
    by_applicant_round: dict[tuple[int, int | None], dict[int, str]] = defaultdict(dict)
    in_file = {(li.pk, a.pk) for _p, li, a, _pr, _t in wanted}
    applicant_ids = {a.pk for _p, _li, a, _pr, _t in wanted}
    for bid in Bid.objects.filter(applicant_id__in=applicant_ids, listing__status__in=["open", "offered"]) \
            .select_related("listing"):
        if (bid.listing_id, bid.applicant_id) in in_file:
            continue  # the file's value replaces it
        by_applicant_round[(bid.applicant_id, bid.listing.allocation_round_id)][bid.preference] = \
            _("listing %(ref)s (recorded before)") % {"ref": bid.listing.reference}
    for position, listing, applicant, preference, _t in wanted:
        round_of[listing.pk] = listing.allocation_round_id
        taken = by_applicant_round[(applicant.pk, listing.allocation_round_id)]
        if preference in taken:
            parsed.error(report, position, "preference",
                         _("applicant %(code)s already gave preference %(preference)d to %(other)s in this round")
                         % {"code": applicant.external_id, "preference": preference, "other": taken[preference]})
            continue
        taken[preference] = _("listing %(ref)s (row %(row)d)") % {"ref": listing.reference,
                                                                 "row": parsed.row_numbers[position]}


@transaction.atomic
def _write(report: ImportReport, corporation, actor, changes, name: str) -> None:
    # Lock the listings and check them again: a round may have started since the file was checked.
    listing_ids = sorted({listing.pk for listing, *_rest in changes})
    locked = {
        listing.pk: listing
        for listing in Listing.objects.select_for_update(of=("self",)).filter(pk__in=listing_ids).select_related(
            "allocation_round")
    }
    problems = [p for p in (bid_check_listing(listing) for listing in locked.values()) if p]
    if problems:
        for problem in problems:
            report.add_error(ImportError(name, None, None, problem, "bids"))
        return
    new = [
        Bid(corporation=corporation, listing=listing, applicant=applicant, preference=preference,
            submitted_at=submitted_at, source=BidSource.PLATFORM)
        for listing, applicant, preference, submitted_at, bid in changes if bid is None
    ]
    updated = []
    for _listing, _applicant, preference, submitted_at, bid in changes:
        if bid is not None:
            bid.preference, bid.submitted_at, bid.source = preference, submitted_at, BidSource.PLATFORM
            updated.append(bid)
    if updated:
        Bid.objects.bulk_update(updated, ["preference", "submitted_at", "source"], batch_size=1000)
    Bid.objects.bulk_create(new, batch_size=1000)
    households = sorted({applicant.household.external_id for _l, applicant, *_rest in changes})
    audit_record(actor=actor, event=AuditEvent.Type.BIDS_WRITTEN, corporation=corporation, subject_type="bid",
                 subject_ids=households, subject_label=f"bids imported from {name}", purpose="allocation",
                 data={"file": name, **report.counts["bids"]})
    report.written = True
