"""Reading listings, rounds, bids, outcomes and offers for users, scoped per corporation and right.

VIEW_ALLOCATION (officers and policy analysts): listings, rounds, their aggregate figures and the public account
per listing. MANAGE_ALLOCATION (officers): bids with the applicants' income and urgency, outcomes per applicant,
offers and letters; every read of those writes a BIDS_READ audit event naming whose data was shown.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buurtbalans.allocation.models import (
    ACTIVE_LISTING_STATUSES,
    AllocationRound,
    AllocationRun,
    ApplicantGroup,
    ApplicantProfile,
    Bid,
    BidOutcomeCode,
    BidResult,
    DeclineReason,
    IneligibleReasonCode,
    Listing,
    ListingStatus,
    Offer,
    OfferStatus,
    RoundStatus,
    SelectionKey,
)
from buurtbalans.allocation.outcomes import BID_STATUS_LABELS, round_bid_statuses
from buurtbalans.core.audit import audit_record
from buurtbalans.core.models import AuditEvent
from buurtbalans.core.panels import Panel
from buurtbalans.core.permissions import Action, can, require
from buurtbalans.engine.allocation.status import BidStatus, BidStatusEntry, NotConsideredReason, RoundPhase
from buurtbalans.households.models import Applicant
from buurtbalans.portfolio.models import Dwelling, DwellingStatus

PURPOSE = "allocation"


def group_labels(codes) -> list[str]:
    labels = dict(ApplicantGroup.choices)
    return [str(labels.get(code, code)) for code in codes or []]


def bids_read_record(*, user, households: list[str], what: str) -> None:
    """Log that bids with applicants' income, size or urgency were shown (STYLE: selectors log personal reads)."""
    if not households:
        return
    membership = require(user, Action.MANAGE_ALLOCATION)
    audit_record(actor=user, event=AuditEvent.Type.BIDS_READ, corporation=membership.corporation,
                 subject_type="bid", subject_ids=sorted(set(households)), subject_label=what, purpose=PURPOSE)



def letters_read_record(*, user, allocation_round, households, what: str) -> None:
    """Log that letters (with applicants' names, addresses and bid outcomes) of a round were shown or made."""
    audit_record(actor=user, event=AuditEvent.Type.ALLOCATION_LETTER_READ, corporation=allocation_round.corporation,
                 subject_type="applicant", subject_ids=sorted(set(households)),
                 subject_label=f"{what} about round {allocation_round.name}", purpose=PURPOSE)

# --- listings -----------------------------------------------------------------------------------------------


def listing_list(user, *, status: str | None = None, allocation_round: AllocationRound | None = None) -> QuerySet:
    require(user, Action.VIEW_ALLOCATION)
    listings = (
        Listing.objects.visible_to(user, Action.VIEW_ALLOCATION)
        .select_related("dwelling", "dwelling__complex", "allocation_round")
        .annotate(bid_count=Count("bids"))
        .order_by("-created", "-pk")
    )
    if status:
        listings = listings.filter(status=status)
    if allocation_round is not None:
        listings = listings.filter(allocation_round=allocation_round)
    return listings


def listing_get(user, pk: int) -> Listing:
    listing = listing_list(user).filter(pk=pk).first()
    if listing is None:
        raise Http404
    return listing


def listing_manage_get(user, pk: int) -> Listing:
    require(user, Action.MANAGE_ALLOCATION)
    return listing_get(user, pk)


def vacant_dwellings(user) -> QuerySet:
    """Vacant dwellings of the user's corporation without an open or offered listing, for a new listing."""
    require(user, Action.MANAGE_ALLOCATION)
    return (
        Dwelling.objects.visible_to(user, Action.MANAGE_ALLOCATION)
        .filter(status=DwellingStatus.VACANT)
        .exclude(listings__status__in=ACTIVE_LISTING_STATUSES)
        .select_related("complex")
        .order_by("external_id")
    )


def dwelling_for_listing(user, pk: int) -> Dwelling:
    dwelling = vacant_dwellings(user).filter(pk=pk).first()
    if dwelling is None:
        raise Http404
    return dwelling


