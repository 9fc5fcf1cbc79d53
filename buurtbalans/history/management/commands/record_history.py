"""`buurtbalans record_history --corporation CODE [--date YYYY-MM-DD] [--source TEXT] [--dry-run]`.

Records the corporation's stock and households as they are now, as on the date (default today): the statuses that
differ from their open period, every tenant household's income band in its income year, and the ownership of every
complex in the date's year (docs/history.md). What every portfolio import does itself; this is for data written
another way (the demo, an accepted offer that let a dwelling) and for the income bands of data imported before the
history was kept.
"""

from __future__ import annotations

from datetime import date

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buurtbalans.history.services import HistoryOutOfOrder, history_record
from buurtbalans.portfolio.management.commands.import_portfolio import BAD_INPUT, corporation_by_code


class Command(BaseCommand):
    help = "Record the corporation's current statuses, income bands and ownership in its history, as on a date."

    def add_arguments(self, parser):
        parser.add_argument("--corporation", required=True, help="The corporation's code.")
        parser.add_argument("--date", type=date.fromisoformat, help="As on this date (YYYY-MM-DD); default today.")
        parser.add_argument("--source", default="record_history", help="Kept on the rows as who said it.")
        parser.add_argument("--dry-run", action="store_true", help="Count what would be written; write nothing.")

    def handle(self, *args, corporation: str, date: date | None, source: str, dry_run: bool, **options):
        corporation_ = corporation_by_code(corporation)
        as_of = date or timezone.localdate()
        try:
            with transaction.atomic():
                counts = history_record(corporation=corporation_, as_of=as_of, source=source)
                if dry_run:
                    transaction.set_rollback(True)
        except HistoryOutOfOrder as exc:
            raise CommandError(str(exc), returncode=BAD_INPUT) from None
        shown = ", ".join(f"{key} {value}" for key, value in counts.items())
        message = _("dry run, nothing written: %(counts)s") if dry_run else _("history recorded as on %(date)s: "
                                                                            "%(counts)s")
        self.stdout.write(message % {"counts": shown, "date": as_of.isoformat()})
