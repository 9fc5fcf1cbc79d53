"""`buurtbalans refresh_vitality [--corporation CODE] [--reference-date YYYY-MM-DD]`: count the vitality again."""

from __future__ import annotations

from datetime import date

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext_lazy

from buurtbalans.core.management.base import Command as BaseCommand
from buurtbalans.core.models import HousingCorporation
from buurtbalans.liveability.services import vitality_refresh

HELP = gettext_lazy(
    "Count every complex's vitality indicators on the reference date and on the same day in the four years before, "
    "score them with the corporation's weights and norms, and replace the stored vitality (for a nightly run). "
    "Without --corporation every corporation is counted. See docs/monitor.md."
)


class Command(BaseCommand):
    help = HELP

    def add_arguments(self, parser):
        parser.add_argument("--corporation", help="Corporation code (default: all).")
        parser.add_argument("--reference-date", type=date.fromisoformat, default=None, help="Default: today.")

    def handle(self, *args, corporation: str | None, reference_date: date | None, **options):
        corporations = HousingCorporation.objects.order_by("code")
        if corporation:
            corporations = corporations.filter(code=corporation)
            if not corporations.exists():
                raise CommandError(f"no corporation with code {corporation!r}")
        reference_date = reference_date or timezone.localdate()
        for found in corporations:
            result = vitality_refresh(corporation=found, reference_date=reference_date)
            self.stdout.write(f"{found.code}: {result['complexes']} complexes, {result['warnings']} with a warning, "
                              f"{result['measurements']} measurements in {result['seconds']} s")
