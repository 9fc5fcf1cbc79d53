"""Store the demo's social management records (`demo.social` makes them): the service behind `seed_social_demo`
and the last part of `seed_demo`, so that the monitor of a fresh demo has signals, visits, activities and meeting
places with their use, more of them where the buurt scores low.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.db import transaction

from buurtbalans.core import bulk
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


def complex_facts(corporation: HousingCorporation, reference_date: date) -> list[social.ComplexFacts]:
    """Per complex (in primary key order) its dwellings, households and how far its buurt scores below average."""
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
    return facts


def social_demo_seed(*, corporation: HousingCorporation, reference_date: date, seed: int = 1, reset: bool = False,
                     dry_run: bool = False, analyze: bool = True, facts: list[social.ComplexFacts] | None = None,
                     programmes: dict[int, social.Programme] | None = None) -> dict[str, int]:
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
        facts: the complexes' facts (`complex_facts`), when the caller has them already.
        programmes: per complex id a planted programme (`demo.history`): fewer signals from its start.

    Returns:
        The number of records per kind.
    """
    if facts is None:
        facts = complex_facts(corporation, reference_date)
    records = social.generate(facts, reference_date, seed=seed, programmes=programmes)
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
    """Insert the records column-wise (`core.bulk`: COPY or executemany); `bulk_create` built a model instance per
    row and took most of the demo's extra seconds. These tables have no save() logic or signals."""
    corp, source = corporation.pk, RecordSource.IMPORT

    def insert(model, fields: tuple[str, ...], rows: list[tuple], *, return_keys: bool = False) -> list[int]:
        fields = ("corporation", "recorded_by_name", "source", *fields)
        rows = [(corp, DEMO_SOURCE, source, *row) for row in rows]
        return bulk.columns_insert(model, fields, bulk.columns_of(rows, len(fields)), return_keys=return_keys)

    insert(Signal, ("complex", "kind", "reported_on", "resolved_on"), records.signals)
    insert(SupportNeed, ("complex", "reported_on", "referred_to"), records.support_needs)
    insert(Visit, ("complex", "kind", "visited_on", "households_reached"), records.visits)
    places = insert(MeetingPlace, ("complex", "name", "opened_on", "capacity"),
                    [(c, name[:200], opened, capacity) for c, name, opened, capacity in records.meeting_places],
                    return_keys=True)
    insert(MeetingPlaceUse, ("meeting_place", "month", "dayparts_open", "visitors"),
           [(places[i], m, d, v) for i, m, d, v in records.uses])
    insert(Activity, ("meeting_place", "complex", "held_on", "title", "kind", "participants"),
           [(places[i], c, d, t, k, n) for i, c, d, t, k, n in records.activities])
    insert(ArrearsRecord, ("complex", "reference_date", "households_in_arrears", "amount"),
           [(c, d, h, Decimal(str(a))) for c, d, h, a in records.arrears])
