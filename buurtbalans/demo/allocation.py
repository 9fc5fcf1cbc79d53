"""The demo's allocation: one round that was worked out, approved and answered, and one open round with bids.

Called by `demo.writer` for each demo corporation after its stock and waiting list are stored. Everything goes
through the allocation services (the same code the screens use), with a random generator seeded from the demo
seed, so the same seed and reference date give the same rounds, offers and tenancies. It stays small (a handful of
listings, a few dozen applicants) so `seed_demo` stays fast.

- "Ronde week <n - 2>" (reference date two weeks back): four listings, one per selection key, worked out,
  approved; one offer accepted (the tenancy starts tomorrow), one declined, so the round ran again and its new
  offers wait for an answer.
- "Ronde week <n>" (the reference date): four more listings with bids, not run yet.

One listing of each round selects on motivation (issue 13 item 2): it publishes its criteria and a lowest score,
the applicants' motivation texts are recorded, and assessors scored them blind from 0.0 to 4.0: two each, and a
third where the first two differ by more than 1.5. In the worked-out round every motivation was assessed before
it ran, so the round scored them by round/2's rule; in the open round assessing is under way (some motivations
have one score, some diverging pairs wait for a third assessor), so the assessing screens have work to show.
The demo's assessors are names without a login; `wijk` (a neighbourhood manager) can assess as well.

The applicants' target groups and urgency are their own profile's, written with the waiting list
(`waiting_list.applicant_profiles`, `writer`): nothing here reads a vulnerability marker.

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
    MotivationAssessment,
    MotivationText,
    Offer,
    OfferStatus,
    SelectionKey,
)
from buurtbalans.core.audit import audit_record
from buurtbalans.core.audit_labels import DEMO_ACTOR
from buurtbalans.core.jobs import job_run
from buurtbalans.core.models import AuditEvent, Job
from buurtbalans.households.models import Applicant
from buurtbalans.portfolio.models import Dwelling, DwellingStatus
from buurtbalans.rules.parameters import parameters_for

LISTINGS_PER_ROUND = 4
DEMO_EXCEPTION_NOTE = "Demo: the aftoppingsgrenzen of this date are not known, so passend toewijzen is not tested."
BIDDERS = 48
# The published criteria of the demo's motivation listings (shown on the listing and in every letter).
MOTIVATION_CRITERIA = [
    "U wilt zich inzetten voor de buurt, bijvoorbeeld in de bewonerscommissie, de buurtkamer of de moestuin.",
    "U beschrijft wat u gaat doen en hoeveel tijd u daarvoor wilt geven.",
    "U wilt samenwerken met de buren en de wijkbeheerder.",
]
MOTIVATION_MIN_SCORE = Decimal("1.5")
# Labels of the four listings of a round: one per selection key, with the kinds of limits corporations use.
LABELS = (
    {"selection": "registration"},
    {"selection": "registration", "urgency_first": True, "household_size_min": 2},
    {"selection": "lottery", "allowed_groups": [ApplicantGroup.STARTER, ApplicantGroup.YOUTH]},
    {"selection": "motivation", "allowed_groups": [ApplicantGroup.LOCAL_BINDING], "criteria": MOTIVATION_CRITERIA,
     "motivation_min_score": MOTIVATION_MIN_SCORE},
)
# Blind assessors (names without a login): the first two score every motivation, the third where they diverge.
ASSESSORS = ("beoordelaar-a", "beoordelaar-b", "beoordelaar-c")
DIVERGENCE = Decimal("1.5")  # round/2: two scores further apart than this need a third assessor
DIVERGING_SHARE = 0.25  # how often the demo's second assessor sees a motivation quite differently
# Synthetic motivations as an officer records them; none says anything about health, origin or belief.
MOTIVATION_TEXTS = (
    "Ik wil graag meehelpen in de moestuin achter het complex en de buurtkamer een middag per week openhouden.",
    "Ik ben vrijwilliger bij de voedselbank en wil in de buurt een klusgroep beginnen.",
    "Wij willen een koffieochtend voor de buren organiseren en helpen bij de schoonmaakdag in het voorjaar.",
    "Ik heb niet veel tijd, maar ik help graag als er in de straat iets georganiseerd wordt.",
    "Ik wil in de bewonerscommissie en doe voor oudere buren graag boodschappen.",
    "Ik geef als vrijwilliger taalles en wil dat ook in de buurtkamer doen.",
    "Ik wil de speeltuin helpen opknappen en ben één zaterdag per maand beschikbaar.",
)


def _run_now(allocation_round: AllocationRound) -> None:
    """Run the round's queued job here and now, as the worker would (the demo has no worker running)."""
    allocation_round.refresh_from_db()
    job = Job.objects.get(pk=allocation_round.job_id)
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started=datetime.now(UTC), worker=DEMO_ACTOR)
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
    half = max(1, len(vacant) // 2)
    week = reference_date.isocalendar().week
    finished = _round(corporation, f"Ronde week {max(1, week - 2)}", reference_date - timedelta(days=14),
                      f"demo-{seed}-{week - 2}", vacant[:half], applicants, rng, assessing_done=True)
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
                      waiting, rng, assessing_done=False)
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