@dataclass
class BidRow:
    """A bid as an officer sees it, with the applicant's facts the round uses."""

    bid: Bid
    applicant: Applicant
    household_code: str
    household_size: int
    income: object
    is_pension_age: bool
    registration_date: date
    is_urgent: bool
    groups: list[str]
    motivation_score: object = None


def listing_bids_queryset(user, listing: Listing) -> QuerySet:
    """The listing's bids with their applicants (officers only); build the shown rows with `listing_bid_rows`."""
    require(user, Action.MANAGE_ALLOCATION)
    return (
        Bid.objects.visible_to(user, Action.MANAGE_ALLOCATION)
        .filter(listing=listing)
        .select_related("applicant", "applicant__household")
        .prefetch_related(Prefetch("applicant__allocation_profile", queryset=ApplicantProfile.objects.all()))
        .order_by("submitted_at", "pk")
    )


def listing_bid_rows(user, listing: Listing, bids) -> list[BidRow]:
    """The bids as shown, with each applicant's household, income and urgency; the read is logged."""
    require(user, Action.MANAGE_ALLOCATION)
    bids = list(bids)
    scores = dict(listing.motivation_scores.filter(applicant_id__in=[b.applicant_id for b in bids])
                  .values_list("applicant_id", "score"))
    day = listing.allocation_round.reference_date if listing.allocation_round_id else timezone.localdate()
    rows = []
    for bid in bids:
        applicant = bid.applicant
        household = applicant.household
        profile = getattr(applicant, "allocation_profile", None)
        rows.append(BidRow(
            bid=bid, applicant=applicant, household_code=household.external_id, household_size=household.size,
            income=household.assessed_income, is_pension_age=household.is_pension_age_household,
            registration_date=applicant.registration_date,
            is_urgent=bool(profile and profile.is_urgent_on(day)),
            groups=group_labels(profile.groups if profile else []),
            motivation_score=scores.get(applicant.pk),
        ))
    bids_read_record(user=user, households=[r.household_code for r in rows],
                     what=f"bids on listing {listing.reference}")
    return rows


# --- rounds -------------------------------------------------------------------------------------------------


def round_list(user) -> QuerySet:
    require(user, Action.VIEW_ALLOCATION)
    return (
        AllocationRound.objects.visible_to(user, Action.VIEW_ALLOCATION)
        .annotate(listing_count=Count("listings", distinct=True))
        .order_by("-reference_date", "-pk")
    )


def round_get(user, pk: int) -> AllocationRound:
    allocation_round = round_list(user).filter(pk=pk).select_related("job").first()
    if allocation_round is None:
        raise Http404
    return allocation_round


def round_manage_get(user, pk: int) -> AllocationRound:
    require(user, Action.MANAGE_ALLOCATION)
    return round_get(user, pk)


def draft_rounds(user) -> QuerySet:
    return round_list(user).filter(status=RoundStatus.DRAFT)


def listings_without_round(user) -> QuerySet:
    return listing_list(user, status=ListingStatus.OPEN).filter(allocation_round__isnull=True)


def latest_run(allocation_round: AllocationRound) -> AllocationRun | None:
    """The round's latest run, without its documents (megabytes for a weekly round; screens need the rows)."""
    return (
        AllocationRun.objects.filter(allocation_round=allocation_round)
        .defer("input_document", "result_document")
        .order_by("-number")
        .first()
    )


def run_listing_statuses(run: AllocationRun) -> dict[str, str]:
    """Listing reference -> status ("allocated", "unallocated", "no_eligible_bids") of the run."""
    statuses = run.summary.get("listing_statuses")
    if statuses is None:  # a run stored before the summary kept them
        statuses = {ref: entry["status"] for ref, entry in run.result_document["listings"].items()}
    return statuses


def run_overview(allocation_round: AllocationRound) -> list[dict]:
    """The round's runs without their documents (no personal data): number, why, when, figures."""
    return list(
        AllocationRun.objects.filter(allocation_round=allocation_round)
        .order_by("number")
        .values("number", "reason", "created", "created_by_name", "parameter_version", "summary", "removed")
    )


