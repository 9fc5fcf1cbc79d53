"""p_no_vulnerable from history (issue 13): vulnerable households among the lettings of NO_VULNERABLE vacancies.

A NO_VULNERABLE vacancy is not used for a placement, but nobody is excluded for a marker; the estimate counts the
households with a marker of a counting kind at letting (a status holder does not count).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from buurtbalans.allocation import services
from buurtbalans.allocation.models import Offer
from buurtbalans.allocation.tests.support import REFERENCE_DATE, applicant, solve, vacant_dwelling
from buurtbalans.households.models import VulnerabilityKind, VulnerabilityMarker
from buurtbalans.steering.estimates import inflow_estimate

pytestmark = pytest.mark.django_db

START = date(2025, 7, 1)


def mark(person, code: str) -> None:
    VulnerabilityMarker.objects.create(corporation=person.corporation, household=person.household, source="test",
                                       kind=VulnerabilityKind.objects.get(corporation=None, code=code),
                                       valid_from=date(2024, 1, 1))


def let(stock, officer, labels_and_people) -> None:
    """One round with a listing per (label, applicant); every offer accepted, starting on START."""
    allocation_round = services.allocation_round_create(corporation=stock.corporation, actor=officer, name="let",
                                                        reference_date=REFERENCE_DATE, lottery_seed="let")
    for number, (label, person) in enumerate(labels_and_people, start=1):
        listing = services.listing_create_for_dwelling(dwelling=vacant_dwelling(stock, number), actor=officer,
                                                       allocation_round=allocation_round, label=label)
        services.bid_create(listing=listing, applicant=person, preference=1, actor=officer)
    allocation_round = solve(allocation_round, officer)
    services.allocation_round_approve(allocation_round=allocation_round, actor=officer)
    for offer in Offer.objects.filter(allocation_round=allocation_round):
        services.offer_accept(offer=offer, actor=officer, start_date=START)


def test_p_no_vulnerable_counts_marked_households_on_no_vulnerable_lettings(stock_a, alice):
    corporation = stock_a.corporation
    marked, holder, plain, open_marked = (applicant(corporation, code) for code in ("M-1", "S-1", "P-1", "O-1"))
    mark(marked, "shelter_outflow")
    mark(holder, "status_holder")  # does not count for concentration
    mark(open_marked, "medical_urgency")
    let(stock_a, alice, [("NO_VULNERABLE", marked), ("NO_VULNERABLE", holder), ("NO_VULNERABLE", plain),
                         ("OPEN", open_marked)])

    estimate = inflow_estimate(corporation.pk, date(2025, 7, 15))
    assert (estimate.p_no_vulnerable.k, estimate.p_no_vulnerable.n) == (1, 3)
    assert estimate.values()["p_no_vulnerable"] == Decimal("0.4")  # (1 + 1) / (3 + 2)
    # Every letting still counts for p_open, as before labels existed: 2 marked (counting kinds) of 4.
    assert (estimate.p_open.k, estimate.p_open.n) == (2, 4)
    assert estimate.as_json()["p_no_vulnerable"] == {"k": 1, "n": 3, "estimate": "0.4000"}


def test_without_no_vulnerable_lettings_the_estimate_is_one_half_with_n_0(stock_a):
    estimate = inflow_estimate(stock_a.corporation.pk, date(2025, 7, 15))
    assert (estimate.p_no_vulnerable.k, estimate.p_no_vulnerable.n) == (0, 0)
    assert estimate.values()["p_no_vulnerable"] == Decimal("0.5")
