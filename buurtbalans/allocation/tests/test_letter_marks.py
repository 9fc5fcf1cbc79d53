"""A letter says it when a home was let outside the waiting-list order, in the public account's own words (issue 13
item 4): a placement-route home is a "special allocation"; a home let in waiting-list order carries no mark."""

from __future__ import annotations

import pytest
from django.utils import translation

from buurtbalans.allocation import services
from buurtbalans.allocation.letters import letter_build
from buurtbalans.allocation.marks import LIVEABILITY_MARK, PLACEMENT_MARK
from buurtbalans.allocation.models import Listing
from buurtbalans.allocation.tests.support import scene, solve
from buurtbalans.engine.labelling.facts import Label

pytestmark = pytest.mark.django_db


def letter(allocation_round, person, language="en") -> str:
    with translation.override(language):
        return letter_build(allocation_round, person).text()


def test_a_placement_home_is_marked_in_every_letter_about_it_and_a_regular_one_not(stock_a, alice):
    s = scene(stock_a, alice)
    Listing.objects.filter(pk=s.listings[0].pk).update(label=Label.RESERVED_VULNERABLE)
    allocation_round = solve(s.round, alice)
    services.allocation_round_approve(allocation_round=allocation_round, actor=alice)
    bidders_on_first = {b.applicant_id for b in s.listings[0].bids.all()}
    for person in s.applicants:
        with translation.override("en"):
            mark = f"{PLACEMENT_MARK.title}: {PLACEMENT_MARK.explanation}"
        text = letter(allocation_round, person)
        assert (mark in text) == (person.pk in bidders_on_first)
        assert str(LIVEABILITY_MARK.title) not in text
    with translation.override("nl"):
        dutch = f"{PLACEMENT_MARK.title}:"
    someone = next(p for p in s.applicants if p.pk in bidders_on_first)
    assert dutch in letter(allocation_round, someone, "nl") and dutch.startswith("Bijzondere toewijzing")
