"""Small allocation scenes for the app's tests: vacant dwellings, applicants with households, a round."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from buurtbalans.allocation import services
from buurtbalans.allocation.models import AllocationRound, Listing
from buurtbalans.core.jobs import run_pending_jobs
from buurtbalans.households.models import Applicant, Household
from buurtbalans.portfolio.models import Dwelling

REFERENCE_DATE = date(2025, 6, 2)


def vacant_dwelling(stock, number: int, *, base_rent: Decimal = Decimal("600.00")) -> Dwelling:
    """A vacant dwelling in the stock's complex (house numbers from 10 up, so they never clash with make_stock)."""
    prefix = stock.complex.external_id.split("-")[0]
    return Dwelling.objects.create(
        corporation=stock.corporation, complex=stock.complex, external_id=f"{prefix}-V{number}",
        street=f"{prefix}laan", house_number=10 + number, postcode="8011AB", city="Zwolle",
        dwelling_type="apartment", rooms=3, base_rent=base_rent, status="vacant",
    )


def applicant(corporation, code: str, *, size: int = 1, income: Decimal | None = Decimal("24000"),
              registered: date = date(2012, 1, 1), pension: bool = False) -> Applicant:
    household = Household.objects.create(
        corporation=corporation, external_id=f"H-{code}", size=size, adults=1, children=size - 1,
        assessed_income=income, income_year=2024, is_pension_age_household=pension,
    )
    return Applicant.objects.create(corporation=corporation, external_id=code, household=household,
                                    registration_date=registered)


def at(hour: int) -> datetime:
    return datetime(2025, 5, 26, hour, tzinfo=UTC)


@dataclass
class Scene:
    """Three listings L1-L3 in one draft round and four applicants, with bids.

    A1 (registered 2005) wants L1 then L2; A2 (2008) wants L1 then L3; A3 (2010) wants L2; A4 (2015, income
    too high for L3's maximum) wants L3 then L1. Registration decides: A1 gets L1, A3 gets L2, A2 gets L3, A4
    gets nothing (outranked on L1, ineligible on L3).
    """

    round: AllocationRound
    listings: list[Listing]
    applicants: list[Applicant]


def scene(stock, officer, *, name: str = "Week 23") -> Scene:
    corporation = stock.corporation
    dwellings = [vacant_dwelling(stock, i) for i in (1, 2, 3)]
    allocation_round = services.allocation_round_create(
        corporation=corporation, actor=officer, name=name, reference_date=REFERENCE_DATE, lottery_seed="week-23",
    )
    listings = [
        services.listing_create_for_dwelling(dwelling=dwellings[0], actor=officer, allocation_round=allocation_round),
        services.listing_create_for_dwelling(dwelling=dwellings[1], actor=officer, allocation_round=allocation_round,
                                             household_size_max=2),
        services.listing_create_for_dwelling(dwelling=dwellings[2], actor=officer, allocation_round=allocation_round,
                                             income_max=Decimal("40000.00")),
    ]
    people = [
        applicant(corporation, "A1", registered=date(2005, 3, 1)),
        applicant(corporation, "A2", size=2, registered=date(2008, 7, 1)),
        applicant(corporation, "A3", registered=date(2010, 1, 15)),
        applicant(corporation, "A4", income=Decimal("52000"), registered=date(2015, 9, 1)),
    ]
    wishes = {0: [0, 1], 1: [0, 2], 2: [1], 3: [2, 0]}
    for a, choices in wishes.items():
        for preference, li in enumerate(choices, start=1):
            services.bid_create(listing=listings[li], applicant=people[a], preference=preference, actor=officer,
                                submitted_at=at(9 + a) + timedelta(minutes=li))
    return Scene(allocation_round, listings, people)


def solve(allocation_round: AllocationRound, officer) -> AllocationRound:
    """Start the round and run its job as the worker would."""
    services.allocation_round_start(allocation_round=allocation_round, actor=officer)
    run_pending_jobs()
    allocation_round.refresh_from_db()
    return allocation_round


def letter_invariant_problems(entry: dict) -> list[str]:
    """What in one round of a `buurtbalans.round-letters/1` document breaks the rules every round must keep
    (issue 10): a let or offered home's holder is accepted/offered on it and nobody else is pending on it; a
    declined offer reads `declined`; `allocated_elsewhere` refers only to a home the applicant holds and ranked
    higher; nothing is pending once the round is approved; no status contradicts the round."""
    problems = []
    bids = {(letter["applicant"], bid["listing"]): bid for letter in entry["letters"] for bid in letter["bids"]}
    preference = {key: bid["preference"] for key, bid in bids.items()}
    latest_offer = {}
    for offer in entry["offers"]:
        latest_offer[(offer["applicant"], offer["listing"])] = offer
    held = {key for key, offer in latest_offer.items() if offer["state"] in ("offered", "accepted")}
    for listing in entry["listings"]:
        if listing["state"] not in ("offered", "let"):
            continue
        holder = listing["applicant"]
        wanted = "accepted" if listing["state"] == "let" else "offered"
        status = bids.get((holder, listing["listing"]), {}).get("status")
        if status != wanted:
            problems.append(f"{listing['listing']} is {listing['state']} to {holder}, whose bid reads {status}")
        for (applicant, reference), bid in bids.items():
            if reference == listing["listing"] and bid["status"] == "pending":
                problems.append(f"{applicant} is pending on {reference}, which is {listing['state']}")
    for key, offer in latest_offer.items():
        if offer["state"] == "declined" and bids[key]["status"] != "declined":
            problems.append(f"{key} declined but reads {bids[key]['status']}")
    for (applicant, reference), bid in bids.items():
        if bid["status"] == "allocated_elsewhere":
            other = (applicant, bid["refers_to"])
            if other not in held:
                problems.append(f"{applicant} on {reference}: allocated elsewhere refers to {bid['refers_to']}, "
                                "which they do not hold")
            elif preference[other] >= bid["preference"]:
                problems.append(f"{applicant} on {reference}: allocated elsewhere refers to a lower-ranked home")
        if bid["status"] == "pending" and entry["status"] in ("approved", "closed") and not entry["problem"]:
            problems.append(f"{applicant} is pending on {reference} in an approved round")
        if bid["reason"] == "inconsistent":
            problems.append(f"{applicant} on {reference}: status contradicts the round")
    return problems
