"""Dated parameter sets: values and sources per year, missing values, table checks, WWS tables."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from buurtbalans.engine.parameters import (
    VALUE_FIELDS,
    ParameterMissing,
    ParameterTableError,
    builtin_parameter_rows,
    builtin_parameter_set,
    builtin_parameter_sets,
    builtin_wws_rent_tables,
    read_parameter_table,
    set_in_force,
    source_urls,
    wws_rent_table_for,
)

D = Decimal
N = None  # "n/f" in the reference notes: unknown

# The reference table (reference notes on the rules, section 1.2), column by column:
# quality discount, cap low, cap high, DAEB rent limit, allowance income limits (single, multi, single pension,
# multi pension), DAEB income limits (single, multi), middle income limits (single, multi).
EXPECTED = {
    2021: ("442.46", "633.25", "678.66", "752.33", "23725", N, "23650", "32075", "40024", "40024", N, N),
    2022: ("442.46", "633.25", "678.66", "763.47", "24075", "32675", "23975", "32550", "40765", "45014", N, N),
    2023: ("452.20", "647.19", "693.60", "808.06", "25475", "34575", "25075", "33800", "44035", "48625", N, N),
    2024: (N, "650.43", "697.07", "879.66", "27725", "37625", "27225", N, "47699", "52671", N, N),
    2025: (
        "477.20",
        "682.96",
        "731.93",
        "900.07",
        "28375",
        "38500",
        "27775",
        "37350",
        "49669",
        "54847",
        "67366",
        "89821",
    ),
    2026: ("498.20", "713.02", "764.14", "932.93", "29400", "39925", "28775", "38650", "51537", "56910", N, N),
}
COLUMNS = (
    "quality_discount_limit",
    "allowance_cap_low",
    "allowance_cap_high",
    "daeb_rent_limit",
    "allowance_income_limit_single",
    "allowance_income_limit_multi",
    "allowance_income_limit_single_pension",
    "allowance_income_limit_multi_pension",
    "daeb_income_limit_single",
    "daeb_income_limit_multi",
    "middle_income_limit_single",
    "middle_income_limit_multi",
)


@pytest.mark.smoke
@pytest.mark.parametrize("year", sorted(EXPECTED))
def test_each_year_holds_the_reference_values(year):
    params = builtin_parameter_set(date(year, 7, 1))
    assert params.valid_from == date(year, 1, 1)
    for name, expected in zip(COLUMNS, EXPECTED[year], strict=True):
        assert getattr(params, name) == (None if expected is None else D(expected)), name


@pytest.mark.parametrize(
    ("year", "quota", "target", "free", "free_max"),
    [
        (2021, "0.95", "0.80", "0.10", "0.10"),
        *[(year, "0.95", "0.925", "0.075", "0.15") for year in range(2022, 2027)],
    ],
)
def test_each_year_holds_the_allocation_norms(year, quota, target, free, free_max):
    params = builtin_parameter_set(date(year, 1, 1))
    assert (params.affordability_fit_quota, params.daeb_target_share) == (D(quota), D(target))
    assert (params.free_allocation_share, params.free_allocation_share_max) == (D(free), D(free_max))


def test_unknown_values_are_listed_as_missing_and_refused():
    params = builtin_parameter_set(date(2024, 3, 1))
    assert "quality_discount_limit" in params.missing_parameters()
    with pytest.raises(ParameterMissing, match="quality_discount_limit"):
        params.require("quality_discount_limit")
    with pytest.raises(ParameterMissing, match="allowance_income_limit_multi"):
        builtin_parameter_set(date(2021, 3, 1)).allowance_income_limit(2, False)


def test_a_parameter_that_does_not_exist_in_a_year_is_not_missing():
    params_2021 = builtin_parameter_set(date(2021, 6, 1))
    assert params_2021.optional("pension_assets_limit_single") is None
    assert "pension_assets_limit_single" not in params_2021.missing_parameters()
    assert builtin_parameter_set(date(2022, 6, 1)).optional("pension_assets_limit_multi") == D("148819")
    with pytest.raises(ParameterMissing):
        builtin_parameter_set(date(2023, 6, 1)).optional("pension_assets_limit_single")


def test_the_api_the_ui_uses_picks_the_household_type():
    params = builtin_parameter_set(date(2025, 1, 1))
    assert params.allowance_income_limit(1, False) == D("28375")
    assert params.allowance_income_limit(4, True) == D("37350")
    assert params.daeb_income_limit(1) == D("49669")
    assert params.middle_income_limit(2) == D("89821")


def test_there_are_no_parameters_before_2021():
    with pytest.raises(LookupError):
        builtin_parameter_set(date(2020, 12, 31))


def test_set_in_force_picks_from_the_sets_it_is_given_not_the_builtin_table():
    builtin = builtin_parameter_sets()
    corrected = tuple(replace(s, allowance_cap_low=D("700")) if s.valid_from.year == 2025 else s for s in builtin)
    assert set_in_force(corrected, date(2025, 12, 31)).allowance_cap_low == D("700")
    assert set_in_force(corrected, date(2026, 1, 1)) == set_in_force(builtin, date(2026, 1, 1))
    with pytest.raises(LookupError):
        set_in_force(corrected[1:], date(2021, 6, 1))  # only what it was given, no fallback


@pytest.mark.parametrize("params", builtin_parameter_sets(), ids=lambda p: p.valid_from.isoformat())
def test_every_known_value_names_a_source_that_has_a_url(params):
    urls = source_urls()
    for name in VALUE_FIELDS:
        if getattr(params, name) is None:
            continue
        keys = params.sources.get(name, "").split()
        assert keys, f"{name} has no source"
        assert all(key in urls for key in keys), f"{name}: {keys}"


@pytest.mark.parametrize("params", builtin_parameter_sets(), ids=lambda p: p.valid_from.isoformat())
def test_limits_rise_from_band_to_band(params):
    # The rules rely on this order: allowance limit < DAEB limit < middle limit; low cap <= high cap < DAEB rent.
    for kind in ("single", "multi"):
        chain = [
            getattr(params, f"allowance_income_limit_{kind}"),
            getattr(params, f"allowance_income_limit_{kind}_pension"),
        ]
        daeb = getattr(params, f"daeb_income_limit_{kind}")
        middle = getattr(params, f"middle_income_limit_{kind}")
        for limit in chain:
            assert limit is None or daeb is None or limit < daeb
        assert daeb is None or middle is None or daeb < middle
    rents = [params.quality_discount_limit, params.allowance_cap_low, params.allowance_cap_high, params.daeb_rent_limit]
    known = [r for r in rents if r is not None]
    assert known == sorted(known)


def test_a_corrected_value_gets_a_new_version(tmp_path):
    table = tmp_path / "parameters.csv"
    table.write_text("valid_from,key,value,source\n2025-01-01,allowance_cap_low,682.96,S23\n")
    before = read_parameter_table(table)[0].version
    table.write_text("valid_from,key,value,source\n2025-01-01,allowance_cap_low,682.97,S23\n")
    after = read_parameter_table(table)[0].version
    assert before != after and before.startswith("parameters:2025-01-01:")


def test_a_bad_table_lists_every_bad_row(tmp_path):
    table = tmp_path / "upload.csv"
    table.write_text(
        "valid_from,key,value,source\n"
        "2025-13-01,allowance_cap_low,1,S1\n"
        "2025-01-01,rent_cap,1,S1\n"
        "2025-01-01,allowance_cap_low,abc,S1\n"
        "2025-01-01,affordability_fit_quota,95,S1\n"
    )
    with pytest.raises(ParameterTableError) as caught:
        read_parameter_table(table)
    assert [e.split(",")[0] for e in caught.value.errors] == [f"upload.csv row {n}" for n in (2, 3, 4, 5)]


@pytest.mark.parametrize("table", builtin_wws_rent_tables(), ids=lambda t: t.valid_from.isoformat())
def test_the_wws_table_at_143_points_is_the_daeb_rent_limit_of_its_year(table):
    # This is what dates each table: the rent at 143 points equals the DAEB rent limit from 1 January.
    assert table.amount_at(143) == builtin_parameter_set(table.valid_from).daeb_rent_limit
    assert (table.min_points, table.max_points) == (40, 250)


def test_the_2026_caps_and_quality_discount_limit_are_the_figures_of_the_law():
    # Wet op de huurtoeslag art. 20 as in force from 1-1-2026 [S137], to the cent.
    params = builtin_parameter_set(date(2026, 6, 1))
    assert (params.quality_discount_limit, params.allowance_cap_low, params.allowance_cap_high) == (
        D("498.20"),
        D("713.02"),
        D("764.14"),
    )
    for name in ("quality_discount_limit", "allowance_cap_low", "allowance_cap_high"):
        assert "S137" in params.sources[name].split(), name
    assert any("wetten.overheid.nl/BWBR0008659/2026-01-01" in url for url in source_urls()["S137"])


def test_every_2026_value_that_is_not_n_f_has_a_source_and_every_n_f_says_why():
    rows = [r for r in builtin_parameter_rows() if r.valid_from == date(2026, 1, 1)]
    assert {r.key for r in rows} == set(VALUE_FIELDS)
    urls = source_urls()
    for row in rows:
        if row.is_unknown:
            assert row.note.startswith("n/f:"), row.key
        elif not row.is_not_applicable:
            assert row.source.split(), row.key
            assert all(key in urls for key in row.source.split()), row.key
    # What no official source gives exactly stays unknown: no guess, no indexation.
    assert builtin_parameter_set(date(2026, 6, 1)).missing_parameters() == (
        "middle_income_limit_single",
        "middle_income_limit_multi",
        "pension_assets_limit_single",
        "pension_assets_limit_multi",
    )


def test_the_2026_middle_rent_limit_is_the_186_point_amount_of_the_2026_table():
    table = wws_rent_table_for(date(2026, 6, 1))
    assert table.valid_from == date(2026, 1, 1)
    assert table.amount_at(186) == builtin_parameter_set(date(2026, 1, 1)).middle_rent_limit == D("1228.07")


def test_the_wws_table_at_186_points_is_the_middle_rent_limit():
    table = wws_rent_table_for(date(2025, 12, 31))
    assert table.valid_from == date(2025, 1, 1)
    assert table.amount_at(186) == builtin_parameter_set(date(2025, 1, 1)).middle_rent_limit == D("1184.82")
    assert wws_rent_table_for(date(2024, 12, 31)) is None
