"""From the database to the engine and back: a round's rows as a `buurtbalans.round/1` or `/2` document.

The product speaks the file contract of `run_allocation_round` (docs/allocation.md) with itself: the service
builds the round's input document from the rows, checks and reads it with the contract's own reader
(`roundfile.parse_round_document`), solves it, and stores the input document on the run with an outcome row per
bid (`BidResult`). So a stored run can be solved again by anyone, with or without the database
(`buurtbalans run_allocation_round`), and the result must be the same: `run_result_document` gives the result
document of a run from its outcome rows (runs stored before keep theirs in `result_document`).

Ids in the documents: a listing is its `reference`, an applicant their registration number (`external_id`).

The format (docs/allocation.md "Motivation in the product"): a round in which a motivation listing publishes its
criteria is a `buurtbalans.round/2` document, with the listings' `criteria` and `motivation_min_score` and each
applicant's blind `motivation_assessments` (`MotivationAssessment`: assessor name and score, in the order
recorded), so the engine scores them by its rule. Every other round is `buurtbalans.round/1` exactly as before:
without motivation listings, or with only motivation listings from before issue 13 (no criteria), whose single
`MotivationScore` it carries as `motivation_scores`.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from operator import attrgetter

from django.db import connection

from buurtbalans.allocation.models import (
    ApplicantGroup,
    ApplicantProfile,
    ApplicantStatus,
    Bid,
    BidOutcomeCode,
    BidResult,
    Listing,
    ListingStatus,
    MotivationAssessment,
    MotivationScore,
    SelectionKey,
)
from buurtbalans.allocation.roundfile import FORMAT, FORMAT_2, RESULT_FORMAT, RESULT_FORMAT_2, parse_round_document
from buurtbalans.engine.allocation import IneligibleReason
from buurtbalans.engine.allocation.motivation import assessed_motivation, score_text, tenths_text
from buurtbalans.households.models import Applicant

# Why an applicant's bids were left out of a round; shown on the review page and in the letter.
SKIP_NO_INCOME = "no_income"
SKIP_HOUSED = "housed"
VULNERABLE = ApplicantGroup.VULNERABLE.value


def amount_text(value: Decimal | None) -> str | None:
    """An amount as the round file writes it: "1234.56"."""
    if value is None:
        return None
    return f"{Decimal(value).quantize(Decimal('0.01'))}"


def _score(value: Decimal) -> int | float:
    number = float(value)
    return int(number) if number.is_integer() else number


def score_text_of(value: Decimal | None) -> str | None:
    """An assessor's score or a lowest score as round/2 writes it: "2.5" (one decimal)."""
    if value is None:
        return None
    return f"{Decimal(value).quantize(Decimal('0.1'))}"


def is_round_2(listings) -> bool:
    """Whether a round of these listings is solved as round/2: a motivation listing publishes its criteria."""
    return any(listing.selection == SelectionKey.MOTIVATION and listing.criteria for listing in listings)


@dataclass
class BidKeys:
    """The database rows behind a round's bids: per bid of the document (in its order) the primary keys of the bid,
    its applicant and its listing, and the household codes of the applicants (for the audit)."""

    bid: list[int]
    applicant: list[int]
    listing: list[int]
    households: list[str]


@dataclass
class RoundInput:
    """A round's input document and what it left out."""

    document: dict
    # [{"applicant": registration number, "household": household code, "reason": SKIP_*}]
    skipped: list[dict] = field(default_factory=list)
    # The rows behind the document's bids (`None` only for a RoundInput made by hand).
    keys: BidKeys | None = None