@dataclass
class RoundStatistics:
    """What anyone with VIEW_ALLOCATION may see of a round: counts only."""

    listings: int
    bids: int
    applicants: int
    allocations: int
    outcomes: list[tuple[str, int]]
    reasons: list[tuple[str, int]]
    offers: list[tuple[str, int]]
    decline_reasons: list[tuple[str, int]]
    skipped: int
    runs: int


def round_statistics(user, allocation_round: AllocationRound) -> RoundStatistics | None:
    """Aggregate figures of the round's first run (the whole round) and its offers; None before it ran."""
    require(user, Action.VIEW_ALLOCATION)
    runs = AllocationRun.objects.filter(allocation_round=allocation_round)
    first = runs.order_by("number").values("summary", "skipped").first()
    if first is None:
        return None
    summary = first["summary"]
    outcome_labels = dict(BidOutcomeCode.choices)
    reason_labels = dict(IneligibleReasonCode.choices)
    offers = Counter(Offer.objects.filter(allocation_round=allocation_round).values_list("status", flat=True))
    declines = Counter(
        Offer.objects.filter(allocation_round=allocation_round).exclude(decline_reason="")
        .values_list("decline_reason", flat=True)
    )
    decline_labels = dict(DeclineReason.choices)
    offer_labels = dict(OfferStatus.choices)
    return RoundStatistics(
        listings=summary.get("listings", 0),
        bids=summary.get("bids", 0),
        applicants=summary.get("applicants", 0),
        allocations=summary.get("allocations", 0),
        outcomes=[(str(outcome_labels[k]), v) for k, v in summary.get("outcomes", {}).items()],
        reasons=[(str(reason_labels[k]), v) for k, v in summary.get("ineligible_reasons", {}).items() if v],
        offers=[(str(offer_labels[k]), offers[k]) for k in OfferStatus.values if offers.get(k)],
        decline_reasons=[(str(decline_labels[k]), n) for k, n in sorted(declines.items())],
        skipped=len(first["skipped"] or []),
        runs=runs.count(),
    )


@dataclass
class CandidateRow:
    applicant_pk: int
    applicant: str
    household_code: str
    rank: int | None
    outcome: str
    outcome_label: str
    reason_label: str
    reserve_position: int | None
    detail: dict
    # What became of the bid now, after every answer and run (outcomes.round_bid_statuses); the run's outcome
    # above is only this run's proposal.
    status: str = ""
    status_label: str = ""
    # The place on the home's whole list (the round's first run), as the letters and the public account give it;
    # `rank` is the place among those left in this run.
    place: int | None = None


@dataclass
class ListingResult:
    listing: Listing
    status: str
    candidates: list[CandidateRow] = field(default_factory=list)
    reserve: list[CandidateRow] = field(default_factory=list)
    ineligible: list[CandidateRow] = field(default_factory=list)
    offer: Offer | None = None


