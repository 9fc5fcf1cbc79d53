"""How the mix is counted: composition by marker, carrying role and income band, categories, inflow, room."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from buurtbalans.steering.mix import RoomAnswer, complex_mix_rows, neighbourhood_rows, room_for_vulnerable
from buurtbalans.steering.tests.conftest import REFERENCE_DATE

pytestmark = pytest.mark.django_db


def rows_by_code(corporation, **kwargs):
    return {r.code: r for r in complex_mix_rows(corporation.pk, REFERENCE_DATE, **kwargs)}


def test_it_counts_households_by_marker_role_and_income_band(town):
    rows = rows_by_code(town["stock"].corporation)
    hot = rows["A-HOT"]
    assert (hot.households, hot.vulnerable_share, hot.counts.primary, hot.counts.carrying) == (20, 0.4, 8, 1)
    assert hot.counts.categories == {"extra_attention": 8, "carrying": 1, "regular": 11}
    assert hot.vacant == 2
    # Default profile: at most 35% vulnerable, 75% primary: 5 share points over.
    assert hot.profile.source == "builtin"
    assert hot.excess == pytest.approx(0.05)
    assert rows["A-CALM"].excess == 0
    assert rows["A-C1"].households == 2


def test_the_inflow_is_the_last_lettings_as_the_household_was_at_letting(town):
    hot = rows_by_code(town["stock"].corporation, lettings=5)["A-HOT"]
    # The five newest lettings of the complex: the two 2025 lettings... none; 2024: 1 x May, 1 x April, 8 x March.
    assert (hot.inflow.lettings, hot.inflow.vulnerable, hot.inflow.primary) == (5, 3, 3)
    hot = rows_by_code(town["stock"].corporation, lettings=50)["A-HOT"]
    # Within five years: the 10 lettings of 2024 and the two leaving households' of 2019... 2019-01-01 is more than
    # five years before 2025-06-01, so only the 2024 lettings count.
    assert (hot.inflow.lettings, hot.inflow.vulnerable, hot.inflow.primary) == (10, 8, 8)


def test_a_buurt_sums_its_complexes_with_weighted_limits(town):
    rows = complex_mix_rows(town["stock"].corporation.pk, REFERENCE_DATE)
    (buurt,) = neighbourhood_rows(rows)
    assert buurt.complexes == 3 and buurt.households == 32
    assert buurt.counts.vulnerable == 9
    assert buurt.profile.max_vulnerable_share == Decimal("0.35")


def test_room_for_a_vulnerable_household(town):
    rows = rows_by_code(town["stock"].corporation)
    assert room_for_vulnerable(rows["A-HOT"]).answer == RoomAnswer.NO
    assert room_for_vulnerable(rows["A-CALM"]).answer == RoomAnswer.YES
    # A-C1: 1 of 2 marked, 50% >= 35%: no.
    assert room_for_vulnerable(rows["A-C1"]).answer == RoomAnswer.NO


def test_a_profile_decided_for_a_later_date_applies_from_that_date(town, bob):
    from buurtbalans.steering.services import complex_profile_decide

    hot, corporation = town["hot"].complex, town["stock"].corporation
    mix = {"extra_attention": Decimal("0.35"), "carrying": Decimal("0.15"), "regular": Decimal("0.5")}
    for decided_on, maximum in ((date(2025, 1, 1), "0.45"), (date(2025, 9, 1), "0.20")):
        complex_profile_decide(
            corporation=corporation, actor=bob, complex_=hot, target_mix=mix, max_vulnerable_share=Decimal(maximum),
            max_primary_share=Decimal("0.75"), decided_on=decided_on,
        )  # fmt: skip
    (now,) = complex_mix_rows(corporation.pk, REFERENCE_DATE, complex_ids=[hot.pk])
    (later,) = complex_mix_rows(corporation.pk, date(2025, 10, 1), complex_ids=[hot.pk])
    assert (now.profile.max_vulnerable_share, later.profile.max_vulnerable_share) == (Decimal("0.45"), Decimal("0.2"))
