"""The demo's rounds keep the status rules: what `make demo` shows a new user must be defensible (issue 10)."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import translation

from buurtbalans.allocation.letterfile import round_letters_entry
from buurtbalans.allocation.letters import letters_build
from buurtbalans.allocation.models import AllocationRound, Offer, OfferStatus
from buurtbalans.allocation.tests.support import letter_invariant_problems
from buurtbalans.demo.writer import DEMO_CODE

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_every_demo_round_keeps_the_status_rules_and_its_letters_follow_the_offers():
    call_command("seed_demo", "--dwellings", "600", "--reference-date", "2026-11-20", stdout=StringIO())
    rounds = AllocationRound.objects.filter(corporation__code=DEMO_CODE)
    assert rounds.count() == 2
    for allocation_round in rounds:
        entry = round_letters_entry(allocation_round)
        assert letter_invariant_problems(entry) == [], allocation_round.name
    answered = rounds.get(offers__status=OfferStatus.DECLINED)
    declined = Offer.objects.get(allocation_round=answered, status=OfferStatus.DECLINED)
    with translation.override("nl"):
        letters = {letter.applicant_code: letter for letter in letters_build(answered)}
    item = next(i for i in letters[declined.applicant.external_id].items
                if i.listing_reference == declined.listing.reference)
    assert (item.status, item.headline) == ("declined", "Wij hebben u deze woning aangeboden. U zei nee.")
    # Every letter of the answered round is final: nobody reads "not decided yet" about a let home.
    assert not any(i.status == "pending" for letter in letters.values() for i in letter.items)
    assert all(letter.has_postal_address for letter in letters.values())
    assert all(not letter.sender.missing() for letter in letters.values())
