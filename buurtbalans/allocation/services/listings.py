"""Listings (publicaties): offering a vacant dwelling with its labels, changing, relabelling and withdrawing it.

Owns the rules for a listing's labels (`LISTING_FIELDS`: target groups, household size, income range, rent,
selection key) and when they may still change: while the listing is open and its round has not been run, since
applicants react to a listing as it was published.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from buurtbalans.allocation.models import (
    ACTIVE_LISTING_STATUSES,
    AllocationRound,
    Bid,
    Listing,
    ListingStatus,
    Offer,
    OfferStatus,
    RoundStatus,
    SelectionKey,
)
from buurtbalans.allocation.services.base import AllocationError, _amount, _group_codes, _name, _record
from buurtbalans.core.models import AuditEvent
from buurtbalans.portfolio.models import Dwelling, DwellingStatus

LISTING_FIELDS = (
    "selection",
    "urgency_first",
    "household_size_min",
    "household_size_max",
    "income_min",
    "income_max",
    "allowed_groups",
    "excluded_groups",
    "base_rent",
    "affordability_exception",
    "label",
    "note",
)


def _clean_listing_fields(fields: dict, *, dwelling: Dwelling | None) -> dict:
    """Check listing labels; returns the cleaned values or raises AllocationError with every problem."""
    unknown = set(fields) - set(LISTING_FIELDS)
    if unknown:
        raise TypeError(f"unknown listing fields: {', '.join(sorted(unknown))}")
    problems: list[str] = []
    cleaned = dict(fields)
    if "selection" in fields and fields["selection"] not in SelectionKey.values:
        problems.append(_("selection: %(value)s is not one of %(known)s")
                        % {"value": fields["selection"], "known": ", ".join(SelectionKey.values)})
    for name in ("income_min", "income_max", "base_rent"):
        if name in fields:
            cleaned[name] = _amount(fields[name], name, problems)
    for name in ("household_size_min", "household_size_max"):
        value = fields.get(name)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 30):
            problems.append(_("%(field)s: must be a whole number from 1 to 30") % {"field": name})
    for name in ("allowed_groups", "excluded_groups"):
        if name in fields:
            cleaned[name] = _group_codes(fields[name], name, problems)
    if "label" in fields:
        cleaned["label"] = (str(fields["label"]).strip() or None) if fields["label"] is not None else None
    if "base_rent" in cleaned and cleaned["base_rent"] is None and not any("base_rent" in p for p in problems):
        problems.append(_("base_rent: the listing needs a base rent"))
    if problems:
        raise AllocationError(*problems)
    return cleaned


def _check_ranges(listing: Listing) -> None:
    problems = []
    if None not in (listing.household_size_min, listing.household_size_max) and (
        listing.household_size_min > listing.household_size_max
    ):
        problems.append(_("The smallest household size is larger than the largest."))
    if None not in (listing.income_min, listing.income_max) and listing.income_min > listing.income_max:
        problems.append(_("The lowest income is higher than the highest."))
    overlap = set(listing.allowed_groups) & set(listing.excluded_groups)
    if overlap:
        problems.append(_("A group cannot be both allowed and excluded: %(groups)s") % {"groups": ", ".join(
            sorted(overlap))})
    if problems:
        raise AllocationError(*problems)


def _listing_round(allocation_round: AllocationRound | None, corporation_id: int) -> AllocationRound | None:
    if allocation_round is None:
        return None
    locked = AllocationRound.objects.select_for_update().get(pk=allocation_round.pk)
    if locked.corporation_id != corporation_id:
        raise AllocationError(_("The round belongs to another corporation."))
    if locked.status != RoundStatus.DRAFT:
        raise AllocationError(_("Listings can only be added to a round that has not been run yet."))
    return locked


@transaction.atomic
def listing_create_for_dwelling(*, dwelling: Dwelling, actor, allocation_round: AllocationRound | None = None,
                                **fields) -> Listing:
    """Offer a vacant dwelling in a listing with its labels (publicatie).

    This is also the entry point for the labelling plan (issue 5): the accepted label per vacancy sets the
    listing's target groups, rent and selection key, and its code goes into `label`.

    Args:
        dwelling: a vacant dwelling of the corporation; it must have no other open or offered listing.
        actor: who lists it (a user), or None for a command or the demo.
        allocation_round: the draft round to let it in, or None to add it to a round later.
        **fields: the labels, any of `LISTING_FIELDS`: selection ("registration", "lottery", "motivation",
            "first_come"; default registration), urgency_first (bool), household_size_min / household_size_max
            (1-30 or None), income_min / income_max (Decimal per year or None), allowed_groups / excluded_groups
            (lists of `ApplicantGroup` codes), base_rent (Decimal per month; default the dwelling's base rent),
            affordability_exception (bool), label (the labelling plan's code, or None), note (text).

    Returns:
        The new listing, status open.

    Raises:
        AllocationError: the dwelling is not vacant or already listed, a label is invalid, or the round is not a
            draft round of the same corporation (every problem listed).
        TypeError: for a field name that is not a label.
    """
    cleaned = _clean_listing_fields(fields, dwelling=dwelling)
    dwelling = Dwelling.objects.select_for_update().get(pk=dwelling.pk)
    allocation_round = _listing_round(allocation_round, dwelling.corporation_id)
    if dwelling.status != DwellingStatus.VACANT:
        raise AllocationError(_("Dwelling %(code)s is not vacant.") % {"code": dwelling.external_id})
    if Listing.objects.filter(dwelling=dwelling, status__in=ACTIVE_LISTING_STATUSES).exists():
        raise AllocationError(_("Dwelling %(code)s is already listed.") % {"code": dwelling.external_id})
    if "base_rent" not in cleaned or cleaned["base_rent"] is None:
        if dwelling.base_rent is None:
            raise AllocationError(_("base_rent: the listing needs a base rent"))
        cleaned["base_rent"] = dwelling.base_rent
    number = Listing.objects.filter(dwelling=dwelling).count() + 1
    listing = Listing(
        corporation_id=dwelling.corporation_id,
        dwelling=dwelling,
        allocation_round=allocation_round,
        reference=f"{dwelling.external_id}/{number}",
        created_by_name=_name(actor),
        **cleaned,
    )
    _check_ranges(listing)
    listing.save()
    _record(actor=actor, event=AuditEvent.Type.LISTING_WRITTEN, corporation=dwelling.corporation,
            subject_type="listing", label=f"listing {listing.reference} created",
            data={"listing": listing.pk, "dwelling": dwelling.external_id, "label": listing.label,
                  "round": allocation_round.pk if allocation_round else None})
    return listing


def _lock_listing(listing: Listing) -> Listing:
    return Listing.objects.select_for_update().get(pk=listing.pk)


def _listing_editable(listing: Listing) -> None:
    if listing.status != ListingStatus.OPEN:
        raise AllocationError(_("Listing %(ref)s is %(status)s: it can no longer be changed.")
                              % {"ref": listing.reference, "status": listing.get_status_display()})
    if listing.allocation_round_id is not None:
        status = AllocationRound.objects.filter(pk=listing.allocation_round_id).values_list("status", flat=True)[0]
        if status != RoundStatus.DRAFT:
            raise AllocationError(_("The round of listing %(ref)s has been run: its labels are fixed.")
                                  % {"ref": listing.reference})


@transaction.atomic
def listing_update(*, listing: Listing, actor, allocation_round: AllocationRound | None | object = ...,
                   **fields) -> Listing:
    """Change a listing's labels (or its round) while its round has not been run yet.

    Raises:
        AllocationError: the listing is no longer open, its round was run, or a label is invalid.
    """
    cleaned = _clean_listing_fields(fields, dwelling=None)
    listing = _lock_listing(listing)
    _listing_editable(listing)
    old = {name: getattr(listing, name) for name in cleaned}
    for name, value in cleaned.items():
        setattr(listing, name, value)
    if allocation_round is not ...:
        locked = _listing_round(allocation_round, listing.corporation_id)
        listing.allocation_round = locked
    _check_ranges(listing)
    listing.save()
    _record(actor=actor, event=AuditEvent.Type.LISTING_WRITTEN, corporation=listing.corporation,
            subject_type="listing", label=f"listing {listing.reference} changed",
            data={"listing": listing.pk, "old": {k: str(v) for k, v in old.items()},
                  "new": {k: str(v) for k, v in cleaned.items()}})
    return listing


@transaction.atomic
def listing_relabel(*, listing: Listing, actor, **fields) -> Listing:
    """Give an open listing a vacancy's newly decided label (labelling plan, issue 10), in the caller's transaction.

    Only while nobody has reacted and no round has judged it: bids were made on the listing's rent and target
    groups as they were, so changing them afterwards would judge applicants on terms they did not see.

    Args:
        listing: an open listing, in no round or in a draft round.
        actor: who decided the label.
        **fields: the label's fields, any of `LISTING_FIELDS` (steering.services.listing_fields gives label,
            base_rent, selection, urgency_first, allowed_groups, excluded_groups).

    Raises:
        AllocationError: the listing is no longer open, its round has been run, it has bids or an offer, or a
            field is invalid.
    """
    cleaned = _clean_listing_fields(fields, dwelling=None)
    if listing.allocation_round_id is not None:
        AllocationRound.objects.select_for_update().get(pk=listing.allocation_round_id)
    listing = _lock_listing(listing)
    _listing_editable(listing)
    bids = Bid.objects.filter(listing=listing).count()
    if bids:
        raise AllocationError(_("Listing %(ref)s already has bids (%(n)s): its label can no longer change.")
                              % {"ref": listing.reference, "n": bids})
    offer = Offer.objects.filter(listing=listing, status__in=(OfferStatus.OFFERED, OfferStatus.ACCEPTED)).first()
    if offer is not None:
        raise AllocationError(_("Listing %(ref)s has an offer (%(status)s): its label can no longer change.")
                              % {"ref": listing.reference, "status": offer.get_status_display()})
    old = {name: getattr(listing, name) for name in cleaned}
    for name, value in cleaned.items():
        setattr(listing, name, value)
    _check_ranges(listing)
    listing.save()
    _record(actor=actor, event=AuditEvent.Type.LISTING_WRITTEN, corporation=listing.corporation,
            subject_type="listing", label=f"listing {listing.reference} relabelled",
            data={"listing": listing.pk, "label": listing.label, "old": {k: str(v) for k, v in old.items()},
                  "new": {k: str(v) for k, v in cleaned.items()}})
    return listing


@transaction.atomic
def listing_withdraw(*, listing: Listing, actor) -> Listing:
    """Take an open listing back (no offer is out). Its bids stay for the record.

    Raises:
        AllocationError: an offer is out or the listing is let, or its round is being worked out.
    """
    if listing.allocation_round_id is not None:
        allocation_round = AllocationRound.objects.select_for_update().get(pk=listing.allocation_round_id)
        if allocation_round.status == RoundStatus.SOLVING:
            raise AllocationError(_("The round is being worked out; try again when it is done."))
    listing = _lock_listing(listing)
    if listing.status != ListingStatus.OPEN:
        raise AllocationError(_("Listing %(ref)s is %(status)s: it cannot be withdrawn.")
                              % {"ref": listing.reference, "status": listing.get_status_display()})
    listing.status = ListingStatus.WITHDRAWN
    listing.save(update_fields=["status"])
    _record(actor=actor, event=AuditEvent.Type.LISTING_WRITTEN, corporation=listing.corporation,
            subject_type="listing", label=f"listing {listing.reference} withdrawn", data={"listing": listing.pk})
    return listing
