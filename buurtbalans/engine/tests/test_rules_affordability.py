"""Passend toewijzen: every year 2021-2026 and household type, the cap and the income limit to the cent."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from buurtbalans.engine.parameters import builtin_parameter_set
from buurtbalans.engine.rules import FitOutcome, HouseholdFacts, RentBasis, RentFacts, affordability_fit

CENT = Decimal("0.01")
YEARS = range(2021, 2027)
# (household size, pension age, allowance income limit suffix, cap)
HOUSEHOLD_TYPES = [
    (1, False, "single", "allowance_cap_low"),
    (2, False, "multi", "allowance_cap_low"),
    (3, False, "multi", "allowance_cap_high"),
    (6, False, "multi", "allowance_cap_high"),
    (1, True, "single_pension", "allowance_cap_low"),
    (2, True, "multi_pension", "allowance_cap_low"),
    (4, True, "multi_pension", "allowance_cap_high"),
]
CASES = [(year, *kind) for year in YEARS for kind in HOUSEHOLD_TYPES]


def fit(params, size, pension, income, rent, assets=None, **kwargs):
    facts = HouseholdFacts(size, Decimal(income), pension, None if assets is None else Decimal(assets))
    return affordability_fit(facts, RentFacts(Decimal(rent), kwargs.pop("allowance_rent", None)), params, **kwargs)


@pytest.mark.parametrize(("year", "size", "pension", "kind", "cap_name"), CASES)
def test_rent_at_the_cap_fits_and_a_cent_more_does_not(year, size, pension, kind, cap_name):
    params = builtin_parameter_set(date(year, 4, 1))
    limit = getattr(params, f"allowance_income_limit_{kind}")
    cap = getattr(params, cap_name)
    if limit is None:
        decision = fit(params, size, pension, "1000", "100")
        assert decision.outcome is None and decision.missing_parameter == f"allowance_income_limit_{kind}"
        return
    if cap is None:  # a year whose caps are not known (none since 2026's were published)
        decision = fit(params, size, pension, limit, "100")
        assert decision.outcome is None and decision.reason == f"parameter missing: {cap_name}"
        return
    assert fit(params, size, pension, limit, cap).outcome is FitOutcome.FIT
    assert fit(params, size, pension, limit, cap + CENT).outcome is FitOutcome.NOT_FIT
    assert fit(params, size, pension, "0", "0").outcome is FitOutcome.FIT


@pytest.mark.parametrize(("year", "size", "pension", "kind", "cap_name"), CASES)
def test_income_a_cent_above_the_limit_is_not_applicable_even_when_the_cap_is_missing(
    year, size, pension, kind, cap_name
):
    params = builtin_parameter_set(date(year, 4, 1))
    limit = getattr(params, f"allowance_income_limit_{kind}")
    if limit is None:
        return
    decision = fit(params, size, pension, limit + CENT, "2000")
    assert decision.outcome is FitOutcome.NOT_APPLICABLE
    assert "above the allowance income limit" in decision.reason


@pytest.mark.parametrize(
    ("size", "rent", "outcome"),
    [
        (2, "682.96", FitOutcome.FIT),
        (2, "682.97", FitOutcome.NOT_FIT),
        (3, "682.97", FitOutcome.FIT),
        (3, "731.93", FitOutcome.FIT),
        (3, "731.94", FitOutcome.NOT_FIT),
    ],
)
def test_two_persons_use_the_low_cap_and_three_the_high_cap(size, rent, outcome):
    assert fit(builtin_parameter_set(date(2025, 6, 1)), size, False, "20000", rent).outcome is outcome


def test_the_reason_names_the_rent_and_the_cap():
    decision = fit(builtin_parameter_set(date(2025, 6, 1)), 2, False, "20000", "700")
    assert decision.reason.startswith("base rent €700.00 is above the low cap €682.96")
    assert decision.rent_cap == Decimal("682.96") and decision.income_limit == Decimal("38500")


def test_pension_age_household_with_assets_above_the_2022_threshold_is_excepted():
    params = builtin_parameter_set(date(2022, 6, 1))
    rich = fit(params, 1, True, "20000", "700", assets="118479.01")
    assert rich.outcome is FitOutcome.NOT_APPLICABLE and rich.is_assets_exception
    at_threshold = fit(params, 1, True, "20000", "700", assets="118479")
    assert at_threshold.outcome is FitOutcome.NOT_FIT
    assert fit(params, 2, True, "20000", "700", assets="148819.01").outcome is FitOutcome.NOT_APPLICABLE
    # Under the cap the exception is not needed: the letting fits.
    assert fit(params, 1, True, "20000", "600", assets="500000").outcome is FitOutcome.FIT
    # Not pension age: assets do not matter.
    assert fit(params, 1, False, "20000", "700", assets="500000").outcome is FitOutcome.NOT_FIT


def test_the_assets_exception_does_not_exist_in_2021_and_its_threshold_is_unknown_from_2023():
    in_2021 = fit(builtin_parameter_set(date(2021, 6, 1)), 1, True, "20000", "700", assets="500000")
    assert in_2021.outcome is FitOutcome.NOT_FIT
    unknown = fit(builtin_parameter_set(date(2023, 6, 1)), 1, True, "20000", "700", assets="500000")
    assert unknown.outcome is None and unknown.missing_parameter == "pension_assets_limit_single"
    # Without known assets the ordinary test applies.
    assert fit(builtin_parameter_set(date(2023, 6, 1)), 1, True, "20000", "700").outcome is FitOutcome.NOT_FIT


def test_a_missing_cap_is_named_and_never_guessed():
    # 2026 as it was before its caps were published.
    params = replace(builtin_parameter_set(date(2026, 6, 1)), allowance_cap_low=None, allowance_cap_high=None)
    decision = fit(params, 2, False, "20000", "500")
    assert decision.outcome is None and decision.reason == "parameter missing: allowance_cap_low"
    assert fit(params, 3, False, "20000", "500").missing_parameter == "allowance_cap_high"


def test_the_tested_rent_is_the_base_rent_unless_the_allowance_rent_is_asked_for():
    params = builtin_parameter_set(date(2025, 6, 1))
    base = fit(params, 1, False, "20000", "680", allowance_rent=Decimal("700"))
    assert base.outcome is FitOutcome.FIT and base.rent_basis is RentBasis.BASE_RENT
    allowance = fit(
        params, 1, False, "20000", "680", allowance_rent=Decimal("700"), rent_basis=RentBasis.ALLOWANCE_RENT
    )
    assert allowance.outcome is FitOutcome.NOT_FIT and allowance.tested_rent == Decimal("700")
    with pytest.raises(ValueError, match="allowance rent"):
        fit(params, 1, False, "20000", "680", rent_basis=RentBasis.ALLOWANCE_RENT)


def test_outcomes_carry_the_vera_codes():
    assert [o.vera_code for o in FitOutcome] == ["PAS", "NIE", "NVT"]


@given(
    year=st.sampled_from(list(YEARS)),
    kind=st.sampled_from(HOUSEHOLD_TYPES),
    income=st.integers(0, 60_000_00),
    rent=st.integers(0, 1_200_00),
    assets=st.one_of(st.none(), st.integers(0, 300_000)),
)
def test_fit_means_income_under_the_limit_and_rent_within_the_cap(year, kind, income, rent, assets):
    size, pension, limit_kind, cap_name = kind
    params = builtin_parameter_set(date(year, 6, 1))
    decision = fit(params, size, pension, Decimal(income) / 100, Decimal(rent) / 100, assets=assets)
    if decision.outcome is FitOutcome.FIT:
        assert Decimal(rent) / 100 <= getattr(params, cap_name)
        assert Decimal(income) / 100 <= getattr(params, f"allowance_income_limit_{limit_kind}")
    if decision.outcome is FitOutcome.NOT_FIT:
        assert Decimal(rent) / 100 > getattr(params, cap_name)
    if decision.outcome is None:
        assert decision.missing_parameters and decision.missing_parameter in params.missing_parameters()
