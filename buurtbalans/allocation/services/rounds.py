"""Allocation rounds (toewijzingsrondes): creating one, putting listings in it, starting it and closing it.

Owns the round's lifecycle outside the work-out itself (`solving`) and the approval (`offers`): draft, started
(queued to be worked out, also again after offers were answered), and closed once no offer is out.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buurtbalans.allocation.models import (
    AllocationRound,
    Listing,
    ListingStatus,
    Offer,
    OfferStatus,
    RoundStatus,
)
from buurtbalans.allocation.services.base import AllocationError, _lock_round, _name, _record
from buurtbalans.allocation.services.solving import _enqueue_solve
from buurtbalans.core.models import AuditEvent, HousingCorporation


@transaction.atomic
def allocation_round_create(*, corporation: HousingCorporation, actor, name: str, reference_date: date,
                            lottery_seed: str | None = None, listings: Iterable[Listing] = ()) -> AllocationRound:
    """A new draft round, optionally with open listings that are in no round yet.

    Listings are taken in when the round is made so that the officer who prepares a week's listings needs one
    step; more can follow while the round is a draft (`allocation_round_add_listings`).

    Args:
        corporation: the corporation whose round it is.
        actor: who makes it (a user), or None for a command or the demo.
        name: the name shown in lists and letters (at most 100 characters are kept).
        reference_date: the peildatum: the legal parameters and the households' data of this date apply.
        listings: open listings of the corporation in no round yet, to put in the round at once.
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


@transaction.atomic
def allocation_round_start(*, allocation_round: AllocationRound, actor) -> AllocationRound:
    """Have the round worked out in the background, by the worker (`solving.allocation_round_solve`).

    A draft round is worked out for the first time; a round under review or approved again, after offers were
    accepted, declined or withdrawn since its last run (accepted ones are kept). Working out takes seconds for a
    weekly round, too long for a request.

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
