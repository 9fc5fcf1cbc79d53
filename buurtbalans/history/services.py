"""Writing the history of the stock and the households (issue 16 item 1; docs/history.md).

API for imports, commands and the demo:

    history_record(*, corporation, as_of, source, households=True) -> dict
        record the corporation's stock and households as they are now, as on `as_of`: every dwelling whose status
        differs from its open period gets its period closed on `as_of` and a new one opened (a dwelling without a
        period gets its first one); the income band of every tenant household in its income year; the ownership
        of every complex in `as_of`'s year. Runs in the caller's transaction. Returns the counts.
    history_record_import(sender, instance, created, **kwargs)
        the portfolio import (a lower layer) may not call this app: its PORTFOLIO_IMPORTED audit event, saved last
        inside the import's transaction, records the history as on the event's `as_of` (connected in
        HistoryConfig.ready). A failure here rolls the import back with it: nothing is half-written.
    history_import_series(*, sources, corporation, actor=None, dry_run=False) -> SeriesReport
        import a series of dated portfolio files in date order (the date from each name, YYYY-MM-DD), each through
        `portfolio_import` as on its date; a bad file stops the series, with nothing of it written (the files
        before it stay).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from django.db import transaction
from django.db.models import Count, Exists, Max, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from buurtbalans.core import bulk
from buurtbalans.core.models import AuditEvent, HousingCorporation
from buurtbalans.history.models import ComplexOwnership, DwellingStatusPeriod, HistoryImport, HouseholdIncomeBand
from buurtbalans.households.models import Household, Tenancy
from buurtbalans.households.selectors import income_band_case, income_band_limits
from buurtbalans.portfolio.importing.report import ImportReport
from buurtbalans.portfolio.models import Complex, Dwelling, DwellingStatus
from buurtbalans.portfolio.services import portfolio_import

# Lists of primary keys in one `IN (...)` at most this long (SQLite's limit on variables is far above it).
CHUNK = 5000


class HistoryOutOfOrder(ValueError):
    """An import dated before the history it would change: history is written forwards only (docs/history.md)."""


def _chunks(items: list, size: int = CHUNK) -> Iterable[list]:
    for start in range(0, len(items), size):
        yield items[start:start + size]


def _corporation_id(corporation) -> int:
    return corporation if isinstance(corporation, int) else corporation.pk


def dwelling_statuses_record(corporation, as_of: date, source: str) -> dict[str, int]:
    """Close and open status periods so that the open period of every dwelling says its current status.

    Two reads (the dwellings' statuses, the open periods), then set-based writes (new periods in one COPY on
    PostgreSQL, `core.bulk.columns_insert`); no query per dwelling.
    A dwelling whose open period started on `as_of` itself (a second import that day) gets that period's status
    changed in place; when that makes it equal to the period before, which ended on `as_of`, the two become one.

    Raises:
        HistoryOutOfOrder: a dwelling's status changed and its open period starts after `as_of`.
    """
    corporation_id = _corporation_id(corporation)
    current = dict(Dwelling.objects.filter(corporation_id=corporation_id).order_by().values_list("pk", "status"))
    open_rows = {
        dwelling_id: (pk, status, valid_from)
        for pk, dwelling_id, status, valid_from in DwellingStatusPeriod.objects.filter(
            corporation_id=corporation_id, valid_to__isnull=True
        ).order_by().values_list("pk", "dwelling_id", "status", "valid_from")
    }
    to_close: list[int] = []
    to_open: list[tuple[int, str]] = []  # (dwelling, status) opened on as_of
    same_day: dict[int, tuple[int, str]] = {}  # dwelling -> (open period, new status)
    later = []
    for dwelling_id, status in current.items():
        found = open_rows.get(dwelling_id)
        if found is None:
            to_open.append((dwelling_id, status))
            continue
        pk, open_status, valid_from = found
        if open_status == status:
            continue
        if valid_from > as_of:
            later.append((dwelling_id, valid_from))
        elif valid_from == as_of:
            same_day[dwelling_id] = (pk, status)
        else:
            to_close.append(pk)
            to_open.append((dwelling_id, status))
    if later:
        codes = dict(Dwelling.objects.filter(pk__in=[d for d, _f in later[:3]]).values_list("pk", "external_id"))
        raise HistoryOutOfOrder(
            _("the history of %(n)d dwelling(s) (%(codes)s) already runs from %(date)s: an import dated %(as_of)s "
              "cannot change it. Import dated files in date order.")
            % {"n": len(later), "codes": ", ".join(codes[d] for d, _f in later[:3]),
               "date": max(f for _d, f in later).isoformat(), "as_of": as_of.isoformat()}
        )
    for chunk in _chunks(to_close):
        DwellingStatusPeriod.objects.filter(pk__in=chunk).update(valid_to=as_of)
    merged = _same_day_changes(corporation_id, as_of, source, same_day)
    count = len(to_open)
    bulk.columns_insert(
        DwellingStatusPeriod, ["corporation", "dwelling", "status", "valid_from", "valid_to", "source"],
        [bulk.repeat_column(corporation_id, count), [d for d, _s in to_open], [s for _d, s in to_open],
         bulk.repeat_column(as_of, count), bulk.repeat_column(None, count), bulk.repeat_column(source, count)],
    )
    return {"status_periods_closed": len(to_close), "status_periods_opened": len(to_open),
            "status_periods_changed": len(same_day) - merged, "status_periods_merged": merged}


def _same_day_changes(corporation_id: int, as_of: date, source: str, changes: dict[int, tuple[int, str]]) -> int:
    """A second import on one day changes that day's period; one that returns to the status before undoes it."""
    if not changes:
        return 0
    before = {
        dwelling_id: (pk, status)
        for pk, dwelling_id, status in DwellingStatusPeriod.objects.filter(
            corporation_id=corporation_id, dwelling_id__in=list(changes), valid_to=as_of
        ).values_list("pk", "dwelling_id", "status")
    }
    undo = [(pk, before[d][0]) for d, (pk, status) in changes.items() if d in before and before[d][1] == status]
    for chunk in _chunks([pk for pk, _previous in undo]):
        DwellingStatusPeriod.objects.filter(pk__in=chunk).delete()
    for chunk in _chunks([previous for _pk, previous in undo]):
        DwellingStatusPeriod.objects.filter(pk__in=chunk).update(valid_to=None)
    undone = {pk for pk, _previous in undo}
    by_status: dict[str, list[int]] = defaultdict(list)
    for pk, status in changes.values():
        if pk not in undone:
            by_status[status].append(pk)
    for status, pks in by_status.items():
        for chunk in _chunks(pks):
            DwellingStatusPeriod.objects.filter(pk__in=chunk).update(status=status, source=source)
    return len(undo)


