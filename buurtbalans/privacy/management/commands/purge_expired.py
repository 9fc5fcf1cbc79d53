"""`buurtbalans purge_expired [--corporation CODE] [--dry-run]`: remove personal data past its retention term."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from buurtbalans.core.audit import actor_label
from buurtbalans.core.models import HousingCorporation
from buurtbalans.portfolio.management.commands.import_portfolio import BAD_INPUT, corporation_by_code
from buurtbalans.privacy.retention import RETENTION_KEYS, expired_uploads_purge, retention_purge, retention_terms


class Command(BaseCommand):
    help = (
        "Remove personal data past its retention term (settings RETENTION_*, docs/privacy.md), for one corporation "
        "or all. Prints the count per kind; the audit log is counted, never removed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--corporation", help="The corporation's code (default: every corporation).")
        parser.add_argument("--dry-run", action="store_true", help="Count what expired; remove nothing.")

    def handle(self, *args, corporation: str | None = None, dry_run: bool = False, **options):
        try:
            terms = retention_terms()
        except ValueError as exc:
            raise CommandError(str(exc), returncode=BAD_INPUT) from None
        corporations = (
            [corporation_by_code(corporation)] if corporation else list(HousingCorporation.objects.order_by("code"))
        )
        now = timezone.now()
        who = actor_label(None)
        for corporation_ in corporations:
            counts = retention_purge(corporation=corporation_, now=now, dry_run=dry_run, actor_name=who)
            parts = ", ".join(f"{kind} {counts[kind]}" for kind in RETENTION_KEYS if kind in counts
                              and kind != "audit_log")
            if dry_run:
                self.stdout.write(_("%(code)s: would remove %(parts)s (dry run)") % {"code": corporation_.code,
                                                                                   "parts": parts})
            else:
                self.stdout.write(_("%(code)s: removed %(parts)s") % {"code": corporation_.code, "parts": parts})
            if counts["audit_log"]:
                self.stdout.write(_("%(code)s: %(n)d audit events are past their term; Buurtbalans keeps them "
                                    "(docs/privacy.md, the audit log)") % {"code": corporation_.code,
                                                                           "n": counts["audit_log"]})
        uploads = expired_uploads_purge(now=now, dry_run=dry_run)
        if uploads is not None:
            self.stdout.write(_("uploaded files removed: %(n)d") % {"n": uploads})
        if options["verbosity"] >= 2:
            self.stdout.write(", ".join(f"{kind} {days} days" for kind, days in terms.items()))
