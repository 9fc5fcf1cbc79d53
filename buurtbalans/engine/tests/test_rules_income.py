"""Income band and DAEB target group: every year 2021-2026, every household type, boundaries to the cent."""

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from buurtbalans.engine.parameters import builtin_parameter_set
from buurtbalans.engine.rules import HouseholdFacts, IncomeBand, daeb_target_group, income_band

CENT = Decimal("0.01")
YEARS = range(2021, 2027)
# (household size, pension age, suffix of the allowance income limit)
HOUSEHOLD_TYPES = [(1, False, "single"), (3, False, "multi"), (1, True, "single_pension"), (2, True, "multi_pension")]
CASES = [(year, *kind) for year in YEARS for kind in HOUSEHOLD_TYPES]


def household(size, pension, income):
    return HouseholdFacts(household_size=size, assessed_income=Decimal(income), is_pension_age_household=pension)


@pytest.mark.parametrize(("year", "size", "pension", "kind"), CASES)
def test_income_at_the_allowance_limit_is_primary_and_a_cent_more_is_secondary(year, size, pension, kind):
    params = builtin_parameter_set(date(year, 3, 1))
    limit = getattr(params, f"allowance_income_limit_{kind}")
    if limit is None:  # 2021 multi, 2024 multi pension: unknown, so no band either side of it
        decision = income_band(household(size, pension, "20000"), params)
        assert decision.band is None and decision.missing_parameter == f"allowance_income_limit_{kind}"
        assert decision.reason == f"parameter missing: allowance_income_limit_{kind}"
        return
    assert income_band(household(size, pension, limit), params).band is IncomeBand.PRIMARY
    assert income_band(household(size, pension, 0), params).band is IncomeBand.PRIMARY
    assert income_band(household(size, pension, limit + CENT), params).band is IncomeBand.SECONDARY


@pytest.mark.parametrize(("year", "size", "pension", "kind"), CASES)
def test_income_at_the_daeb_limit_is_secondary_and_a_cent_more_needs_the_middle_limit(year, size, pension, kind):
    params = builtin_parameter_set(date(year, 3, 1))
    daeb_name = "daeb_income_limit_single" if size == 1 else "daeb_income_limit_multi"
    daeb = getattr(params, daeb_name)
    at_limit = income_band(household(size, pension, daeb), params)
    if getattr(params, f"allowance_income_limit_{kind}") is None:
        assert at_limit.band is None
    else:
        assert at_limit.band is IncomeBand.SECONDARY
    above = income_band(household(size, pension, daeb + CENT), params)
    middle_name = "middle_income_limit_single" if size == 1 else "middle_income_limit_multi"
    middle = getattr(params, middle_name)
    if middle is None:
        assert above.band is None and above.missing_parameters == (middle_name,)
    else:
        assert above.band is IncomeBand.MIDDLE
        assert income_band(household(size, pension, middle), params).band is IncomeBand.MIDDLE
        assert income_band(household(size, pension, middle + CENT), params).band is IncomeBand.HIGH


@pytest.mark.parametrize(
    ("size", "income", "band"),
    [
        (1, "28375.00", IncomeBand.PRIMARY),
        (1, "28375.01", IncomeBand.SECONDARY),
        (1, "49669.00", IncomeBand.SECONDARY),
        (1, "49669.01", IncomeBand.MIDDLE),
        (1, "67366.00", IncomeBand.MIDDLE),
        (1, "67366.01", IncomeBand.HIGH),
        (4, "38500.00", IncomeBand.PRIMARY),
        (4, "54847.01", IncomeBand.MIDDLE),
        (4, "89821.01", IncomeBand.HIGH),
    ],
)
def test_2025_bands_with_the_published_figures(size, income, band):
    assert income_band(household(size, False, income), builtin_parameter_set(date(2025, 6, 1))).band is band