def income_bands_record(corporation, as_of: date, source: str) -> dict[str, int]:
    """One band per tenant household for its income year (`Household.income_year`; none known: `as_of`'s year).

    The band is the one the monitor counts (`income_band_case`), under the limits in force on 1 January of that
    year. Only households with a tenancy of the corporation (current or ended) get a band: the history serves the
    complexes' composition, not the waiting list. A band already stored for the year is overwritten when it differs:
    the latest import speaks for the year.
    """
    corporation_id = _corporation_id(corporation)
    tenants = Household.objects.filter(corporation_id=corporation_id).filter(
        Exists(Tenancy.objects.filter(household_id=OuterRef("pk")))
    )
    years = set(tenants.order_by().values_list("income_year", flat=True).distinct())
    wanted: dict[tuple[int, int], str] = {}
    for year in years:
        band_year = year if year is not None else as_of.year
        params = income_band_limits(date(band_year, 1, 1)).parameters
        for pk, band in (
            tenants.filter(income_year=year) if year is not None else tenants.filter(income_year__isnull=True)
        ).annotate(band=income_band_case(params)).order_by().values_list("pk", "band"):
            wanted[(pk, band_year)] = band
    band_years = sorted({year for _pk, year in wanted})
    stored = {
        (household_id, year): (pk, band)
        for pk, household_id, year, band in HouseholdIncomeBand.objects.filter(
            corporation_id=corporation_id, year__in=band_years
        ).order_by().values_list("pk", "household_id", "year", "band")
    }
    new = [(pk, year, band) for (pk, year), band in wanted.items() if (pk, year) not in stored]
    changed: dict[str, list[int]] = defaultdict(list)
    for key, band in wanted.items():
        found = stored.get(key)
        if found is not None and found[1] != band:
            changed[band].append(found[0])
    bulk.columns_insert(
        HouseholdIncomeBand, ["corporation", "household", "year", "band", "source"],
        [bulk.repeat_column(corporation_id, len(new)), *(list(c) for c in bulk.columns_of(new, 3)),
         bulk.repeat_column(source, len(new))],
    )
    for band, pks in changed.items():
        for chunk in _chunks(pks):
            HouseholdIncomeBand.objects.filter(pk__in=chunk).update(band=band, source=source)
    return {"income_bands_new": len(new), "income_bands_changed": sum(len(p) for p in changed.values())}


