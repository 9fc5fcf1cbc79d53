"""The status of every bid of a round, from its current state (rows -> `engine.allocation.status`).

One source of truth for what happened to a bid: the letters, the review screen, the public account, the
exports and `round_letters` all call `round_bid_statuses`, which reads the round's first run (the whole list of
candidates), its offers and their answers, its homes and who is housed, and hands them to the pure
`engine.allocation.status.bid_statuses`. No run on its own decides a status.

Ids are those of the round documents: a listing's reference and an applicant's registration number.

No access check here: callers are selectors, services and commands that checked the right already.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.db.models.fields.json import KT
from django.utils.translation import gettext_lazy as _

from buurtbalans.allocation.models import (
    AllocationRound,
    AllocationRun,
    ApplicantProfile,
    ApplicantStatus,
    Bid,
    BidResult,
    Listing,
    Offer,
    OfferStatus,
    RoundStatus,
)
from buurtbalans.engine.allocation.status import (
    BidStatus,
    BidStatusEntry,
    FirstRunOutcome,
    ListingFact,
    OfferFact,
    OfferState,
    RoundPhase,
    StatusBid,
    StatusFacts,
    bid_statuses,
)
from buurtbalans.households.models import Applicant

HELD_OFFERS = (OfferStatus.OFFERED, OfferStatus.ACCEPTED)

# How screens and exports name each status (the letters say it in whole sentences).
BID_STATUS_LABELS = {
    BidStatus.PENDING: _("Not decided yet"),
    BidStatus.OFFERED: _("Offered"),
    BidStatus.ACCEPTED: _("Accepted"),
    BidStatus.DECLINED: _("Declined by the applicant"),
    BidStatus.WITHDRAWN: _("Offer withdrawn by us"),
    BidStatus.ALLOCATED_ELSEWHERE: _("Got a home ranked higher"),
    BidStatus.LET_TO_OTHER: _("Went to someone ahead"),
    BidStatus.INELIGIBLE: _("Does not meet the conditions"),
    BidStatus.NOT_CONSIDERED: _("No longer taken into account"),
}


def round_phase(allocation_round: AllocationRound, *, has_run: bool) -> RoundPhase:
    """Where the round stands: not worked out, worked out but never approved, being worked out again after an
    approval (or a re-run that failed), or approved. Read from the database, not from the (possibly older)
    object in hand."""
    if not has_run:
        return RoundPhase.NOT_RUN
    status, approved_at, error = AllocationRound.objects.filter(pk=allocation_round.pk).values_list(
        "status", "approved_at", "error").get()
    if approved_at is None:
        return RoundPhase.UNDECIDED
    if status in (RoundStatus.APPROVED, RoundStatus.CLOSED) and not error:
        return RoundPhase.DECIDED
    return RoundPhase.DECIDING


@dataclass
class RoundStatuses:
    """The statuses of the asked bids, with what the callers need to show them."""

    phase: RoundPhase
    entries: list[BidStatusEntry]
    listings: dict[str, ListingFact]
    # Listing reference -> the registration number of whoever holds it (offered or accepted), and the state.
    holders: dict[str, tuple[str, str]]

    def by_applicant(self) -> dict[str, list[BidStatusEntry]]:
        grouped: dict[str, list[BidStatusEntry]] = {}
        for entry in self.entries:
            grouped.setdefault(entry.applicant, []).append(entry)
        for entries in grouped.values():
            entries.sort(key=lambda e: e.preference)
        return grouped

    def by_listing(self) -> dict[str, list[BidStatusEntry]]:
        grouped: dict[str, list[BidStatusEntry]] = {}
        for entry in self.entries:
            grouped.setdefault(entry.listing, []).append(entry)
        for entries in grouped.values():
            entries.sort(key=lambda e: (e.rank is None, e.rank or 0, e.applicant))
        return grouped


# The explanation values `engine.allocation.status.deciding_part` compares, and the lottery number letters give.
DETAIL_KEYS = ("is_urgent", "registration_date", "motivation_score", "submitted_at", "lottery_number")


def _detail(values) -> dict:
    """The explanation values as text, as both databases give them out of the JSON (a boolean as text on
    PostgreSQL, as 1/0 on SQLite); absent keys are left out."""
    detail = {key: str(value) for key, value in zip(DETAIL_KEYS, values, strict=True) if value is not None}
    if "is_urgent" in detail:
        detail["is_urgent"] = detail["is_urgent"] in ("true", "1", "True")
    return detail


def round_bid_statuses(allocation_round: AllocationRound, *, applicants: Iterable[int] | None = None,
                       listings: Iterable[int] | None = None, with_explanations: bool = True) -> RoundStatuses:
    """The status of the round's bids: all of them, or those of the given applicants (pks) or on the given
    listings (pks).

    Args:
        allocation_round: the round.
        applicants, listings: only the bids of these applicants or on these listings (default: every bid).
        with_explanations: also the deciding part of the priority and the lottery number of `let_to_other`
            bids (the letters say them); screens that show only the status leave them out, which saves reading
            them for every bid.

    Returns:
        The statuses (one per bid, in no particular order) and the round's phase.
    """
    round_id = allocation_round.pk
    round_bids = Bid.objects.filter(listing__allocation_round_id=round_id)
    everything = applicants is None and listings is None
    bids = round_bids
    asked_applicants = None if applicants is None else list(applicants)
    asked_listings = None if listings is None else list(listings)
    if not everything:
        wanted = Q(pk__in=[])
        if asked_applicants is not None:
            wanted |= Q(applicant_id__in=asked_applicants)
        if asked_listings is not None:
            wanted |= Q(listing_id__in=asked_listings)
        bids = bids.filter(wanted)
    # The applicants and homes of these bids as subqueries: a weekly round's pages would otherwise send lists
    # of thousands of ids to the database, which cost more than the queries themselves.
    bidders = bids.values("applicant_id")
    bid_homes = bids.values("listing_id")
    bid_rows = list(bids.values_list("applicant_id", "listing_id", "preference"))
    first = (AllocationRun.objects.filter(allocation_round_id=round_id).order_by("number")
             .values("pk", "skipped").first())
    phase = round_phase(allocation_round, has_run=first is not None)

    # Every offer of the round to these applicants or of these homes, oldest first (the latest counts).
    offers = Offer.objects.filter(allocation_round_id=round_id)
    if not everything:
        offers = offers.filter(Q(applicant_id__in=bidders) | Q(listing_id__in=bid_homes))
    offer_rows = list(offers.order_by("offered_at", "pk").values_list(
        "listing_id", "applicant_id", "status", "decline_reason", "run_id"))
    holders = {li: (a, s, run) for li, a, s, _r, run in offer_rows if s in HELD_OFFERS}
    held_pairs = {(a, li) for li, (a, _s, _run) in holders.items()}
    offer_people = {a for _li, a, _s, _r, _run in offer_rows}
    offer_homes = {li for li, _a, _s, _r, _run in offer_rows}
    codes = dict(Applicant.objects.filter(Q(pk__in=bidders) | Q(pk__in=offer_people))
                 .values_list("pk", "external_id"))
    references = {}
    listing_facts = {}
    for pk, reference, status, selection, urgency_first in Listing.objects.filter(
            Q(pk__in=bid_homes) | Q(pk__in=offer_homes)).values_list(
            "pk", "reference", "status", "selection", "urgency_first"):
        references[pk] = reference
        listing_facts[reference] = ListingFact(reference, status, selection, urgency_first)
    # Each applicant's preference for the home they hold (for "ranked higher").
    preferences = {}
    if held_pairs:
        for a, li, preference in round_bids.filter(
            applicant_id__in={a for a, _li in held_pairs}, listing_id__in={li for _a, li in held_pairs}
        ).values_list("applicant_id", "listing_id", "preference"):
            if (a, li) in held_pairs:
                preferences[(codes[a], references[li])] = preference

    first_run: dict[tuple[str, str], FirstRunOutcome] = {}
    skipped: dict[str, str] = {}
    if first is not None:
        rows = BidResult.objects.filter(run_id=first["pk"])
        if asked_applicants is None and asked_listings is not None:
            # Every bid on these homes; whoever holds one of them bid on it too.
            rows = rows.filter(listing_id__in=asked_listings)
        elif not everything:
            holder_ids = {a for a, _s, _run in holders.values()}
            rows = rows.filter(Q(applicant_id__in=bidders) | Q(applicant_id__in=holder_ids, listing_id__in=bid_homes))
        if with_explanations:
            # Only the explanation values the priority compares, read out of the JSON by the database: parsing
            # 60,000 whole explanations of a weekly round took longer than everything else here.
            for a, li, rank, reason, *values in rows.values_list(
                    "applicant_id", "listing_id", "rank", "reason", *(KT(f"detail__{key}") for key in DETAIL_KEYS)):
                first_run[(codes[a], references[li])] = FirstRunOutcome(rank, reason, _detail(values))
        else:
            for a, li, rank, reason in rows.values_list("applicant_id", "listing_id", "rank", "reason"):
                first_run[(codes[a], references[li])] = FirstRunOutcome(rank, reason)
        skipped = {entry["applicant"]: entry["reason"] for entry in first["skipped"] or []}

    # A place on the reserve list counts while the home is only offered: the one of the run that made the offer.
    reserve = {}
    offered_runs = {run for _a, s, run in holders.values() if s == OfferStatus.OFFERED}
    if offered_runs and with_explanations:
        rows = BidResult.objects.filter(run_id__in=offered_runs, reserve_position__isnull=False)
        if asked_applicants is None and asked_listings is not None:
            rows = rows.filter(listing_id__in=asked_listings)
        elif not everything:
            rows = rows.filter(applicant_id__in=bidders)
        for a, li, run, position in rows.values_list("applicant_id", "listing_id", "run_id", "reserve_position"):
            holder = holders.get(li)
            if holder is not None and holder[2] == run:
                reserve[(codes[a], references[li])] = position

    accepted_here = {a for _li, a, s, _r, _run in offer_rows if s == OfferStatus.ACCEPTED}
    housed = set(ApplicantProfile.objects.filter(status=ApplicantStatus.HOUSED, applicant_id__in=bidders)
                 .values_list("applicant_id", flat=True))
    facts = StatusFacts(
        phase=phase,
        bids=tuple(StatusBid(codes[a], references[li], p) for a, li, p in bid_rows),
        listings=listing_facts,
        first_run=first_run,
        offers=tuple(OfferFact(references[li], codes[a], OfferState(s), r or "")
                     for li, a, s, r, _run in offer_rows),
        skipped=skipped,
        housed_elsewhere=frozenset(codes[a] for a in housed - accepted_here),
        preferences=preferences,
        reserve_positions=reserve,
    )
    return RoundStatuses(
        phase=phase,
        entries=bid_statuses(facts),
        listings=listing_facts,
        holders={references[li]: (codes[a], s) for li, (a, s, _run) in holders.items()},
    )
