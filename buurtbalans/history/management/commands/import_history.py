"""`buurtbalans import_history FOLDER_OR_FILES... --corporation CODE [--dry-run] [--user USERNAME]`.

Imports a series of dated portfolio files (the date in each name, YYYY-MM-DD) in date order, so that the history says
what each file said on its date (docs/history.md). A bad file stops the series: nothing of it is written, the files
before it stay; run the same command again after fixing it.
"""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from buurtbalans.history.services import history_import_series, history_last_date
from buurtbalans.portfolio.management.commands.import_portfolio import (
    BAD_INPUT,
    PRINTED_ERRORS,
    corporation_by_code,
    user_by_name,
)


class Command(BaseCommand):
    help = (
        "Import a series of dated portfolio files (the date YYYY-MM-DD in each file or folder name) in date order, "
        "so the history of statuses, income bands and ownership says what each file said on its date."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", type=Path,
                            help="Dated files (.xlsx, .zip, .csv) or folders of CSV files, or a folder holding them.")
        parser.add_argument("--corporation", required=True, help="The corporation's code.")
        parser.add_argument("--dry-run", action="store_true",
                            help="Check each file against the database as it is now; write nothing.")
        parser.add_argument("--user", help="Record this user as the one importing (default: the system user).")

    def handle(self, *args, paths: list[Path], corporation: str, dry_run: bool, user: str | None, **options):
        corporation_ = corporation_by_code(corporation)
        actor = user_by_name(user)
        try:
            report = history_import_series(sources=paths, corporation=corporation_, actor=actor, dry_run=dry_run)
        except PermissionDenied:
            raise CommandError(_("user %(user)s may not import the portfolio of %(code)s")
                               % {"user": repr(user), "code": corporation_.code}, returncode=BAD_INPUT) from None
        for problem in report.problems:
            self.stderr.write(problem)
        if report.problems:
            raise CommandError(_("%(n)d problem(s) with the names of the series; nothing was imported")
                               % {"n": len(report.problems)}, returncode=BAD_INPUT)
        last = history_last_date(corporation_)
        for item in report.files:
            values = {"name": item.path.name, "date": item.as_of.isoformat()}
            if item.skipped:
                self.stdout.write(_("%(name)s (%(date)s): skipped, the history already runs to %(last)s")
                                  % {**values, "last": last.isoformat() if last else "-"})
            elif item.report is not None and item.report.is_valid:
                values["counts"] = item.report.counts_line()
                message = (_("%(name)s (%(date)s): checked, nothing written: %(counts)s") if dry_run
                           else _("%(name)s (%(date)s): imported: %(counts)s"))
                self.stdout.write(message % values)
        stopped = report.stopped_at
        if stopped is not None:
            for error in stopped.report.errors[:PRINTED_ERRORS]:
                self.stderr.write(str(error))
            if stopped.report.error_count > PRINTED_ERRORS:
                self.stderr.write(_("... and %(more)d more") % {"more": stopped.report.error_count - PRINTED_ERRORS})
            raise CommandError(
                _("%(errors)d error(s) in %(name)s (%(date)s): nothing of it was written, the files before it stay, "
                  "the files after it were not read")
                % {"errors": stopped.report.error_count, "name": stopped.path.name,
                   "date": stopped.as_of.isoformat()},
                returncode=BAD_INPUT,
            )
