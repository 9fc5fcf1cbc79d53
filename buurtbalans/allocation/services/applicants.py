"""Applicants' allocation data: their target groups and urgency, and the older single motivation score.

Owns what the round reads about an applicant beyond the household: the profile (groups, urgency, waiting or
housed) and, for a motivation listing from before issue 13 (one without published criteria), the one score per
bid (`MotivationScore`, round/1). A listing with published criteria is scored blind by two or three assessors
instead (`MotivationAssessment`, round/2; docs/allocation.md "Motivation in the product").
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from buurtbalans.allocation.models import (
    ApplicantProfile,
    Bid,
    Listing,
    MotivationScore,
    SelectionKey,
)
from buurtbalans.allocation.services.base import AllocationError, _amount, _group_codes, _name, _record
from buurtbalans.allocation.services.listings import _listing_editable, _lock_listing
from buurtbalans.core.models import AuditEvent
from buurtbalans.households.models import Applicant


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
    """Record the one motivation score of an applicant for a motivation listing without published criteria.

    Only for listings from before issue 13, which a round still solves as round/1 with this score. A listing with
    published criteria is scored blind by assessors (`MotivationAssessment`), and a single score has no place
    there: it would bypass the second assessor.

    Raises:
        AllocationError: the listing does not select on motivation, publishes criteria (it is scored by
            assessors), is no longer open or its round was run, the applicant did not bid on it, or the score is
            not a number of 0 or more.
    """
    listing = _lock_listing(listing)
    _listing_editable(listing)
    if listing.selection != SelectionKey.MOTIVATION:
        raise AllocationError(_("Listing %(ref)s does not select on motivation.") % {"ref": listing.reference})
    if listing.criteria:
        raise AllocationError(_("Listing %(ref)s is scored by assessors on its published criteria: two assessors "
                                "each record their own score, without seeing each other's.")
                              % {"ref": listing.reference})
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