def listing_entry(listing: Listing, *, round_2: bool = False) -> dict:
    """The listing as the round file names it; `round_2` adds its published criteria and lowest score (only a
    motivation listing has them)."""
    dwelling = listing.dwelling
    complex_ = dwelling.complex
    municipality = None
    if complex_ is not None and complex_.neighbourhood is not None:
        municipality = complex_.neighbourhood.municipality.cbs_code
    entry = {
        "id": listing.reference,
        "dwelling": dwelling.external_id,
        "complex": complex_.external_id if complex_ is not None else None,
        "municipality": municipality,
        "base_rent": amount_text(listing.base_rent),
        "selection": listing.selection,
        "urgency_first": listing.urgency_first,
        "household_size_min": listing.household_size_min,
        "household_size_max": listing.household_size_max,
        "income_min": amount_text(listing.income_min),
        "income_max": amount_text(listing.income_max),
        "allowed_groups": sorted(listing.allowed_groups or []),
        "excluded_groups": sorted(listing.excluded_groups or []),
        "affordability_exception": listing.affordability_exception,
    }
    if round_2:
        is_motivation = listing.selection == SelectionKey.MOTIVATION
        entry["criteria"] = list(listing.criteria or ()) if is_motivation else []
        entry["motivation_min_score"] = score_text_of(listing.motivation_min_score) if is_motivation else None
    return entry


def round_input_from_rows(allocation_round) -> RoundInput:
    """The round's open listings, the bids on them and their applicants, as a `buurtbalans.round/1` document, or
    `/2` when a motivation listing publishes criteria (`is_round_2`).

    Applicants already housed, and applicants whose household has no known income (neither the income limits
    nor passend toewijzen can be decided without it), are left out with their bids and listed in `skipped`.
    Urgency counts when it is valid on the round's reference date.

    An applicant's groups come from their profile only. The group `vulnerable` ("placed with support") is the
    placement route: an allocation officer puts a household in it, and a `RESERVED_VULNERABLE` listing is for
    it (a `NO_VULNERABLE` listing is not used for it). It never comes from a vulnerability marker: markers steer
    the labelling plan's routes, never who may bid (issue 13; docs/steering.md "Markers steer routes, not
    people"), so building a round reads no marker at all.

    Rows are read as tuples (`values_list`), not model instances: a weekly regional round has 60,000 bids and
    20,000 applicants, and an instance per row cost seconds.
    """
    reference_date = allocation_round.reference_date
    listings = list(
        Listing.objects.filter(allocation_round=allocation_round, status=ListingStatus.OPEN)
        .select_related("dwelling", "dwelling__complex", "dwelling__complex__neighbourhood__municipality")
        .order_by("reference")
    )
    listing_refs = {listing.pk: listing.reference for listing in listings}
    motivation_listings = [listing.pk for listing in listings if listing.selection == SelectionKey.MOTIVATION]
    open_bids = Bid.objects.filter(listing__allocation_round=allocation_round, listing__status=ListingStatus.OPEN)
    bids = _fetch(open_bids.order_by("pk").values_list("pk", "listing_id", "applicant_id", "preference",
                                                       "submitted_at"))
    bidders = open_bids.values("applicant_id")
    # No ORDER BY: the applicants are sorted by registration number below (the model's ordering is another one).
    people = Applicant.objects.filter(pk__in=bidders).order_by().values_list(
        "pk", "external_id", "registration_date", "household__external_id", "household__size",
        "household__assessed_income", "household__is_pension_age_household",
    )
    profiles = {
        applicant_id: (groups, is_urgent, valid_until, status)
        for applicant_id, groups, is_urgent, valid_until, status in ApplicantProfile.objects.filter(
            applicant_id__in=bidders).values_list("applicant_id", "groups", "is_urgent", "urgency_valid_until",
                                                  "status")
    }
    round_2 = is_round_2(listings)
    scores: dict[int, dict[str, object]] = defaultdict(dict)
    if round_2:
        # Each assessor's score in the order recorded: the rule counts an assessor's first and the first two or
        # three assessors (engine.allocation.motivation).
        for applicant_id, listing_id, assessor, score in MotivationAssessment.objects.filter(
                listing_id__in=motivation_listings).order_by("created", "pk").values_list(
                "applicant_id", "listing_id", "assessor_name", "score"):
            scores[applicant_id].setdefault(listing_refs[listing_id], []).append(
                {"assessor": assessor, "score": score_text_of(score)})
        motivation_key = "motivation_assessments"
    else:
        for applicant_id, listing_id, score in MotivationScore.objects.filter(
                listing_id__in=motivation_listings).values_list("applicant_id", "listing_id", "score"):
            scores[applicant_id][listing_refs[listing_id]] = _score(score)
        motivation_key = "motivation_scores"

    applicants: dict[int, dict] = {}
    households: list[str] = []
    skipped: list[dict] = []
    no_profile = ([], False, None, ApplicantStatus.WAITING)
    for pk, code, registered, household, size, income, is_pension_age in people:
        groups, is_urgent, valid_until, status = profiles.get(pk, no_profile)
        reason = None
        if status == ApplicantStatus.HOUSED:
            reason = SKIP_HOUSED
        elif income is None or income < 0:
            reason = SKIP_NO_INCOME
        if reason is not None:
            skipped.append({"applicant": code, "household": household, "reason": reason})
            continue
        households.append(household)
        applicant_scores = scores.get(pk)
        applicants[pk] = {
            "id": code,
            "household_size": size,
            "assessed_income": amount_text(income),
            "is_pension_age_household": is_pension_age,
            "registration_date": registered.isoformat(),
            "is_urgent": bool(is_urgent and (valid_until is None or valid_until >= reference_date)),
            "groups": sorted(set(groups)) if groups else [],
            motivation_key: dict(sorted(applicant_scores.items())) if applicant_scores else None,
        }
    codes = {pk: entry["id"] for pk, entry in applicants.items()}
    kept = [bid for bid in bids if bid[2] in codes]
    bid_pks, listing_pks, applicant_pks, preferences, moments = (
        [list(column) for column in zip(*kept, strict=True)] if kept else ([], [], [], [], []))
    bid_entries = [
        {"applicant": applicant, "listing": listing, "preference": preference, "submitted_at": moment}
        for applicant, listing, preference, moment in zip(
            map(codes.__getitem__, applicant_pks), map(listing_refs.__getitem__, listing_pks), preferences,
            _utc_texts(moments), strict=True)
    ]
    document = {
        "format": FORMAT_2 if round_2 else FORMAT,
        "reference_date": reference_date.isoformat(),
        "lottery_seed": allocation_round.lottery_seed,
        "listings": [listing_entry(listing, round_2=round_2) for listing in listings],
        "applicants": sorted(applicants.values(), key=lambda a: a["id"]),
        "bids": bid_entries,
    }
    keys = BidKeys(bid=bid_pks, applicant=applicant_pks, listing=listing_pks, households=sorted(set(households)))
    return RoundInput(document, sorted(skipped, key=lambda s: s["applicant"]), keys)


