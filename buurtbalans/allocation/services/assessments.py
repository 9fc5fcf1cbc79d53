"""Blind assessment of motivation (issue 13 item 2): the assessors' scores and the motivation texts they read.

Owns when a motivation may be recorded and scored: only on a listing that selects on motivation, is open and
whose round has not been run (draft), and only for an applicant who reacted to it. A score is from 0.0 to 4.0 with
one decimal (round/2's score), one per assessor, listing and applicant, and final: nobody changes it, not even the
assessor (the rule would count only the first anyway). A motivation text is fixed from its first assessment, so
every assessor scores the same text. See docs/allocation.md, "Assessing blind".
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils.translation import gettext as _

from buurtbalans.allocation.models import (
    AllocationRound,
    Bid,
    Listing,
    ListingStatus,
    MotivationAssessment,
    MotivationText,
    RoundStatus,
    SelectionKey,
)
from buurtbalans.allocation.services.base import AllocationError, _name, _record
from buurtbalans.core.models import AuditEvent
from buurtbalans.households.models import Applicant

SCORE_MIN, SCORE_MAX = Decimal("0.0"), Decimal("4.0")
MOTIVATION_TEXT_MAX = 6000


def assessment_score_clean(value) -> Decimal:
    """A score as round/2 takes it: 0.0 to 4.0 with at most one decimal ("3", "2.5", "2,5").

    Raises:
        AllocationError: anything else.
    """
    try:
        score = Decimal(str(value).strip().replace(",", "."))
    except (InvalidOperation, ValueError):
        score = None
    if score is None or not score.is_finite() or not SCORE_MIN <= score <= SCORE_MAX or score != score.quantize(
            Decimal("0.1")):
        raise AllocationError(_("A score is a number from 0.0 to 4.0 with at most one decimal, such as 2.5."))
    return score.quantize(Decimal("0.1"))


def _lock_for_assessing(listing: Listing) -> Listing:
    """Lock the listing's round, then the listing (the services' order), and check it may still be assessed."""
    round_id = Listing.objects.filter(pk=listing.pk).values_list("allocation_round_id", flat=True).first()
    if round_id is not None:
        AllocationRound.objects.select_for_update().get(pk=round_id)
    # No select_related: PostgreSQL locks no row on the nullable side of an outer join (the round is locked above).
    listing = Listing.objects.select_for_update().get(pk=listing.pk)
    assessing_open_check(listing)
    return listing


def assessing_open_check(listing: Listing) -> None:
    """Raise AllocationError when the listing's motivations can no longer be recorded or scored.

    Raises:
        AllocationError: the listing does not select on motivation, is no longer open, or its round was run.
    """
    if listing.selection != SelectionKey.MOTIVATION:
        raise AllocationError(_("Listing %(ref)s does not select on motivation.") % {"ref": listing.reference})
    if listing.status != ListingStatus.OPEN:
        raise AllocationError(_("Listing %(ref)s is no longer open: its motivations can no longer be scored.")
                              % {"ref": listing.reference})
    allocation_round = listing.allocation_round
    if allocation_round is not None and allocation_round.status != RoundStatus.DRAFT:
        raise AllocationError(_("The round of listing %(ref)s has been run: its motivations can no longer be "
                                "scored.") % {"ref": listing.reference})


def _bidder_check(listing: Listing, applicant: Applicant) -> None:
    if not Bid.objects.filter(listing=listing, applicant=applicant).exists():
        raise AllocationError(_("This applicant did not react to listing %(ref)s.") % {"ref": listing.reference})


@transaction.atomic
def motivation_assessment_create(*, listing: Listing, applicant: Applicant, score, actor) -> MotivationAssessment:
    """Record one assessor's blind score of an applicant's motivation for a listing.

    Args:
        listing: a motivation listing that is open and whose round has not been run.
        applicant: an applicant who reacted to it.
        score: 0.0 to 4.0 with at most one decimal (text or Decimal).
        actor: the assessor (a signed-in user); their user name is the assessor round/2 compares.

    Returns:
        The assessment.

    Raises:
        AllocationError: the listing cannot be assessed (not motivation, not open, round run, no published
            criteria), the applicant did not react, the score is out of range, or this assessor already scored
            this applicant here.
    """
    if actor is None or not getattr(actor, "is_authenticated", False):
        raise AllocationError(_("Only a signed-in assessor can give a score."))
    value = assessment_score_clean(score)
    listing = _lock_for_assessing(listing)
    if not listing.criteria:
        raise AllocationError(_("Listing %(ref)s has no published criteria yet: a motivation is scored on them.")
                              % {"ref": listing.reference})
    _bidder_check(listing, applicant)
    name = _name(actor)
    if MotivationAssessment.objects.filter(listing=listing, applicant=applicant, assessor_name=name).exists():
        raise AllocationError(_("You have already scored this motivation. A score cannot be changed."))
    assessment = MotivationAssessment.objects.create(
        corporation_id=listing.corporation_id, listing=listing, applicant=applicant, assessor=actor,
        assessor_name=name, score=value,
    )
    _record(actor=actor, event=AuditEvent.Type.MOTIVATION_ASSESSED, corporation=listing.corporation,
            subject_type="motivation_assessment", subject_ids=[applicant.household.external_id],
            label=f"motivation assessment of {applicant.external_id} for {listing.reference}",
            data={"listing": listing.pk, "assessment": assessment.pk, "score": str(value)})
    return assessment


@transaction.atomic
def motivation_text_set(*, listing: Listing, applicant: Applicant, text: str, actor) -> MotivationText:
    """Record (or correct) the motivation an applicant gave for a motivation listing, as assessors will read it.

    Returns:
        The motivation text.

    Raises:
        AllocationError: the listing cannot be assessed (not motivation, not open, round run), the applicant did
            not react, the text is empty or too long, or an assessor has already scored it.
    """
    cleaned = (text or "").strip()
    if not cleaned:
        raise AllocationError(_("Write the motivation the applicant gave."))
    if len(cleaned) > MOTIVATION_TEXT_MAX:
        raise AllocationError(_("A motivation has at most %(n)d characters.") % {"n": MOTIVATION_TEXT_MAX})
    listing = _lock_for_assessing(listing)
    _bidder_check(listing, applicant)
    if MotivationAssessment.objects.filter(listing=listing, applicant=applicant).exists():
        raise AllocationError(_("This motivation has already been scored: it can no longer be changed."))
    record = MotivationText.objects.filter(listing=listing, applicant=applicant).first()
    old_length = len(record.text) if record is not None else None
    if record is None:
        record = MotivationText(corporation_id=listing.corporation_id, listing=listing, applicant=applicant)
    record.text = cleaned
    record.recorded_by_name = _name(actor)
    record.save()
    # The text itself stays out of the audit log: it is the applicant's own words and may say anything.
    _record(actor=actor, event=AuditEvent.Type.MOTIVATION_TEXT_WRITTEN, corporation=listing.corporation,
            subject_type="motivation_text", subject_ids=[applicant.household.external_id],
            label=f"motivation text of {applicant.external_id} for {listing.reference}",
            data={"listing": listing.pk, "old_characters": old_length, "characters": len(cleaned)})
    return record
