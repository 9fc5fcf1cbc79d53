"""The public account marks a letting on motivation and one through the placement route, and no other letting."""

from __future__ import annotations

import pytest
from django.urls import reverse

from buurtbalans.accountability.tests.support import CRITERIA, let_three_homes
from buurtbalans.core.tests.test_access_views import body

pytestmark = pytest.mark.django_db

LIVEABILITY = "Afwijkende toewijzing – leefbaarheid"
PLACEMENT = "Bijzondere toewijzing"


@pytest.fixture
def lettings(stock_a, alice):
    return let_three_homes(stock_a, alice)


def public_page(client, listing) -> str:
    return body(client.get(reverse("public_account", args=[listing.public_token])))


def test_the_lettings_are_let(lettings):
    assert [listing.status for listing in (lettings.regular, lettings.motivation, lettings.placement)] == [
        "let", "let", "let"]


def test_a_motivation_letting_is_marked_with_its_explanation_and_published_criteria(client, lettings):
    page = public_page(client, lettings.motivation)
    assert LIVEABILITY in page and PLACEMENT not in page
    assert "We hebben niet gekozen op inschrijfduur." in page
    for criterion in CRITERIA:
        assert criterion in page
    export = body(client.get(reverse("public_account", args=[lettings.motivation.public_token]), {"format": "csv"}))
    assert LIVEABILITY in export and CRITERIA[0] in export


def test_a_placement_letting_is_marked_as_a_special_allocation(client, lettings):
    page = public_page(client, lettings.placement)
    assert PLACEMENT in page and LIVEABILITY not in page
    assert "begeleiding" in page


def test_a_regular_letting_carries_no_mark(client, lettings):
    page = public_page(client, lettings.regular)
    assert "Verhuurd." in page
    for mark in (LIVEABILITY, PLACEMENT, 'id="account-marks"'):
        assert mark not in page
    export = body(client.get(reverse("public_account", args=[lettings.regular.public_token]), {"format": "csv"}))
    assert LIVEABILITY not in export and PLACEMENT not in export
