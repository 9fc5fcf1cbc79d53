"""`buurtbalans import_open_data DIR --municipality GM0193 [--dry-run]`: load public context data for a gemeente."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from buurtbalans.neighbourhoods.services import open_data_import

BAD_INPUT = 2  # as every command that refuses its input


class Command(BaseCommand):
    help = (
        "Import buurt boundaries (GeoJSON, WGS84 or RD New), CBS Kerncijfers wijken en buurten (CSV or OData JSON "
        "with DataProperties), plain per-buurt tables and Leefbaarometer 3.0 scores from every recognised file in "
        "DIR, for one municipality. See docs/open-data.md."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path, help="Folder with the open-data files (searched recursively).")
        parser.add_argument("--municipality", required=True, help="CBS municipality code, e.g. GM0193 (Zwolle).")
        parser.add_argument("--dry-run", action="store_true", help="Read and validate everything, write nothing.")

    def handle(self, *args, directory: Path, municipality: str, dry_run: bool = False, **options):
        report = open_data_import(directory=directory, municipality_code=municipality, dry_run=dry_run)
        verbose = options.get("verbosity", 1) >= 2
        for used in report.files_used:
            notes = f" ({'; '.join(used.notes)})" if used.notes else ""
            if verbose or used.rows:
                self.stdout.write("  " + _("read %(file)s: %(kind)s, %(rows)d rows, %(values)d figures") % {
                    "file": used.name, "kind": used.kind, "rows": used.rows, "values": used.values} + notes)
        for skipped in report.files_skipped:
            self.stdout.write("  " + _("skipped %(file)s: %(reason)s") % {"file": skipped.name,
                                                                          "reason": skipped.reason})
        for warning in report.warnings:
            self.stderr.write(_("warning: %(message)s") % {"message": warning})
        if not report.ok:
            for error in report.errors:
                self.stderr.write(error)
            raise CommandError(report.summary(), returncode=BAD_INPUT)
        self.stdout.write(report.summary())
