"""Listings (publicaties): offering a vacant dwelling with its labels, changing, relabelling and withdrawing it.

Owns the rules for a listing's labels (`LISTING_FIELDS`: target groups, household size, income range, rent,
selection key, and for selection on motivation the published criteria and the lowest score) and when they may
still change: while the listing is open and its round has not been run, since applicants react to a listing as
it was published.

Selection on motivation (issue 13 item 2) has two safeguards here. A motivation listing publishes its criteria
(at least one text): without them it cannot open, as a round/2 file without them is refused. And it may not
open when that would go over the municipality's yearly cap (`rules.MotivationCap`: a share of the lettings, a
number a year): the lettings on motivation of the year and the motivation listings open now are counted per
municipality of the dwelling's buurt (`_motivation_cap_check`, docs/allocation.md "Motivation in the product").
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
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
from buurtbalans.rules.models import MotivationCap
from buurtbalans.rules.motivation_caps import cap_refusals, letting_counts

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
    "criteria",
    "motivation_min_score",
)
# A criterion is a short published text; a listing has a handful of them.
CRITERION_MAX_LENGTH = 300
CRITERIA_MAX = 20


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
    cleaned.update(_clean_motivation_fields(fields, problems))
    if "base_rent" in cleaned and cleaned["base_rent"] is None and not any("base_rent" in p for p in problems):
        problems.append(_("base_rent: the listing needs a base rent"))
    if problems:
        raise AllocationError(*problems)
    return cleaned


def _clean_motivation_fields(fields: dict, problems: list[str]) -> dict:
    cleaned = {}
    if "criteria" in fields:
        cleaned["criteria"] = _criteria(fields["criteria"], problems)
    if "motivation_min_score" in fields:
        cleaned["motivation_min_score"] = _min_score(fields["motivation_min_score"], problems)
    return cleaned


def _criteria(value, problems: list[str]) -> list[str]:
    """The published criteria as a list of texts (blank ones left out); a single text is one criterion per line."""
    if value is None:
        return []
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, (list, tuple)) or not all(isinstance(item, str) for item in value):
        problems.append(_("criteria: give the selection criteria as texts, one per line"))
        return []
    criteria = [" ".join(item.split()) for item in value]
    criteria = [item for item in criteria if item]
    if len(criteria) > CRITERIA_MAX:
        problems.append(_("criteria: at most %(n)d criteria") % {"n": CRITERIA_MAX})
    if any(len(item) > CRITERION_MAX_LENGTH for item in criteria):
        problems.append(_("criteria: a criterion has at most %(n)d characters") % {"n": CRITERION_MAX_LENGTH})
    return criteria


def _min_score(value, problems: list[str]) -> Decimal | None:
    """The lowest motivation score: 0 to 4 with at most one decimal (the assessors' scale), or None."""
    if value is None or value == "":
        return None
    try:
        score = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        score = None
    if score is None or not score.is_finite() or not 0 <= score <= 4 or score != score.quantize(Decimal("0.1")):
        problems.append(_("motivation_min_score: the lowest score is a number from 0 to 4 with at most one "
                          "decimal, such as 2.5"))
        return None
    return score.quantize(Decimal("0.1"))


def _check_motivation(listing: Listing, given: dict) -> None:
    """A motivation listing publishes its criteria; another listing has no criteria and no lowest score.

    When a listing stops selecting on motivation and the caller did not give criteria or a lowest score, those
    go with it (the labelling plan's relabel gives only the selection key).

    Raises:
        AllocationError: a motivation listing without criteria, or criteria or a lowest score given for a
            listing that does not select on motivation.
    """
    if listing.selection == SelectionKey.MOTIVATION:
        if not listing.criteria:
            raise AllocationError(_("A listing that selects on motivation needs published selection criteria: "
                                    "write at least one criterion. Applicants must know beforehand on what they "
                                    "are assessed."))
        return
    problems = []
    if given.get("criteria"):
        problems.append(_("Only a listing that selects on motivation has selection criteria."))
    if given.get("motivation_min_score") is not None:
        problems.append(_("Only a listing that selects on motivation has a lowest motivation score."))
    if problems:
        raise AllocationError(*problems)
    listing.criteria = []
    listing.motivation_min_score = None


def _municipality_id(dwelling: Dwelling) -> int | None:
    complex_ = dwelling.complex
    if complex_ is None or complex_.neighbourhood_id is None:
        return None
    return complex_.neighbourhood.municipality_id


def _motivation_cap_check(listing: Listing, *, today: date | None) -> None:
    """Refuse to open one more motivation listing when that would go over the municipality's yearly cap.

    Counted for the year the listing opens in, per municipality of the dwelling's buurt: the lettings (tenancies
    started in the year) and those on motivation, plus the listings open now (each will be a letting) and those
    of them that select on motivation; the listing itself is added (`rules.motivation_caps.cap_refusals`). The
    cap's row is locked, so two officers opening the last allowed motivation listing at once are counted one
    after the other. A dwelling whose municipality is not known, or a year without a cap, has no limit.

    Raises:
        AllocationError: naming the cap that would be exceeded and what was counted.
    """
    municipality_id = _municipality_id(listing.dwelling)
    if municipality_id is None:
        return
    year = (today or timezone.localdate()).year
    cap = (MotivationCap.objects.select_for_update().select_related("municipality")
           .filter(corporation_id=listing.corporation_id, municipality_id=municipality_id, year=year).first())
    if cap is None:
        return
    lettings, let_on_motivation = letting_counts(listing.corporation_id, year, municipality_id).get(
        municipality_id, (0, 0))
    active = Listing.objects.filter(
        corporation_id=listing.corporation_id, status__in=ACTIVE_LISTING_STATUSES,
        dwelling__complex__neighbourhood__municipality_id=municipality_id,
    )
    if listing.pk is not None:
        active = active.exclude(pk=listing.pk)
    problems = cap_refusals(cap, let_on_motivation=let_on_motivation,
                            open_on_motivation=active.filter(selection=SelectionKey.MOTIVATION).count(),
                            lettings=lettings, open_listings=active.count())
    if problems:
        raise AllocationError(*problems)


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
                                today: date | None = None, **fields) -> Listing:
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
            affordability_exception (bool), label (the labelling plan's code, or None), note (text),
            criteria (the published selection criteria of a motivation listing: a list of texts, or one text with
            a criterion per line) and motivation_min_score (0 to 4 with one decimal, or None).
        today: the day the listing opens (default today): its year is the year of the motivation caps.

    Returns:
        The new listing, status open.

    Raises:
        AllocationError: the dwelling is not vacant or already listed, a label is invalid, a motivation listing
            has no criteria or would go over the municipality's yearly cap on motivation, or the round is not a
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
    _check_motivation(listing, cleaned)
    if listing.selection == SelectionKey.MOTIVATION:
        _motivation_cap_check(listing, today=today)
    listing.save()
    _record(actor=actor, event=AuditEvent.Type.LISTING_WRITTEN, corporation=dwelling.corporation,
            subject_type="listing", label=f"listing {listing.reference} created",
            data={"listing": listing.pk, "dwelling": dwelling.external_id, "label": listing.label,
                  "round": allocation_round.pk if allocation_round else None, "selection": listing.selection,
                  "criteria": listing.criteria,
                  "motivation_min_score": None if listing.motivation_min_score is None
                  else str(listing.motivation_min_score)})
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
                   today: date | None = None, **fields) -> Listing:
    """Change a listing's labels (or its round) while its round has not been run yet.

    A listing that starts selecting on motivation needs its criteria and is counted against the municipality's
    yearly cap as if it opened now (`today`, default today).

    Raises:
        AllocationError: the listing is no longer open, its round was run, a label is invalid, a motivation
            listing has no criteria, or it would go over the cap on motivation.
    """
    cleaned = _clean_listing_fields(fields, dwelling=None)
    listing = _lock_listing(listing)
    _listing_editable(listing)
    was_motivation = listing.selection == SelectionKey.MOTIVATION
    old = {name: getattr(listing, name) for name in (*cleaned, "criteria", "motivation_min_score")}
    for name, value in cleaned.items():
        setattr(listing, name, value)
    if allocation_round is not ...:
        locked = _listing_round(allocation_round, listing.corporation_id)
        listing.allocation_round = locked
    _check_ranges(listing)
    _check_motivation(listing, cleaned)
    if listing.selection == SelectionKey.MOTIVATION and not was_motivation:
        _motivation_cap_check(listing, today=today)
    listing.save()
    _record(actor=actor, event=AuditEvent.Type.LISTING_WRITTEN, corporation=listing.corporation,
            subject_type="listing", label=f"listing {listing.reference} changed",
            data={"listing": listing.pk, "old": {k: str(v) for k, v in old.items()},
                  "new": {k: str(getattr(listing, k)) for k in old}})
    return listing


