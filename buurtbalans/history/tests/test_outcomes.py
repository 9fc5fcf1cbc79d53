"""The outcomes per complex per year the evaluation reads (history.outcomes), counted on a small known stock."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from buurtbalans.history.models import HouseholdIncomeBand
from buurtbalans.history.outcomes import (
    owned_share_by_year,
    share_by_year,
    signals_per_100_by_year,
    turnover_by_year,
)
from buurtbalans.history.selectors import vitality_on
from buurtbalans.history.services import history_record
from buurtbalans.households.models import Tenancy
from buurtbalans.liveability.models import ComplexVitality, Signal, SupportNeed
from buurtbalans.portfolio.models import Dwelling, DwellingStatus

pytestmark = pytest.mark.django_db
YEARS = (2022, 2023, 2024, 2025)


@pytest.fixture
def stock(stock_a, stock_b):
    """make_stock: A-D1 let to A-H1 (1 person, 21,000, marker from 2024), A-D2 to A-H2 (3 persons, 52,000), A-D3
    vacant; tenancies from 2020, incomes of 2025. History from 1 January 2023; A-D3 sold on 1 March 2024."""
    for corporation in (stock_a.corporation, stock_b.corporation):
        history_record(corporation=corporation, as_of=date(2023, 1, 1), source="test")
    Dwelling.objects.filter(pk=stock_a.dwellings[2].pk).update(status=DwellingStatus.SOLD)
    history_record(corporation=stock_a.corporation, as_of=date(2024, 3, 1), source="test")
    return stock_a


def test_share_v_counts_markers_valid_on_the_first_of_january(stock):
    assert share_by_year(stock.corporation, YEARS, "V") == {stock.complex.pk: {2022: 0.0, 2023: 0.0, 2024: 0.5,
                                                                               2025: 0.5}}


def test_share_p_counts_the_primary_band_of_the_years_income_history_without_v(stock):
    # The recorded bands are of income year 2025: A-H1 primary but marked, A-H2 secondary.
    assert share_by_year(stock.corporation, YEARS, "P") == {stock.complex.pk: {2025: 0.0}}
    # An income of 2023 in the primary band counts from 2023 on, until a later income year says otherwise.
    HouseholdIncomeBand.objects.create(corporation=stock.corporation, household=stock.households[1], year=2023,
                                       band="primary")
    assert share_by_year(stock.corporation, YEARS, "P") == {stock.complex.pk: {2023: 0.5, 2024: 0.5, 2025: 0.0}}


def test_turnover_is_tenancies_ended_in_the_year_per_household_on_the_first_of_january(stock):
    Tenancy.objects.filter(pk=stock.tenancies[1].pk).update(end_date=date(2024, 6, 30))
    assert turnover_by_year(stock.corporation, YEARS) == {stock.complex.pk: {2022: 0.0, 2023: 0.0, 2024: 0.5,
                                                                             2025: 0.0}}


def test_signals_per_100_dwellings_not_sold_on_the_first_of_january(stock):
    for day in (date(2024, 5, 1), date(2024, 12, 31)):
        Signal.objects.create(corporation=stock.corporation, complex=stock.complex, kind="nuisance", reported_on=day,
                              recorded_by_name="t")
    SupportNeed.objects.create(corporation=stock.corporation, complex=stock.complex, reported_on=date(2025, 2, 1),
                               recorded_by_name="t")
    result = signals_per_100_by_year(stock.corporation, YEARS)
    # No status history on 1 January 2022: that year is unknown. In 2025 A-D3 is sold: 2 dwellings left.
    assert result == {stock.complex.pk: {2023: 0.0, 2024: pytest.approx(200 / 3), 2025: 50.0}}


def test_owned_share_follows_the_ownership_history(stock):
    assert owned_share_by_year(stock.corporation, YEARS) == {stock.complex.pk: {2023: 1.0, 2024: pytest.approx(2 / 3),
                                                                                2025: pytest.approx(2 / 3)}}


def test_vitality_on_gives_the_last_measurement_of_the_year(stock):
    for day, score in ((date(2024, 6, 30), 50.0), (date(2024, 12, 31), 60.0), (date(2025, 12, 31), 65.0)):
        ComplexVitality.objects.create(corporation=stock.corporation, complex=stock.complex, reference_date=day,
                                       score=score, parts={"turnover_rate": {"sub_score": 80}}, computed=timezone.now())
    on = vitality_on(stock.corporation, 2024)
    assert (on[stock.complex.pk].reference_date, on[stock.complex.pk].score) == (date(2024, 12, 31), 60.0)
    assert on[stock.complex.pk].parts == {"turnover_rate": {"sub_score": 80}}
    assert vitality_on(stock.corporation, 2023) == {}


def test_outcomes_never_hold_another_corporations_complexes(stock, stock_b):
    for outcome in (turnover_by_year, signals_per_100_by_year, owned_share_by_year):
        assert set(outcome(stock.corporation, YEARS)) == {stock.complex.pk}
        assert set(outcome(stock_b.corporation, YEARS)) == {stock_b.complex.pk}
    assert set(share_by_year(stock_b.corporation, YEARS, "V")) == {stock_b.complex.pk}


def test_an_unknown_kind_is_refused(stock):
    with pytest.raises(ValueError, match="V, P"):
        share_by_year(stock.corporation, YEARS, "X")
