"""Fixtures of the fuzz tests: the personas of buurtbalans/conftest.py and one world every target can run in."""

from __future__ import annotations

import pytest
from django.utils import translation

from buurtbalans.allocation import services as allocation_services
from buurtbalans.allocation.tests.support import REFERENCE_DATE, applicant, vacant_dwelling
from buurtbalans.conftest import (  # noqa: F401 - fixtures
    ada,
    alice,
    corporation_a,
    fast_password_hasher,
    mfa_not_enforced,
    nina,
    stock_a,
)
from buurtbalans.core.models import Role
from buurtbalans.core.testing import make_user
from tests.fuzz.targets import World


@pytest.fixture(autouse=True)
def english():
    """Messages in their English source text, whatever the Dutch catalogue holds."""
    with translation.override("en"):
        yield


@pytest.fixture
def world(stock_a, alice, ada, nina, client, tmp_path, settings):  # noqa: F811 - the imported fixtures
    """Corporation A with its stock, an open round with two listings and three applicants, and the users."""
    settings.VAR_DIR = tmp_path / "var"
    corporation = stock_a.corporation
    allocation_round = allocation_services.allocation_round_create(
        corporation=corporation, actor=alice, name="Week 25", reference_date=REFERENCE_DATE, lottery_seed="w25")
    listings = [
        allocation_services.listing_create_for_dwelling(dwelling=vacant_dwelling(stock_a, i), actor=alice,
                                                        allocation_round=allocation_round)
        for i in (1, 2)
    ]
    for code in ("W-001", "W-002", "W-003"):
        applicant(corporation, code)
    # The shared legal parameters are changed by the installation's administrator (issue 11), before that by ADMIN.
    paula = make_user("paula", corporation, getattr(Role, "PLATFORM_ADMIN", Role.ADMIN))
    folder = tmp_path / "inputs"
    folder.mkdir()
    users = {"alice": alice, "ada": ada, "nina": nina, "paula": paula}
    return World(corporation, stock_a, listings, users, client, folder)
