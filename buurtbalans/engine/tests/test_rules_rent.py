"""Rent class and maximum rent from WWS points, and the woningwaardering adapter."""

import decimal
import warnings
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from buurtbalans.engine.parameters import builtin_parameter_set
from buurtbalans.engine.rules import RentClass, maximum_rent, rent_class, round_wws_points

EXAMPLE_EENHEID = Path(__file__).resolve().parent / "data" / "eenheid_small_apartment.json"
CENT = Decimal("0.01")


@pytest.mark.parametrize(
    ("rent", "klass"),
    [
        ("477.19", RentClass.CHEAP),
        ("477.20", RentClass.AFFORDABLE),
        ("731.92", RentClass.AFFORDABLE),
        ("731.93", RentClass.EXPENSIVE),  # VERA: "op of boven de aftoppingsgrens (hoog)" is duur
        ("900.06", RentClass.EXPENSIVE),
        ("900.07", RentClass.ABOVE_ALLOWANCE_LIMIT),
    ],
)
def test_rent_class_2025_boundaries(rent, klass):
    assert rent_class(Decimal(rent), builtin_parameter_set(date(2025, 2, 1))).rent_class is klass


@pytest.mark.parametrize("year", range(2021, 2027))
def test_rent_class_every_year_at_the_daeb_rent_limit(year):
    params = builtin_parameter_set(date(year, 2, 1))
    limit = params.daeb_rent_limit
    assert rent_class(limit, params).rent_class is RentClass.ABOVE_ALLOWANCE_LIMIT
    below = rent_class(limit - CENT, params)
    if params.allowance_cap_high is None:  # a year whose caps are not known (none since 2026's were published)
        assert below.rent_class is None and below.missing_parameters == ("allowance_cap_high",)
    else:
        assert below.rent_class is RentClass.EXPENSIVE


def test_rent_class_without_the_quality_discount_limit_still_answers_above_the_high_cap():
    params = builtin_parameter_set(date(2024, 2, 1))  # quality discount limit unknown
    assert rent_class(Decimal("400"), params).missing_parameters == ("quality_discount_limit",)
    assert rent_class(Decimal("700"), params).rent_class is RentClass.EXPENSIVE
    assert RentClass.EXPENSIVE.vera_code == "DUU"


@pytest.mark.parametrize(
    ("points", "reference_date", "amount", "rule"),
    [
        ("143", date(2025, 1, 1), "900.07", "table"),
        ("143", date(2025, 12, 31), "900.07", "table"),
        ("143", date(2026, 1, 1), "932.93", "table"),
        ("186", date(2026, 6, 1), "1228.07", "table"),
        ("142.49", date(2026, 6, 1), "925.98", "table"),  # rounds down to 142
        ("142.5", date(2026, 6, 1), "932.93", "table"),  # half a point rounds up to 143
        ("12", date(2026, 6, 1), "250.26", "below_table"),  # the 40-point amount
        ("252", date(2026, 6, 1), "1681.12", "above_table"),  # 1667.40 + 2 x (1667.40 - 1660.54)
    ],
)
def test_maximum_rent_from_points(points, reference_date, amount, rule):
    decision = maximum_rent(Decimal(points), reference_date)
    assert (decision.maximum_rent, decision.rule) == (Decimal(amount), rule)


def test_maximum_rent_before_2025_is_a_missing_table():
    decision = maximum_rent(Decimal("143"), date(2024, 12, 31))
    assert decision.maximum_rent is None and decision.missing_parameters == ("wws_maximum_rent_table",)


def test_points_round_half_up():
    assert [round_wws_points(Decimal(p)) for p in ("0.49", "0.5", "99.5", "100.4999")] == [0, 1, 100, 100]
    with pytest.raises(ValueError):
        maximum_rent(Decimal("-1"), date(2026, 1, 1))


@given(
    points=st.lists(st.decimals(min_value=0, max_value=400, places=2), min_size=2, max_size=2),
    year=st.sampled_from([2025, 2026]),
)
def test_maximum_rent_never_falls_when_points_rise(points, year):
    low, high = sorted(points)
    reference = date(year, 7, 1)
    assert maximum_rent(low, reference).maximum_rent <= maximum_rent(high, reference).maximum_rent


def test_woningwaardering_values_a_small_eenheid_and_leaves_the_process_as_it_was():
    from buurtbalans.engine.rules.wws import wws_points_for_eenheid

    context_before = decimal.getcontext().prec
    filters_before = list(warnings.filters)
    valuation = wws_points_for_eenheid(EXAMPLE_EENHEID.read_text(), date(2026, 3, 1))
    assert valuation.points == Decimal("117")
    assert valuation.warnings == ()
    # Our own table gives the same maximum rent as the package for the same points.
    assert maximum_rent(valuation.points, date(2026, 3, 1)).maximum_rent == valuation.package_maximum_rent
    assert valuation.package_maximum_rent == Decimal("754.37")
    assert decimal.getcontext().prec == context_before
    assert warnings.filters == filters_before


def test_woningwaardering_refuses_a_date_outside_its_year_and_bad_json():
    from buurtbalans.engine.rules.wws import wws_points_for_eenheid

    with pytest.raises(ValueError, match="2026"):
        wws_points_for_eenheid(EXAMPLE_EENHEID.read_text(), date(2025, 6, 1))
    with pytest.raises(ValueError, match="Eenheid"):
        wws_points_for_eenheid('{"id": 12, "ruimten": "none"}', date(2026, 6, 1))