def round_result(user, allocation_round: AllocationRound, run: AllocationRun | None = None,
                 references: list[str] | None = None) -> list[ListingResult]:
    """Per listing of the run (or of those with the given references): the ranked candidates with outcome and
    explanation, the reserve list and the ineligible bids with their reason; the read is logged (it names
    applicants and their positions)."""
    require(user, Action.MANAGE_ALLOCATION)
    run = run or latest_run(allocation_round)
    if run is None:
        return []
    statuses = run_listing_statuses(run)
    wanted = set(statuses) if references is None else set(references)
    listings = {
        listing.reference: listing
        for listing in Listing.objects.filter(allocation_round=allocation_round, reference__in=wanted)
        .select_related("dwelling")
    }
    # Read as tuples: a page of 20 homes of a weekly round has about 12,000 candidates, and a model instance per
    # row (with its applicant and household) took most of the page's time.
    rows = (
        BidResult.objects.visible_to(user, Action.MANAGE_ALLOCATION)
        .filter(run=run, listing__in=listings.values())
        .order_by("listing__reference", "rank", "applicant__external_id")
        .values_list("listing__reference", "applicant_id", "applicant__external_id",
                     "applicant__household__external_id", "rank", "outcome", "reason", "reserve_position", "detail")
    )
    offers = {
        offer.listing_id: offer
        for offer in Offer.objects.filter(allocation_round=allocation_round, status__in=[
            OfferStatus.OFFERED, OfferStatus.ACCEPTED]).select_related("applicant")
    }
    outcome_labels = {code: str(label) for code, label in BidOutcomeCode.choices}
    reason_labels = {code: str(label) for code, label in IneligibleReasonCode.choices}
    results: dict[str, ListingResult] = {}
    for entry_id, status in statuses.items():
        if entry_id not in listings:
            continue
        listing = listings[entry_id]
        results[entry_id] = ListingResult(listing=listing, status=status, offer=offers.get(listing.pk))
    households = []
    for reference, applicant_pk, code, household, rank, outcome, reason, reserve, detail in rows:
        households.append(household)
        candidate = CandidateRow(
            applicant_pk=applicant_pk, applicant=code, household_code=household, rank=rank, outcome=outcome,
            outcome_label=outcome_labels[outcome], reason_label=reason_labels.get(reason, ""),
            reserve_position=reserve, detail=detail,
        )
        result = results[reference]
        if outcome == BidOutcomeCode.INELIGIBLE:
            result.ineligible.append(candidate)
        else:
            result.candidates.append(candidate)
            if reserve:
                result.reserve.append(candidate)
    for result in results.values():
        result.reserve.sort(key=lambda c: c.reserve_position)
    current = round_bid_statuses(allocation_round, listings=[listing.pk for listing in listings.values()],
                                 with_explanations=False)
    now = {(e.applicant, e.listing): e for e in current.entries}
    labels = {status: str(label) for status, label in BID_STATUS_LABELS.items()}
    for result in results.values():
        for candidate in (*result.candidates, *result.ineligible):
            entry = now.get((candidate.applicant, result.listing.reference))
            if entry is not None:
                candidate.status, candidate.status_label = entry.status.value, labels[entry.status]
                candidate.place = entry.rank
    bids_read_record(user=user, households=households,
                     what=f"result of round {allocation_round.name} run {run.number}")
    return sorted(results.values(), key=lambda r: r.listing.reference)


def round_offers(user, allocation_round: AllocationRound) -> QuerySet:
    require(user, Action.MANAGE_ALLOCATION)
    return (
        Offer.objects.visible_to(user, Action.MANAGE_ALLOCATION)
        .filter(allocation_round=allocation_round)
        .select_related("listing", "listing__dwelling", "applicant", "tenancy", "run")
        .order_by("listing__reference", "-offered_at", "-pk")
    )


def offer_get(user, pk: int) -> Offer:
    require(user, Action.MANAGE_ALLOCATION)
    offer = (
        Offer.objects.visible_to(user, Action.MANAGE_ALLOCATION)
        .filter(pk=pk)
        .select_related("listing", "listing__dwelling", "applicant", "allocation_round")
        .first()
    )
    if offer is None:
        raise Http404
    return offer


def round_applicants(user, allocation_round: AllocationRound) -> QuerySet:
    """The applicants who bid on the round's listings (for the letters), by registration number."""
    require(user, Action.MANAGE_ALLOCATION)
    return (
        Applicant.objects.filter(corporation_id=allocation_round.corporation_id)
        .filter(pk__in=Bid.objects.filter(listing__allocation_round=allocation_round).values("applicant_id"))
        .order_by("external_id")
    )


def applicant_get(user, pk: int) -> Applicant:
    membership = require(user, Action.MANAGE_ALLOCATION)
    applicant = (
        Applicant.objects.filter(corporation_id=membership.corporation_id, pk=pk).select_related("household").first()
    )
    if applicant is None:
        raise Http404
    return applicant


def applicant_by_code(user, code: str) -> Applicant | None:
    membership = require(user, Action.MANAGE_ALLOCATION)
    return (
        Applicant.objects.filter(corporation_id=membership.corporation_id, external_id=code.strip())
        .select_related("household")
        .first()
    )


def applicant_bids(user, applicant: Applicant) -> QuerySet:
    require(user, Action.MANAGE_ALLOCATION)
    return (
        Bid.objects.visible_to(user, Action.MANAGE_ALLOCATION)
        .filter(applicant=applicant)
        .select_related("listing", "listing__dwelling", "listing__allocation_round")
        .order_by("-submitted_at")
    )


# --- the public account -------------------------------------------------------------------------------------

