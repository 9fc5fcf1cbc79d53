"""Writes of the allocation app: listings, applicants' profiles, bids, rounds, runs and offers.

Every write goes through a function here, in one transaction, with an audit event (2xx). Views, jobs, commands
and the demo only call these.

Concurrency. Two officers may act on the same round or offer at the same moment. Every service that changes a
round, an offer or a listing first locks the rows it decides on (`select_for_update`, in a fixed order:
applicant, round, offers, listing, dwelling), then reads their state again inside the transaction and refuses
when it no longer allows the change ("this offer was accepted meanwhile"). Partial unique constraints (one
active listing per dwelling, one active offer per listing and per applicant and round) are the last guard.
On SQLite, whose transactions take the write lock at their start here, the same code runs one at a time.

The round lifecycle (docs/allocation-product.md):

    draft --start--> solving --solve (job)--> review --approve--> approved --close--> closed
                        ^                                           |
                        +------ decline / start again --------------+
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

import numpy as np
import orjson
from django.db import connection, models, transaction
from django.db.models import Max, Q, Value
from django.db.models.functions import Cast
from django.utils import timezone
from django.utils.translation import gettext as _

from buurtbalans.allocation.models import (
    ACTIVE_LISTING_STATUSES,
    VERA_PARENT,
    AllocationRound,
    AllocationRun,
    ApplicantGroup,
    ApplicantProfile,
    ApplicantStatus,
    Bid,
    BidOutcomeCode,
    BidResult,
    BidSource,
    DeclineReason,
    Listing,
    ListingStatus,
    MotivationScore,
    Offer,
    OfferStatus,
    RoundStatus,
    RunReason,
    SelectionKey,
)
from buurtbalans.allocation.roundfile import RoundFileError, candidate_detail_texts, gc_paused, parse_round_document
from buurtbalans.allocation.roundinput import bid_keys_for, document_without, round_input_from_rows
from buurtbalans.core.audit import actor_label, audit_record
from buurtbalans.core.jobs import job_enqueue
from buurtbalans.core.models import AuditEvent, HousingCorporation, Job
from buurtbalans.engine.allocation import REASON_ORDER, RoundParameterMissing, solve_round
from buurtbalans.engine.allocation.result import OUTCOME_ORDER
from buurtbalans.households.models import Applicant, Tenancy
from buurtbalans.portfolio.models import Dwelling, DwellingStatus
from buurtbalans.rules.parameters import parameters_for

SOLVE_JOB_KIND = "allocation_round_solve"
PURPOSE = "allocation"
# BidResult rows are written in chunks of this size (progress is reported per chunk), each sent to PostgreSQL in
# pieces of COPY_PIECE rows.
RESULT_CHUNK = 20_000
COPY_PIECE = 2000


class AllocationError(Exception):
    """A write the state of the data does not allow; `messages` are for the user (translated)."""

    def __init__(self, *messages: str):
        super().__init__("; ".join(str(m) for m in messages))
        self.messages = [str(m) for m in messages]


def _name(actor) -> str:
    return actor_label(actor)


def _record(*, actor, event, corporation, subject_type: str, subject_ids: Iterable[str] = (), label: str = "",
            data: dict | None = None) -> None:
    audit_record(actor=actor, event=event, corporation=corporation, subject_type=subject_type, purpose=PURPOSE,
                 subject_ids=subject_ids, subject_label=label, data=data)


# --- listings ---------------------------------------------------------------------------------------------------

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


def _group_codes(values, field: str, problems: list[str]) -> list[str]:
    codes = sorted({str(v) for v in (values or [])})
    unknown = [c for c in codes if c not in ApplicantGroup.values]
    if unknown:
        problems.append(_("%(field)s: unknown target group %(codes)s (known: %(known)s)") % {
            "field": field, "codes": ", ".join(unknown), "known": ", ".join(ApplicantGroup.values)})
    return codes


def _amount(value, field: str, problems: list[str]) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        problems.append(_("%(field)s: %(value)s is not an amount") % {"field": field, "value": value})
        return None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        problems.append(_("%(field)s: %(value)s is not an amount in euros with at most two decimals")
                        % {"field": field, "value": value})
        return None
    return amount


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


# --- applicants ---------------------------------------------------------------------------------------------


def profile_for(applicant: Applicant) -> ApplicantProfile:
    """The applicant's profile, or an unsaved default one (no groups, no urgency, waiting)."""
    profile = ApplicantProfile.objects.filter(applicant=applicant).first()
    return profile or ApplicantProfile(corporation_id=applicant.corporation_id, applicant=applicant)


