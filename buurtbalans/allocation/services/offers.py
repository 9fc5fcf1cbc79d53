"""Offers (aanbiedingen): approving a round's result into offers, and recording the applicant's answer.

Owns what happens between a worked-out round and a tenancy: approval (new offers, offers replaced by a home the
applicant preferred, listings marked offered), acceptance (the tenancy starts, other offers to the applicant are
withdrawn) and a decline or withdrawal (the round is worked out again), with the rows locked in a fixed order.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from buurtbalans.allocation.models import (
    ACTIVE_LISTING_STATUSES,
    VERA_PARENT,
    AllocationRound,
    AllocationRun,
    ApplicantProfile,
    ApplicantStatus,
    Bid,
    BidResult,
    DeclineReason,
    Listing,
    ListingStatus,
    Offer,
    OfferStatus,
    RoundStatus,
)
from buurtbalans.allocation.services.base import AllocationError, _lock_round, _name, _record
from buurtbalans.allocation.services.solving import _current_removals, _enqueue_solve
from buurtbalans.core.models import AuditEvent
from buurtbalans.households.models import Applicant, Tenancy
from buurtbalans.portfolio.models import Dwelling, DwellingStatus


@transaction.atomic
def allocation_round_approve(*, allocation_round: AllocationRound, actor) -> list[Offer]:
    """Approve the round's latest run: offer each allocated listing to its applicant.

    Offers still out that the run confirms stay as they are; an offer out to an applicant whom the run now gives a
    home they preferred is withdrawn and replaced (`replaced_by`). Listings without an allocation are open.

    The steps, in this order because of the locks and the constraints (one active offer per listing and per
    applicant): lock the round and check the run is still current; lock the offers out and the round's listings;
    withdraw the offers the run no longer confirms; make the new offers and link the ones they replace; mark the
    listings offered or open. Each kind of change is one statement, not one per row (250 offers and listings in a
    weekly round).

    Args:
        allocation_round: a round waiting for review.
        actor: the officer who approves it.

    Returns:
        The new offers.

    Raises:
        AllocationError: the round is not waiting for review, or an offer was accepted or declined (or an
            applicant housed) after the run: the round must be worked out again first.
    """
    allocation_round = _lock_round(allocation_round)
    run = _run_to_approve(allocation_round)
    pending = {
        offer.listing_id: offer
        for offer in Offer.objects.select_for_update(of=("self",)).select_related("applicant")
        .filter(allocation_round=allocation_round, status=OfferStatus.OFFERED).order_by("pk")
    }
    round_listings = {
        listing.reference: listing
        for listing in Listing.objects.select_for_update().filter(allocation_round=allocation_round).order_by("pk")
    }
    allocations, applicants = _run_allocations(run, round_listings)
    wanted = {round_listings[entry["listing"]].pk: entry for entry in allocations}
    now = timezone.now()
    # The withdrawals go first: the constraints allow one active offer per listing and per applicant.
    withdrawn = _offers_withdraw_unconfirmed(pending, wanted, actor=actor, now=now)
    created = _offers_make(allocation_round, run, allocations, round_listings=round_listings, pending=pending,
                           applicants=applicants, now=now)
    _offers_link_replaced(created, withdrawn)
    _listings_mark_offered(round_listings, offered=set(wanted))
    allocation_round.status = RoundStatus.APPROVED
    allocation_round.approved_at = now
    allocation_round.approved_by_name = _name(actor)
    allocation_round.save(update_fields=["status", "approved_at", "approved_by_name"])
    _record(actor=actor, event=AuditEvent.Type.ROUND_APPROVED, corporation=allocation_round.corporation,
            subject_type="round", subject_ids=[o.applicant.household.external_id for o in created],
            label=f"round {allocation_round.name} run {run.number} approved",
            data={"round": allocation_round.pk, "run": run.pk, "offers": [o.pk for o in created],
                  "withdrawn": sorted(o.pk for o in withdrawn.values())})
    return created


def _run_to_approve(allocation_round: AllocationRound) -> AllocationRun:
    """The round's latest run, if the round waits for review and nothing was decided since the run was made."""
    if allocation_round.status != RoundStatus.REVIEW:
        raise AllocationError(_("The round is %(status)s: there is no result to approve.")
                              % {"status": allocation_round.get_status_display()})
    run = allocation_round.runs.defer("input_document", "result_document").order_by("-number").first()
    if _current_removals(allocation_round) != run.removed:
        raise AllocationError(_("An offer was accepted or declined, or an applicant was housed, after this result "
                                "was worked out. Run the round again."))
    return run


