"""The income bands' ranges (`income_band_ranges`): the one definition `income_band` and the database counts share."""

from datetime import date
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from buurtbalans.engine.parameters import ParameterSet
from buurtbalans.engine.rules import HouseholdFacts, IncomeBand, income_band
from buurtbalans.engine.rules.income import HOUSEHOLD_TYPES, income_band_limit_names, income_band_ranges

LIMIT_NAMES = (
    "allowance_income_limit_single",
    "allowance_income_limit_multi",
    "allowance_income_limit_single_pension",
    "allowance_income_limit_multi_pension",
    "daeb_income_limit_single",
    "daeb_income_limit_multi",
    "middle_income_limit_single",
    "middle_income_limit_multi",
)
amounts = st.decimals(min_value=0, max_value=Decimal("150000"), places=2, allow_nan=False, allow_infinity=False)
parameter_sets = st.fixed_dictionaries({name: st.one_of(st.none(), amounts) for name in LIMIT_NAMES}).map(
    lambda values: ParameterSet(valid_from=date(2026, 1, 1), version="test", **values)
)


def test_each_household_size_belongs_to_exactly_one_type_with_the_same_limits():
    for size in range(1, 13):
        for pension in (False, True):
            (household_type,) = [
                t
                for t in HOUSEHOLD_TYPES
                if t.is_pension_age_household == pension
                and t.min_size <= size
                and (t.max_size is None or size <= t.max_size)
            ]
            assert income_band_limit_names(household_type.min_size, pension) == income_band_limit_names(size, pension)


def test_with_every_limit_known_the_bands_run_from_nothing_through_each_limit_to_everything():
    params = ParameterSet(
        valid_from=date(2026, 1, 1),
        version="test",
        allowance_income_limit_single=Decimal("30000.00"),
        daeb_income_limit_single=Decimal("47000.00"),
        middle_income_limit_single=Decimal("60000.00"),
    )
    ranges = income_band_ranges(params, 1, False)
    assert [(r.band, r.above, r.up_to) for r in ranges] == [
        (IncomeBand.PRIMARY, None, Decimal("30000.00")),
        (IncomeBand.SECONDARY, Decimal("30000.00"), Decimal("47000.00")),
        (IncomeBand.MIDDLE, Decimal("47000.00"), Decimal("60000.00")),
        (IncomeBand.HIGH, Decimal("60000.00"), None),
    ]


def test_a_missing_limit_leaves_out_both_bands_beside_it():
    params = ParameterSet(
        valid_from=date(2026, 1, 1),
        version="test",
        allowance_income_limit_multi=Decimal("40000.00"),
        middle_income_limit_multi=Decimal("60000.00"),
    )
    assert [r.band for r in income_band_ranges(params, 3, False)] == [IncomeBand.PRIMARY, IncomeBand.HIGH]


@given(params=parameter_sets, size=st.integers(1, 8), pension=st.booleans(), income=amounts)
def test_an_income_lies_in_at_most_one_range_and_gets_that_band_or_names_a_missing_limit(params, size, pension, income):
    containing = [r.band for r in income_band_ranges(params, size, pension) if r.contains(income)]
    assert len(containing) <= 1
    household = HouseholdFacts(household_size=size, assessed_income=income, is_pension_age_household=pension)
    decision = income_band(household, params)
    assert decision.band == (containing[0] if containing else None)
    limits = [getattr(params, name) for name in income_band_limit_names(size, pension)]
    if None not in limits and limits == sorted(limits):
        assert decision.band is not None  # with every limit known and rising, every income has a band
    known = [v for v in limits if v is not None]
    if decision.band is None and known == sorted(known):
        assert decision.missing_parameters  # never "no band" without saying which limit is missing