@transaction.atomic
def applicant_profile_set(*, applicant: Applicant, actor, groups: Iterable[str] = (), is_urgent: bool = False,
                          urgency_valid_until: date | None = None) -> ApplicantProfile:
    """Record an applicant's target groups and urgency (urgentieverklaring), as the round uses them.

    Raises:
        AllocationError: for an unknown group code.
    """
    problems: list[str] = []
    codes = _group_codes(groups, "groups", problems)
    if problems:
        raise AllocationError(*problems)
    Applicant.objects.select_for_update().get(pk=applicant.pk)
    profile, _created = ApplicantProfile.objects.get_or_create(
        applicant=applicant, defaults={"corporation_id": applicant.corporation_id}
    )
    old = {"groups": profile.groups, "is_urgent": profile.is_urgent,
           "urgency_valid_until": str(profile.urgency_valid_until or "")}
    profile.groups = codes
    profile.is_urgent = bool(is_urgent)
    profile.urgency_valid_until = urgency_valid_until if is_urgent else None
    profile.save()
    _record(actor=actor, event=AuditEvent.Type.APPLICANT_PROFILE_WRITTEN, corporation=applicant.corporation,
            subject_type="applicant", subject_ids=[applicant.household.external_id],
            label=f"allocation profile of applicant {applicant.external_id}",
            data={"old": old, "new": {"groups": codes, "is_urgent": profile.is_urgent,
                                      "urgency_valid_until": str(profile.urgency_valid_until or "")}})
    return profile


@transaction.atomic
def motivation_score_set(*, listing: Listing, applicant: Applicant, score: Decimal, actor) -> MotivationScore:
    """Record the assessors' motivation score of an applicant for a motivation listing (0 or more).

    Raises:
        AllocationError: the listing does not select on motivation, is no longer open or its round was run, the
            applicant did not bid on it, or the score is not a number of 0 or more.
    """
    listing = _lock_listing(listing)
    _listing_editable(listing)
    if listing.selection != SelectionKey.MOTIVATION:
        raise AllocationError(_("Listing %(ref)s does not select on motivation.") % {"ref": listing.reference})
    if not Bid.objects.filter(listing=listing, applicant=applicant).exists():
        raise AllocationError(_("Applicant %(applicant)s did not react to listing %(ref)s.")
                              % {"applicant": applicant.external_id, "ref": listing.reference})
    problems: list[str] = []
    value = _amount(score, "score", problems)
    if problems or value is None or value >= 1000:
        raise AllocationError(_("A score is a number from 0 to 999.99."))
    record, _created = MotivationScore.objects.update_or_create(
        listing=listing, applicant=applicant,
        defaults={"corporation_id": listing.corporation_id, "score": value, "assessed_by_name": _name(actor)},
    )
    _record(actor=actor, event=AuditEvent.Type.APPLICANT_PROFILE_WRITTEN, corporation=listing.corporation,
            subject_type="motivation_score", subject_ids=[applicant.household.external_id],
            label=f"motivation score of {applicant.external_id} for {listing.reference}",
            data={"listing": listing.pk, "score": str(value)})
    return record


# --- bids ---------------------------------------------------------------------------------------------------


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


# --- rounds -------------------------------------------------------------------------------------------------


