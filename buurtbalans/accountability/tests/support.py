"""Scenes for the accountability tests: lettings made the way the product makes them (round, offer, acceptance)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from buurtbalans.allocation import services
from buurtbalans.allocation.models import Listing, MotivationAssessment, MotivationScore, Offer
from buurtbalans.allocation.tests.support import REFERENCE_DATE, applicant, solve, vacant_dwelling
from buurtbalans.core.jobs import run_pending_jobs
from buurtbalans.households.models import Applicant, SelectionMethod, Tenancy

CRITERIA = ["Je wilt iets doen voor de buren in de portiek.", "Je helpt mee met de moestuin of het buurthuis."]


@dataclass
class Lettings:
    """Three homes let in one round: `regular` by registration, `motivation` on motivation with published criteria,
    `placement` through the placement route (RESERVED_VULNERABLE); `candidates` per listing, the tenant first."""

    regular: Listing
    motivation: Listing
    placement: Listing
    candidates: dict[str, list[Applicant]]


def let_three_homes(stock, officer, *, start: date = date(2025, 7, 1)) -> Lettings:
    corporation = stock.corporation
    allocation_round = services.allocation_round_create(
        corporation=corporation, actor=officer, name="accountability", reference_date=REFERENCE_DATE,
        lottery_seed="accountability")
    regular = services.listing_create_for_dwelling(dwelling=vacant_dwelling(stock, 41), actor=officer,
                                                   allocation_round=allocation_round)
    if "criteria" in services.LISTING_FIELDS:
        motivation = services.listing_create_for_dwelling(dwelling=vacant_dwelling(stock, 42), actor=officer,
                                                          allocation_round=allocation_round, selection="motivation",
                                                          criteria=CRITERIA)
    else:
        # TODO: the listing service takes `criteria` once issue 13 item 2's listing work lands; until then the
        # published criteria are put on the listing directly.
        motivation = services.listing_create_for_dwelling(dwelling=vacant_dwelling(stock, 42), actor=officer,
                                                          allocation_round=allocation_round, selection="motivation")
        Listing.objects.filter(pk=motivation.pk).update(criteria=CRITERIA)
    placement = services.listing_create_for_dwelling(dwelling=vacant_dwelling(stock, 43), actor=officer,
                                                     allocation_round=allocation_round, label="RESERVED_VULNERABLE",
                                                     allowed_groups=["vulnerable"])
    prefix = stock.complex.external_id.split("-")[0]
    people = {name: [applicant(corporation, f"{prefix}-{name}-{i}", income=Decimal("23000"),
                               registered=date(2010 + i, 1, 1)) for i in (1, 2)]
              for name in ("regular", "motivation", "placement")}
    for person in people["placement"]:
        services.applicant_profile_set(applicant=person, actor=officer, groups=["vulnerable"])
    for name, listing in (("regular", regular), ("motivation", motivation), ("placement", placement)):
        for person in people[name]:
            services.bid_create(listing=listing, applicant=person, preference=1, actor=officer)
    # Two blind assessors; the later-registered candidate scores higher and gets the home on motivation. The
    # single score too, which a round without published criteria (round/1) reads instead.
    for person, score in ((people["motivation"][0], "2.0"), (people["motivation"][1], "3.5")):
        for assessor in ("assessor-1", "assessor-2"):
            MotivationAssessment.objects.create(corporation=corporation, listing=motivation, applicant=person,
                                                assessor_name=assessor, score=Decimal(score))
        MotivationScore.objects.create(corporation=corporation, listing=motivation, applicant=person,
                                       score=Decimal(score), assessed_by_name="assessors")
    people["motivation"].reverse()
    solve(allocation_round, officer)
    services.allocation_round_approve(allocation_round=allocation_round, actor=officer)
    for listing in (regular, motivation, placement):
        services.offer_accept(offer=Offer.objects.get(listing=listing, status="offered"), actor=officer,
                              start_date=start)
    run_pending_jobs()
    for listing in (regular, motivation, placement):
        listing.refresh_from_db()
    return Lettings(regular, motivation, placement, people)


def motivation_tenancy(stock, code: str, start: date, *, end: date | None = None,
                       method: str = SelectionMethod.MOTIVATION) -> Tenancy:
    """A tenancy as a motivation letting leaves it (or as an import records one), in the stock's vacant dwelling."""
    household = stock.households[0]
    return Tenancy.objects.create(corporation=stock.corporation, external_id=code, dwelling=stock.dwellings[2],
                                  household=household, start_date=start, end_date=end, selection_method=method)
