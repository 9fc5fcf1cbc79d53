"""The demo's allocation: one round that was worked out, approved and answered, and one open round with bids.

Called by `demo.writer` for each demo corporation after its stock and waiting list are stored. Everything goes
through the allocation services (the same code the screens use), with a random generator seeded from the demo
seed, so the same seed and reference date give the same rounds, offers and tenancies. It stays small (a handful of
listings, a few dozen applicants) so `seed_demo` stays fast.

- "Ronde week <n - 2>" (reference date two weeks back): four listings, one per selection key, worked out,
  approved; one offer accepted (the tenancy starts tomorrow), one declined, so the round ran again and its new
  offers wait for an answer.
- "Ronde week <n>" (the reference date): four more listings with bids, not run yet.

When the legal parameters of the reference date lack the aftoppingsgrenzen (2026 in the built-in table), a round
cannot test passend toewijzen and refuses to guess. The demo then marks its listings as exceptions to passend
toewijzen, with a note saying why, so the screens still have a round to show.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np
from django.utils.translation import gettext as _

from buurtbalans.allocation import services
from buurtbalans.allocation.models import (
    AllocationRound,
    ApplicantGroup,
    ApplicantProfile,
    ApplicantStatus,
    Bid,
    BidSource,
    DeclineReason,
    MotivationScore,
    Offer,
    OfferStatus,
)
from buurtbalans.core.audit import audit_record
from buurtbalans.core.jobs import job_run
from buurtbalans.core.models import AuditEvent, Job
from buurtbalans.households.models import Applicant, VulnerabilityMarker
from buurtbalans.portfolio.models import Dwelling, DwellingStatus
from buurtbalans.rules.parameters import parameters_for

LISTINGS_PER_ROUND = 4
DEMO_EXCEPTION_NOTE = "Demo: the aftoppingsgrenzen of this date are not known, so passend toewijzen is not tested."
BIDDERS = 48
URGENCY_KINDS = ("medical_urgency", "social_urgency")
# Labels of the four listings of a round: one per selection key, with the kinds of limits corporations use.
LABELS = (
    {"selection": "registration"},
    {"selection": "registration", "urgency_first": True, "household_size_min": 2},
    {"selection": "lottery", "allowed_groups": [ApplicantGroup.STARTER, ApplicantGroup.YOUTH]},
    {"selection": "motivation", "allowed_groups": [ApplicantGroup.LOCAL_BINDING]},
)


def _run_now(allocation_round: AllocationRound) -> None:
    """Run the round's queued job here and now, as the worker would (the demo has no worker running)."""
    allocation_round.refresh_from_db()
    job = Job.objects.get(pk=allocation_round.job_id)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started=datetime.now(UTC), worker="seed_demo")
    job.refresh_from_db()
    job_run(job)


