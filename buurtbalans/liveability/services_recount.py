"""Keeping the monitor current: after every write that changes what it counts, the complexes concerned are counted
again, in the background, and every night all of them (docs/monitor.md, "Storage and counting").

API for services, views, commands and jobs:

    vitality_recount_request(*, corporation, complex_ids=None, rescore=False, reason, user=None) -> None
        when the caller's transaction commits: queue a recount of these complexes (None: all of them), or add
        them to the recount already waiting for the corporation, so that a run of writes gives one job
    vitality_recount_queue(...) -> Job          the same at once (the manual "count again" and the demo)
    vitality_recount(*, corporation, reference_date, complex_ids=None, rescore=False, on_progress=None) -> dict
        what the job runs: the complexes counted again (the others keep their rows) and the areas' means anew
    vitality_recount_is_current(job) -> bool    every complex of the job was counted after it was asked for
    audit_event_recount(sender, instance, created, **kwargs)
        the imports of the layers below liveability (portfolio, open data) may not call up the layers: their
        audit event asks for the recount instead (connected in LiveabilityConfig.ready)

Which write concerns which complexes:

    a record on screen (signal, support need, visit, meeting place and its use, activity)  its complex
    a file of records (social_records_import)              the complexes its rows name (arrears included)
    a portfolio import (audit event 901)                    every complex of the corporation
    an open data import (audit event 902)                   every complex, of any corporation, in its municipality
    weights, norms and warning levels (monitor settings)    none counted again; every complex scored again
"""

from __future__ import annotations

import time
from collections.abc import Iterable
from datetime import date, datetime

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from buurtbalans.core.jobs import job_enqueue
from buurtbalans.core.models import AuditEvent, HousingCorporation, Job
from buurtbalans.liveability.models import AreaVitality, ComplexVitality
from buurtbalans.liveability.services import (
    VITALITY_REFRESH_KIND,
    ProgressCallback,
    _analyze,
    _area_rows,
    complex_places,
    measurement_dates,
    vitality_measure,
    vitality_refresh,
    vitality_rescore,
    vitality_rows,
)
from buurtbalans.portfolio.models import Complex

# Why a recount was asked for (the job page names them; `jobs.RECOUNT_REASONS` has the words).
REASONS = ("signal", "support_need", "visit", "meeting_place", "meeting_place_use", "activity", "records_import",
           "portfolio_import", "open_data_import", "settings", "manual", "demo")
# A waiting job keeps at most this many reasons (in the order asked).
MAX_REASONS = len(REASONS)
# Audit events of the layers below that change what the monitor counts.
RECOUNT_EVENTS = {AuditEvent.Type.PORTFOLIO_IMPORTED: "portfolio_import",
                  AuditEvent.Type.OPEN_DATA_IMPORTED: "open_data_import"}


def vitality_recount_request(*, corporation: HousingCorporation | int, complex_ids: Iterable[int] | None = None,
                             rescore: bool = False, reason: str, user=None) -> None:
    """Ask for a recount of the vitality of `complex_ids` (None: every complex) once the current transaction commits.

    Called by the services that write what the monitor counts, inside their transaction: a write that is rolled
    back asks for nothing, and the job never runs before the write is visible. Outside a transaction the recount
    is queued at once. A failure to queue is logged and never undoes the write (the nightly count catches up).

    Args:
        corporation: whose complexes (or its id).
        complex_ids: the complexes concerned; None for all of them; empty (with `rescore`) for none.
        rescore: score every complex again with the current settings (after weights or norms changed).
        reason: one of REASONS.
        user: who wrote (the job's user), or None.
    """
    if reason not in REASONS:
        raise ValueError(f"unknown recount reason {reason!r}")
    corporation_id = corporation if isinstance(corporation, int) else corporation.pk
    ids = None if complex_ids is None else sorted({int(pk) for pk in complex_ids if pk is not None})
    if ids == [] and not rescore:
        return

    def queue():
        vitality_recount_queue(corporation=corporation_id, complex_ids=ids, rescore=rescore, reason=reason, user=user)

    transaction.on_commit(queue, robust=True)