def _lock_round(allocation_round: AllocationRound) -> AllocationRound:
    return AllocationRound.objects.select_for_update().get(pk=allocation_round.pk)


@transaction.atomic
def allocation_round_create(*, corporation: HousingCorporation, actor, name: str, reference_date: date,
                            lottery_seed: str | None = None, listings: Iterable[Listing] = ()) -> AllocationRound:
    """A new draft round, optionally with open listings that are in no round yet.

    Args:
        lottery_seed: the seed of the lottery numbers; published with the round so anyone can check them.
            Default: 16 random hexadecimal digits.

    Raises:
        AllocationError: a listing is not open, already in a round, or of another corporation.
    """
    name = (name or "").strip()
    if not name:
        raise AllocationError(_("The round needs a name."))
    seed = (lottery_seed or "").strip() or secrets.token_hex(8)
    allocation_round = AllocationRound.objects.create(
        corporation=corporation, name=name[:100], reference_date=reference_date, lottery_seed=seed[:100],
        created_by=actor if getattr(actor, "is_authenticated", False) else None, created_by_name=_name(actor),
    )
    added = _round_take_listings(allocation_round, listings)
    _record(actor=actor, event=AuditEvent.Type.ROUND_WRITTEN, corporation=corporation, subject_type="round",
            label=f"round {allocation_round.name} created",
            data={"round": allocation_round.pk, "reference_date": reference_date.isoformat(), "listings": added})
    return allocation_round


def _round_take_listings(allocation_round: AllocationRound, listings: Iterable[Listing]) -> list[int]:
    pks = [listing.pk for listing in listings]
    locked = list(Listing.objects.select_for_update().filter(pk__in=pks).order_by("pk"))
    problems = []
    for listing in locked:
        if listing.corporation_id != allocation_round.corporation_id:
            problems.append(_("Listing %(ref)s belongs to another corporation.") % {"ref": listing.reference})
        elif listing.status != ListingStatus.OPEN or listing.allocation_round_id not in (None, allocation_round.pk):
            problems.append(_("Listing %(ref)s is not an open listing without a round.") % {"ref": listing.reference})
    if len(locked) != len(set(pks)):
        problems.append(_("A listing does not exist."))
    if problems:
        raise AllocationError(*problems)
    Listing.objects.filter(pk__in=pks).update(allocation_round=allocation_round)
    return sorted(pks)


@transaction.atomic
def allocation_round_add_listings(*, allocation_round: AllocationRound, listings: Iterable[Listing],
                                  actor) -> list[int]:
    """Put open listings without a round into a draft round; returns their primary keys."""
    allocation_round = _lock_round(allocation_round)
    if allocation_round.status != RoundStatus.DRAFT:
        raise AllocationError(_("Listings can only be added to a round that has not been run yet."))
    added = _round_take_listings(allocation_round, listings)
    _record(actor=actor, event=AuditEvent.Type.ROUND_WRITTEN, corporation=allocation_round.corporation,
            subject_type="round", label=f"listings added to round {allocation_round.name}",
            data={"round": allocation_round.pk, "listings": added})
    return added


def _enqueue_solve(allocation_round: AllocationRound, actor) -> None:
    """Mark the round as being worked out and queue the job; the job row commits with the transaction."""
    job = job_enqueue(kind=SOLVE_JOB_KIND, corporation=allocation_round.corporation,
                      user=actor if getattr(actor, "is_authenticated", False) else None,
                      params={"round": allocation_round.pk})
    allocation_round.status = RoundStatus.SOLVING
    allocation_round.job = job
    allocation_round.error = ""
    allocation_round.save(update_fields=["status", "job", "error"])


