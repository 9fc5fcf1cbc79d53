"""Writes of the accountability app: registering and deciding objections, recording follow-ups.

    objection_register(*, actor, listing, received_on, summary, ...) -> Objection    (audited, 701)
    objection_decide(*, actor, objection, decided_on, outcome, decision) -> Objection  (audited, 702)
    follow_up_record(*, actor, tenancy, held_on, took_part, ...) -> FollowUp         (audited, 711)

Each checks the actor's right and corporation, writes in one transaction and audits before it returns. A problem
with what was entered raises `ValidationError` with the field it belongs to, so a form shows it there.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buurtbalans.accountability.models import (
    AccountabilityEvent,
    FollowUp,
    Objection,
    ObjectionKind,
    ObjectionOutcome,
)
from buurtbalans.accountability.terms import follow_up_due_on, objection_due_on
from buurtbalans.allocation.models import Bid, Listing
from buurtbalans.core.audit import actor_label, audit_record
from buurtbalans.core.permissions import Action, require
from buurtbalans.households.models import Applicant, SelectionMethod, Tenancy

OBJECTION_PURPOSE = "objections"
FOLLOW_UP_PURPOSE = "follow_up"


def _not_in_future(day: date, field: str) -> None:
    if day > timezone.localdate():
        raise ValidationError({field: _("This date is in the future.")})


def _own(membership, *rows) -> None:
    """Refuse rows of another corporation (a form cannot offer them; a forged request could)."""
    if any(row is not None and row.corporation_id != membership.corporation_id for row in rows):
        raise PermissionDenied


@transaction.atomic
def objection_register(*, actor, listing: Listing, received_on: date, summary: str,
                       kind: str = ObjectionKind.OBJECTION, applicant: Applicant | None = None,
                       objector_reference: str = "") -> Objection:
    """Register an objection or complaint against the letting of a listing; its term runs six weeks from receipt.

    Args:
        actor: the allocation officer who registers it.
        listing: the listing whose letting (or refusal) is objected to.
        received_on: the day the objection came in (day 0 of the term); not in the future.
        summary: what the objection is about, in a few sentences (no special-category data).
        kind: "objection" (bezwaar) or "complaint" (klacht).
        applicant: the candidate who objects; they must have reacted to the listing.
        objector_reference: who objects when it is not a candidate, or a reference such as a letter's number.

    Returns:
        The objection, with `due_on` = receipt + 6 weeks.

    Raises:
        PermissionDenied: the actor may not manage objections, or the listing or applicant is another
            corporation's.
        ValidationError: per field: no objector, an applicant who did not react to the listing, an empty summary,
            a date in the future or an unknown kind.
    """
    membership = require(actor, Action.MANAGE_OBJECTIONS)
    _own(membership, listing, applicant)
    objector_reference = (objector_reference or "").strip()
    summary = (summary or "").strip()
    if kind not in ObjectionKind.values:
        raise ValidationError({"kind": _("Choose a kind from the list.")})
    if applicant is None and not objector_reference:
        raise ValidationError({"applicant": _("Give the registration number of the candidate, or another "
                                              "reference.")})
    if applicant is not None and not Bid.objects.filter(listing=listing, applicant=applicant).exists():
        raise ValidationError({"applicant": _("This applicant did not react to this home. Use “other reference” "
                                              "for someone who was not a candidate.")})
    if not summary:
        raise ValidationError({"summary": _("Say in a few words what the objection is about.")})
    _not_in_future(received_on, "received_on")
    objection = Objection.objects.create(
        corporation_id=membership.corporation_id, listing=listing, kind=kind, applicant=applicant,
        objector_reference=objector_reference, received_on=received_on, due_on=objection_due_on(received_on),
        summary=summary, registered_by_name=actor_label(actor),
    )
    audit_record(
        actor=actor, event=AccountabilityEvent.OBJECTION_REGISTERED, corporation=membership.corporation,
        subject_type="objection", purpose=OBJECTION_PURPOSE,
        subject_ids=[applicant.household.external_id] if applicant is not None else [],
        subject_label=f"objection #{objection.pk} to listing {listing.reference}",
        data={"objection": objection.pk, "listing": listing.pk, "kind": kind,
              "received_on": received_on.isoformat(), "due_on": objection.due_on.isoformat()},
    )
    return objection


@transaction.atomic
def objection_decide(*, actor, objection: Objection, decided_on: date, outcome: str,
                     decision: str = "") -> Objection:
    """Record the decision on an objection: its date, outcome and text. A decision is recorded once.

    Args:
        actor: the allocation officer who records it.
        objection: an objection without a decision.
        decided_on: the day of the decision (on or after receipt, not in the future). After `due_on` it is
            recorded as late; it is still recorded.
        outcome: upheld, partly_upheld, rejected or withdrawn.
        decision: the decision's text; may be empty only for a withdrawn objection.

    Returns:
        The objection with its decision.

    Raises:
        PermissionDenied: the actor may not manage objections, or the objection is another corporation's.
        ValidationError: per field: decided already, an unknown outcome, no text, or a date before receipt or in
            the future.
    """
    membership = require(actor, Action.MANAGE_OBJECTIONS)
    _own(membership, objection)
    # Lock the objection row only: the applicant is an outer join, which PostgreSQL cannot lock.
    objection = Objection.objects.select_for_update(of=("self",)).select_related(
        "applicant__household", "listing").get(pk=objection.pk)
    if objection.is_decided:
        raise ValidationError(_("This objection was decided on %(date)s already; nothing was changed.")
                              % {"date": objection.decided_on.isoformat()})
    if outcome not in ObjectionOutcome.values:
        raise ValidationError({"outcome": _("Choose an outcome from the list.")})
    decision = (decision or "").strip()
    if not decision and outcome != ObjectionOutcome.WITHDRAWN:
        raise ValidationError({"decision": _("Write down the decision and why.")})
    if decided_on < objection.received_on:
        raise ValidationError({"decided_on": _("This date is before the objection was received.")})
    _not_in_future(decided_on, "decided_on")
    objection.decided_on = decided_on
    objection.outcome = outcome
    objection.decision = decision
    objection.decided_by_name = actor_label(actor)
    objection.save(update_fields=["decided_on", "outcome", "decision", "decided_by_name"])
    audit_record(
        actor=actor, event=AccountabilityEvent.OBJECTION_DECIDED, corporation=membership.corporation,
        subject_type="objection", purpose=OBJECTION_PURPOSE,
        subject_ids=[objection.applicant.household.external_id] if objection.applicant_id else [],
        subject_label=f"objection #{objection.pk} to listing {objection.listing.reference} decided",
        data={"objection": objection.pk, "outcome": outcome, "decided_on": decided_on.isoformat(),
              "due_on": objection.due_on.isoformat(), "late": objection.was_decided_late},
    )
    return objection


@transaction.atomic
def follow_up_record(*, actor, tenancy: Tenancy, held_on: date, took_part: bool, contribution: str = "",
                     note: str = "") -> FollowUp:
    """Record the voluntary follow-up of a tenant chosen on motivation, twelve months or more after the start.

    The follow-up is never a condition of the tenancy: this service changes nothing of the tenancy, and a tenant
    who did not want to talk is recorded as that, with nothing else.

    Args:
        actor: the neighbourhood manager who held it.
        tenancy: a tenancy let on motivation, whose twelve months have passed on `held_on`.
        held_on: the day of the conversation (or of the tenant's answer that they did not want one).
        took_part: whether the tenant wanted to talk.
        contribution: what they did for the neighbourhood, in their words (only when they took part).
        note: anything else worth keeping; no special-category data (health, origin, religion, ...).

    Returns:
        The follow-up.

    Raises:
        PermissionDenied: the actor may not record follow-ups, or the tenancy is another corporation's.
        ValidationError: per field: not a motivation letting, recorded already, too early, in the future, or
            text while the tenant did not take part.
    """
    membership = require(actor, Action.RECORD_FOLLOW_UPS)
    _own(membership, tenancy)
    tenancy = Tenancy.objects.select_for_update(of=("self",)).select_related("household").get(pk=tenancy.pk)
    if tenancy.selection_method != SelectionMethod.MOTIVATION:
        raise ValidationError(_("This tenancy was not let on motivation: it has no follow-up."))
    if FollowUp.objects.filter(tenancy=tenancy).exists():
        raise ValidationError(_("The follow-up of this tenancy was recorded already; nothing was changed."))
    due = follow_up_due_on(tenancy.start_date)
    if held_on < due:
        raise ValidationError({"held_on": _("The twelve months have not passed on this date. The follow-up can be "
                                            "held from %(date)s.") % {"date": due.isoformat()}})
    _not_in_future(held_on, "held_on")
    contribution, note = (contribution or "").strip(), (note or "").strip()
    if not took_part and (contribution or note):
        raise ValidationError({"contribution": _("The tenant did not want to talk: write nothing about them.")})
    follow_up = FollowUp.objects.create(
        corporation_id=membership.corporation_id, tenancy=tenancy, held_on=held_on, took_part=took_part,
        contribution=contribution, note=note, recorded_by_name=actor_label(actor),
    )
    audit_record(
        actor=actor, event=AccountabilityEvent.FOLLOW_UP_RECORDED, corporation=membership.corporation,
        subject_type="follow_up", purpose=FOLLOW_UP_PURPOSE, subject_ids=[tenancy.household.external_id],
        subject_label=f"follow-up of tenancy {tenancy.external_id}",
        data={"follow_up": follow_up.pk, "tenancy": tenancy.external_id, "held_on": held_on.isoformat(),
              "took_part": took_part, "voluntary": True},
    )
    return follow_up
