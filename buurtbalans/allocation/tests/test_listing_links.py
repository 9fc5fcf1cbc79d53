"""The listing page leads an officer to the motivations the assessors read and to the objections to the letting
(issue 13 items 2 and 4); a policy analyst, who may read the listing, gets neither link."""

from __future__ import annotations

import pytest
from django.urls import reverse

from buurtbalans.allocation import services
from buurtbalans.allocation.tests.support import REFERENCE_DATE, vacant_dwelling

pytestmark = pytest.mark.django_db


@pytest.fixture
def listings(stock_a, alice):
    allocation_round = services.allocation_round_create(corporation=stock_a.corporation, actor=alice, name="Links",
                                                        reference_date=REFERENCE_DATE, lottery_seed="l")
    motivation = services.listing_create_for_dwelling(
        dwelling=vacant_dwelling(stock_a, 1), actor=alice, allocation_round=allocation_round, selection="motivation",
        criteria=["You will help run the courtyard garden."])
    regular = services.listing_create_for_dwelling(dwelling=vacant_dwelling(stock_a, 2), actor=alice,
                                                   allocation_round=allocation_round)
    return motivation, regular


def page(client, user, listing) -> str:
    client.force_login(user)
    response = client.get(reverse("allocation_listing_detail", args=[listing.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_an_officer_is_led_to_the_motivations_and_the_objections(client, alice, listings):
    motivation, regular = listings
    html = page(client, alice, motivation)
    assert reverse("allocation_motivation_texts", args=[motivation.pk]) in html
    assert f'{reverse("accountability_objections")}?listing={motivation.pk}' in html
    html = page(client, alice, regular)
    assert "motivations/" not in html  # a regular listing has no motivations to read
    assert f'{reverse("accountability_objections")}?listing={regular.pk}' in html


def test_an_analyst_gets_neither_link(client, bob, listings):
    html = page(client, bob, listings[0])
    assert reverse("allocation_motivation_texts", args=[listings[0].pk]) not in html
    assert reverse("accountability_objections") not in html
