"""`buurtbalans seed_social_demo [--corporation voorbeeld-wonen] [--seed 1] [--reference-date D] [--reset]
[--dry-run] [--refresh]`: synthetic social management records for a demo corporation (see demo/social.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.core.management.base import CommandError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy

from buurtbalans.core.audit import audit_record
from buurtbalans.core.db import analyze_tables
from buurtbalans.core.management.base import Command as BaseCommand
from buurtbalans.core.models import AuditEvent, HousingCorporation
from buurtbalans.demo import social
from buurtbalans.liveability.indicators import LBM_NATIONAL_AVERAGE
from buurtbalans.liveability.measures import measure_complexes, public_series
from buurtbalans.liveability.models import (
    Activity,
    ArrearsRecord,
    MeetingPlace,
    MeetingPlaceUse,
    RecordSource,
    Signal,
    SupportNeed,
    Visit,
)
from buurtbalans.liveability.services import vitality_refresh
from buurtbalans.portfolio.models import Complex

HELP = gettext_lazy(
    "Generate synthetic social management records (signals, support needs, visits, meeting places with their use, "
    "activities, rent arrears) for a demo corporation, more where the buurt's Leefbaarometer score is low. Never "
    "run it on a real corporation's data. With --refresh the vitality is counted afterwards."
)
DEMO_SOURCE = "demo"
MODELS = (Signal, SupportNeed, Visit, Activity, MeetingPlaceUse, MeetingPlace, ArrearsRecord)


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
        existing = any(m.objects.filter(corporation=found, recorded_by_name=DEMO_SOURCE).exists() for m in MODELS)
        if existing and not reset:
            self.stdout.write(f"{found.name}: demo records exist already (use --reset to make them again)")
            return
        measures = measure_complexes(found.pk, reference_date)
        complexes = list(Complex.objects.filter(corporation=found).values_list("pk", "name", "neighbourhood__cbs_code"))
        series = public_series({code for _pk, _name, code in complexes if code})
        facts = []
        for pk, name, code in complexes:
            lbm = (series.get(code, {}).get("lbm") or [(0, LBM_NATIONAL_AVERAGE)])[-1][1] if code else None
            deprivation = max(0.0, LBM_NATIONAL_AVERAGE - lbm) if lbm is not None else 0.0
            measure = measures[pk]
            facts.append(social.ComplexFacts(pk, measure.dwelling_count, measure.household_count, deprivation, name))
        records = social.generate(facts, reference_date, seed=seed)
        counts = {
            "signals": len(records.signals), "support_needs": len(records.support_needs),
            "visits": len(records.visits), "meeting_places": len(records.meeting_places),
            "meeting_place_use": len(records.uses), "activities": len(records.activities),
            "arrears": len(records.arrears),
        }
        with transaction.atomic():
            if reset:
                for model in MODELS:
                    model.objects.filter(corporation=found, recorded_by_name=DEMO_SOURCE).delete()
            self._write(found, records)
            audit_record(actor=None, event=AuditEvent.Type.SOCIAL_RECORDS_IMPORTED, corporation=found,
                         subject_type="social_records_demo", subject_label="synthetic social management records",
                         purpose="demo", data={"seed": seed, "reference_date": reference_date.isoformat(),
                                               "counts": counts})
            if dry_run:
                transaction.set_rollback(True)
        if not dry_run:
            analyze_tables(*MODELS)
        self.stdout.write(f"{found.name}: " + ", ".join(f"{n} {k}" for k, n in counts.items())
                          + (" (dry run: nothing written)" if dry_run else ""))
        if refresh and not dry_run:
            result = vitality_refresh(corporation=found, reference_date=reference_date)
            self.stdout.write(f"vitality: {result['complexes']} complexes, {result['warnings']} with a warning "
                              f"({result['seconds']} s)")

    def _write(self, corporation, records: social.DemoRecords) -> None:
        common = {"corporation": corporation, "recorded_by_name": DEMO_SOURCE, "source": RecordSource.IMPORT}
        Signal.objects.bulk_create([
            Signal(complex_id=c, kind=k, reported_on=r, resolved_on=s, **common) for c, k, r, s in records.signals
        ], batch_size=2000)
        SupportNeed.objects.bulk_create([
            SupportNeed(complex_id=c, reported_on=r, referred_to=t, **common) for c, r, t in records.support_needs
        ], batch_size=2000)
        Visit.objects.bulk_create([
            Visit(complex_id=c, kind=k, visited_on=d, households_reached=n, **common) for c, k, d, n in records.visits
        ], batch_size=2000)
        places = MeetingPlace.objects.bulk_create([
            MeetingPlace(complex_id=c, name=name[:200], opened_on=opened, capacity=capacity, **common)
            for c, name, opened, capacity in records.meeting_places
        ])
        if any(p.pk is None for p in places):  # SQLite before 3.35 gives no ids back
            places = list(MeetingPlace.objects.filter(corporation=corporation, recorded_by_name=DEMO_SOURCE)
                          .order_by("pk"))
        MeetingPlaceUse.objects.bulk_create([
            MeetingPlaceUse(corporation=corporation, meeting_place=places[i], month=m, dayparts_open=d, visitors=v,
                            recorded_by_name=DEMO_SOURCE, source=RecordSource.IMPORT)
            for i, m, d, v in records.uses
        ], batch_size=2000)
        Activity.objects.bulk_create([
            Activity(meeting_place=places[i], complex_id=c, held_on=d, title=t, kind=k, participants=n, **common)
            for i, c, d, t, k, n in records.activities
        ], batch_size=2000)
        ArrearsRecord.objects.bulk_create([
            ArrearsRecord(corporation=corporation, complex_id=c, reference_date=d, households_in_arrears=h,
                          amount=Decimal(str(a)), recorded_by_name=DEMO_SOURCE, source=RecordSource.IMPORT)
            for c, d, h, a in records.arrears
        ], batch_size=2000)