@transaction.atomic
def allocation_round_start(*, allocation_round: AllocationRound, actor) -> AllocationRound:
    """Have the round worked out in the background: a draft round for the first time; a round under review or
    approved again (after offers were accepted, declined or withdrawn since its last run; accepted ones are kept).

    Raises:
        AllocationError: the round is being worked out, waits for review or is closed; a draft round has no
            listing.
    """
    allocation_round = _lock_round(allocation_round)
    if allocation_round.status == RoundStatus.DRAFT:
        if not allocation_round.listings.filter(status=ListingStatus.OPEN).exists():
            raise AllocationError(_("The round has no open listings."))
    elif allocation_round.status not in (RoundStatus.APPROVED, RoundStatus.REVIEW):
        raise AllocationError(_("The round is %(status)s: it cannot be run now.")
                              % {"status": allocation_round.get_status_display()})
    _enqueue_solve(allocation_round, actor)
    _record(actor=actor, event=AuditEvent.Type.ROUND_WRITTEN, corporation=allocation_round.corporation,
            subject_type="round", label=f"round {allocation_round.name} started",
            data={"round": allocation_round.pk, "job": allocation_round.job_id})
    return allocation_round


def round_removals(allocation_round: AllocationRound, first_run: AllocationRun) -> dict:
    """What a run after the first leaves out of the first run's input: listings that are let, withdrawn or no
    longer open, and applicants who accepted or declined an offer in this round or were housed elsewhere.

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
            if built.markers_read:
                audit_record(actor=actor, event=AuditEvent.Type.MARKERS_READ,
                             corporation=allocation_round.corporation, subject_type="round", purpose=PURPOSE,
                             subject_ids=built.markers_read,
                             subject_label=f"vulnerability (yes/no) of applicants in round {allocation_round.name}",
                             data={"round": allocation_round.pk, "count": len(built.markers_read)})
            # The stored document is read with the contract's own reader: what is solved is what is stored.
            round_file = parse_round_document(document)
            facts = round_file.facts
        else:
            removed = round_removals(allocation_round, first)
            base_document = first.input_document
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
    """A document for a JSON column, serialised here with orjson: a weekly round's input is 12 MB of JSON, which
    `json.dumps` (what Django would use) takes 0.1 to 0.4 s to write and orjson a tenth of that."""
    return Cast(Value(orjson.dumps(document).decode(), output_field=models.TextField()),
                output_field=models.JSONField())


def _compress_quickly() -> None:
    """On PostgreSQL, compress the large values of this transaction (the run's input document) with lz4 when the
    server has it: a third of the time of the default pglz for 12 MB of JSON, at about the same size. Reading does
    not depend on it (each value records how it was compressed)."""
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


def _insert_rows(model, fields: tuple[str, ...], columns: list[list]) -> None:
    """Insert rows given as columns (foreign keys as ids, JSON as its text; text, whole numbers and None only).

    PostgreSQL gets them through one COPY of text made column by column, SQLite through one executemany: 60,000
    outcomes of a weekly round in a fraction of the time of `bulk_create`, which builds a model instance per row.
    Other databases get `bulk_create`.
    """
    if not columns or not len(columns[0]):
        return
    meta = model._meta
    model_fields = [meta.get_field(name) for name in fields]
    quote = connection.ops.quote_name
    names = ", ".join(quote(f.column) for f in model_fields)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY {quote(meta.db_table)} ({names}) FROM STDIN"
        ) as copy:
            # Sent in pieces: the server stores one piece while the next is made.
            for start in range(0, len(columns[0]), COPY_PIECE):
                piece = [column[start:start + COPY_PIECE] for column in columns]
                copy.write("\n".join(map("\t".join, zip(*map(_copy_column, piece), strict=True))) + "\n")
        return
    rows = list(zip(*columns, strict=True))
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {quote(meta.db_table)} ({names}) VALUES ({', '.join(['%s'] * len(fields))})", rows)
        return
    is_json = [isinstance(f, models.JSONField) for f in model_fields]
    model.objects.bulk_create([
        model(**{f.attname: json.loads(v) if j else v for f, v, j in zip(model_fields, row, is_json, strict=True)})
        for row in rows
    ], batch_size=1000)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_column(values: list) -> list[str]:
    """A column as COPY's text format writes it: `\\N` for None, backslash and control characters escaped."""
    kinds = set(map(type, values))
    if kinds <= {int}:
        return list(map(str, values))
    if kinds <= {int, type(None)}:
        return ["\\N" if v is None else str(v) for v in values]
    if kinds <= {str}:
        texts, joined = values, "".join(values)
    else:
        texts = ["\\N" if v is None else str(v) for v in values]
        joined = "".join(str(v) for v in values if v is not None)
    if "\\" in joined or "\t" in joined or "\n" in joined or "\r" in joined:
        texts = ["\\N" if v is None else str(v).translate(_COPY_ESCAPES) for v in values]
    return texts


def _write_bid_results(run: AllocationRun, result, keys, on_progress: Callable[[int], None]) -> None:
    """One BidResult per bid of the run: the candidates listing by listing in rank order, then the ineligible
    bids in input order. The explanations (`detail`) are the engine's, as JSON text made from its columns."""
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
        _insert_rows(BidResult, BID_RESULT_FIELDS, [column[start:start + RESULT_CHUNK] for column in table])
        on_progress(min(start + RESULT_CHUNK, len(order)))


def _current_removals(allocation_round: AllocationRound) -> dict:
    """What a run made now would leave out; a run whose `removed` differs is out of date."""
    first = allocation_round.runs.defer("input_document", "result_document").order_by("number").first()
    return round_removals(allocation_round, first)


@transaction.atomic
def allocation_round_approve(*, allocation_round: AllocationRound, actor) -> list[Offer]:
    """Approve the round's latest run: offer each allocated listing to its applicant.

    Offers still out that the run confirms stay as they are; an offer out to an applicant whom the run now gives a
    home they preferred is withdrawn and replaced (`replaced_by`). Listings without an allocation are open.

    Returns:
        The new offers.

    Raises:
        AllocationError: the round is not waiting for review, or an offer was accepted or declined (or an
            applicant housed) after the run: the round must be worked out again first.
    """
    allocation_round = _lock_round(allocation_round)
    if allocation_round.status != RoundStatus.REVIEW:
        raise AllocationError(_("The round is %(status)s: there is no result to approve.")
                              % {"status": allocation_round.get_status_display()})
    run = allocation_round.runs.defer("input_document", "result_document").order_by("-number").first()
    if _current_removals(allocation_round) != run.removed:
        raise AllocationError(_("An offer was accepted or declined, or an applicant was housed, after this result "
                                "was worked out. Run the round again."))
    pending = {
        offer.listing_id: offer
        for offer in Offer.objects.select_for_update(of=("self",)).select_related("applicant")
        .filter(allocation_round=allocation_round, status=OfferStatus.OFFERED).order_by("pk")
    }
    round_listings = {
        listing.reference: listing
        for listing in Listing.objects.select_for_update().filter(allocation_round=allocation_round).order_by("pk")
    }
    allocated = list(
        BidResult.objects.filter(run=run, outcome="allocated").select_related("applicant", "applicant__household")
        .order_by("listing__reference")
    )
    references = {listing.pk: reference for reference, listing in round_listings.items()}
    allocations = [{"listing": references[r.listing_id], "applicant": r.applicant.external_id, "rank": r.rank}
                   for r in allocated]
    applicants = {r.applicant.external_id: r.applicant for r in allocated}
    wanted = {round_listings[entry["listing"]].pk: entry for entry in allocations}
    # An offer records the applicant's place on the whole list (the first run), as the letters and the public
    # account give it; a later run ranks only the candidates left.
    first_ranks = {
        (listing_id, applicant_id): rank
        for listing_id, applicant_id, rank in BidResult.objects.filter(
            run__allocation_round=allocation_round, run__number=1, applicant__in=applicants.values()
        ).exclude(rank=None).values_list("listing__reference", "applicant__external_id", "rank")
    }
    now = timezone.now()
    # Written a statement per kind of change, not a row at a time (250 offers and listings in a weekly round).
    # The withdrawals go first: the constraints allow one active offer per listing and per applicant.
    withdrawn: dict[int, Offer] = {}
    for listing_pk, offer in pending.items():
        entry = wanted.get(listing_pk)
        if entry is None or entry["applicant"] != offer.applicant.external_id:
            offer.status = OfferStatus.WITHDRAWN
            offer.decided_at = now
            offer.decided_by_name = _name(actor)
            withdrawn[offer.applicant_id] = offer
    Offer.objects.bulk_update(withdrawn.values(), ["status", "decided_at", "decided_by_name"])
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
    replaced = []
    for offer in created:
        old = withdrawn.get(offer.applicant_id)
        if old is not None:
            old.replaced_by = offer
            replaced.append(old)
    Offer.objects.bulk_update(replaced, ["replaced_by"])
    offered = set(wanted)
    changed: dict[str, list[int]] = {}
    for listing in round_listings.values():
        if listing.status in ACTIVE_LISTING_STATUSES:
            status = ListingStatus.OFFERED if listing.pk in offered else ListingStatus.OPEN
            if listing.status != status:
                listing.status = status
                changed.setdefault(status, []).append(listing.pk)
    for status, pks in changed.items():
        Listing.objects.filter(pk__in=pks).update(status=status)
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
    """The rounds that change when the applicant is housed: an offer to them is out, or a result waiting for
    review counts them."""
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


@transaction.atomic
def allocation_round_close(*, allocation_round: AllocationRound, actor) -> AllocationRound:
    """Close an approved round once no offer is out; listings still open are marked not let.

    Raises:
        AllocationError: the round is not approved, or offers are still out.
    """
    allocation_round = _lock_round(allocation_round)
    if allocation_round.status != RoundStatus.APPROVED:
        raise AllocationError(_("Only an approved round can be closed."))
    if Offer.objects.filter(allocation_round=allocation_round, status=OfferStatus.OFFERED).exists():
        raise AllocationError(_("Offers are still out: record the answers first."))
    not_let = list(
        Listing.objects.select_for_update().filter(allocation_round=allocation_round, status=ListingStatus.OPEN)
        .values_list("pk", flat=True)
    )
    Listing.objects.filter(pk__in=not_let).update(status=ListingStatus.NOT_LET)
    allocation_round.status = RoundStatus.CLOSED
    allocation_round.closed_at = timezone.now()
    allocation_round.save(update_fields=["status", "closed_at"])
    _record(actor=actor, event=AuditEvent.Type.ROUND_CLOSED, corporation=allocation_round.corporation,
            subject_type="round", label=f"round {allocation_round.name} closed",
            data={"round": allocation_round.pk, "not_let": not_let})
    return allocation_round


# --- letters ------------------------------------------------------------------------------------------------

LETTERS_JOB_KIND = "allocation_letters_pdf"


def round_letters_check(allocation_round: AllocationRound) -> None:
    """Raise AllocationError when the round has no letters to make yet (it has not been worked out)."""
    if not AllocationRun.objects.filter(allocation_round_id=allocation_round.pk).exists():
        raise AllocationError(_("The round has not been worked out yet: there are no letters to make."))


@transaction.atomic
def round_letters_request(*, allocation_round: AllocationRound, actor) -> Job:
    """Have every letter of the round made as one PDF by the worker (`jobs.AllocationLettersJob`).

    Raises:
        AllocationError: the round has not been worked out yet (there is nothing to write).
    """
    allocation_round = _lock_round(allocation_round)
    round_letters_check(allocation_round)
    # No audit event here: the letters are read when the file is downloaded, and that is logged.
    return job_enqueue(kind=LETTERS_JOB_KIND, corporation=allocation_round.corporation,
                       user=actor if getattr(actor, "is_authenticated", False) else None,
                       params={"round": allocation_round.pk})