# Why candidates above the one who got (or was offered) the home did not get it, as the public account counts
# them: by the status of their bid (outcomes.round_bid_statuses), never by who they are.
_PASSED_OVER = {
    BidStatus.ALLOCATED_ELSEWHERE: _("got a home that was higher on their own list"),
    NotConsideredReason.DECLINED_OTHER: _("said no to another home in this round"),
    NotConsideredReason.WITHDRAWN_OTHER: _("an offer of another home was withdrawn"),
    NotConsideredReason.ACCEPTED_OTHER: _("accepted another home in this round earlier"),
    NotConsideredReason.HOUSED_ELSEWHERE: _("got a home elsewhere"),
    NotConsideredReason.LISTING_WITHDRAWN: _("the home was taken off the list"),
}
_PASSED_OVER_OTHER = _("no longer took part in the round")
_PASSED_OVER_DECLINED = _("said no to the offer")
_PASSED_OVER_WITHDRAWN = _("offer withdrawn")
# The state of a home as the public account names it; "undecided" while the round has not been approved.
ACCOUNT_STATES = {
    "undecided": _("Not decided yet"),
    ListingStatus.OPEN: _("Not let yet"),
    ListingStatus.OFFERED: _("Offered, not let yet"),
    ListingStatus.LET: _("Let"),
    ListingStatus.NOT_LET: _("Not let in this round"),
    ListingStatus.WITHDRAWN: _("Taken off the list"),
}


@dataclass
class ListingAccount:
    """The public account (verantwoording) of one listing, as the regional platforms publish it: counts, the
    selection, and the place and registration year of the one who got (or was offered) the home; never who
    anyone is, no exact dates, no lottery numbers.

    `passed_over` holds (reason, count, share of the candidates above): why those higher on the list did not
    get the home.
    """

    listing: Listing
    selection_label: str
    bids: int
    eligible: int | None
    state: str
    state_label: str
    tenant_rank: int | None
    tenant_registration_year: int | None
    is_lottery: bool
    passed_over: list[tuple[str, int, float]]
    ineligible: list[tuple[str, int]]

    @property
    def address(self) -> str:
        return self.listing.dwelling.address

    @property
    def city(self) -> str:
        return self.listing.dwelling.city

    @property
    def is_let(self) -> bool:
        return self.state == ListingStatus.LET

    @property
    def passed_over_text(self) -> str:
        return "; ".join(f"{why}: {n} ({share:.0%})" for why, n, share in self.passed_over)

    @property
    def ineligible_text(self) -> str:
        return "; ".join(f"{why}: {n}" for why, n in self.ineligible)


def _passed_over_reason(entry: BidStatusEntry) -> str:
    decline_labels = dict(DeclineReason.choices)
    if entry.status == BidStatus.DECLINED:
        return f"{_PASSED_OVER_DECLINED} ({decline_labels.get(entry.reason, entry.reason)})"
    if entry.status == BidStatus.WITHDRAWN:
        return f"{_PASSED_OVER_WITHDRAWN} ({decline_labels.get(entry.reason, entry.reason)})"
    return str(_PASSED_OVER.get(entry.status, _PASSED_OVER.get(entry.reason, _PASSED_OVER_OTHER)))


