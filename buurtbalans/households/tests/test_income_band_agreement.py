"""The income band has one definition: the database counts put every household in the band the engine gives it.

`income_band_conditions` (the ORM filters the overview, complex and buurt pages count with) is generated from the
engine's `income_band_ranges`; these tests annotate real Household rows with those filters and compare each row
with `household_band` (the engine's `income_band`), on whichever database the suite runs on (SQLite or
PostgreSQL). Each row must match at most one band's filter, and exactly the engine's band.
"""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from django.db.models import Case, IntegerField, Value, When
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from buurtbalans.engine.parameters import ParameterSet
from buurtbalans.engine.rules.income import HOUSEHOLD_TYPES, income_band_limit_names
from buurtbalans.households.models import Household
from buurtbalans.households.selectors import INCOME_BANDS, household_band, income_band_case, income_band_conditions
from buurtbalans.rules.parameters import parameters_for

CENT = Decimal("0.01")
YEARS = range(2021, 2027)
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


def database_bands(params: ParameterSet | None) -> dict[int, str]:
    """Each household's band as the database counts it; fails when a row matches two bands' filters."""
    conditions = income_band_conditions(params)
    flags = {
        f"in_{band}": Case(When(q, then=Value(1)), default=Value(0), output_field=IntegerField())
        for band, q in conditions.items()
        if q is not None
    }
    result = {}
    for row in Household.objects.annotate(**flags).values("pk", *flags):
        matched = [band for band in INCOME_BANDS[:-1] if row.get(f"in_{band}") == 1]
        assert len(matched) <= 1, f"household {row['pk']} matches the filters of {matched}"
        result[row["pk"]] = matched[0] if matched else "unknown"
    return result


def case_bands(params: ParameterSet | None) -> dict[int, str]:
    """Each household's band as the nested CASE (`income_band_case`, the composition counts) gives it."""
    return dict(Household.objects.annotate(band=income_band_case(params)).values_list("pk", "band"))


def assert_bands_agree(params: ParameterSet | None) -> None:
    in_database = database_bands(params)
    assert case_bands(params) == in_database  # the CASE column and the filters count the same
    households = list(Household.objects.all())
    assert households
    for household in households:
        expected = household_band(household, params)
        assert in_database[household.pk] == expected, (
            f"size {household.size}, pension {household.is_pension_age_household}, "
            f"income {household.assessed_income}: engine {expected}, database {in_database[household.pk]}"
        )


def store_households(corporation, households) -> None:
    """Replace the corporation's households with (size, pension age, income) triples."""
    Household.objects.all().delete()
    Household.objects.bulk_create(
        Household(
            corporation=corporation,
            external_id=f"H{i}",
            size=size,
            adults=1,
            children=size - 1,
            is_pension_age_household=pension,
            assessed_income=income,
        )
        for i, (size, pension, income) in enumerate(households)
    )


def boundary_households(params: ParameterSet) -> list[tuple[int, bool, Decimal | None]]:
    """For every household type: each known limit exactly, a cent below and above; zero; unknown income."""
    households = []
    for household_type in HOUSEHOLD_TYPES:
        pension = household_type.is_pension_age_household
        for size in {household_type.min_size, household_type.min_size + 2}:
            households += [(size, pension, None), (size, pension, Decimal("0.00"))]
            for name in income_band_limit_names(size, pension):
                limit = getattr(params, name)
                if limit is not None:
                    households += [(size, pension, limit - CENT), (size, pension, limit), (size, pension, limit + CENT)]
    return households


def parameter_sets() -> list[tuple[str, ParameterSet]]:
    """Every year's parameters, and each year with each income limit missing in turn."""
    sets = []
    for year in YEARS:
        params = parameters_for(date(year, 3, 1))
        sets.append((str(year), params))
        sets += [(f"{year} without {name}", replace(params, **{name: None})) for name in LIMIT_NAMES]
    return sets


@pytest.mark.django_db
def test_every_boundary_of_every_year_gets_the_same_band_in_python_and_in_the_database(corporation_a):
    for label, params in parameter_sets():
        full = parameters_for(date(int(label[:4]), 3, 1))
        # The boundaries of the complete year, so a missing limit is also probed where it would have been.
        store_households(corporation_a, boundary_households(full) + boundary_households(params))
        try:
            assert_bands_agree(params)
        except AssertionError as error:
            raise AssertionError(f"{label}: {error}") from error


@pytest.mark.django_db
def test_a_year_without_parameters_puts_every_household_in_unknown_in_both(corporation_a):
    store_households(corporation_a, [(1, False, Decimal("20000.00")), (3, True, None), (2, False, Decimal("0.00"))])
    assert set(database_bands(None).values()) == {"unknown"}
    assert_bands_agree(None)


amounts = st.decimals(min_value=0, max_value=Decimal("150000"), places=2, allow_nan=False, allow_infinity=False)
limits = st.one_of(st.none(), amounts)


@st.composite
def random_parameter_sets(draw) -> ParameterSet:
    """Limits rising as the law has them, or in any order as an administrator might enter them; any missing."""
    values = {name: draw(limits) for name in LIMIT_NAMES}
    if draw(st.booleans()):
        for kind in ("single", "multi"):
            allowance = draw(amounts)
            allowance_pension = draw(amounts)
            daeb = max(allowance, allowance_pension) + draw(amounts)
            rising = {
                f"allowance_income_limit_{kind}": allowance,
                f"allowance_income_limit_{kind}_pension": allowance_pension,
                f"daeb_income_limit_{kind}": daeb,
                f"middle_income_limit_{kind}": daeb + draw(amounts),
            }
            values.update({name: None if draw(st.integers(0, 4)) == 0 else v for name, v in rising.items()})
    return ParameterSet(valid_from=date(2026, 1, 1), version="test", **values)


@st.composite
def random_households(draw, params: ParameterSet) -> list[tuple[int, bool, Decimal | None]]:
    near = [getattr(params, n) for n in LIMIT_NAMES if getattr(params, n) is not None]
    income = st.one_of(
        st.none(),
        amounts,
        *([st.sampled_from(near).flatmap(lambda v: st.sampled_from([v - CENT, v, v + CENT]))] if near else []),
    ).map(lambda v: None if v is None else max(v, Decimal("0.00")))
    household = st.tuples(st.integers(min_value=1, max_value=8), st.booleans(), income)
    return draw(st.lists(household, min_size=1, max_size=25))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
@pytest.mark.django_db
def test_random_households_and_parameters_get_the_same_band_in_python_and_in_the_database(corporation_a, data):
    params = data.draw(random_parameter_sets())
    store_households(corporation_a, data.draw(random_households(params)))
    assert_bands_agree(params)
