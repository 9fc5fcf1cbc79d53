"""How a vacancy's label meets its listing (issue 10): which vacant dwellings are fixed ("vast"), and what a label
decision does to the dwelling's listing.

A vacant dwelling is **fixed** when its letting is under way, in this order of precedence:
  1. let: an accepted offer whose tenancy has not ended, or a tenancy of the dwelling that has no end date or
     starts after the day asked about (the new tenant moves in);
  2. offered: an offer is out on one of its listings, or its listing has status offered;
  3. round run: its open listing is in a round that has been worked out (solving, review, approved, closed):
     the bids were judged on the listing's label and rent.
A fixed dwelling gets no label in a plan, and no label decision.

What a decision does to the listing (`listing_effect`): no open or offered listing: nothing (the officer lists the
dwelling later with its label); an open listing without bids in a draft round (or none): it takes the label's
fields in the decision's transaction (`allocation.services.listing_relabel`); an open listing with bids: the
decision is refused, because the applicants reacted to the old rent and groups.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from buurtbalans.households.models import Tenancy
from buurtbalans.steering.models import FixedReason

# Precedence when one dwelling is fixed for more than one reason: the strongest reason is reported.
_PRECEDENCE = {FixedReason.LET: 0, FixedReason.TENANCY: 1, FixedReason.OFFERED: 2, FixedReason.ROUND_RUN: 3}


@dataclass(frozen=True)
class Fixed:
    """Why one dwelling is fixed ("vast")."""

    dwelling_id: int
    reason: str  # a FixedReason value
    listing_reference: str = ""
    round_name: str = ""
    start_date: date | None = None


def _keep(found: dict[int, Fixed], fixed: Fixed) -> None:
    current = found.get(fixed.dwelling_id)
    if current is None or _PRECEDENCE[FixedReason(fixed.reason)] < _PRECEDENCE[FixedReason(current.reason)]:
        found[fixed.dwelling_id] = fixed


def fixed_dwellings(corporation_id: int, dwelling_ids: Iterable[int], *, on: date) -> dict[int, Fixed]:
    """Dwelling id -> why it is fixed, for the given dwellings of one corporation (see the module docstring).

    Four queries whatever the number of dwellings.

    Args:
        corporation_id: the corporation.
        dwelling_ids: the dwellings to look at (a list or a `values("pk")` queryset).
        on: the day asked about: a tenancy starting after it, or one without an end date, makes the dwelling let.
    """
    from buurtbalans.allocation.models import Listing, ListingStatus, Offer, OfferStatus, RoundStatus

    if not isinstance(dwelling_ids, list | tuple | set):
        ids = dwelling_ids
    else:
        ids = list(dwelling_ids)
        if not ids:
            return {}
    found: dict[int, Fixed] = {}
    tenancies = (
        Tenancy.objects.filter(corporation_id=corporation_id, dwelling_id__in=ids)
        .filter(Q(end_date__isnull=True) | Q(start_date__gt=on))
        .order_by("dwelling_id", "start_date", "pk")
        .values_list("dwelling_id", "start_date")
    )
    for dwelling_id, start in tenancies:
        _keep(found, Fixed(dwelling_id, FixedReason.TENANCY, start_date=start))
    offers = (
        Offer.objects.filter(corporation_id=corporation_id, listing__dwelling_id__in=ids)
        .filter(
            Q(status=OfferStatus.OFFERED)
            | (
                Q(status=OfferStatus.ACCEPTED, tenancy__isnull=False)
                & (Q(tenancy__end_date__isnull=True) | Q(tenancy__end_date__gt=on))
            )
        )
        .order_by("listing__dwelling_id", "pk")
        .values_list("listing__dwelling_id", "status", "listing__reference", "allocation_round__name")
    )
    for dwelling_id, status, reference, round_name in offers:
        reason = FixedReason.LET if status == OfferStatus.ACCEPTED else FixedReason.OFFERED
        _keep(found, Fixed(dwelling_id, reason, reference, round_name or ""))
    listings = (
        Listing.objects.filter(corporation_id=corporation_id, dwelling_id__in=ids)
        .filter(
            Q(status=ListingStatus.OFFERED)
            | (
                Q(status=ListingStatus.OPEN, allocation_round__isnull=False)
                & ~Q(allocation_round__status=RoundStatus.DRAFT)
            )
        )
        .order_by("dwelling_id", "pk")
        .values_list("dwelling_id", "status", "reference", "allocation_round__name")
    )
    for dwelling_id, status, reference, round_name in listings:
        reason = FixedReason.OFFERED if status == ListingStatus.OFFERED else FixedReason.ROUND_RUN
        _keep(found, Fixed(dwelling_id, reason, reference, round_name or ""))
    return found


def fixed_short_text(fixed) -> str:
    """One line for a table: why a dwelling is fixed (a `Fixed` or a `PlanFixedDwelling`)."""
    reference = fixed.listing_reference
    if fixed.reason == FixedReason.LET:
        return _("Let: the offer in listing %(ref)s was accepted.") % {"ref": reference}
    if fixed.reason == FixedReason.TENANCY:
        when = date_format(fixed.start_date, "j F Y") if fixed.start_date else "–"
        return _("Let: a tenancy runs from %(date)s.") % {"date": when}
    if fixed.reason == FixedReason.OFFERED:
        return _("Offered in listing %(ref)s.") % {"ref": reference}
    return _("Listing %(ref)s is in round “%(round)s”, which has been worked out.") % {
        "ref": reference,
        "round": fixed.round_name,
    }


def fixed_message(code: str, fixed: Fixed) -> str:
    """Why no label can be decided for dwelling `code` now, and what the officer can do."""
    return _("Dwelling %(code)s is fixed: %(why)s Its label can no longer change in this letting.") % {
        "code": code,
        "why": fixed_short_text(fixed),
    }


@dataclass(frozen=True)
class ListingEffect:
    """What deciding a label does to the dwelling's listing.

    `kind`: "none" (no open or offered listing), "update" (the open listing takes the label), "refused" (the
    listing has bids) or "fixed" (the dwelling is fixed: `fixed` says why).
    """

    kind: str
    message: str
    listing: object = None
    bids: int = 0
    fixed: Fixed | None = None

    @property
    def is_refused(self) -> bool:
        return self.kind in ("refused", "fixed")


def listing_effect(dwelling, *, on: date) -> ListingEffect:
    """What a label decision on `dwelling` would do to its listing now (the decision screen and the service)."""
    from buurtbalans.allocation.models import ACTIVE_LISTING_STATUSES, Listing

    fixed = fixed_dwellings(dwelling.corporation_id, [dwelling.pk], on=on).get(dwelling.pk)
    if fixed is not None:
        return ListingEffect("fixed", fixed_message(dwelling.external_id, fixed), fixed=fixed)
    listing = (
        Listing.objects.filter(dwelling_id=dwelling.pk, status__in=ACTIVE_LISTING_STATUSES)
        .annotate(bid_count=Count("bids"))
        .order_by("-pk")
        .first()
    )
    if listing is None:
        return ListingEffect(
            "none", _("This dwelling has no listing yet. After the decision you can list it with its label.")
        )
    if listing.bid_count:
        message = ngettext(
            "Dwelling %(code)s already has %(n)s bid on listing %(ref)s; withdraw the listing or choose a label "
            "after the round.",
            "Dwelling %(code)s already has %(n)s bids on listing %(ref)s; withdraw the listing or choose a label "
            "after the round.",
            listing.bid_count,
        ) % {"code": dwelling.external_id, "n": listing.bid_count, "ref": listing.reference}
        return ListingEffect("refused", message, listing=listing, bids=listing.bid_count)
    return ListingEffect(
        "update",
        _(
            "Listing %(ref)s is open and has no bids yet. Your decision changes its label, base rent, target groups "
            "and selection at once."
        )
        % {"ref": listing.reference},
        listing=listing,
    )
