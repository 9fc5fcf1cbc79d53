"""The demo's applicants (issue 13): urgency and groups are the profile's own data, never a marker; motivation
listings publish criteria and their applicants are assessed blind by two or three assessors."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command

from buurtbalans.allocation.models import (
    AllocationRun,
    ApplicantGroup,
    ApplicantProfile,
    Bid,
    Listing,
    MotivationAssessment,
    MotivationText,
    RoundStatus,
    SelectionKey,
)
from buurtbalans.demo import generator, waiting_list
from buurtbalans.demo.allocation import MOTIVATION_CRITERIA, MOTIVATION_MIN_SCORE
from buurtbalans.demo.writer import DEMO_CODE
from buurtbalans.households.models import Applicant, VulnerabilityMarker

REFERENCE_DATE = date(2025, 6, 1)


def corporation(dwellings: int = 600):
    town = generator.generate_town(np.random.default_rng(1), reference_date=REFERENCE_DATE, neighbourhoods=20)
    return generator.generate_corporation(np.random.default_rng(2), neighbourhoods=generator.town_contexts(town),
                                          reference_date=REFERENCE_DATE, dwellings=dwellings, prefix="VW",
                                          city="Voorbeeldstad")


def applicant_markers(data) -> set[str]:
    applicant_households = {a.household_external_id for a in data.applicants}
    return {m.household_external_id for m in data.markers if m.household_external_id in applicant_households}


@pytest.mark.parametrize("share", [0.0, 1.0])
def test_no_applicant_urgency_or_group_follows_from_a_marker(monkeypatch, share):
    """Whether none or every household on the waiting list carries a marker, the applicants are the same."""
    usual = corporation()
    monkeypatch.setattr(waiting_list, "APPLICANT_MARKER_SHARE", share)
    changed = corporation()
    assert len(applicant_markers(changed)) == (0 if share == 0.0 else len(changed.applicants))
    assert applicant_markers(changed) != applicant_markers(usual)
    assert changed.applicants == usual.applicants


def test_the_profile_has_an_urgency_decision_in_force_and_policy_groups_only():
    data = corporation(3000)
    urgent = [a for a in data.applicants if a.is_urgent]
    assert 0.02 < len(urgent) / len(data.applicants) < 0.12
    for applicant in urgent:
        # Decided after registering and at most 300 days ago, valid for a year: in force on the reference date.
        decided = applicant.urgency_valid_until - timedelta(days=365)
        assert applicant.registration_date <= decided <= REFERENCE_DATE < applicant.urgency_valid_until
    assert all(a.urgency_valid_until is None for a in data.applicants if not a.is_urgent)
    groups = {g for a in data.applicants for g in a.groups}
    assert groups <= set(ApplicantGroup.values) - {ApplicantGroup.VULNERABLE}
    assert {ApplicantGroup.SENIOR, ApplicantGroup.FAMILY, ApplicantGroup.STARTER, ApplicantGroup.LOCAL_BINDING} \
        <= groups


@pytest.fixture
def demo(db, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    call_command("seed_demo", "--dwellings", "600", "--reference-date", "2026-11-20", stdout=StringIO())


def test_the_stored_profiles_are_the_applicants_own_and_markers_decide_none(demo):
    applicants = Applicant.objects.filter(corporation__code=DEMO_CODE)
    profiles = ApplicantProfile.objects.filter(applicant__in=applicants)
    urgent = set(profiles.filter(is_urgent=True).values_list("applicant__household_id", flat=True))
    marked = set(VulnerabilityMarker.objects.filter(household_id__in=applicants.values("household_id"))
                 .values_list("household_id", flat=True))
    assert urgent and marked
    # Urgent applicants without any marker, and applicants with a marker (also "medical_urgency") without urgency.
    assert urgent - marked and marked - urgent
    assert not profiles.filter(is_urgent=True, urgency_valid_until__isnull=True).exists()
    # The placement route is an officer's choice after an intake: the demo gives nobody the group.
    assert not any(ApplicantGroup.VULNERABLE in groups for groups in profiles.values_list("groups", flat=True))


def test_motivation_listings_publish_criteria_and_are_assessed_by_two_or_three(demo):
    listings = Listing.objects.filter(corporation__code=DEMO_CODE, selection=SelectionKey.MOTIVATION)
    assert listings.count() == 2
    by_round = {}
    for listing in listings.select_related("allocation_round"):
        assert listing.criteria == MOTIVATION_CRITERIA and listing.motivation_min_score == MOTIVATION_MIN_SCORE
        bidders = set(Bid.objects.filter(listing=listing).values_list("applicant_id", flat=True))
        assert set(MotivationText.objects.filter(listing=listing).values_list("applicant_id", flat=True)) == bidders
        scores = defaultdict(list)
        for applicant_id, score in (MotivationAssessment.objects.filter(listing=listing)
                                    .order_by("created", "pk").values_list("applicant_id", "score")):
            assert Decimal(0) <= score <= Decimal(4)
            scores[applicant_id].append(score)
        assert set(scores) <= bidders
        by_round[listing.allocation_round.status] = (bidders, scores)

    # The worked-out round: every motivation assessed twice, a third time exactly where the two diverged.
    bidders, scores = next(v for status, v in by_round.items() if status != RoundStatus.DRAFT)
    assert set(scores) == bidders
    diverging = [s for s in scores.values() if abs(s[0] - s[1]) > Decimal("1.5")]
    assert diverging and all(len(s) == 3 for s in diverging)
    assert all(len(s) == 2 for s in scores.values() if abs(s[0] - s[1]) <= Decimal("1.5"))
    # It ran on round/2: the scores came from these assessments.
    run = AllocationRun.objects.filter(allocation_round__corporation__code=DEMO_CODE,
                                       allocation_round__status__in=[RoundStatus.APPROVED, RoundStatus.CLOSED]).first()
    assert run is not None and run.input_document["format"] == "buurtbalans.round/2"

    # The open round: assessing under way, with work left for an assessor.
    bidders, scores = by_round[RoundStatus.DRAFT]
    counts = [len(s) for s in scores.values()]
    assert 1 in counts and 2 in counts
    assert any(len(s) == 2 and abs(s[0] - s[1]) > Decimal("1.5") for s in scores.values())  # waiting for a third
