"""Everything the corporation holds about one household, found in every app: the one place both the subject access
export (AVG art. 15) and erasure (art. 17) look, so they never disagree about what "about them" means.

Found by link: the household row, its tenancies, its applicant registrations with their profile, bids, round
outcomes, offers, motivation scores, motivation texts and the assessors' blind scores of them, and objections it
lodged (issue 13), its vulnerability markers, intake conversations and placements (with a temporary contract's group
and term), support needs recorded at a home while the household lived there, rent arrears, carrying roles and
follow-ups on its tenancies, co-optations of its lettings, and the audit events whose "whose data" names it.
Found by name: social management notes (signals, visits, activities, meeting places, support needs) that mention
the household's code, a registration number, a contract code or an applicant's name as a whole word; and objections
whose free reference (someone writing on the household's behalf) names it.

Every query is narrowed to the household's own corporation, also where a link would already imply it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q

from buurtbalans.accountability.models import FollowUp, Objection
from buurtbalans.allocation.models import (
    ApplicantProfile,
    Bid,
    BidResult,
    MotivationAssessment,
    MotivationScore,
    MotivationText,
    Offer,
)
from buurtbalans.cooperatives.models import CoOptation
from buurtbalans.core.models import AuditEvent
from buurtbalans.core.selectors import _with_subject_id
from buurtbalans.households.models import Applicant, Household, Tenancy, VulnerabilityMarker
from buurtbalans.liveability.models import Activity, ArrearsRecord, MeetingPlace, Signal, SupportNeed, Visit
from buurtbalans.placements.models import IntakeRecord, Placement
from buurtbalans.steering.models import SteeringRole

# Notes that may name a resident, and the date each record is known by.
NOTE_MODELS = ((Signal, "reported_on"), (Visit, "visited_on"), (Activity, "held_on"), (MeetingPlace, "opened_on"))
# A name shorter than this is too common to look for in free text ("Jan" would find every Jan).
MIN_NAME_LENGTH = 5


@dataclass
class SubjectRecords:
    """The household's rows, per kind (querysets and lists, read once by whoever needs them)."""

    household: Household
    tenancies: list = field(default_factory=list)
    applicants: list = field(default_factory=list)
    profiles: list = field(default_factory=list)
    bids: list = field(default_factory=list)
    outcomes: list = field(default_factory=list)
    offers: list = field(default_factory=list)
    motivation_scores: list = field(default_factory=list)
    motivation_texts: list = field(default_factory=list)
    motivation_assessments: list = field(default_factory=list)
    objections: list = field(default_factory=list)
    markers: list = field(default_factory=list)
    support_needs: list = field(default_factory=list)
    arrears: list = field(default_factory=list)
    steering_roles: list = field(default_factory=list)
    co_optations: list = field(default_factory=list)
    intakes: list = field(default_factory=list)
    placements: list = field(default_factory=list)
    follow_ups: list = field(default_factory=list)
    named_in_notes: list = field(default_factory=list)
    terms: tuple[str, ...] = ()


def identifying_terms(household: Household, tenancies, applicants) -> tuple[str, ...]:
    """The words that identify the household in free text: its code, registration numbers, contract codes, names."""
    terms = {household.external_id}
    terms |= {t.external_id for t in tenancies}
    terms |= {a.external_id for a in applicants}
    terms |= {a.name.strip() for a in applicants if len(a.name.strip()) >= MIN_NAME_LENGTH}
    return tuple(sorted(t for t in terms if t))


def _terms_pattern(terms: tuple[str, ...]) -> re.Pattern:
    # Longest first, so a name is replaced whole and not one of its shorter terms inside it.
    alternatives = "|".join(re.escape(t) for t in sorted(terms, key=len, reverse=True))
    return re.compile(r"(?<![\w-])(" + alternatives + r")(?![\w-])", re.IGNORECASE)


def _mentions(terms: tuple[str, ...]):
    """A test for free text: does it name one of `terms` as a whole word (so "A-H1" is not found in "A-H10")?"""
    if not terms:
        return lambda text: False
    pattern = _terms_pattern(terms)
    return lambda text: bool(text) and pattern.search(text) is not None


def replace_terms(text: str, terms: tuple[str, ...], replacement: str) -> str:
    """`text` with every whole-word mention of `terms` replaced (pseudonymising a record that must be kept)."""
    if not text or not terms:
        return text
    return _terms_pattern(terms).sub(replacement, text)


def notes_naming(corporation_id: int, terms: tuple[str, ...]) -> list:
    """Social management records (and support needs) whose note names the household (see `identifying_terms`)."""
    mentions = _mentions(terms)
    if not terms:
        return []
    contains = Q()
    for term in terms:
        contains |= Q(note__icontains=term)
    found = []
    for model, _date_field in (*NOTE_MODELS, (SupportNeed, "reported_on")):
        # icontains narrows in the database; the whole-word test in Python decides.
        for record in model.objects.filter(corporation_id=corporation_id).filter(contains).order_by("pk"):
            if mentions(record.note):
                found.append(record)
    return found


