"""Store the demo's social management records (`demo.social` makes them): the service behind `seed_social_demo`
and the last part of `seed_demo`, so that the monitor of a fresh demo has signals, visits, activities and meeting
places with their use, more of them where the buurt scores low.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from buurtbalans.core.audit import audit_record
from buurtbalans.core.db import analyze_tables
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
from buurtbalans.portfolio.models import Complex

DEMO_SOURCE = "demo"
MODELS = (Signal, SupportNeed, Visit, Activity, MeetingPlaceUse, MeetingPlace, ArrearsRecord)


def social_demo_exists(corporation: HousingCorporation) -> bool:
    return any(m.objects.filter(corporation=corporation, recorded_by_name=DEMO_SOURCE).exists() for m in MODELS)


def social_demo_seed(*, corporation: HousingCorporation, reference_date: date, seed: int = 1, reset: bool = False,
                     dry_run: bool = False, analyze: bool = True) -> dict[str, int]:
    """Generate and store five years of synthetic records for a demo corporation, in one transaction.

    The rates follow each complex's size and its buurt's Leefbaarometer score (`demo.social`). Never for a real
    corporation's data: the records are made up.

    Args:
        corporation: the demo corporation, with its stock and households stored already.
        reference_date: the day the records run up to.
        seed: the same seed and reference date give the same records.
        reset: delete the corporation's earlier demo records first.
        dry_run: write, count and roll back.
        analyze: refresh the planner's statistics afterwards (a caller that does so itself passes False).

    Returns:
        The number of records per kind.
    """
    measures = measure_complexes(corporation.pk, reference_date)
    complexes = list(Complex.objects.filter(corporation=corporation).order_by("pk")
                     .values_list("pk", "name", "neighbourhood__cbs_code"))
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
                model.objects.filter(corporation=corporation, recorded_by_name=DEMO_SOURCE).delete()
        _write(corporation, records)
        audit_record(actor=None, event=AuditEvent.Type.SOCIAL_RECORDS_IMPORTED, corporation=corporation,
                     subject_type="social_records_demo", subject_label="synthetic social management records",
                     purpose="demo", data={"seed": seed, "reference_date": reference_date.isoformat(),
                                           "counts": counts})
        if dry_run:
            transaction.set_rollback(True)
    if analyze and not dry_run:
        analyze_tables(*MODELS)
    return counts


def _write(corporation: HousingCorporation, records: social.DemoRecords) -> None:
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
