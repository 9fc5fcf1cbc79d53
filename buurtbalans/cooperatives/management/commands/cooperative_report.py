"""`buurtbalans cooperative_report --year Y [--format json|csv] [--corporation CODE]`: per cooperative and
commitment the target, the realised figure counted from the activity log, and the review status."""

from django.core.management.base import CommandError
from django.utils.translation import gettext_lazy as _

from buurtbalans.cooperatives.report import report_csv, report_json, report_rows
from buurtbalans.core.management.base import Command as BuurtbalansCommand
from buurtbalans.core.models import HousingCorporation

EXIT_BAD_INPUT = 2


def year_argument(raw: str) -> int:
    import argparse

    text = raw.strip()
    if not (len(text) == 4 and text.isdigit()):
        raise argparse.ArgumentTypeError(f"not a year such as 2025: {raw!r}")
    return int(text)


class Command(BuurtbalansCommand):
    help = _(
        "Per housing cooperative and commitment: the target, the realised figure from the activity log and "
        "the review status, for one year (JSON or CSV)."
    )
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, type=year_argument, help="calendar year, e.g. 2025")
        parser.add_argument("--format", choices=("json", "csv"), default="json", help="output format (default json)")
        parser.add_argument("--corporation", help="only this corporation (its code); default all corporations")

    def handle(self, *args, **options):
        corporation = None
        if options["corporation"]:
            corporation = HousingCorporation.objects.filter(code=options["corporation"]).first()
            if corporation is None:
                raise CommandError(f"unknown corporation {options['corporation']!r}", returncode=EXIT_BAD_INPUT)
        rows = report_rows(options["year"], corporation)
        if options["format"] == "csv":
            self.stdout.write(report_csv(rows), ending="")
        else:
            self.stdout.write(report_json(options["year"], rows))