def _run_allocations(run: AllocationRun, round_listings: dict[str, Listing]) -> tuple[list[dict], dict[str, Applicant]]:
    """The run's allocations ({listing reference, applicant code, rank}) by listing, and the applicants by code."""
    allocated = list(
        BidResult.objects.filter(run=run, outcome="allocated").select_related("applicant", "applicant__household")
        .order_by("listing__reference")
    )
    references = {listing.pk: reference for reference, listing in round_listings.items()}
    allocations = [{"listing": references[r.listing_id], "applicant": r.applicant.external_id, "rank": r.rank}
                   for r in allocated]
    return allocations, {r.applicant.external_id: r.applicant for r in allocated}


def _offers_withdraw_unconfirmed(pending: dict[int, Offer], wanted: dict[int, dict], *, actor,
                                 now) -> dict[int, Offer]:
    """Withdraw the offers out whose listing the run gives to someone else or to nobody; by applicant."""
    withdrawn: dict[int, Offer] = {}
    for listing_pk, offer in pending.items():
        entry = wanted.get(listing_pk)
        if entry is None or entry["applicant"] != offer.applicant.external_id:
            offer.status = OfferStatus.WITHDRAWN
            offer.decided_at = now
            offer.decided_by_name = _name(actor)
            withdrawn[offer.applicant_id] = offer
    Offer.objects.bulk_update(withdrawn.values(), ["status", "decided_at", "decided_by_name"])
    return withdrawn


def _offers_make(allocation_round: AllocationRound, run: AllocationRun, allocations: list[dict], *,
                 round_listings: dict[str, Listing], pending: dict[int, Offer], applicants: dict[str, Applicant],
                 now) -> list[Offer]:
    """Offer each allocation that is not out yet; an offer still out that the run confirms moves to this run."""
    # An offer records the applicant's place on the whole list (the first run), as the letters and the public
    # account give it; a later run ranks only the candidates left.
    first_ranks = {
        (listing_id, applicant_id): rank
        for listing_id, applicant_id, rank in BidResult.objects.filter(
            run__allocation_round=allocation_round, run__number=1, applicant__in=applicants.values()
        ).exclude(rank=None).values_list("listing__reference", "applicant__external_id", "rank")
    }
    confirmed: list[int] = []
    created: list[Offer] = []
    for entry in allocations:
        listing = round_listings[entry["listing"]]
        current = pending.get(listing.pk)
        if current is not None and current.status == OfferStatus.OFFERED:
            current.run = run
            confirmed.append(current.pk)
            continue
        created.append(Offer(
            corporation_id=allocation_round.corporation_id, allocation_round=allocation_round, run=run,
            listing=listing, applicant=applicants[entry["applicant"]], offered_at=now,
            rank=first_ranks.get((entry["listing"], entry["applicant"]), entry["rank"]),
        ))
    Offer.objects.filter(pk__in=confirmed).update(run=run)
    Offer.objects.bulk_create(created)
    return created


def _offers_link_replaced(created: list[Offer], withdrawn: dict[int, Offer]) -> None:
    """A withdrawn offer to an applicant who now gets another home points to that new offer (`replaced_by`)."""
    replaced = []
    for offer in created:
        old = withdrawn.get(offer.applicant_id)
        if old is not None:
            old.replaced_by = offer
            replaced.append(old)
    Offer.objects.bulk_update(replaced, ["replaced_by"])


def _listings_mark_offered(round_listings: dict[str, Listing], *, offered: set[int]) -> None:
    """An active listing of the round is offered when the run allocates it and open otherwise."""
    changed: dict[str, list[int]] = {}
    for listing in round_listings.values():
        if listing.status in ACTIVE_LISTING_STATUSES:
            status = ListingStatus.OFFERED if listing.pk in offered else ListingStatus.OPEN
            if listing.status != status:
                listing.status = status
                changed.setdefault(status, []).append(listing.pk)
    for status, pks in changed.items():
        Listing.objects.filter(pk__in=pks).update(status=status)


