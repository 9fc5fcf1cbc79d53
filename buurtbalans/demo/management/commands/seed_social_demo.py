"""`buurtbalans seed_social_demo [--corporation voorbeeld-wonen] [--seed 1] [--reference-date D] [--reset]
[--dry-run] [--refresh]`: synthetic social management records for a demo corporation (see demo/social.py).

`seed_demo` makes them already; this command makes them again (other seed or date) or for another corporation.
"""

from __future__ import annotations

from datetime import date

from django.core.management.base import CommandError
from django.utils import timezone
from django.utils.translation import gettext_lazy

from buurtbalans.core.management.base import Command as BaseCommand
from buurtbalans.core.models import HousingCorporation
from buurtbalans.demo.social_write import social_demo_exists, social_demo_seed
from buurtbalans.liveability.services import vitality_refresh
from buurtbalans.liveability.services_recount import vitality_recount_queue

HELP = gettext_lazy(
    "Generate synthetic social management records (signals, support needs, visits, meeting places with their use, "
    "activities, rent arrears) for a demo corporation, more where the buurt's Leefbaarometer score is low. Never "
    "run it on a real corporation's data. With --refresh the vitality is counted afterwards; without it a recount "
    "is queued for the background worker."
)


class Command(BaseCommand):
    help = HELP

    def add_arguments(self, parser):
        parser.add_argument("--corporation", default="voorbeeld-wonen", help="Corporation code (default: the demo).")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--reference-date", type=date.fromisoformat, default=None)
        parser.add_argument("--reset", action="store_true", help="Delete the corporation's demo records first.")
        parser.add_argument("--refresh", action="store_true", help="Count the vitality afterwards.")
        parser.add_argument("--dry-run", action="store_true", help="Generate and count, write nothing.")

    def handle(self, *args, corporation: str, seed: int, reference_date, reset: bool, refresh: bool, dry_run: bool,
               **options):
        found = HousingCorporation.objects.filter(code=corporation).first()
        if found is None:
            raise CommandError(f"no corporation with code {corporation!r} (run seed_demo first)")
        reference_date = reference_date or timezone.localdate()
        if social_demo_exists(found) and not reset:
            self.stdout.write(f"{found.name}: demo records exist already (use --reset to make them again)")
            return
        counts = social_demo_seed(corporation=found, reference_date=reference_date, seed=seed, reset=reset,
                                  dry_run=dry_run)
        self.stdout.write(f"{found.name}: " + ", ".join(f"{n} {k}" for k, n in counts.items())
                          + (" (dry run: nothing written)" if dry_run else ""))
        if dry_run:
            return
        if refresh:
            result = vitality_refresh(corporation=found, reference_date=reference_date)
            self.stdout.write(f"vitality: {result['complexes']} complexes, {result['warnings']} with a warning "
                              f"({result['seconds']} s)")
        else:
            job = vitality_recount_queue(corporation=found, reason="demo", reference_date=reference_date)
            self.stdout.write(f"vitality: recount queued (task #{job.pk})")
