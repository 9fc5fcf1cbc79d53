"""`buurtbalans export_portfolio PATH --corporation CODE [--format xlsx|csv] [--user USERNAME]
[--include-markers --purpose TEXT]`."""

from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from buurtbalans.portfolio.management.commands.import_portfolio import BAD_INPUT, corporation_by_code, user_by_name
from buurtbalans.portfolio.services import EXPORT_FORMATS, portfolio_export


class Command(BaseCommand):
    help = "Export a corporation's portfolio in the import format (a folder of CSV files or one .xlsx)."

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The folder (csv) or the .xlsx file (or a folder for it).")
        parser.add_argument("--corporation", required=True, help="The corporation's code.")
        parser.add_argument("--format", choices=EXPORT_FORMATS, help="Default: xlsx when PATH ends in .xlsx, else csv.")
        parser.add_argument("--user", help="Record this user as the one exporting (default: the system user).")
        parser.add_argument(
            "--include-markers",
            action="store_true",
            help="Also export the vulnerability markers (special-category data); needs --purpose.",
        )
        parser.add_argument("--purpose", help="Why the data leaves the system (recorded in the audit log).")

    def handle(self, *args, path: Path, corporation: str, format: str | None, user: str | None, **options):
        corporation_ = corporation_by_code(corporation)
        actor = user_by_name(user)
        format = format or ("xlsx" if path.suffix.lower() == ".xlsx" else "csv")
        include_markers = options["include_markers"]
        purpose = (options.get("purpose") or "").strip()
        if include_markers and not purpose:
            raise CommandError(
                _("--include-markers exports special-category data: say why with --purpose"), returncode=BAD_INPUT
            )
        try:
            written = portfolio_export(
                corporation=corporation_, actor=actor, format=format, destination=path,
                include_markers=include_markers,
                purpose=purpose or "export",
            )
        except PermissionDenied:
            raise CommandError(
                _("user %(user)s may not export the portfolio of %(code)s")
                % {"user": repr(user), "code": corporation_.code},
                returncode=BAD_INPUT,
            ) from None
        self.stdout.write(_("exported %(code)s to %(path)s") % {"code": corporation_.code, "path": written})