@pytest.mark.parametrize(("year", "size", "pension", "kind"), CASES)
def test_daeb_target_group_includes_the_limit_and_excludes_a_cent_more(year, size, pension, kind):
    params = builtin_parameter_set(date(year, 3, 1))
    limit = params.daeb_income_limit(size)
    assert daeb_target_group(household(size, pension, limit), params).is_daeb_target_group is True
    assert daeb_target_group(household(size, pension, limit + CENT), params).is_daeb_target_group is False


def test_from_2022_the_daeb_limit_differs_for_one_and_more_persons():
    params = builtin_parameter_set(date(2022, 5, 1))
    assert daeb_target_group(household(1, False, "42000"), params).is_daeb_target_group is False
    assert daeb_target_group(household(2, False, "42000"), params).is_daeb_target_group is True


def test_2021_lettings_between_the_daeb_limit_and_the_extended_limit_do_not_use_the_free_room():
    params = builtin_parameter_set(date(2021, 5, 1))
    middle_band = daeb_target_group(household(2, False, "44655"), params)
    assert (middle_band.is_daeb_target_group, middle_band.uses_free_room) == (False, False)
    free = daeb_target_group(household(2, False, "44655.01"), params)
    assert (free.is_daeb_target_group, free.uses_free_room) == (False, True)
    from_2022 = daeb_target_group(household(2, False, "45014.01"), builtin_parameter_set(date(2022, 1, 1)))
    assert from_2022.uses_free_room is True


def test_a_missing_limit_is_named_and_the_other_decisions_still_answer():
    params = builtin_parameter_set(date(2021, 9, 1))  # multi-person allowance income limit unknown in 2021
    multi = household(2, False, "30000")
    assert income_band(multi, params).missing_parameters == ("allowance_income_limit_multi",)
    assert daeb_target_group(multi, params).is_daeb_target_group is True
    # A known higher limit already rules the lower bands out: only the middle limit is missing then.
    assert income_band(household(2, False, "42000"), params).missing_parameters == ("middle_income_limit_multi",)


def test_decisions_record_the_parameter_version():
    params = builtin_parameter_set(date(2024, 2, 1))
    assert income_band(household(1, False, "1000"), params).parameter_version == params.version
    assert daeb_target_group(household(1, False, "1000"), params).parameter_version == params.version


ORDER = list(IncomeBand)


@given(
    year=st.sampled_from(list(YEARS)),
    kind=st.sampled_from(HOUSEHOLD_TYPES),
    incomes=st.lists(st.integers(min_value=0, max_value=150_000_00), min_size=2, max_size=2),
)
def test_income_band_never_falls_when_income_rises(year, kind, incomes):
    size, pension, _ = kind
    params = builtin_parameter_set(date(year, 6, 1))
    low, high = sorted(Decimal(i) / 100 for i in incomes)
    band_low = income_band(household(size, pension, low), params).band
    band_high = income_band(household(size, pension, high), params).band
    if band_low is not None and band_high is not None:
        assert ORDER.index(band_low) <= ORDER.index(band_high)


@given(year=st.sampled_from(list(YEARS)), size=st.integers(1, 8), income=st.integers(0, 150_000_00))
def test_primary_and_secondary_households_are_in_the_daeb_target_group(year, size, income):
    params = builtin_parameter_set(date(year, 6, 1))
    facts = household(size, False, Decimal(income) / 100)
    band = income_band(facts, params).band
    if band in (IncomeBand.PRIMARY, IncomeBand.SECONDARY):
        assert daeb_target_group(facts, params).is_daeb_target_group is True
    if band in (IncomeBand.MIDDLE, IncomeBand.HIGH):
        assert daeb_target_group(facts, params).is_daeb_target_group is False


def test_a_household_needs_a_size_and_a_non_negative_income():
    with pytest.raises(ValueError):
        household(0, False, "100")
    with pytest.raises(ValueError):
        household(1, False, "-0.01")