@transaction.atomic
def listing_relabel(*, listing: Listing, actor, today: date | None = None, **fields) -> Listing:
    """Give an open listing a vacancy's newly decided label (labelling plan, issue 10), in the caller's transaction.

    Only while nobody has reacted and no round has judged it: bids were made on the listing's rent and target
    groups as they were, so changing them afterwards would judge applicants on terms they did not see.

    Args:
        listing: an open listing, in no round or in a draft round.
        actor: who decided the label.
        **fields: the label's fields, any of `LISTING_FIELDS` (steering.services.listing_fields gives label,
            base_rent, selection, urgency_first, allowed_groups, excluded_groups).
        today: the day of the change (default today), for the year of the motivation caps.

    Raises:
        AllocationError: the listing is no longer open, its round has been run, it has bids or an offer, a
            field is invalid, or it would become a motivation listing without criteria or over the cap.
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
    was_motivation = listing.selection == SelectionKey.MOTIVATION
    old = {name: getattr(listing, name) for name in (*cleaned, "criteria", "motivation_min_score")}
    for name, value in cleaned.items():
        setattr(listing, name, value)
    _check_ranges(listing)
    _check_motivation(listing, cleaned)
    if listing.selection == SelectionKey.MOTIVATION and not was_motivation:
        _motivation_cap_check(listing, today=today)
    listing.save()
    _record(actor=actor, event=AuditEvent.Type.LISTING_WRITTEN, corporation=listing.corporation,
            subject_type="listing", label=f"listing {listing.reference} relabelled",
            data={"listing": listing.pk, "label": listing.label, "old": {k: str(v) for k, v in old.items()},
                  "new": {k: str(getattr(listing, k)) for k in old}})
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
