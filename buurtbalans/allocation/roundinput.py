"""From the database to the engine and back: a round's rows as a `buurtbalans.round/1` document.

The product speaks the file contract of `run_allocation_round` (docs/allocation.md) with itself: the service
builds the round's input document from the rows, checks and reads it with the contract's own reader
(`roundfile.parse_round_document`), solves it, and stores both documents on the run. So a stored run can be
solved again by anyone, with or without the database (`buurtbalans run_allocation_round`), and the result must
be the same.

Ids in the documents: a listing is its `reference`, an applicant their registration number (`external_id`).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC
from decimal import Decimal

from buurtbalans.allocation.models import (
    ApplicantGroup,
    ApplicantProfile,
    ApplicantStatus,
    Bid,
    Listing,
    ListingStatus,
    MotivationScore,
    SelectionKey,
)
from buurtbalans.allocation.roundfile import FORMAT
from buurtbalans.households.models import Applicant
from buurtbalans.households.selectors import markers_valid_on

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


@dataclass
class RoundInput:
    """A round's input document and what it left out."""

    document: dict
    # [{"applicant": registration number, "household": household code, "reason": SKIP_*}]
    skipped: list[dict] = field(default_factory=list)
    # Household codes whose vulnerability markers were read to place them in the `vulnerable` group.
    markers_read: list[str] = field(default_factory=list)


def listing_entry(listing: Listing) -> dict:
    dwelling = listing.dwelling
    complex_ = dwelling.complex
    municipality = None
    if complex_ is not None and complex_.neighbourhood is not None:
        municipality = complex_.neighbourhood.municipality.cbs_code
    return {
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


def round_input_from_rows(allocation_round) -> RoundInput:
    """The round's open listings, the bids on them and their applicants, as a `buurtbalans.round/1` document.

    Applicants already housed, and applicants whose household has no known income (neither the income limits
    nor passend toewijzen can be decided without it), are left out with their bids and listed in `skipped`.
    Urgency counts when it is valid on the round's reference date.

    The group `vulnerable` (the labelling plan's labels reserve homes for it or close them to it) comes from the
    applicant's profile, and from a vulnerability marker of the household valid on the reference date. Markers are
    special-category data: they are read only when a listing of the round names the group, and then only whether
    a marker exists; the caller logs whose were read (`markers_read`).

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
    bids = list(open_bids.order_by("pk").values_list("listing_id", "applicant_id", "preference", "submitted_at"))
    bidders = open_bids.values("applicant_id")
    people = Applicant.objects.filter(pk__in=bidders).values_list(
        "pk", "external_id", "registration_date", "household__external_id", "household__size",
        "household__assessed_income", "household__is_pension_age_household", "household_id",
    )
    names_vulnerable = any(
        VULNERABLE in (listing.allowed_groups or []) or VULNERABLE in (listing.excluded_groups or [])
        for listing in listings
    )
    marked: set[int] = set()
    if names_vulnerable:
        marked = set(
            markers_valid_on(reference_date).filter(household__applications__in=bidders)
            .values_list("household_id", flat=True).distinct()
        )
    profiles = {
        applicant_id: (groups, is_urgent, valid_until, status)
        for applicant_id, groups, is_urgent, valid_until, status in ApplicantProfile.objects.filter(
            applicant_id__in=bidders).values_list("applicant_id", "groups", "is_urgent", "urgency_valid_until",
                                                  "status")
    }
    scores: dict[int, dict[str, int | float]] = defaultdict(dict)
    for applicant_id, listing_id, score in MotivationScore.objects.filter(
            listing_id__in=motivation_listings).values_list("applicant_id", "listing_id", "score"):
        scores[applicant_id][listing_refs[listing_id]] = _score(score)

    applicants: dict[int, dict] = {}
    skipped: list[dict] = []
    markers_read: list[str] = []
    for pk, code, registered, household, size, income, is_pension_age, household_pk in people:
        groups, is_urgent, valid_until, status = profiles.get(pk, ([], False, None, ApplicantStatus.WAITING))
        reason = None
        if status == ApplicantStatus.HOUSED:
            reason = SKIP_HOUSED
        elif income is None or income < 0:
            reason = SKIP_NO_INCOME
        if reason is not None:
            skipped.append({"applicant": code, "household": household, "reason": reason})
            continue
        groups = set(groups or [])
        if household_pk in marked:
            groups.add(VULNERABLE)
            markers_read.append(household)
        applicants[pk] = {
            "id": code,
            "household_size": size,
            "assessed_income": amount_text(income),
            "is_pension_age_household": is_pension_age,
            "registration_date": registered.isoformat(),
            "is_urgent": bool(is_urgent and (valid_until is None or valid_until >= reference_date)),
            "groups": sorted(groups),
            "motivation_scores": dict(sorted(scores[pk].items())) or None,
        }
    codes = {pk: entry["id"] for pk, entry in applicants.items()}
    bid_entries = [
        {
            "applicant": codes[applicant_id],
            "listing": listing_refs[listing_id],
            "preference": preference,
            "submitted_at": submitted_at.astimezone(UTC).isoformat(),
        }
        for listing_id, applicant_id, preference, submitted_at in bids
        if applicant_id in codes
    ]
    document = {
        "format": FORMAT,
        "reference_date": reference_date.isoformat(),
        "lottery_seed": allocation_round.lottery_seed,
        "listings": [listing_entry(listing) for listing in listings],
        "applicants": sorted(applicants.values(), key=lambda a: a["id"]),
        "bids": bid_entries,
    }
    return RoundInput(document, sorted(skipped, key=lambda s: s["applicant"]), sorted(markers_read))


def document_without(document: dict, *, listings=(), applicants=()) -> dict:
    """The document with listings and applicants (and every bid on or by them) taken out.

    The same cut as the engine's `RoundFacts.without`, on the document, so a re-run stores an input that
    reproduces it (tested against `without`).
    """
    drop_listings, drop_applicants = set(listings), set(applicants)
    kept_listings = [entry for entry in document["listings"] if entry["id"] not in drop_listings]
    kept_ids = {entry["id"] for entry in kept_listings}
    kept_applicants = []
    for entry in document["applicants"]:
        if entry["id"] in drop_applicants:
            continue
        scores = entry.get("motivation_scores")
        if scores:
            scores = {key: value for key, value in scores.items() if key in kept_ids} or None
        kept_applicants.append({**entry, "motivation_scores": scores})
    return {
        **document,
        "listings": kept_listings,
        "applicants": kept_applicants,
        "bids": [
            bid for bid in document["bids"]
            if bid["listing"] in kept_ids and bid["applicant"] not in drop_applicants
        ],
    }


__all__ = ["RoundInput", "SKIP_HOUSED", "SKIP_NO_INCOME", "amount_text", "document_without", "listing_entry",
           "round_input_from_rows"]
