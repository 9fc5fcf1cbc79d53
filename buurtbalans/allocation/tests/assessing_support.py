"""A motivation listing with applicants who carry distinctive facts, for the tests of blind assessing and of the
letters of a motivation letting (issue 13 items 2 and 4)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from buurtbalans.allocation import services
from buurtbalans.allocation.models import AllocationRound, Listing, SelectionKey
from buurtbalans.allocation.tests.support import REFERENCE_DATE, applicant, at, vacant_dwelling
from buurtbalans.core.models import Role
from buurtbalans.core.testing import make_user
from buurtbalans.households.models import Applicant

CRITERIA = ["Wants to help in the residents' committee or the vegetable garden", "Lives or works in the buurt"]

# Facts of the applicants that an assessor must never see (names, registration numbers and dates, incomes).
HIDDEN = {
    "names": ["Zwaantje Vlietstra", "Quirijn Hoogeveen", "Xander Yntema"],
    "codes": ["MV-8101", "MV-8102", "MV-8103"],
    "registered": [date(2003, 4, 17), date(2009, 11, 23), date(2017, 8, 9)],
    "incomes": [Decimal("23456"), Decimal("31987"), Decimal("27654")],
    "sizes": [1, 4, 2],
}
TEXTS = ["I grow vegetables and would love to share them.", "I organise the street party every summer.", ""]


@dataclass
class MotivationScene:
    round: AllocationRound
    listing: Listing
    other: Listing
    people: list[Applicant]


def motivation_listing(stock, officer, allocation_round, number: int, *, minimum: str | None = "2.0") -> Listing:
    """A listing that selects on motivation with published criteria (set on the row: how a listing gets its
    criteria is the listing service's business, not what these tests are about)."""
    listing = services.listing_create_for_dwelling(dwelling=vacant_dwelling(stock, number), actor=officer,
                                                   allocation_round=allocation_round)
    Listing.objects.filter(pk=listing.pk).update(
        selection=SelectionKey.MOTIVATION, criteria=CRITERIA,
        motivation_min_score=Decimal(minimum) if minimum is not None else None)
    listing.refresh_from_db()
    return listing


def motivation_scene(stock, officer, *, minimum: str | None = "2.0") -> MotivationScene:
    """A draft round with motivation listing M1 and registration listing R1; three applicants reacted to M1 (the
    first also to R1), two of them with a motivation text recorded by the officer."""
    corporation = stock.corporation
    allocation_round = services.allocation_round_create(
        corporation=corporation, actor=officer, name="Week 40", reference_date=REFERENCE_DATE, lottery_seed="m")
    listing = motivation_listing(stock, officer, allocation_round, 1, minimum=minimum)
    other = services.listing_create_for_dwelling(dwelling=vacant_dwelling(stock, 2), actor=officer,
                                                 allocation_round=allocation_round)
    people = []
    for i in range(3):
        person = applicant(corporation, HIDDEN["codes"][i], size=HIDDEN["sizes"][i], income=HIDDEN["incomes"][i],
                           registered=HIDDEN["registered"][i])
        person.name = HIDDEN["names"][i]
        person.street_address, person.postal_code, person.city = f"Dorpsstraat {i + 1}", "8011 AB", "Zwolle"
        person.save()
        people.append(person)
        services.bid_create(listing=listing, applicant=person, preference=1, actor=officer, submitted_at=at(9 + i))
        if TEXTS[i]:
            services.motivation_text_set(listing=listing, applicant=person, text=TEXTS[i], actor=officer)
    services.bid_create(listing=other, applicant=people[0], preference=2, actor=officer, submitted_at=at(12))
    return MotivationScene(allocation_round, listing, other, people)


def assessors(corporation) -> list:
    """Three neighbourhood managers (the role that assesses)."""
    return [make_user(name, corporation, Role.NEIGHBOURHOOD_MANAGER) for name in ("anna", "bram", "chris")]