def support_needs_at_home(household: Household, tenancies) -> list[SupportNeed]:
    """Support needs recorded at a dwelling the household rented, reported while it lived there."""
    during = Q(pk__in=[])
    for t in tenancies:
        window = Q(dwelling_id=t.dwelling_id, reported_on__gte=t.start_date)
        if t.end_date is not None:
            window &= Q(reported_on__lte=t.end_date)
        during |= window
    return list(
        SupportNeed.objects.filter(corporation_id=household.corporation_id).filter(during)
        .select_related("complex", "dwelling").order_by("reported_on", "pk")
    )


def subject_records(household: Household) -> SubjectRecords:
    """Everything held about `household` (no right is checked here: the callers check theirs and audit)."""
    corporation_id = household.corporation_id
    tenancies = list(
        Tenancy.objects.filter(household=household).select_related("dwelling", "dwelling__complex")
        .order_by("start_date", "pk")
    )
    applicants = list(Applicant.objects.filter(household=household).order_by("registration_date", "pk"))
    applicant_ids = [a.pk for a in applicants]
    tenancy_ids = [t.pk for t in tenancies]
    records = SubjectRecords(household=household, tenancies=tenancies, applicants=applicants)
    records.profiles = list(ApplicantProfile.objects.filter(applicant_id__in=applicant_ids).select_related("applicant"))
    records.bids = list(
        Bid.objects.filter(applicant_id__in=applicant_ids)
        .select_related("applicant", "listing", "listing__dwelling", "listing__allocation_round")
        .order_by("submitted_at", "pk")
    )
    records.outcomes = list(
        BidResult.objects.filter(applicant_id__in=applicant_ids)
        .select_related("run", "run__allocation_round", "listing")
        .order_by("run__allocation_round_id", "run__number", "listing__reference", "pk")
    )
    records.offers = list(
        Offer.objects.filter(applicant_id__in=applicant_ids)
        .select_related("allocation_round", "listing", "listing__dwelling", "tenancy")
        .order_by("offered_at", "pk")
    )
    records.motivation_scores = list(
        MotivationScore.objects.filter(applicant_id__in=applicant_ids).select_related("listing").order_by("pk")
    )
    records.motivation_texts = list(
        MotivationText.objects.filter(corporation_id=corporation_id, applicant_id__in=applicant_ids)
        .select_related("applicant", "listing").order_by("created", "pk")
    )
    records.motivation_assessments = list(
        MotivationAssessment.objects.filter(corporation_id=corporation_id, applicant_id__in=applicant_ids)
        .select_related("applicant", "listing").order_by("listing_id", "applicant_id", "created", "pk")
    )
    records.markers = list(
        VulnerabilityMarker.objects.filter(household=household).select_related("kind").order_by("valid_from", "pk")
    )
    records.support_needs = support_needs_at_home(household, tenancies)
    records.arrears = list(
        ArrearsRecord.objects.filter(tenancy_id__in=tenancy_ids).select_related("tenancy")
        .order_by("reference_date", "pk")
    )
    records.steering_roles = list(
        SteeringRole.objects.filter(tenancy_id__in=tenancy_ids).select_related("tenancy").order_by("valid_from", "pk")
    )
    records.co_optations = list(
        CoOptation.objects.filter(tenancy_id__in=tenancy_ids).select_related("cooperative", "tenancy")
        .order_by("decided_on", "pk")
    )
    records.intakes = list(
        IntakeRecord.objects.filter(corporation_id=corporation_id, household=household).order_by("held_on", "pk")
    )
    records.placements = list(
        Placement.objects.filter(corporation_id=corporation_id, household=household)
        .select_related("contingent", "contingent__municipality", "dwelling").order_by("placed_on", "pk")
    )
    records.follow_ups = list(
        FollowUp.objects.filter(corporation_id=corporation_id, tenancy_id__in=tenancy_ids)
        .select_related("tenancy").order_by("held_on", "pk")
    )
    records.terms = identifying_terms(household, tenancies, applicants)
    records.objections = objections_of(corporation_id, applicant_ids, records.terms)
    linked_needs = {n.pk for n in records.support_needs}
    records.named_in_notes = [
        r for r in notes_naming(corporation_id, records.terms)
        if not (isinstance(r, SupportNeed) and r.pk in linked_needs)
    ]
    return records


def objections_of(corporation_id: int, applicant_ids: list[int], terms: tuple[str, ...]) -> list[Objection]:
    """Objections the household lodged: as a candidate (its registration), or by someone whose free reference
    names it (see `identifying_terms`)."""
    by_reference = Q(pk__in=[])
    for term in terms:
        by_reference |= Q(objector_reference__icontains=term)
    mentions = _mentions(terms)
    found = (
        Objection.objects.filter(corporation_id=corporation_id)
        .filter(Q(applicant_id__in=applicant_ids) | by_reference)
        .select_related("applicant", "listing").order_by("received_on", "pk")
    )
    return [o for o in found if o.applicant_id in applicant_ids or mentions(o.objector_reference)]


def audit_events_about(household: Household):
    """The audit events whose "whose data" names the household's code (the audit log's own search)."""
    events = AuditEvent.objects.filter(corporation_id=household.corporation_id)
    return _with_subject_id(events, household.external_id).order_by("created", "pk")


def current_tenancies(tenancies, today: date) -> list:
    return [t for t in tenancies if t.start_date <= today and (t.end_date is None or t.end_date >= today)] + [
        t for t in tenancies if t.start_date > today
    ]