@transaction.atomic
def vitality_recount_queue(*, corporation: HousingCorporation | int, complex_ids: Iterable[int] | None = None,
                           rescore: bool = False, reason: str, user=None, reference_date: date | None = None) -> Job:
    """Queue a recount, or add what is asked to the recount that is still waiting for the corporation.

    A waiting (queued, not yet started) recount takes in the new complexes, reasons and the time of asking; a
    started one is left alone and a new one queued. The corporation's row is locked first, so two writes at the
    same moment add to one job instead of making two; the merge itself only changes a row that is still queued,
    so a worker that claims the job at that moment either sees the merged request or leaves it to a new job.

    Returns:
        The job that will do the recount.
    """
    corporation_id = corporation if isinstance(corporation, int) else corporation.pk
    corporation_row = HousingCorporation.objects.select_for_update().get(pk=corporation_id)
    ids = None if complex_ids is None else sorted({int(pk) for pk in complex_ids})
    now = timezone.now()
    waiting = (Job.objects.filter(corporation_id=corporation_id, kind=VITALITY_REFRESH_KIND, status=Job.Status.QUEUED)
               .order_by("created", "pk").first())
    if waiting is not None:
        params = merged_params(waiting.params, ids, rescore, reason, now, reference_date)
        if Job.objects.filter(pk=waiting.pk, status=Job.Status.QUEUED).update(params=params):
            waiting.params = params
            return waiting
    params = merged_params(None, ids, rescore, reason, now, reference_date)
    return job_enqueue(kind=VITALITY_REFRESH_KIND, corporation=corporation_row, user=user, params=params)


def merged_params(params: dict | None, complex_ids: list[int] | None, rescore: bool, reason: str, now: datetime,
                  reference_date: date | None = None) -> dict:
    """A recount's params with one more request added (`params` None: the first request).

    {"complexes": sorted ids, absent for all; "rescore": bool; "reasons": [...]; "requests": n; "requested": ISO
    time of the last request; "reference_date": only when one was asked for}. A job queued before recounts were
    requested (params {"reference_date"} only) counts every complex, and stays so.
    """
    if params is None:
        merged: dict = {"rescore": False, "reasons": [], "requests": 0}
        if complex_ids is not None:
            merged["complexes"] = []
    else:
        merged = dict(params)
        merged.setdefault("reasons", [])
        merged.setdefault("requests", 0)
    if complex_ids is None:
        merged.pop("complexes", None)
    elif "complexes" in merged:
        merged["complexes"] = sorted(set(merged["complexes"]) | set(complex_ids))
    merged["rescore"] = bool(merged.get("rescore")) or rescore
    if reason not in merged["reasons"] and len(merged["reasons"]) < MAX_REASONS:
        merged["reasons"] = [*merged["reasons"], reason]
    merged["requests"] += 1
    merged["requested"] = now.isoformat()
    if reference_date is not None:
        merged["reference_date"] = reference_date.isoformat()
    return merged


def vitality_recount_is_current(job: Job, reference_date: date) -> bool:
    """Whether every complex the job asks for was counted, on `reference_date`, after its last request.

    Then running it would give the same rows again: the demo counts right after writing, and the nightly count
    may have run since. A job without a request time (the manual button) is never current.
    """
    requested = job.params.get("requested")
    if not requested:
        return False
    asked = datetime.fromisoformat(requested)
    latest = ComplexVitality.objects.filter(corporation_id=job.corporation_id, is_latest=True)
    complexes = job.params.get("complexes")
    wanted = Complex.objects.filter(corporation_id=job.corporation_id)
    if complexes is not None:
        wanted = wanted.filter(pk__in=complexes)
    wanted_ids = set(wanted.values_list("pk", flat=True))
    counted = set(latest.filter(complex_id__in=wanted_ids, reference_date=reference_date, computed__gte=asked)
                  .values_list("complex_id", flat=True))
    if counted != wanted_ids:
        return False
    if job.params.get("rescore"):
        # Scoring again leaves no trace of when; only a full count after the request covers it.
        return latest.filter(computed__lt=asked).count() == 0 and latest.exists()
    return True


def _stored_reference_date(corporation_id: int) -> date | None:
    return (ComplexVitality.objects.filter(corporation_id=corporation_id, is_latest=True)
            .aggregate(day=Max("reference_date"))["day"])


def vitality_recount(*, corporation: HousingCorporation, reference_date: date, complex_ids: Iterable[int] | None = None,
                     rescore: bool = False, on_progress: ProgressCallback | None = None) -> dict:
    """Count the complexes concerned again and replace only their rows; the areas' means are made anew.

    Every complex is counted (`vitality_refresh`) when `complex_ids` is None, and also when the stored vitality is
    of another day than `reference_date`: all complexes' twelve months have moved then, and the areas' means must
    not mix two days. An empty `complex_ids` counts nothing (with `rescore`: only scores again).

    Returns:
        {"complexes" (counted), "measurements", "warnings" (of those counted), "seconds", "scope": "all"|"some",
         "rescored" (when asked)}.
    """
    ids = None if complex_ids is None else sorted(set(complex_ids))
    if ids is None or (ids and _stored_reference_date(corporation.pk) != reference_date):
        result = {**vitality_refresh(corporation=corporation, reference_date=reference_date, on_progress=on_progress),
                  "scope": "all"}
        if rescore:
            result["rescored"] = result["complexes"]  # counted with the settings of now: scored with them too
        return result
    result = _recount_some(corporation, reference_date, ids, on_progress) if ids else {
        "complexes": 0, "measurements": 0, "warnings": 0, "seconds": 0.0, "scope": "some"}
    if result.get("scope") == "some" and rescore:
        result["rescored"] = vitality_rescore(corporation=corporation)
    return result


