"""Two officers acting at the same moment never let a home twice: real concurrent transactions on PostgreSQL.

Each officer runs in a thread with its own database connection. The test's own connection first holds the round's
row lock, so both officers' transactions are under way and waiting at the same time; then it lets go, and exactly
one of them may succeed. SQLite runs write transactions one at a time, so there is nothing to race there.
"""

from __future__ import annotations

import threading
import time
from datetime import date

import pytest
from django.db import connection, transaction

from buurtbalans.allocation import services
from buurtbalans.allocation.models import AllocationRound, ApplicantProfile, DeclineReason, Offer, OfferStatus
from buurtbalans.allocation.tests.support import REFERENCE_DATE, scene, solve, vacant_dwelling
from buurtbalans.households.models import Tenancy

# serialized_rollback: the flush after each test also empties tables that migrations filled (default kinds of
# vulnerability markers, which make_stock uses); they are put back before the next test.
pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def postgresql_only(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL: SQLite runs one write transaction at a time")


def race(round_pk: int, *actions) -> list[str]:
    """Run the actions at once, each in its own thread and connection, while this connection holds the round's
    lock; returns "ok" or "refused" per action, in order."""
    outcomes: list[str | None] = [None] * len(actions)
    started = threading.Barrier(len(actions) + 1)

    def officer(i, action):
        try:
            started.wait()
            action()
            outcomes[i] = "ok"
        except services.AllocationError:
            outcomes[i] = "refused"
        except Exception as exc:  # noqa: BLE001 - reported by the assertion below
            outcomes[i] = f"error: {exc!r}"
        finally:
            connection.close()

    threads = [threading.Thread(target=officer, args=(i, a)) for i, a in enumerate(actions)]
    with transaction.atomic():
        AllocationRound.objects.select_for_update().get(pk=round_pk)
        for thread in threads:
            thread.start()
        started.wait()
        time.sleep(0.3)  # both officers are now inside their transactions, waiting for a lock
    for thread in threads:
        thread.join(timeout=30)
    return outcomes


@pytest.fixture
def approved(stock_a, alice):
    s = scene(stock_a, alice)
    allocation_round = solve(s.round, alice)
    services.allocation_round_approve(allocation_round=allocation_round, actor=alice)
    return s


def test_two_officers_accepting_the_same_offer_make_one_tenancy(alice, approved):
    offer = Offer.objects.get(listing=approved.listings[0])
    outcomes = race(
        approved.round.pk,
        lambda: services.offer_accept(offer=offer, actor=alice, start_date=date(2025, 7, 1)),
        lambda: services.offer_accept(offer=offer, actor=alice, start_date=date(2025, 8, 1)),
    )
    assert sorted(outcomes) == ["ok", "refused"]
    assert Tenancy.objects.filter(dwelling=approved.listings[0].dwelling).count() == 1


def test_an_acceptance_and_a_decline_of_one_offer_at_once_leave_one_answer(alice, approved):
    offer = Offer.objects.get(listing=approved.listings[0])
    outcomes = race(
        approved.round.pk,
        lambda: services.offer_accept(offer=offer, actor=alice, start_date=date(2025, 7, 1)),
        lambda: services.offer_decline(offer=offer, actor=alice, reason=DeclineReason.REFUSED),
    )
    assert sorted(outcomes) == ["ok", "refused"]
    offer.refresh_from_db()
    accepted = offer.status == OfferStatus.ACCEPTED
    assert Tenancy.objects.filter(dwelling=approved.listings[0].dwelling).count() == (1 if accepted else 0)


def test_two_officers_approving_one_round_make_one_set_of_offers(stock_a, alice):
    s = scene(stock_a, alice)
    allocation_round = solve(s.round, alice)
    outcomes = race(
        allocation_round.pk,
        lambda: services.allocation_round_approve(allocation_round=allocation_round, actor=alice),
        lambda: services.allocation_round_approve(allocation_round=allocation_round, actor=alice),
    )
    assert sorted(outcomes) == ["ok", "refused"]
    assert Offer.objects.filter(allocation_round=allocation_round, status=OfferStatus.OFFERED).count() == 3


def test_one_applicant_accepting_offers_of_two_rounds_at_once_gets_one_home(stock_a, alice, approved):
    # A1 got L1 in the first round; a second round gives A1 another home.
    second = services.allocation_round_create(corporation=stock_a.corporation, actor=alice, name="Week 24",
                                              reference_date=REFERENCE_DATE, lottery_seed="w24")
    listing = services.listing_create_for_dwelling(dwelling=vacant_dwelling(stock_a, 7), actor=alice,
                                                   allocation_round=second)
    a1 = approved.applicants[0]
    services.bid_create(listing=listing, applicant=a1, preference=1, actor=alice)
    solve(second, alice)
    services.allocation_round_approve(allocation_round=second, actor=alice)
    first_offer = Offer.objects.get(listing=approved.listings[0])
    second_offer = Offer.objects.get(listing=listing)
    assert first_offer.applicant_id == second_offer.applicant_id == a1.pk

    outcomes = race(
        approved.round.pk,
        lambda: services.offer_accept(offer=first_offer, actor=alice, start_date=date(2025, 7, 1)),
        lambda: services.offer_accept(offer=second_offer, actor=alice, start_date=date(2025, 7, 1)),
    )
    assert sorted(outcomes) == ["ok", "refused"]
    assert Tenancy.objects.filter(household=a1.household).count() == 1
    assert ApplicantProfile.objects.get(applicant=a1).status == "housed"
    statuses = sorted(Offer.objects.filter(applicant=a1).values_list("status", "decline_reason"))
    assert statuses == [("accepted", ""), ("withdrawn", "AND")]