def ownership_record(corporation, as_of: date, source: str) -> dict[str, int]:
    """Every complex's ownership in `as_of`'s year: its dwellings (demolished ones left out), owned, sold, VvE.

    One grouped count. A year's row is replaced by a later import of the same year that gives other figures, never
    by an earlier one.
    """
    corporation_id = _corporation_id(corporation)
    counts = {
        complex_id: (total, sold)
        for complex_id, total, sold in Dwelling.objects.filter(corporation_id=corporation_id, complex__isnull=False)
        .exclude(status=DwellingStatus.DEMOLISHED)
        .order_by().values_list("complex_id")
        .annotate(total=Count("pk"), sold=Count("pk", filter=Q(status=DwellingStatus.SOLD)))
        .values_list("complex_id", "total", "sold")
    }
    associations = dict(
        Complex.objects.filter(corporation_id=corporation_id).values_list("pk", "has_owners_association")
    )
    stored = {
        row.complex_id: row
        for row in ComplexOwnership.objects.filter(corporation_id=corporation_id, year=as_of.year)
    }
    new, changed = [], []
    for complex_id, has_association in associations.items():
        total, sold = counts.get(complex_id, (0, 0))
        values = {"dwelling_count": total, "owned_count": total - sold, "sold_count": sold,
                  "has_owners_association": has_association}
        row = stored.get(complex_id)
        if row is None:
            new.append(ComplexOwnership(corporation_id=corporation_id, complex_id=complex_id, year=as_of.year,
                                        as_of=as_of, source=source, **values))
        elif row.as_of <= as_of and any(getattr(row, name) != value for name, value in values.items()):
            # Only a row whose figures changed is written: an import that changes nothing of a complex keeps
            # its row (and the date that first said so); rewriting 1,500 equal rows cost 1.7 s per import.
            for name, value in values.items():
                setattr(row, name, value)
            row.as_of, row.source = as_of, source
            changed.append(row)
    ComplexOwnership.objects.bulk_create(new, batch_size=2000)
    ComplexOwnership.objects.bulk_update(
        changed, ["dwelling_count", "owned_count", "sold_count", "has_owners_association", "as_of", "source"],
        batch_size=2000,
    )
    return {"ownership_rows": len(new) + len(changed)}


@transaction.atomic
def history_record(*, corporation, as_of: date, source: str, households: bool = True) -> dict[str, int]:
    """Record the corporation's current statuses, income bands and ownership as on `as_of` (see the module).

    Args:
        corporation: whose stock; nothing of another corporation is read or written.
        as_of: the date the data speaks for (an import's date, or a dated file's).
        source: who said it, kept on the rows (a file name, "demo", a command).
        households: whether to record income bands (an import without a households sheet changed none).

    Returns:
        The counts of rows written, also kept on the `HistoryImport` row.

    Raises:
        HistoryOutOfOrder: a dwelling's status changed while its open period starts after `as_of`.
    """
    source = source[:200]
    counts = dwelling_statuses_record(corporation, as_of, source)
    if households:
        counts.update(income_bands_record(corporation, as_of, source))
    counts.update(ownership_record(corporation, as_of, source))
    HistoryImport.objects.create(corporation_id=_corporation_id(corporation), as_of=as_of, source=source,
                                 counts=counts)
    return counts


def history_record_import(sender, instance: AuditEvent, created: bool, raw: bool = False, **kwargs) -> None:
    """Record the history of a portfolio import as on its date, when its PORTFOLIO_IMPORTED event is saved.

    Connected to AuditEvent's post_save in HistoryConfig.ready. The event is the import's last write, inside its
    transaction, so the history is written with the import or not at all.
    """
    if raw or not created or instance.event_type != AuditEvent.Type.PORTFOLIO_IMPORTED or not instance.corporation_id:
        return
    data = instance.data or {}
    as_of = date.fromisoformat(data["as_of"]) if data.get("as_of") else timezone.localdate(instance.created)
    counts = data.get("counts") or {}
    history_record(corporation=instance.corporation_id, as_of=as_of, source=str(data.get("source") or ""),
                   households="households" in counts)


