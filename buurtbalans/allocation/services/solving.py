"""Working a round out: queueing the job, building or cutting its input, solving it and storing every outcome.

Owns the job's work (`allocation_round_solve`): the first run's input from the rows, a later run's cut of the
first run's input (`round_removals`: what is decided since), the engine call, the run row and one explained
outcome per bid (60,000 for a weekly round, written through `core.bulk`), and putting the round back when it
cannot be worked out.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import orjson
from django.db import connection, models, transaction
from django.db.models import Max, Value
from django.db.models.functions import Cast
from django.utils.translation import gettext as _

from buurtbalans.allocation.models import (
    ACTIVE_LISTING_STATUSES,
    AllocationRound,
    AllocationRun,
    ApplicantProfile,
    ApplicantStatus,
    BidOutcomeCode,
    BidResult,
    Listing,
    Offer,
    OfferStatus,
    RoundStatus,
    RunReason,
)
from buurtbalans.allocation.roundfile import RoundFileError, candidate_detail_texts, gc_paused, parse_round_document
from buurtbalans.allocation.roundinput import (
    bid_keys_for,
    document_with_route_groups,
    document_without,
    round_input_from_rows,
)
from buurtbalans.allocation.services.base import AllocationError, _lock_round, _name, _record
from buurtbalans.core import bulk
from buurtbalans.core.jobs import job_enqueue
from buurtbalans.core.models import AuditEvent, Job
from buurtbalans.engine.allocation import REASON_ORDER, RoundParameterMissing, solve_round
from buurtbalans.engine.allocation.result import OUTCOME_ORDER
from buurtbalans.rules.parameters import parameters_for

SOLVE_JOB_KIND = "allocation_round_solve"
# BidResult rows are written in chunks of this size: progress is reported per chunk.
RESULT_CHUNK = 20_000


def _enqueue_solve(allocation_round: AllocationRound, actor) -> None:
    """Mark the round as being worked out and queue the job; the job row commits with the transaction."""
    job = job_enqueue(kind=SOLVE_JOB_KIND, corporation=allocation_round.corporation,
                      user=actor if getattr(actor, "is_authenticated", False) else None,
                      params={"round": allocation_round.pk})
    allocation_round.status = RoundStatus.SOLVING
    allocation_round.job = job
    allocation_round.error = ""
    allocation_round.save(update_fields=["status", "job", "error"])


def round_removals(allocation_round: AllocationRound, first_run: AllocationRun) -> dict:
    """What a run after the first leaves out of the first run's input.

    Those are listings that are let, withdrawn or no longer open, and applicants who accepted or declined an offer
    in this round or were housed elsewhere: everyone else keeps their place and lottery number.

    The first run's listings are the keys of its `listing_statuses` and its applicants those of its outcome rows
    (each has a bid), so its input document (megabytes) is read only for a run stored before the summary kept
    the statuses.
    """
    statuses = first_run.summary.get("listing_statuses")
    if statuses is None:
        listing_ids = [entry["id"] for entry in first_run.input_document["listings"]]
    else:
        listing_ids = list(statuses)
    closed_listings = set(
        Listing.objects.filter(allocation_round=allocation_round, reference__in=listing_ids)
        .exclude(status__in=ACTIVE_LISTING_STATUSES)
        .values_list("reference", flat=True)
    )
    closed_listings |= set(
        Offer.objects.filter(allocation_round=allocation_round, status=OfferStatus.ACCEPTED)
        .values_list("listing__reference", flat=True)
    )
    decided = set(
        Offer.objects.filter(allocation_round=allocation_round)
        .exclude(status=OfferStatus.OFFERED)
        .exclude(status=OfferStatus.WITHDRAWN, decline_reason="")
        .values_list("applicant__external_id", flat=True)
    )
    housed = set(
        ApplicantProfile.objects.filter(
            corporation_id=allocation_round.corporation_id, status=ApplicantStatus.HOUSED,
            applicant_id__in=BidResult.objects.filter(run=first_run).values("applicant_id"),
        ).values_list("applicant__external_id", flat=True)
    )
    return {"listings": sorted(closed_listings), "applicants": sorted(decided | housed)}


class _SolveFailed(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def allocation_round_solve(*, allocation_round: AllocationRound, actor, job=None,
                           on_progress: Callable[[int, int], None] | None = None) -> AllocationRun | None:
    """Work the round out: build its input, solve it with the engine, store the run and every bid's outcome.

    The first run takes the round's open listings and their bids from the database. A later run (after a
    decline) takes the first run's input and leaves out what is decided (`round_removals`: accepted offers,
    decliners, listings no longer open), the engine's `RoundFacts.without`, so everyone keeps their lottery number
    and the facts of the round do not change underway. The round then waits for review.

    Args:
        allocation_round: a round marked as being worked out (`allocation_round_start`).
        actor: who asked for it (the job's user).
        job: the job doing it; when the round has since been given to another job, nothing is done.
        on_progress: `on_progress(done, total)`.

    Returns:
        The new run, or None when there was nothing to do (the round is not being worked out by this job).

    Raises:
        AllocationError: when the round cannot be solved (conflicting bids, a legal parameter unknown for the
            reference date); the round goes back to draft (or stays approved for a re-run) with the problem.
    """
    try:
        return _solve(allocation_round=allocation_round, actor=actor, job=job, on_progress=on_progress)
    except _SolveFailed as exc:
        _solve_failed(allocation_round, job, exc.message)
        raise AllocationError(exc.message) from exc
    except Exception:
        # A bug or a lost database connection: the round must not stay "being worked out" for ever.
        _solve_failed(allocation_round, job, _("The round could not be worked out because of an error in the "
                                               "system. Try again, or ask the administrator."))
        raise


def _solve_failed(allocation_round: AllocationRound, job, message: str) -> None:
    with transaction.atomic():
        locked = _lock_round(allocation_round)
        if locked.status == RoundStatus.SOLVING and (job is None or locked.job_id == job.pk):
            locked.status = RoundStatus.APPROVED if locked.runs.exists() else RoundStatus.DRAFT
            locked.error = message
            locked.save(update_fields=["status", "error"])


@transaction.atomic
def _solve(*, allocation_round, actor, job, on_progress) -> AllocationRun | None:
    allocation_round = _lock_round(allocation_round)
    if allocation_round.status != RoundStatus.SOLVING or (job is not None and allocation_round.job_id != job.pk):
        return None
    progress = on_progress or (lambda done, total: None)
    # Working a weekly round out makes some hundred thousand small dicts, lists and strings and no reference
    # cycles; the cyclic collector would walk the growing heap again and again (a third of the time).
    with gc_paused():
        return _solve_round(allocation_round, actor, job, progress)


def _solve_round(allocation_round, actor, job, progress) -> AllocationRun:
    # The runs' documents are loaded only where needed: each is megabytes of JSON for a weekly round.
    first = allocation_round.runs.defer("input_document", "result_document").order_by("number").first()
    try:
        if first is None:
            built = round_input_from_rows(allocation_round)
            document, skipped, reason, keys = built.document, built.skipped, RunReason.FIRST, built.keys
            removed = {"listings": [], "applicants": []}
            # The stored document is read with the contract's own reader: what is solved is what is stored.
            round_file = parse_round_document(document)
            facts = round_file.facts
        else:
            removed = round_removals(allocation_round, first)
            # No marker decides a group: a document stored before issue 13 may still say otherwise.
            base_document = document_with_route_groups(allocation_round, first.input_document)
            round_file = parse_round_document(base_document)
            # The engine's own cut of the first run's facts is solved, and the same cut of the document
            # (`document_without`) is stored as this run's input; the two agree (tests/test_round_flow.py).
            facts = round_file.facts.without(**removed)
            document = document_without(base_document, **removed)
            _check_same_round(facts, document)
            keys = bid_keys_for(allocation_round, document)
            skipped, reason = first.skipped, RunReason.AGAIN
    except RoundFileError as exc:
        raise _SolveFailed(_("The round's bids do not make a round: %(problems)s")
                           % {"problems": "; ".join(exc.problems[:20])}) from exc
    n_bids = len(facts.bid_applicant)
    total = 2 + n_bids
    progress(1, total)
    try:
        # The corporation's own, stricter values (a lower cap) apply to its rounds only (rules.local_parameters).
        params = parameters_for(allocation_round.reference_date, corporation=allocation_round.corporation_id)
        result = solve_round(facts, params, reference_date=allocation_round.reference_date,
                             lottery_seed=round_file.lottery_seed)
    except RoundParameterMissing as exc:
        raise _SolveFailed(_("A legal parameter the round needs is not known for %(date)s: %(error)s")
                           % {"date": allocation_round.reference_date.isoformat(), "error": exc}) from exc
    except LookupError as exc:
        raise _SolveFailed(str(exc)) from exc
    progress(2, total)
    _compress_quickly()
    number = (allocation_round.runs.aggregate(n=Max("number"))["n"] or 0) + 1
    run = AllocationRun.objects.create(
        corporation_id=allocation_round.corporation_id,
        allocation_round=allocation_round,
        number=number,
        reason=reason,
        lottery_seed=allocation_round.lottery_seed,
        parameter_version=result.parameters_version[:60],
        input_document=_json_text(document),
        # The result is kept as the outcome rows (below), from which `run_result_document` puts the document
        # together again: storing it as well doubled the megabytes a run writes. JSON null marks that.
        result_document=Value(None, output_field=models.JSONField()),
        summary={**result.summary(), "listing_statuses": {
            listing.id: result.listing_status(li).value for li, listing in enumerate(result.facts.listings)}},
        removed=removed,
        skipped=skipped,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        created_by_name=_name(actor),
    )
    run.input_document, run.result_document = document, None
    _write_bid_results(run, result, keys, on_progress=lambda done: progress(2 + done, total))
    allocation_round.status = RoundStatus.REVIEW
    allocation_round.error = ""
    allocation_round.save(update_fields=["status", "error"])
    if job is not None:
        Job.objects.filter(pk=job.pk).update(parameter_version=run.parameter_version)
    _record(actor=actor, event=AuditEvent.Type.ROUND_SOLVED, corporation=allocation_round.corporation,
            subject_type="round", subject_ids=keys.households,
            label=f"round {allocation_round.name} run {run.number}",
            data={"round": allocation_round.pk, "run": run.pk, "parameter_version": run.parameter_version,
                  "allocations": run.summary.get("allocations"), "bids": n_bids, "removed": removed})
    return run


def _json_text(document: dict):
    """A document for a JSON column, serialised here with orjson.

    A weekly round's input is 12 MB of JSON, which `json.dumps` (what Django would use) takes 0.1 to 0.4 s to
    write and orjson a tenth of that.
    """
    return Cast(Value(orjson.dumps(document).decode(), output_field=models.TextField()),
                output_field=models.JSONField())


def _compress_quickly() -> None:
    """On PostgreSQL, compress the large values of this transaction (the run's input document) with lz4.

    Only when the server has it: a third of the time of the default pglz for 12 MB of JSON, at about the same
    size. Reading does not depend on it (each value records how it was compressed).
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'")
        row = cursor.fetchone()
        if row is not None and row[0]:
            cursor.execute("SET LOCAL default_toast_compression = 'lz4'")


def _check_same_round(facts, document: dict) -> None:
    """The facts solved and the document stored name the same listings, applicants and bids, in the same order."""
    if (
        list(facts.listing_ids) != [entry["id"] for entry in document["listings"]]
        or list(facts.applicant_ids) != [entry["id"] for entry in document["applicants"]]
        or list(map(facts.applicant_ids.__getitem__, facts.bid_applicant.tolist()))
        != [bid["applicant"] for bid in document["bids"]]
        or list(map(facts.listing_ids.__getitem__, facts.bid_listing.tolist()))
        != [bid["listing"] for bid in document["bids"]]
    ):
        raise RuntimeError("the re-run's facts and its stored input document differ")


BID_RESULT_FIELDS = ("corporation", "run", "bid", "listing", "applicant", "outcome", "rank", "reason",
                     "reserve_position", "detail")


def _write_bid_results(run: AllocationRun, result, keys, on_progress: Callable[[int], None]) -> None:
    """One BidResult per bid of the run, written through `core.bulk` (COPY on PostgreSQL).

    The candidates come listing by listing in rank order, then the ineligible bids in input order. The
    explanations (`detail`) are the engine's, as JSON text made from its columns.
    """
    columns = result.candidate_columns()
    candidates = columns.bid.tolist()
    ineligible = np.flatnonzero(result.reason).tolist()
    order = candidates + ineligible
    n_candidates, n_ineligible = len(candidates), len(ineligible)
    outcomes = [outcome.value for outcome in OUTCOME_ORDER]
    reasons = [reason.value for reason in REASON_ORDER]
    ineligible_reasons = list(map(reasons.__getitem__, (result.reason[ineligible] - 1).tolist()))
    table = [
        [run.corporation_id] * len(order),
        [run.pk] * len(order),
        list(map(keys.bid.__getitem__, order)),
        list(map(keys.listing.__getitem__, order)),
        list(map(keys.applicant.__getitem__, order)),
        list(map(outcomes.__getitem__, columns.outcome.tolist())) + [BidOutcomeCode.INELIGIBLE.value] * n_ineligible,
        columns.rank.tolist() + [None] * n_ineligible,
        [""] * n_candidates + ineligible_reasons,
        [position or None for position in columns.reserve_position.tolist()] + [None] * n_ineligible,
        candidate_detail_texts(result) + ['{"reason":"' + reason + '"}' for reason in ineligible_reasons],
    ]
    for start in range(0, len(order), RESULT_CHUNK):
        bulk.columns_insert(BidResult, BID_RESULT_FIELDS, [column[start:start + RESULT_CHUNK] for column in table])
        on_progress(min(start + RESULT_CHUNK, len(order)))


def _current_removals(allocation_round: AllocationRound) -> dict:
    """What a run made now would leave out; a run whose `removed` differs is out of date."""
    first = allocation_round.runs.defer("input_document", "result_document").order_by("number").first()
    return round_removals(allocation_round, first)