def _lock_offer(offer: Offer, *, with_other_rounds: bool = False) -> tuple[AllocationRound, Offer, Listing]:
    """Lock the offer's applicant, round, offer and listing (in that order) and return them fresh.

    With `with_other_rounds`, the other rounds an acceptance changes are locked with the offer's own, all in the
    order of their keys, so two acceptances in two rounds never wait for each other's round: those where the
    applicant has an offer out, and those waiting for review where the applicant reacted.
    """
    Applicant.objects.select_for_update().get(pk=offer.applicant_id)
    round_ids = {offer.allocation_round_id}
    if with_other_rounds:
        round_ids |= set(_rounds_changed_by_housing(offer.applicant_id))
    rounds = {r.pk: r for r in AllocationRound.objects.select_for_update().filter(pk__in=round_ids).order_by("pk")}
    allocation_round = rounds[offer.allocation_round_id]
    offer = (
        Offer.objects.select_for_update(of=("self",))
        .select_related("applicant", "applicant__household")
        .get(pk=offer.pk)
    )
    listing = Listing.objects.select_for_update().get(pk=offer.listing_id)
    return allocation_round, offer, listing


def _rounds_changed_by_housing(applicant_id: int) -> set[int]:
    """The rounds that change when the applicant is housed.

    Those are the rounds where an offer to them is out, or where a result waiting for review counts them.
    """
    offered = Offer.objects.filter(applicant_id=applicant_id, status=OfferStatus.OFFERED).values_list(
        "allocation_round_id", flat=True)
    in_review = Bid.objects.filter(applicant_id=applicant_id, listing__allocation_round__status=RoundStatus.REVIEW
                                   ).values_list("listing__allocation_round_id", flat=True)
    return set(offered) | set(in_review)


def _offer_is_open(offer: Offer) -> None:
    if offer.status != OfferStatus.OFFERED:
        raise AllocationError(_("This offer is %(status)s already; nothing was changed.")
                              % {"status": offer.get_status_display().lower()})