# --- a series of dated files -------------------------------------------------------------------------------------

DATE_IN_NAME = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
SOURCE_SUFFIXES = (".xlsx", ".zip", ".csv")


def date_in_name(name: str) -> date | None:
    """The last YYYY-MM-DD in a file or folder name (`voorraad-2023-01-01.xlsx` -> 2023-01-01); None without one.

    Raises:
        ValueError: the name holds something shaped like a date that is none (2023-02-30).
    """
    found = DATE_IN_NAME.findall(name)
    if not found:
        return None
    year, month, day = (int(part) for part in found[-1])
    return date(year, month, day)


@dataclass
class SeriesFile:
    """One file of a series: its path, the date in its name, its import report (None: skipped or not reached)."""

    path: Path
    as_of: date
    report: ImportReport | None = None
    skipped: bool = False


@dataclass
class SeriesReport:
    """The outcome of `history_import_series`: per file its date and import report, and the problems found."""

    files: list[SeriesFile] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # about the series itself (names, dates, order)
    stopped_at: SeriesFile | None = None

    @property
    def is_valid(self) -> bool:
        """Every name held a date and every file imported."""
        return not self.problems and self.stopped_at is None


def series_files(paths: Iterable[Path]) -> tuple[list[SeriesFile], list[str]]:
    """The dated files of a series, oldest first, and the problems with their names.

    A path whose name holds a date is one file of the series (a workbook, a .zip, a CSV file or a folder of CSV
    files); a folder without a date in its name holds the series: each entry in it is one file and must hold a date.
    """
    files: list[SeriesFile] = []
    problems: list[str] = []

    def add(path: Path) -> None:
        try:
            day = date_in_name(path.stem if path.is_file() else path.name)
        except ValueError:
            problems.append(_("%(name)s: the date in the name is no date (write it as YYYY-MM-DD)")
                            % {"name": path.name})
            return
        if day is None:
            problems.append(_("%(name)s: no date in the name (write it as YYYY-MM-DD, e.g. voorraad-2023-01-01.xlsx)")
                            % {"name": path.name})
        else:
            files.append(SeriesFile(path, day))

    for path in (Path(p) for p in paths):
        if not path.exists():
            problems.append(_("%(name)s: no such file or folder") % {"name": str(path)})
        elif path.is_dir() and not DATE_IN_NAME.search(path.name):
            for entry in sorted(path.iterdir()):
                if entry.name.startswith(".") or (entry.is_file() and entry.suffix.lower() not in SOURCE_SUFFIXES):
                    continue
                add(entry)
        else:
            add(path)
    files.sort(key=lambda f: (f.as_of, f.path.name))
    for first, second in zip(files, files[1:], strict=False):
        if first.as_of == second.as_of:
            problems.append(_("%(first)s and %(second)s: two files with the same date %(date)s")
                            % {"first": first.path.name, "second": second.path.name,
                               "date": first.as_of.isoformat()})
    return files, problems


def history_last_date(corporation) -> date | None:
    """The date of the latest dated import of the corporation's history, or None before the first one."""
    return HistoryImport.objects.filter(corporation_id=_corporation_id(corporation)).aggregate(d=Max("as_of"))["d"]


def history_import_series(*, sources: Iterable[Path], corporation: HousingCorporation, actor=None,
                          dry_run: bool = False) -> SeriesReport:
    """Import a series of dated portfolio files in date order, each as on the date in its name.

    Steps: find every file and its date (every name is checked before anything is imported); skip the files dated
    before the history's latest import (already imported, or too old to add: history is written forwards); then
    import file by file through `portfolio_import(as_of=date)`, each in its own transaction, and stop at the first
    file with an error: nothing of that file is written, the files before it stay, the files after it are not read.
    Running the same series again after fixing the file goes on where it stopped.

    A dry run checks each file against the database as it is now, not as the files before it would leave it.
    """
    report = SeriesReport()
    files, report.problems = series_files(sources)
    if report.problems:
        return report
    last = history_last_date(corporation)
    for item in files:
        report.files.append(item)
        if last is not None and item.as_of < last:
            item.skipped = True
            continue
        item.report = portfolio_import(source=item.path, corporation=corporation, actor=actor, dry_run=dry_run,
                                       as_of=item.as_of)
        if not item.report.is_valid:
            report.stopped_at = item
            break
    return report