def _round(corporation, name, reference_date, lottery_seed, dwellings, applicants, rng, *,
           assessing_done: bool) -> AllocationRound:
    allocation_round = services.allocation_round_create(corporation=corporation, actor=None, name=name,
                                                        reference_date=reference_date, lottery_seed=lottery_seed)
    listings = [
        services.listing_create_for_dwelling(dwelling=dwelling, actor=None, allocation_round=allocation_round,
                                             **_labels(i, reference_date))
        for i, dwelling in enumerate(dwellings)
    ]
    opened = datetime.combine(reference_date - timedelta(days=7), datetime.min.time(), tzinfo=UTC)
    bids = []
    for applicant in applicants:
        wanted = rng.choice(len(listings), size=int(rng.integers(1, min(3, len(listings)) + 1)), replace=False)
        for preference, index in enumerate(wanted.tolist(), start=1):
            listing = listings[index]
            submitted = opened + timedelta(minutes=int(rng.integers(0, 5 * 24 * 60)))
            bids.append(Bid(corporation=corporation, listing=listing, applicant=applicant, preference=preference,
                            submitted_at=submitted, source=BidSource.PLATFORM))
    # Distinct preferences per applicant by construction; written in bulk with one audit event, as an import does.
    Bid.objects.bulk_create(bids)
    texts, assessments = _motivations(corporation, bids, rng, assessing_done=assessing_done)
    MotivationText.objects.bulk_create(texts)
    MotivationAssessment.objects.bulk_create(assessments)
    audit_record(actor=None, event=AuditEvent.Type.BIDS_WRITTEN, corporation=corporation, subject_type="bid",
                 purpose="demo", actor_name=DEMO_ACTOR,
                 subject_ids=sorted({bid.applicant.household.external_id for bid in bids}),
                 subject_label=f"demo: bids of round {name}",
                 data={"bids": len(bids), "motivation_texts": len(texts), "assessments": len(assessments)})
    return allocation_round


def _score(value: float) -> Decimal:
    """A score as an assessor gives it: 0.0 to 4.0 with one decimal."""
    return Decimal(str(round(min(4.0, max(0.0, value)), 1)))


def _motivations(corporation, bids, rng, *, assessing_done: bool):
    """Motivation texts and blind assessments for the bids on motivation listings.

    Every applicant's motivation has a quality; each assessor scores it with some noise, and now and then the
    second assessor sees it quite differently (more than 1.5 apart), so a third assessor is needed. With
    `assessing_done` every motivation got its two scores and, where needed, the third before the round ran.
    Otherwise assessing is under way: the first quarter of the motivations has one score so far, and the
    diverging pairs of the first half wait for their third assessor.
    """
    texts, assessments = [], []
    on_motivation = [bid for bid in bids if bid.listing.selection == SelectionKey.MOTIVATION]
    for position, bid in enumerate(on_motivation):
        texts.append(MotivationText(corporation=corporation, listing=bid.listing, applicant=bid.applicant,
                                    text=MOTIVATION_TEXTS[int(rng.integers(len(MOTIVATION_TEXTS)))],
                                    recorded_by_name=DEMO_ACTOR))
        quality = rng.uniform(0.5, 3.8)
        first = _score(quality + rng.normal(0, 0.4))
        if rng.random() < DIVERGING_SHARE:
            apart = Decimal(str(round(rng.uniform(1.6, 2.4), 1)))
            second = _score(float(first - apart if first >= 2 else first + apart))
        else:
            second = _score(quality + rng.normal(0, 0.4))
        third = _score(quality + rng.normal(0, 0.4))
        share = position / len(on_motivation)
        scores = [first, second]
        if not assessing_done and share < 0.25:
            scores = [first]
        elif abs(first - second) > DIVERGENCE and (assessing_done or share >= 0.5):
            scores.append(third)
        assessments.extend(
            MotivationAssessment(corporation=corporation, listing=bid.listing, applicant=bid.applicant,
                                 assessor=None, assessor_name=assessor, score=score)
            for assessor, score in zip(ASSESSORS, scores, strict=False)
        )
    return texts, assessments