@transaction.atomic
def offer_accept(*, offer: Offer, actor, start_date: date) -> Tenancy:
    """The applicant accepts: the tenancy starts, the dwelling is occupied, the applicant is housed.

    The new tenancy records the household as it is at the start (income, size, pension age) and the listing's
    base rent. Other offers still out to the same applicant (in other rounds) are withdrawn: they accepted
    another home (VERA AND).

    Raises:
        AllocationError: the offer is no longer open (accepted or declined meanwhile, perhaps by a colleague), the
            dwelling is let, or the applicant is housed already.
    """
    allocation_round, offer, listing = _lock_offer(offer, with_other_rounds=True)
    _offer_is_open(offer)
    if allocation_round.status == RoundStatus.CLOSED:
        raise AllocationError(_("The round is closed."))
    dwelling = Dwelling.objects.select_for_update().get(pk=listing.dwelling_id)
    applicant = offer.applicant
    household = applicant.household
    still_let = Q(end_date__isnull=True) | Q(end_date__gte=start_date)
    if Tenancy.objects.filter(dwelling=dwelling).filter(still_let).exists():
        raise AllocationError(_("Dwelling %(code)s is still let on %(date)s.")
                              % {"code": dwelling.external_id, "date": start_date.isoformat()})
    profile, _created = ApplicantProfile.objects.get_or_create(
        applicant=applicant, defaults={"corporation_id": applicant.corporation_id}
    )
    if profile.status == ApplicantStatus.HOUSED:
        raise AllocationError(_("Applicant %(applicant)s is housed already.") % {"applicant": applicant.external_id})
    contract = f"HO-{listing.reference}"
    tenancy = Tenancy.objects.create(
        corporation_id=listing.corporation_id,
        # The contract code names the listing; a reference too long for the field falls back to its number.
        external_id=contract if len(contract) <= 60 else f"HO-L{listing.pk}",
        dwelling=dwelling,
        household=household,
        start_date=start_date,
        income_at_start=household.assessed_income,
        rent_at_start=listing.base_rent,
        household_size_at_start=household.size,
        is_pension_age_at_start=household.is_pension_age_household,
        # How the household was chosen: the listing's selection key (the yearly caps on motivation count these).
        selection_method=listing.selection,
    )
    now = timezone.now()
    dwelling.status = DwellingStatus.OCCUPIED
    dwelling.save(update_fields=["status"])
    listing.status = ListingStatus.LET
    listing.save(update_fields=["status"])
    offer.status = OfferStatus.ACCEPTED
    offer.decided_at = now
    offer.decided_by_name = _name(actor)
    offer.tenancy = tenancy
    offer.save(update_fields=["status", "decided_at", "decided_by_name", "tenancy"])
    profile.status = ApplicantStatus.HOUSED
    profile.housed_on = start_date
    profile.save(update_fields=["status", "housed_on", "changed"])
    if allocation_round.status == RoundStatus.REVIEW:
        # The result waiting for review did not know of this acceptance: work the round out again.
        _enqueue_solve(allocation_round, actor)
    others = list(
        Offer.objects.select_for_update().filter(applicant=applicant, status=OfferStatus.OFFERED).exclude(pk=offer.pk)
    )
    for other in others:
        other.status = OfferStatus.WITHDRAWN
        other.decline_reason = DeclineReason.OTHER_DWELLING_ACCEPTED
        other.decided_at = now
        other.decided_by_name = _name(actor)
        other.save(update_fields=["status", "decline_reason", "decided_at", "decided_by_name"])
        Listing.objects.filter(pk=other.listing_id, status=ListingStatus.OFFERED).update(status=ListingStatus.OPEN)
    # A home freed in another round goes to the next candidate there, and a result waiting for review elsewhere
    # still counts this applicant: work those rounds out again, as a decline does (locked with this offer).
    rerun = AllocationRound.objects.filter(pk__in=_rounds_changed_by_housing(applicant.pk) | {
        o.allocation_round_id for o in others}).exclude(pk=allocation_round.pk)
    for other_round in rerun.filter(status__in=(RoundStatus.APPROVED, RoundStatus.REVIEW)).order_by("pk"):
        _enqueue_solve(other_round, actor)
    _record(actor=actor, event=AuditEvent.Type.OFFER_ACCEPTED, corporation=allocation_round.corporation,
            subject_type="offer", subject_ids=[household.external_id],
            label=f"offer of {listing.reference} to {applicant.external_id} accepted",
            data={"offer": offer.pk, "round": allocation_round.pk, "tenancy": tenancy.external_id,
                  "start_date": start_date.isoformat(), "withdrawn_elsewhere": [o.pk for o in others]})
    return tenancy


@transaction.atomic
def offer_decline(*, offer: Offer, actor, reason: str) -> Offer:
    """The applicant declines (or we withdraw the offer) with a VERA reason; the round is worked out again.

    The VERA parent of the reason decides the status: GEW (the applicant declined) or ING (we withdrew it). The
    applicant takes no further part in this round; the listing and everyone not decided yet go into a new run of
    the round (accepted offers are kept), which an officer reviews and approves as before.

    Raises:
        AllocationError: an unknown reason, or the offer is no longer open.
    """
    if reason not in DeclineReason.values:
        raise AllocationError(_("Choose a reason from the list."))
    allocation_round, offer, listing = _lock_offer(offer)
    _offer_is_open(offer)
    offer.status = OfferStatus.DECLINED if VERA_PARENT[DeclineReason(reason)] == "GEW" else OfferStatus.WITHDRAWN
    offer.decline_reason = reason
    offer.decided_at = timezone.now()
    offer.decided_by_name = _name(actor)
    offer.save(update_fields=["status", "decline_reason", "decided_at", "decided_by_name"])
    listing.status = ListingStatus.OPEN
    listing.save(update_fields=["status"])
    rerun = allocation_round.status in (RoundStatus.APPROVED, RoundStatus.REVIEW)
    if rerun:
        _enqueue_solve(allocation_round, actor)
    _record(actor=actor, event=AuditEvent.Type.OFFER_DECLINED, corporation=allocation_round.corporation,
            subject_type="offer", subject_ids=[offer.applicant.household.external_id],
            label=f"offer of {listing.reference} to {offer.applicant.external_id}: {reason}",
            data={"offer": offer.pk, "round": allocation_round.pk, "reason": reason, "status": offer.status,
                  "run_again": rerun or allocation_round.status == RoundStatus.SOLVING})
    return offer