def _fetch(queryset) -> list[tuple]:
    """The rows of a `values_list` queryset.

    On PostgreSQL the times are read with psycopg's own (compiled) loader: Django's, which makes them aware in its
    time zone, is written in Python and took half of the time of reading a weekly round's 60,000 bids. The
    connection's time zone is UTC (Django sets it so), and so are the times.
    """
    if connection.vendor != "postgresql":
        return list(queryset)
    import psycopg
    from psycopg.postgres import types
    from psycopg.pq import Format

    oid = types["timestamptz"].oid
    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.cursor.adapters.register_loader(oid, psycopg.adapters.get_loader(oid, Format.TEXT))
        cursor.execute(sql, params)
        return cursor.fetchall()


def _utc_texts(moments: list[datetime]) -> list[str]:
    """The bid times as ISO text in UTC ("2025-05-26T09:30:00+00:00"). The database gives them in UTC already, so
    the conversion per bid (a third of the time) is only made when one is not."""
    if all(_is_utc(zone) for zone in set(map(attrgetter("tzinfo"), moments))):
        return list(map(datetime.isoformat, moments))
    return [moment.astimezone(UTC).isoformat() for moment in moments]


def _is_utc(zone) -> bool:
    return zone is UTC or getattr(zone, "key", None) in ("UTC", "Etc/UTC")