def _recount_some(corporation: HousingCorporation, reference_date: date, ids: list[int],
                  on_progress: ProgressCallback | None) -> dict:
    clock = time.monotonic()
    started = timezone.now()  # before the first count, as in `vitality_refresh`
    dates = measurement_dates(reference_date)
    steps = len(dates) + 2
    # The counts are one grouped query per measure over the whole corporation: as cheap as for one complex.
    measured = vitality_measure(corporation, dates, on_progress=on_progress, steps=steps)
    complexes = [place for place in complex_places(corporation, ids) if place[0] in measured[reference_date]]
    rows = vitality_rows(corporation, reference_date, measured, complexes, computed=started)
    if on_progress:
        on_progress(len(dates) + 1, steps)
    with transaction.atomic():
        # One recount or nightly count at a time per corporation; the other one waits here.
        HousingCorporation.objects.select_for_update().get(pk=corporation.pk)
        if _stored_reference_date(corporation.pk) != reference_date:
            fallback = None  # a full count of another day committed meanwhile: count everything on ours
        else:
            fallback = False
            ComplexVitality.objects.filter(corporation=corporation, complex_id__in=ids).delete()
            ComplexVitality.objects.bulk_create(rows, batch_size=1000)
            _areas_rebuild(corporation)
    if fallback is None:
        return {**vitality_refresh(corporation=corporation, reference_date=reference_date, on_progress=on_progress),
                "scope": "all"}
    _analyze()
    if on_progress:
        on_progress(steps, steps)
    latest = [r for r in rows if r.is_latest]
    return {
        "complexes": len(latest),
        "measurements": len(rows),
        "warnings": sum(1 for r in latest if r.warning_count),
        "seconds": round(time.monotonic() - clock, 2),
        "scope": "some",
    }


def _areas_rebuild(corporation: HousingCorporation) -> None:
    """The areas' dwelling-weighted means again, from every stored complex row (inside the caller's transaction)."""
    rows = list(ComplexVitality.objects.filter(corporation=corporation)
                .only("complex_id", "reference_date", "values", "score", "dwelling_count", "warning_count"))
    places = {pk: (buurt, gm) for pk, buurt, gm in complex_places(corporation)}
    AreaVitality.objects.filter(corporation=corporation).delete()
    AreaVitality.objects.bulk_create(_area_rows(corporation, rows, places), batch_size=1000)


# --- imports of the layers below --------------------------------------------------------------------------------


def audit_event_recount(sender, instance: AuditEvent, created: bool, **kwargs) -> None:
    """A portfolio or open data import was written (its audit event): ask for the recount of what it concerns.

    The receiver of `post_save` on AuditEvent: the portfolio and neighbourhoods apps may not import liveability
    (imports point down the layers), and every import, from a screen, a job or a command, writes this event in
    its own transaction. Audit events are only ever created, so each one asks once.
    """
    if not created:
        return
    reason = RECOUNT_EVENTS.get(instance.event_type)
    if reason is None:
        return
    if instance.event_type == AuditEvent.Type.PORTFOLIO_IMPORTED:
        if instance.corporation_id is not None:
            vitality_recount_request(corporation=instance.corporation_id, reason=reason,
                                     user=instance.actor if instance.actor_id else None)
        return
    municipality = (instance.data or {}).get("municipality")
    if not municipality:
        return

    def per_corporation():
        # After the import committed: the complexes in the municipality's buurten, per corporation.
        concerned: dict[int, list[int]] = {}
        for pk, corporation_id in Complex.objects.filter(
                neighbourhood__municipality__cbs_code=municipality).values_list("pk", "corporation_id"):
            concerned.setdefault(corporation_id, []).append(pk)
        for corporation_id, ids in sorted(concerned.items()):
            vitality_recount_queue(corporation=corporation_id, complex_ids=ids, reason=reason)

    transaction.on_commit(per_corporation, robust=True)


__all__ = [
    "REASONS", "audit_event_recount", "merged_params", "vitality_recount", "vitality_recount_is_current",
    "vitality_recount_queue", "vitality_recount_request",
]
