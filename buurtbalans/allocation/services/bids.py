"""Bids (reacties): recording an applicant's reaction on an open listing, and the checks the bids import shares.

Owns when a listing takes bids and an applicant may bid (`bid_check_listing`, `bid_check_applicant`, also used by
`allocation.importing`) and that a preference is given once per applicant and round.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buurtbalans.allocation.models import (
    ACTIVE_LISTING_STATUSES,
    ApplicantProfile,
    ApplicantStatus,
    Bid,
    BidSource,
    Listing,
    ListingStatus,
    RoundStatus,
)
from buurtbalans.allocation.services.base import AllocationError, _record
from buurtbalans.core.models import AuditEvent
from buurtbalans.households.models import Applicant


def bid_round_preferences(applicant_ids: Iterable[int], round_id: int | None) -> dict[tuple[int, int], int]:
    """(applicant pk, preference) -> listing pk of the applicant's bids on active listings of one round.

    Listings without a round form a pool of their own (round_id None).
    """
    bids = Bid.objects.filter(applicant_id__in=list(applicant_ids), listing__status__in=ACTIVE_LISTING_STATUSES)
    bids = bids.filter(listing__allocation_round__isnull=True) if round_id is None else bids.filter(
        listing__allocation_round_id=round_id)
    return {(a, p): listing for a, p, listing in bids.values_list("applicant_id", "preference", "listing_id")}


def bid_check_listing(listing: Listing) -> str | None:
    """Why the listing takes no bids now, or None."""
    if listing.status != ListingStatus.OPEN:
        return _("listing %(ref)s is %(status)s") % {"ref": listing.reference,
                                                    "status": listing.get_status_display()}
    if listing.allocation_round_id is not None and listing.allocation_round.status != RoundStatus.DRAFT:
        return _("the round of listing %(ref)s has been run") % {"ref": listing.reference}
    return None


def bid_check_applicant(applicant: Applicant, corporation_id: int) -> str | None:
    """Why the applicant may not bid on a listing of the corporation now, or None.

    Shared by `bid_create` and the bids import so a typed and an imported bid are refused for the same reasons:
    an applicant of another corporation is "not known" (never confirm that they exist elsewhere), and a housed
    applicant takes no further part in rounds.

    Args:
        applicant: who bids.
        corporation_id: the listing's corporation.

    Returns:
        The reason as a translated sentence, or None when the applicant may bid.
    """
    if applicant.corporation_id != corporation_id:
        return _("applicant %(applicant)s is not known") % {"applicant": applicant.external_id}
    profile = ApplicantProfile.objects.filter(applicant=applicant).only("status").first()
    if profile is not None and profile.status == ApplicantStatus.HOUSED:
        return _("applicant %(applicant)s is already housed") % {"applicant": applicant.external_id}
    return None


@transaction.atomic
def bid_create(*, listing: Listing, applicant: Applicant, preference: int, actor,
               submitted_at: datetime | None = None, source: str = BidSource.ENTERED) -> Bid:
    """Record one bid (reactie) of an applicant on an open listing.

    Raises:
        AllocationError: the listing takes no bids, the applicant is housed or already reacted, or they already
            gave this preference to another listing in the same round.
    """
    listing = Listing.objects.select_for_update(of=("self",)).select_related("allocation_round").get(pk=listing.pk)
    problems = [p for p in (bid_check_listing(listing), bid_check_applicant(applicant, listing.corporation_id)) if p]
    if not isinstance(preference, int) or isinstance(preference, bool) or not 1 <= preference <= 1_000_000:
        problems.append(_("the preference must be a whole number from 1"))
    if problems:
        raise AllocationError(*problems)
    if Bid.objects.filter(listing=listing, applicant=applicant).exists():
        raise AllocationError(_("Applicant %(applicant)s already reacted to listing %(ref)s.")
                              % {"applicant": applicant.external_id, "ref": listing.reference})
    taken = bid_round_preferences([applicant.pk], listing.allocation_round_id).get((applicant.pk, preference))
    if taken is not None:
        other = Listing.objects.get(pk=taken)
        raise AllocationError(_("Applicant %(applicant)s already gave preference %(preference)d to listing "
                                "%(ref)s in this round.")
                              % {"applicant": applicant.external_id, "preference": preference, "ref": other.reference})
    bid = Bid.objects.create(
        corporation_id=listing.corporation_id, listing=listing, applicant=applicant, preference=preference,
        submitted_at=submitted_at or timezone.now(), source=source,
    )
    _record(actor=actor, event=AuditEvent.Type.BIDS_WRITTEN, corporation=listing.corporation, subject_type="bid",
            subject_ids=[applicant.household.external_id],
            label=f"bid of {applicant.external_id} on {listing.reference}",
            data={"bids": 1, "listing": listing.pk, "source": source})
    return bid