def document_without(document: dict, *, listings=(), applicants=()) -> dict:
    """The document with listings and applicants (and every bid on or by them) taken out.

    The same cut as the engine's `RoundFacts.without`, on the document, so a re-run stores an input that
    reproduces it (tested against `without`).
    """
    drop_listings, drop_applicants = set(listings), set(applicants)
    kept_listings = [entry for entry in document["listings"] if entry["id"] not in drop_listings]
    kept_ids = {entry["id"] for entry in kept_listings}
    # Round/2 applicants carry assessments, round/1 applicants scores: both per listing id.
    key = "motivation_assessments" if document.get("format") == FORMAT_2 else "motivation_scores"
    kept_applicants = []
    for entry in document["applicants"]:
        if entry["id"] in drop_applicants:
            continue
        scores = entry.get(key)
        if scores or key not in entry:  # otherwise the entry stays as it is: no copy
            kept = ({name: value for name, value in scores.items() if name in kept_ids} or None) if scores else None
            entry = {**entry, key: kept}
        kept_applicants.append(entry)
    return {
        **document,
        "listings": kept_listings,
        "applicants": kept_applicants,
        "bids": [
            bid for bid in document["bids"]
            if bid["listing"] in kept_ids and bid["applicant"] not in drop_applicants
        ],
    }


def document_with_route_groups(allocation_round, document: dict) -> dict:
    """A stored input document with the group `vulnerable` kept only where the applicant's profile has it.

    A re-run solves the first run's document again (less what was let or removed). Documents stored before
    issue 13 put every applicant with a vulnerability marker in `vulnerable`, so a `NO_VULNERABLE` listing
    excluded them for a marker; solving such a document again would repeat that. The product's own documents
    take the group from the profile only (`round_input_from_rows`), so for them this changes nothing, unless an
    officer has taken the applicant out of the placement route since; then the re-run follows the profile.
    No marker is read.
    """
    grouped = {entry["id"] for entry in document["applicants"] if VULNERABLE in (entry.get("groups") or ())}
    if not grouped:
        return document
    placed = {
        code for code, groups in ApplicantProfile.objects.filter(
            applicant__corporation_id=allocation_round.corporation_id, applicant__external_id__in=grouped,
        ).values_list("applicant__external_id", "groups")
        if VULNERABLE in (groups or ())
    }
    if placed >= grouped:
        return document
    return {
        **document,
        "applicants": [
            {**entry, "groups": [g for g in entry["groups"] if g != VULNERABLE]}
            if entry["id"] in grouped - placed else entry
            for entry in document["applicants"]
        ],
    }


def bid_keys_for(allocation_round, document: dict) -> BidKeys:
    """The rows behind the bids of a document made from the round before (a re-run's cut of the first input).

    Raises:
        KeyError: a bid of the document is no longer in the database.
    """
    round_bids = Bid.objects.filter(listing__allocation_round=allocation_round)
    pairs = {(a, li): pk for pk, a, li in round_bids.order_by().values_list("pk", "applicant_id", "listing_id")}
    people = {
        code: (pk, household)
        for pk, code, household in Applicant.objects.filter(pk__in=round_bids.values("applicant_id")).order_by()
        .values_list("pk", "external_id", "household__external_id")
    }
    listings = dict(Listing.objects.filter(allocation_round=allocation_round).values_list("reference", "pk"))
    applicant_pks = [people[bid["applicant"]][0] for bid in document["bids"]]
    listing_pks = [listings[bid["listing"]] for bid in document["bids"]]
    return BidKeys(
        bid=list(map(pairs.__getitem__, zip(applicant_pks, listing_pks, strict=True))),
        applicant=applicant_pks,
        listing=listing_pks,
        households=sorted({people[entry["id"]][1] for entry in document["applicants"]}),
    )