def allocation_demo_write(corporation, *, reference_date, seed: int, say) -> dict:
    """Write the demo rounds for one corporation; returns counts for the command's output."""
    started = time.perf_counter()
    AllocationRound.objects.filter(corporation=corporation).delete()  # an earlier demo run's rounds
    rng = np.random.default_rng([seed, 4])
    vacant = list(Dwelling.objects.filter(corporation=corporation, status=DwellingStatus.VACANT,
                                          base_rent__isnull=False).order_by("external_id")[:2 * LISTINGS_PER_ROUND])
    applicants = list(
        Applicant.objects.filter(corporation=corporation, household__assessed_income__isnull=False)
        .select_related("household").order_by("external_id")[:BIDDERS]
    )
    if len(vacant) < 2 or len(applicants) < 4:
        return {"rounds": 0}
    _profiles(corporation, applicants, rng, reference_date)
    half = max(1, len(vacant) // 2)
    week = reference_date.isocalendar().week
    finished = _round(corporation, f"Ronde week {max(1, week - 2)}", reference_date - timedelta(days=14),
                      f"demo-{seed}-{week - 2}", vacant[:half], applicants, rng)
    services.allocation_round_start(allocation_round=finished, actor=None)
    _run_now(finished)
    services.allocation_round_approve(allocation_round=finished, actor=None)
    offers = list(Offer.objects.filter(allocation_round=finished).order_by("listing__reference"))
    if offers:
        services.offer_accept(offer=offers[0], actor=None, start_date=reference_date + timedelta(days=1))
    if len(offers) > 1:
        services.offer_decline(offer=offers[1], actor=None, reason=DeclineReason.DWELLING_NOT_LIKED)
        _run_now(finished)
        services.allocation_round_approve(allocation_round=finished, actor=None)
    housed = set(ApplicantProfile.objects.filter(applicant__in=applicants, status=ApplicantStatus.HOUSED)
                 .values_list("applicant_id", flat=True))
    waiting = [applicant for applicant in applicants if applicant.pk not in housed]
    upcoming = _round(corporation, f"Ronde week {week}", reference_date, f"demo-{seed}-{week}", vacant[half:],
                      waiting, rng)
    counts = {
        "rounds": 2,
        "listings": len(vacant),
        "offers_out": Offer.objects.filter(allocation_round=finished, status=OfferStatus.OFFERED).count(),
        "open_round": upcoming.pk,
    }
    say(_("%(name)s: 2 allocation rounds, %(listings)d listings, %(offers)d offers waiting for an answer "
          "(%(seconds).1f s)") % {"name": corporation.name, "listings": counts["listings"],
                                  "offers": counts["offers_out"], "seconds": time.perf_counter() - started})
    return counts


def _labels(index: int, reference_date) -> dict:
    labels = dict(LABELS[index % len(LABELS)])
    try:
        missing = parameters_for(reference_date).missing_parameters()
    except LookupError:
        missing = ("all",)
    if {"allowance_cap_low", "allowance_cap_high", "all"} & set(missing):
        labels["affordability_exception"] = True
        labels["note"] = DEMO_EXCEPTION_NOTE
    return labels


def _profiles(corporation, applicants, rng, reference_date) -> None:
    """Target groups from the household (policy groups only) and urgency from the demo's urgency markers."""
    urgent = set(
        VulnerabilityMarker.objects.filter(household__in=[a.household for a in applicants],
                                           kind__code__in=URGENCY_KINDS, valid_from__lte=reference_date)
        .values_list("household_id", flat=True)
    )
    profiles = []
    for applicant in applicants:
        household = applicant.household
        groups = []
        if household.is_pension_age_household:
            groups.append(ApplicantGroup.SENIOR)
        if household.children:
            groups.append(ApplicantGroup.FAMILY)
        if household.size == 1 and not household.is_pension_age_household and rng.random() < 0.5:
            groups.append(ApplicantGroup.STARTER)
        if rng.random() < 0.35:
            groups.append(ApplicantGroup.LOCAL_BINDING)
        is_urgent = household.pk in urgent
        if groups or is_urgent:
            profiles.append(ApplicantProfile(corporation=corporation, applicant=applicant, groups=sorted(groups),
                                             is_urgent=is_urgent))
    # Written in bulk with one audit event (per row through the services, the demo took seconds).
    ApplicantProfile.objects.bulk_create(profiles)
    audit_record(actor=None, event=AuditEvent.Type.APPLICANT_PROFILE_WRITTEN, corporation=corporation,
                 subject_type="applicant", purpose="demo", actor_name="seed_demo",
                 subject_ids=[p.applicant.household.external_id for p in profiles],
                 subject_label="demo: target groups and urgency of applicants", data={"profiles": len(profiles)})


def _round(corporation, name, reference_date, lottery_seed, dwellings, applicants, rng) -> AllocationRound:
    allocation_round = services.allocation_round_create(corporation=corporation, actor=None, name=name,
                                                        reference_date=reference_date, lottery_seed=lottery_seed)
    listings = [
        services.listing_create_for_dwelling(dwelling=dwelling, actor=None, allocation_round=allocation_round,
                                             **_labels(i, reference_date))
        for i, dwelling in enumerate(dwellings)
    ]
    opened = datetime.combine(reference_date - timedelta(days=7), datetime.min.time(), tzinfo=UTC)
    bids, scores = [], []
    for applicant in applicants:
        wanted = rng.choice(len(listings), size=int(rng.integers(1, min(3, len(listings)) + 1)), replace=False)
        for preference, index in enumerate(wanted.tolist(), start=1):
            listing = listings[index]
            submitted = opened + timedelta(minutes=int(rng.integers(0, 5 * 24 * 60)))
            bids.append(Bid(corporation=corporation, listing=listing, applicant=applicant, preference=preference,
                            submitted_at=submitted, source=BidSource.PLATFORM))
            if listing.selection == "motivation" and rng.random() < 0.8:
                scores.append(MotivationScore(corporation=corporation, listing=listing, applicant=applicant,
                                              score=Decimal(int(rng.integers(40, 100))) / 10,
                                              assessed_by_name="seed_demo"))
    # Distinct preferences per applicant by construction; written in bulk with one audit event, as an import does.
    Bid.objects.bulk_create(bids)
    MotivationScore.objects.bulk_create(scores)
    audit_record(actor=None, event=AuditEvent.Type.BIDS_WRITTEN, corporation=corporation, subject_type="bid",
                 purpose="demo", actor_name="seed_demo",
                 subject_ids=sorted({bid.applicant.household.external_id for bid in bids}),
                 subject_label=f"demo: bids of round {name}", data={"bids": len(bids), "scores": len(scores)})
    return allocation_round
