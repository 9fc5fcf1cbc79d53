"""`buurtbalans import_portfolio PATH --corporation CODE [--dry-run] [--user USERNAME]`."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from buurtbalans.core.models import HousingCorporation
from buurtbalans.portfolio.services import portfolio_import, portfolio_import_previewed

# Enough to fix a file in a few rounds without flooding the terminal; the total is always printed.
PRINTED_ERRORS = 100
BAD_INPUT = 2


def corporation_by_code(code: str) -> HousingCorporation:
    try:
        return HousingCorporation.objects.get(code=code)
    except HousingCorporation.DoesNotExist:
        known = ", ".join(HousingCorporation.objects.values_list("code", flat=True)[:20]) or "-"
        raise CommandError(
            _("unknown corporation code %(code)s (known: %(known)s)") % {"code": repr(code), "known": known},
            returncode=BAD_INPUT,
        ) from None


def user_by_name(username: str | None):
    if not username:
        return None
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist:
        raise CommandError(_("unknown user %(user)s") % {"user": repr(username)}, returncode=BAD_INPUT) from None


class Command(BaseCommand):
    help = (
        "Import complexes, dwellings, households, tenancies, markers and applicants from an .xlsx workbook or a "
        "folder (or .zip) of CSV files. Everything is checked first; on any error nothing is written."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="An .xlsx file, a folder of CSV files, a CSV file or a .zip.")
        parser.add_argument("--corporation", required=True, help="The corporation's code.")
        parser.add_argument("--dry-run", action="store_true", help="Check and count, write nothing.")
        parser.add_argument("--user", help="Record this user as the one importing (default: the system user).")

    def handle(self, *args, path: Path, corporation: str, dry_run: bool, user: str | None, **options):
        corporation_ = corporation_by_code(corporation)
        actor = user_by_name(user)
        try:
            report = portfolio_import(source=path, corporation=corporation_, actor=actor, dry_run=dry_run)
        except PermissionDenied:
            raise CommandError(
                _("user %(user)s may not import the portfolio of %(code)s")
                % {"user": repr(user), "code": corporation_.code},
                returncode=BAD_INPUT,
            ) from None
        if dry_run:
            # The check compared the markers with what is stored, and prints the split: audited as on the web.
            portfolio_import_previewed(report, corporation=corporation_, actor=actor, counts_shown=True,
                                       command="import_portfolio")
        for warning in report.warnings:
            self.stderr.write(_("warning: %(warning)s") % {"warning": warning})
        if not report.is_valid:
            for error in report.errors[:PRINTED_ERRORS]:
                self.stderr.write(str(error))
            if report.error_count > PRINTED_ERRORS:
                self.stderr.write(_("... and %(more)d more") % {"more": report.error_count - PRINTED_ERRORS})
            raise CommandError(
                _("%(errors)d error(s) in %(source)s; nothing was written")
                % {"errors": report.error_count, "source": report.source},
                returncode=BAD_INPUT,
            )
        if options["verbosity"] >= 2:
            timings = ", ".join(f"{phase} {seconds:.2f}s" for phase, seconds in report.timings.items())
            self.stdout.write(f"timings: {timings}")
        values = {"source": report.source, "code": corporation_.code, "counts": report.counts_line()}
        if dry_run:
            self.stdout.write(_("dry run, nothing written: %(source)s is valid: %(counts)s") % values)
        else:
            self.stdout.write(_("imported %(source)s into %(code)s: %(counts)s") % values)