def run_result_document(run) -> dict:
    """The run's result as the engine's `buurtbalans.round-result/1` document (`RoundResult.to_document()`).

    A run keeps its result as one outcome row per bid (`BidResult`, with the explanation in `detail`) and the
    listings' statuses in its summary; this puts them together again in the document's order (listings and bids
    as in the input document, candidates by rank). Runs stored before keep the document itself, which is
    returned as it is. Solving `run.input_document` again gives this document (tests/test_round_flow.py).
    """
    if run.result_document is not None:
        return run.result_document
    document = run.input_document
    candidates: dict[str, list[tuple[int, dict]]] = defaultdict(list)
    ineligible: dict[tuple[str, str], dict] = {}
    for applicant, listing, outcome, rank, reason, detail in BidResult.objects.filter(run=run).values_list(
            "applicant__external_id", "listing__reference", "outcome", "rank", "reason", "detail"):
        if outcome == BidOutcomeCode.INELIGIBLE:
            ineligible[(applicant, listing)] = {**(detail or {}), "reason": reason}
        else:
            candidates[listing].append((rank, {"applicant": applicant, "rank": rank, "outcome": outcome,
                                               "detail": detail}))
    statuses = run.summary["listing_statuses"]
    listings = {}
    allocations = []
    for entry in document["listings"]:
        ranked = [candidate for _rank, candidate in sorted(candidates[entry["id"]], key=lambda c: c[0])]
        listings[entry["id"]] = {
            "status": statuses[entry["id"]],
            "candidates": ranked,
            "reserve": [{"applicant": c["applicant"], "rank": c["rank"]} for c in ranked
                        if c["outcome"] == BidOutcomeCode.OUTRANKED and c["detail"]["reserve_position"] is not None],
        }
        allocations.extend({"listing": entry["id"], "applicant": c["applicant"], "rank": c["rank"]}
                           for c in ranked if c["outcome"] == BidOutcomeCode.ALLOCATED)
    round_2 = document.get("format") == FORMAT_2
    if round_2:
        _add_motivation_extras(document, ineligible)
    return {
        "format": RESULT_FORMAT_2 if round_2 else RESULT_FORMAT,
        "parameters_version": run.summary.get("parameters_version", run.parameter_version),
        "reference_date": document["reference_date"],
        "lottery_seed": document["lottery_seed"],
        "allocations": allocations,
        "listings": listings,
        "ineligible": [
            {"applicant": bid["applicant"], "listing": bid["listing"], **ineligible[key]}
            for bid in document["bids"]
            if (key := (bid["applicant"], bid["listing"])) in ineligible
        ],
    }


MOTIVATION_REASONS = (IneligibleReason.MOTIVATION_INCOMPLETE.value, IneligibleReason.MOTIVATION_BELOW_MINIMUM.value)


def _add_motivation_extras(document: dict, ineligible: dict[tuple[str, str], dict]) -> None:
    """Round/2: give each bid refused for its motivation the score (below the minimum) and the assessments
    counted, as the engine's ineligible entry has them (`RoundResult.motivation_extras`).

    The outcome rows keep only the reason of an ineligible bid, so they are made again from the stored input with
    the engine's own rule (`assessed_motivation`); an outcome row that holds them already is used as it is.
    """
    wanted = {key for key, entry in ineligible.items()
              if entry["reason"] in MOTIVATION_REASONS and "motivation_assessments" not in entry}
    if not wanted:
        return
    facts = parse_round_document(document).facts
    assessed = assessed_motivation(facts)
    applicant_ids, listing_ids = facts.applicant_ids, facts.listing_ids
    for row, bid in enumerate(assessed.bid.tolist()):
        key = (applicant_ids[int(facts.bid_applicant[bid])], listing_ids[int(facts.bid_listing[bid])])
        if key not in wanted:
            continue
        entry = ineligible[key]
        used = [{"assessor": facts.assessor_ids[int(facts.assessment_assessor[index])],
                 "score": tenths_text(int(facts.assessment_score_tenths[index]))}
                for index in assessed.used[row].tolist() if index >= 0]
        extra = {"motivation_assessments": used}
        if entry["reason"] == IneligibleReason.MOTIVATION_BELOW_MINIMUM.value:
            extra = {"motivation_score": score_text(int(assessed.score_hundredths[row])), **extra}
        ineligible[key] = {"reason": entry["reason"], **extra}


__all__ = ["BidKeys", "RoundInput", "SKIP_HOUSED", "SKIP_NO_INCOME", "amount_text", "bid_keys_for",
           "document_with_route_groups", "document_without", "listing_entry", "round_input_from_rows",
           "run_result_document"]
