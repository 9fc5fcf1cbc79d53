"""The overview's corporation totals are cached, and never outlive a write to what they count (issue 12 item 7)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from buurtbalans.households.models import Household, Tenancy, VulnerabilityKind, VulnerabilityMarker
from buurtbalans.households.selectors import income_band_limits
from buurtbalans.portfolio.models import (
    STOCK_CHANGE_COMPACT_FROM,
    Dwelling,
    DwellingStatus,
    StockChange,
    StockSummaryCache,
)
from buurtbalans.portfolio.selectors import _stock_totals, stock_summary

pytestmark = pytest.mark.django_db

TODAY = date(2025, 6, 1)


def fresh(stock, day: date = TODAY) -> dict:
    return _stock_totals(stock.corporation.pk, day, income_band_limits(day).parameters)


def shown(user) -> dict:
    summary = stock_summary(user, reference_date=TODAY)
    return {
        "dwellings_by_status": summary.dwellings_by_status,
        "households_registered": summary.households_registered,
        "composition": summary.composition,
    }


def test_the_totals_are_counted_once_and_then_read_from_the_cache(stock_a, bob, django_assert_max_num_queries):
    first = shown(bob)
    assert first == fresh(stock_a)
    assert first["composition"]["household_count"] == 2
    with django_assert_max_num_queries(3):  # the user's membership, the limits, the log and the cached row
        assert shown(bob) == first


WRITES = {
    "an income changes": lambda stock: Household.objects.filter(corporation=stock.corporation).update(
        assessed_income=Decimal("150000")
    ),
    "a tenancy ends": lambda stock: Tenancy.objects.filter(household=stock.households[0]).update(
        end_date=TODAY - timedelta(days=1)
    ),
    "a marker is recorded": lambda stock: VulnerabilityMarker.objects.create(
        corporation=stock.corporation, household=stock.households[1],
        kind=VulnerabilityKind.objects.get(corporation=None, code="shelter_outflow"), source="test",
        valid_from=TODAY - timedelta(days=10),
    ),
    "a dwelling is let": lambda stock: Dwelling.objects.filter(
        corporation=stock.corporation, status=DwellingStatus.VACANT
    ).update(status=DwellingStatus.OCCUPIED),
    "households are imported": lambda stock: Household.objects.bulk_create(
        [Household(corporation=stock.corporation, external_id=f"NEW-{i}", size=1, adults=1) for i in range(3)]
    ),
    "a household is removed": lambda stock: Household.objects.filter(pk=stock.households[1].pk).delete(),
}


@pytest.mark.parametrize("write", WRITES, ids=list(WRITES))
def test_a_write_to_what_is_counted_is_seen_at_once(stock_a, bob, write):
    before = shown(bob)
    WRITES[write](stock_a)
    after = shown(bob)
    assert after == fresh(stock_a)
    assert after != before


def test_another_day_is_counted_again(stock_a, bob):
    shown(bob)
    later = stock_summary(bob, reference_date=TODAY + timedelta(days=400))
    assert later.composition == fresh(stock_a, TODAY + timedelta(days=400))["composition"]
    # One row per corporation: the other day's figures made way.
    assert StockSummaryCache.objects.filter(corporation=stock_a.corporation).count() == 1


def test_compacting_the_log_keeps_its_sum(stock_a):
    StockChange.objects.bulk_create([StockChange(n=1) for _ in range(STOCK_CHANGE_COMPACT_FROM)])
    version = StockChange.objects.version()
    StockChange.objects.compact()
    assert StockChange.objects.version() == version
    assert StockChange.objects.count() == 1


def test_a_corporation_without_tenants_still_has_its_dwellings_counted(stock_a, bob):
    Tenancy.objects.filter(corporation=stock_a.corporation).delete()
    summary = stock_summary(bob, reference_date=TODAY)
    assert summary.households_housed == 0
    assert summary.dwellings_by_status == {"occupied": 2, "vacant": 1}
    assert summary.households_registered == 2
