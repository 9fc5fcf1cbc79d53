"""Reads of the accountability app, narrowed to the user's corporation and right.

The objection register needs MANAGE_OBJECTIONS (allocation officers); follow-ups need RECORD_FOLLOW_UPS
(neighbourhood managers). Follow-ups are household personal data: a screen that shows tenancies or follow-ups
records the read (`follow_ups_read_record`, event 712) with the household codes it showed.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db.models import F, Q, QuerySet
from django.http import Http404

from buurtbalans.accountability.models import AccountabilityEvent, FollowUp, Objection
from buurtbalans.accountability.terms import latest_start_due
from buurtbalans.allocation.models import Listing
from buurtbalans.core.audit import audit_record
from buurtbalans.core.permissions import Action, membership_of, require
from buurtbalans.households.models import Applicant, SelectionMethod, Tenancy

# The register's filters: open = not decided yet (overdue ones included), overdue = not decided and past the term.
OBJECTION_STATES = ("open", "overdue", "decided")


def objection_list(user, *, today: date, state: str | None = None, listing: Listing | None = None) -> QuerySet:
    """The corporation's objections, earliest term first; `state` one of OBJECTION_STATES or None for all."""
    require(user, Action.MANAGE_OBJECTIONS)
    objections = Objection.objects.visible_to(user).select_related("listing__dwelling", "applicant")
    if listing is not None:
        objections = objections.filter(listing=listing)
    if state == "open":
        objections = objections.filter(decided_on__isnull=True)
    elif state == "overdue":
        # Day 43 or later: the due date (day 42) has passed.
        objections = objections.filter(decided_on__isnull=True, due_on__lt=today)
    elif state == "decided":
        objections = objections.filter(decided_on__isnull=False)
    if state == "decided":
        return objections.order_by("-decided_on", "-pk")
    # Those still to decide first, the nearest term on top.
    return objections.order_by(F("decided_on").asc(nulls_first=True), "due_on", "pk")


def objection_counts(user, *, today: date, listing: Listing | None = None) -> dict[str, int]:
    return {state: objection_list(user, today=today, state=state, listing=listing).count()
            for state in OBJECTION_STATES}


def objection_get(user, pk: int) -> Objection:
    require(user, Action.MANAGE_OBJECTIONS)
    objection = Objection.objects.visible_to(user).select_related("listing__dwelling", "applicant").filter(
        pk=pk).first()
    if objection is None:
        raise Http404
    return objection


def objection_listing_get(user, pk: int) -> Listing:
    """A listing of the user's corporation, to filter the register on or to register an objection against."""
    require(user, Action.MANAGE_OBJECTIONS)
    listing = Listing.objects.filter(corporation_id=membership_of(user).corporation_id, pk=pk).select_related(
        "dwelling").first()
    if listing is None:
        raise Http404
    return listing


def listing_by_reference(user, reference: str) -> Listing | None:
    require(user, Action.MANAGE_OBJECTIONS)
    return Listing.objects.filter(corporation_id=membership_of(user).corporation_id,
                                  reference=reference.strip()).first()


def applicant_by_code(user, code: str) -> Applicant | None:
    require(user, Action.MANAGE_OBJECTIONS)
    return Applicant.objects.filter(corporation_id=membership_of(user).corporation_id,
                                    external_id=code.strip()).select_related("household").first()


# --- follow-ups --------------------------------------------------------------------------------------------------


def follow_ups_due(user, *, today: date) -> QuerySet:
    """Tenancies let on motivation whose twelve months have passed on `today`, still running, without follow-up.

    Earliest start first. `terms.latest_start_due` makes "twelve months have passed" a filter on the start date.
    """
    require(user, Action.RECORD_FOLLOW_UPS)
    return (
        Tenancy.objects.visible_to(user, Action.RECORD_FOLLOW_UPS)
        .filter(selection_method=SelectionMethod.MOTIVATION, start_date__lte=latest_start_due(today))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=today))
        .exclude(pk__in=FollowUp.objects.values("tenancy_id"))
        .select_related("dwelling", "household")
        .order_by("start_date", "pk")
    )


def follow_up_list(user) -> QuerySet:
    """The follow-ups recorded, newest first."""
    require(user, Action.RECORD_FOLLOW_UPS)
    return FollowUp.objects.visible_to(user).select_related("tenancy__dwelling", "tenancy__household")


def follow_up_tenancy_get(user, pk: int) -> Tenancy:
    """A tenancy of the user's corporation let on motivation, for the follow-up form."""
    require(user, Action.RECORD_FOLLOW_UPS)
    tenancy = (
        Tenancy.objects.visible_to(user, Action.RECORD_FOLLOW_UPS)
        .filter(pk=pk, selection_method=SelectionMethod.MOTIVATION)
        .select_related("dwelling", "household")
        .first()
    )
    if tenancy is None:
        raise Http404
    return tenancy


def follow_ups_read_record(*, user, households: Iterable, what: str) -> None:
    """Log that tenancies or follow-ups of these households were shown (household personal data)."""
    ids = sorted({h.external_id if hasattr(h, "external_id") else str(h) for h in households})
    if not ids:
        return
    membership = membership_of(user)
    audit_record(
        actor=user, event=AccountabilityEvent.FOLLOW_UPS_READ,
        corporation=membership.corporation if membership else None,
        subject_type="follow_up", subject_ids=ids, subject_label=what[:300], purpose="follow_up",
    )