def _accounts(allocation_round: AllocationRound | None, listings: list[Listing]) -> list[ListingAccount]:
    """Public accounts of listings of one round (or of listings not in a round yet), from the bid statuses."""
    if not listings:
        return []
    bid_counts = dict(
        Bid.objects.filter(listing__in=listings).values("listing_id").annotate(n=Count("pk"))
        .values_list("listing_id", "n")
    )
    statuses = None
    if allocation_round is not None:
        statuses = round_bid_statuses(allocation_round, listings=[listing.pk for listing in listings],
                                      with_explanations=False)
    grouped = statuses.by_listing() if statuses is not None else {}
    decided = statuses is not None and statuses.phase in (RoundPhase.DECIDED, RoundPhase.DECIDING)
    holders = statuses.holders if statuses is not None else {}
    registration_years = {}
    if holders:
        registration_years = {
            code: day.year for code, day in Applicant.objects.filter(
                corporation_id=allocation_round.corporation_id, external_id__in=[h for h, _s in holders.values()]
            ).values_list("external_id", "registration_date")
        }
    selection_labels = dict(SelectionKey.choices)
    reason_labels = dict(IneligibleReasonCode.choices)
    accounts = []
    for listing in listings:
        entries = grouped.get(listing.reference, [])
        ran = statuses is not None and statuses.phase != RoundPhase.NOT_RUN
        eligible = [e for e in entries if e.rank is not None]
        holder = holders.get(listing.reference)
        tenant = next((e for e in entries if holder and e.applicant == holder[0]), None)
        tenant_rank = tenant.rank if tenant is not None else None
        passed = Counter()
        if tenant_rank is not None:
            for entry in eligible:
                if entry.rank < tenant_rank:
                    passed[_passed_over_reason(entry)] += 1
        above = max(sum(passed.values()), 1)
        is_lottery = listing.selection == SelectionKey.LOTTERY
        state = listing.status if decided or listing.status == ListingStatus.WITHDRAWN else "undecided"
        accounts.append(ListingAccount(
            listing=listing,
            selection_label=str(selection_labels[listing.selection]),
            bids=bid_counts.get(listing.pk, 0),
            eligible=len(eligible) if ran else None,
            state=state,
            state_label=str(ACCOUNT_STATES.get(state, listing.get_status_display())),
            tenant_rank=tenant_rank,
            tenant_registration_year=(registration_years.get(holder[0]) if holder and not is_lottery else None),
            is_lottery=is_lottery,
            passed_over=sorted((why, n, n / above) for why, n in passed.items()),
            ineligible=sorted((str(reason_labels.get(code, code)), n) for code, n in Counter(
                e.reason for e in entries if e.status == BidStatus.INELIGIBLE).items()),
        ))
    return accounts


def listing_account(user, listing: Listing) -> ListingAccount:
    require(user, Action.VIEW_ALLOCATION)
    # Read again: the account must show the listing's state now, not that of the object in hand.
    listing = listing_get(user, listing.pk)
    return _accounts(listing.allocation_round, [listing])[0]


def round_account(user, allocation_round: AllocationRound) -> list[ListingAccount]:
    require(user, Action.VIEW_ALLOCATION)
    listings = list(
        Listing.objects.visible_to(user, Action.VIEW_ALLOCATION)
        .filter(allocation_round=allocation_round)
        .select_related("dwelling")
        .order_by("reference")
    )
    return _accounts(allocation_round, listings)


def public_listing_account(token: str) -> tuple[ListingAccount, str]:
    """The public account behind a listing's public link, and the corporation's name; for anyone, without a
    login (the account holds nothing that identifies a person). 404 for an unknown link."""
    listing = (
        Listing.objects.filter(public_token=token)
        .select_related("dwelling", "allocation_round", "corporation")
        .first()
    )
    if listing is None:
        raise Http404
    return _accounts(listing.allocation_round, [listing])[0], listing.corporation.name


# --- the complex page -----------------------------------------------------------------------------------------


def complex_panel(user, complex_, *, reference_date: date) -> Panel | None:
    """The complex page's allocation section: its vacant dwellings and active listings (VIEW_ALLOCATION).

    `reference_date` is part of the one shape of every app's panel (core.panels); listings are shown as they stand.
    """
    if not can(user, Action.VIEW_ALLOCATION):
        return None
    dwellings = list(
        Dwelling.objects.visible_to(user, Action.VIEW_ALLOCATION)
        .filter(complex=complex_)
        .filter(Q(status=DwellingStatus.VACANT) | Q(listings__status__in=ACTIVE_LISTING_STATUSES))
        .distinct()
        .order_by("external_id")
    )
    listings = {
        listing.dwelling_id: listing
        for listing in Listing.objects.visible_to(user, Action.VIEW_ALLOCATION)
        .filter(dwelling__in=dwellings, status__in=ACTIVE_LISTING_STATUSES)
        .select_related("allocation_round")
    }
    return Panel("allocation/complex_listings.html", {
        "allocation_section": {
            "rows": [(dwelling, listings.get(dwelling.pk)) for dwelling in dwellings],
            "may_manage": can(user, Action.MANAGE_ALLOCATION),
        }
    })
