"""The demo generator, without a database: deterministic, internally consistent and realistic enough to demo."""

import ast
from collections import Counter, defaultdict
from datetime import date
from decimal import Decimal
from pathlib import Path
from statistics import median

import numpy as np
import pytest

from buurtbalans.demo import generator
from buurtbalans.engine.parameters import ParameterMissing, builtin_parameter_set

REFERENCE_DATE = date(2025, 6, 1)
WINDOW_START = date(2020, 6, 1)


def make_town(seed=1, neighbourhoods=30, reference_date=REFERENCE_DATE):
    return generator.generate_town(
        np.random.default_rng(seed), reference_date=reference_date, neighbourhoods=neighbourhoods
    )


def make_corporation(seed=2, dwellings=600, town=None, reference_date=REFERENCE_DATE, **kwargs):
    town = town or make_town(reference_date=reference_date)
    return generator.generate_corporation(
        np.random.default_rng(seed),
        neighbourhoods=generator.town_contexts(town),
        reference_date=reference_date,
        dwellings=dwellings,
        prefix="VW",
        city="Voorbeeldstad",
        **kwargs,
    )


@pytest.fixture(scope="module")
def town():
    return make_town()


@pytest.fixture(scope="module")
def corporation(town):
    # Big enough for shares per buurt and per complex to mean something, still well under a second.
    return make_corporation(dwellings=12_000, town=town)


def current_households(data):
    households = {h.external_id: h for h in data.households}
    return [households[t.household_external_id] for t in data.tenancies if t.end_date is None]


# --- determinism --------------------------------------------------------------------------------------


@pytest.mark.smoke
def test_the_same_seed_gives_the_same_rows():
    assert make_town(seed=7) == make_town(seed=7)
    assert make_corporation(seed=7) == make_corporation(seed=7)


def test_another_seed_gives_other_rows():
    assert make_town(seed=7) != make_town(seed=8)
    first, second = make_corporation(seed=7), make_corporation(seed=8)
    assert first.dwellings != second.dwellings
    assert first.households != second.households


# The generator and the modules it is made of (the writer, which stores the rows, is Django).
GENERATOR_MODULES = (
    "generator.py", "rows.py", "limits.py", "town.py", "stock.py", "addresses.py", "lettings.py", "markers.py",
    "waiting_list.py", "names.py",
)


def test_the_generator_is_pure_python_without_a_clock():
    for name in GENERATOR_MODULES:
        tree = ast.parse((Path(generator.__file__).parent / name).read_text())
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                modules = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                if isinstance(node, ast.ImportFrom) and node.module == "buurtbalans.demo":
                    modules = [f"buurtbalans.demo.{a.name}" for a in node.names]
                assert not any(m.startswith("django") for m in modules), f"{name} imports {modules}"
                # A module the generator is made of is checked here too.
                demo_modules = [m.rsplit(".", 1)[1] + ".py" for m in modules if m.startswith("buurtbalans.demo.")]
                assert set(demo_modules) <= set(GENERATOR_MODULES), f"{name} imports {modules}"
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
                assert (node.value.id, node.attr) not in {("date", "today"), ("datetime", "now")}, name


# --- stock ----------------------------------------------------------------------------------------------


def test_the_stock_has_exactly_the_dwellings_asked_for_in_complexes_of_30_to_150(corporation):
    assert len(corporation.dwellings) == 12_000
    sizes = Counter(d.complex_external_id for d in corporation.dwellings)
    assert set(sizes) == {c.external_id for c in corporation.complexes}
    assert all(30 <= size <= 150 for size in sizes.values())
    assert len({c.name for c in corporation.complexes}) == len(corporation.complexes)
    assert len({(d.street, d.house_number, d.house_number_suffix) for d in corporation.dwellings}) == 12_000


def test_rents_are_mostly_below_the_allowance_caps_and_the_stock_mostly_daeb(corporation):
    parameters = builtin_parameter_set(REFERENCE_DATE)
    daeb = [d for d in corporation.dwellings if d.is_daeb]
    assert 0.9 <= len(daeb) / len(corporation.dwellings) < 1
    below_low = sum(d.base_rent <= parameters.allowance_cap_low for d in daeb) / len(daeb)
    above_high = sum(d.base_rent > parameters.allowance_cap_high for d in daeb) / len(daeb)
    assert 0.65 <= below_low <= 0.9
    assert 0.02 <= above_high <= 0.2
    assert all(d.base_rent <= parameters.daeb_rent_limit for d in daeb)
    assert all(d.base_rent > parameters.daeb_rent_limit for d in corporation.dwellings if not d.is_daeb)


def test_wws_points_grow_with_floor_area(corporation):
    small = [d.wws_points for d in corporation.dwellings if d.floor_area < 55 and d.dwelling_type != "room"]
    large = [d.wws_points for d in corporation.dwellings if d.floor_area > 90]
    assert median(small) + 40 < median(large)


def test_some_dwellings_are_vacant_or_under_renovation(corporation):
    status = Counter(d.status for d in corporation.dwellings)
    assert 0.005 < status["vacant"] / 12_000 < 0.05
    assert status["renovation"] > 0
    assert status["occupied"] > 0.9 * 12_000


def test_low_income_buurten_get_more_social_stock(town, corporation):
    contexts = {c.cbs_code: c for c in generator.town_contexts(town)}
    complexes = {c.external_id: c.neighbourhood_code for c in corporation.complexes}
    per_buurt = Counter(complexes[d.complex_external_id] for d in corporation.dwellings)
    by_income = sorted(contexts.values(), key=lambda c: c.low_income_pct)
    third = len(by_income) // 3

    def density(buurten):
        return sum(per_buurt[b.cbs_code] for b in buurten) / sum(b.dwellings for b in buurten)

    assert density(by_income[-third:]) > 1.3 * density(by_income[:third])


def test_the_corporation_never_owns_more_than_most_of_a_buurt(town, corporation):
    size = {c.cbs_code: c.dwellings for c in generator.town_contexts(town)}
    complexes = {c.external_id: c.neighbourhood_code for c in corporation.complexes}
    per_buurt = Counter(complexes[d.complex_external_id] for d in corporation.dwellings)
    assert all(count <= 0.8 * size[code] for code, count in per_buurt.items())


def test_a_larger_corporation_gets_a_larger_town():
    assert generator.town_size_for(600) == (20, 20_000)
    buurten, dwellings = generator.town_size_for(100_000)
    assert buurten == 40 and dwellings > 100_000 / 0.5


# --- households and tenancies ---------------------------------------------------------------------------


@pytest.mark.smoke
def test_every_current_tenancy_is_in_an_occupied_dwelling_and_no_dwelling_has_two(corporation):
    dwellings = {d.external_id: d for d in corporation.dwellings}
    current = Counter(t.dwelling_external_id for t in corporation.tenancies if t.end_date is None)
    assert max(current.values()) == 1
    assert all(dwellings[code].status == "occupied" for code in current)
    assert set(current) == {d.external_id for d in corporation.dwellings if d.status == "occupied"}


def test_tenancies_of_one_dwelling_follow_each_other_and_end_after_they_start(corporation):
    by_dwelling = defaultdict(list)
    for t in corporation.tenancies:
        assert t.end_date is None or t.end_date > t.start_date
        assert t.start_date <= REFERENCE_DATE
        by_dwelling[t.dwelling_external_id].append(t)
    build_year = {d.external_id: d.build_year for d in corporation.dwellings}
    for code, tenancies in by_dwelling.items():
        tenancies.sort(key=lambda t: t.start_date)
        assert tenancies[0].start_date.year >= build_year[code]
        for earlier, later in zip(tenancies, tenancies[1:], strict=False):
            assert earlier.end_date is not None and earlier.end_date < later.start_date


def test_households_add_up_and_each_has_one_tenancy_or_one_application(corporation):
    for h in corporation.households:
        assert h.size == h.adults + h.children and h.adults >= 1
    tenancy_households = Counter(t.household_external_id for t in corporation.tenancies)
    applicant_households = Counter(a.household_external_id for a in corporation.applicants)
    assert max(tenancy_households.values()) == 1 and max(applicant_households.values()) == 1
    assert not set(tenancy_households) & set(applicant_households)
    assert set(tenancy_households) | set(applicant_households) == {h.external_id for h in corporation.households}


def test_households_fit_their_dwelling_and_some_are_of_pension_age(corporation):
    dwellings = {d.external_id: d for d in corporation.dwellings}
    households = {h.external_id: h for h in corporation.households}
    for t in corporation.tenancies:
        assert households[t.household_external_id].size <= dwellings[t.dwelling_external_id].rooms + 1
    current = current_households(corporation)
    pension = sum(h.is_pension_age_household for h in current) / len(current)
    assert 0.15 < pension < 0.5


def test_five_years_of_lettings_with_a_turnover_of_about_seven_percent(corporation):
    moved_out = [t for t in corporation.tenancies if t.end_date is not None and t.end_date >= WINDOW_START]
    yearly = len(moved_out) / 5 / len(corporation.dwellings)
    assert 0.055 <= yearly <= 0.09
    lettings = [t for t in corporation.tenancies if t.start_date >= WINDOW_START]
    assert 0.055 <= len(lettings) / 5 / len(corporation.dwellings) <= 0.09
    assert all(t.income_at_start > 0 and t.rent_at_start > 0 for t in corporation.tenancies)


def test_recent_lettings_fit_passend_toewijzen_except_a_few_with_a_reason(corporation):
    dwellings = {d.external_id: d for d in corporation.dwellings}
    households = {h.external_id: h for h in corporation.households}
    fits = not_fits = 0
    for t in corporation.tenancies:
        # From 2022 the parameter table has every limit this check needs.
        if t.start_date < date(2022, 1, 1) or not dwellings[t.dwelling_external_id].is_daeb:
            continue
        household = households[t.household_external_id]
        parameters = builtin_parameter_set(t.start_date)
        try:
            limit = parameters.allowance_income_limit(household.size, household.is_pension_age_household)
        except ParameterMissing:
            continue
        if t.income_at_start > limit:
            assert t.exception_reason == ""
            continue
        cap = parameters.allowance_cap_low if household.size <= 2 else parameters.allowance_cap_high
        if t.rent_at_start <= cap:
            fits += 1
            assert t.exception_reason == ""
        else:
            not_fits += 1
            assert t.exception_reason, t
    assert fits / (fits + not_fits) >= 0.95
    assert not_fits > 0


def test_income_mix_is_mostly_primary_target_group(corporation):
    parameters = builtin_parameter_set(REFERENCE_DATE)
    bands = Counter(
        generator.income_band(float(h.assessed_income), h.size, h.is_pension_age_household, parameters)
        for h in current_households(corporation)
        if h.assessed_income is not None
    )
    total = sum(bands.values())
    assert 0.65 <= bands["primary"] / total <= 0.75
    assert 0.15 <= bands["secondary"] / total <= 0.27
    assert 0.04 <= (bands["middle"] + bands["high"]) / total <= 0.15


def test_each_buurts_share_of_low_incomes_follows_its_statistic(town, corporation):
    parameters = builtin_parameter_set(REFERENCE_DATE)
    pct = {c.cbs_code: c.low_income_pct for c in generator.town_contexts(town)}
    complexes = {c.external_id: c.neighbourhood_code for c in corporation.complexes}
    dwellings = {d.external_id: d for d in corporation.dwellings}
    households = {h.external_id: h for h in corporation.households}
    low, total = Counter(), Counter()
    for t in corporation.tenancies:
        dwelling = dwellings[t.dwelling_external_id]
        household = households[t.household_external_id]
        if t.end_date is not None or not dwelling.is_daeb or household.assessed_income is None:
            continue
        buurt = complexes[dwelling.complex_external_id]
        limit = parameters.allowance_income_limit(household.size, household.is_pension_age_household)
        total[buurt] += 1
        low[buurt] += household.assessed_income < Decimal(str(generator.LOW_INCOME_FRACTION)) * limit
    buurten = [b for b in total if total[b] >= 100]
    assert len(buurten) >= 10
    correlation = np.corrcoef([pct[b] for b in buurten], [low[b] / total[b] for b in buurten])[0, 1]
    assert correlation > 0.7


def test_markers_are_concentrated_in_a_few_complexes(corporation):
    complex_of = {d.external_id: d.complex_external_id for d in corporation.dwellings}
    marked = {m.household_external_id for m in corporation.markers}
    households, with_marker = Counter(), Counter()
    for t in corporation.tenancies:
        if t.end_date is None:
            households[complex_of[t.dwelling_external_id]] += 1
            with_marker[complex_of[t.dwelling_external_id]] += t.household_external_id in marked
    shares = sorted((with_marker[c] / n for c, n in households.items() if n >= 20), reverse=True)
    assert all(share >= 0.2 for share in shares[:3])
    assert 3 <= sum(share >= 0.2 for share in shares) <= 7  # a few, not many
    assert median(shares) < 0.06
    assert shares[2] > 4 * median(shares)
    assert {m.kind for m in corporation.markers} == set(generator.VULNERABILITY_KINDS)
    for m in corporation.markers:
        assert m.valid_until is None or m.valid_until >= m.valid_from


def test_a_household_has_each_kind_of_marker_at_most_once_from_a_date(corporation):
    keys = [(m.household_external_id, m.kind, m.valid_from) for m in corporation.markers]
    assert len(keys) == len(set(keys))


def test_the_waiting_list_is_three_years_of_lettings_registered_over_fifteen_years(corporation):
    applicants = corporation.applicants
    assert len(applicants) == round(3 * 0.07 * 12_000)
    dates = sorted(a.registration_date for a in applicants)
    assert dates[0] >= date(2010, 6, 1) and dates[-1] <= REFERENCE_DATE
    assert dates[0] < date(2012, 1, 1)
    assert len({a.external_id for a in applicants}) == len(applicants)


def test_the_values_are_the_models_choices(corporation):
    from buurtbalans.households.models import AllocationException, ContractType, IncomeSource
    from buurtbalans.portfolio.models import DwellingStatus, DwellingType, EnergyLabel

    assert {d.dwelling_type for d in corporation.dwellings} <= set(DwellingType.values)
    assert {d.status for d in corporation.dwellings} <= set(DwellingStatus.values)
    assert {d.energy_label for d in corporation.dwellings} <= set(EnergyLabel.values)
    assert {t.contract_type for t in corporation.tenancies} <= set(ContractType.values)
    assert {t.exception_reason for t in corporation.tenancies} - {""} <= set(AllocationException.values)
    assert {h.income_source for h in corporation.households} <= set(IncomeSource.values)


@pytest.mark.parametrize("reference_date", [date(2021, 3, 1), date(2026, 11, 28), date(2031, 5, 5)])
def test_any_reference_date_works_even_where_the_parameter_table_has_gaps(reference_date):
    data = make_corporation(dwellings=300, reference_date=reference_date)
    assert all(t.start_date <= reference_date for t in data.tenancies)
    assert all(h.assessed_income is None or h.assessed_income > 0 for h in data.households)


def test_a_tiny_corporation_still_works():
    data = make_corporation(dwellings=12)
    assert len(data.complexes) == 1 and len(data.dwellings) == 12


# --- the synthetic town ---------------------------------------------------------------------------------


def _inside(point, ring):
    """Ray casting: is the point inside the closed ring?"""
    x, y = point
    inside = False
    for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False):
        if (y0 > y) != (y1 > y) and x < x0 + (y - y0) * (x1 - x0) / (y1 - y0):
            inside = not inside
    return inside


def test_the_town_has_wijken_and_buurten_with_cbs_codes(town):
    assert town.municipality.cbs_code == "GM9999"
    assert 4 <= len(town.districts) <= 8
    assert 20 <= len(town.neighbourhoods) <= 40
    districts = {d.cbs_code for d in town.districts}
    for b in town.neighbourhoods:
        assert b.cbs_code.startswith("BU9999") and len(b.cbs_code) == 10
        assert b.district_code in districts and b.cbs_code[2:8] == b.district_code[2:]
    assert len({b.name for b in town.neighbourhoods}) == len(town.neighbourhoods)


def test_buurt_polygons_are_closed_counter_clockwise_and_do_not_overlap(town):
    rings = [b.geometry["coordinates"][0] for b in town.neighbourhoods]
    for b, ring in zip(town.neighbourhoods, rings, strict=True):
        assert b.geometry["type"] == "Polygon" and ring[0] == ring[-1]
        area = sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False)) / 2
        assert area > 0  # counter-clockwise exterior ring (RFC 7946)
        assert 52.0 < b.centroid_lat < 52.3 and 5.6 < b.centroid_lon < 6.1
    for i, b in enumerate(town.neighbourhoods):
        containing = [j for j, ring in enumerate(rings) if _inside((b.centroid_lon, b.centroid_lat), ring)]
        assert containing == [i]
        assert _inside((b.centroid_lon, b.centroid_lat), town.municipality.geometry["coordinates"][0])


def test_synthetic_leefbaarometer_scores_satisfy_the_lbm_identity(town):
    scores = defaultdict(dict)
    for row in town.indicators:
        if row.key.startswith("lbm"):
            scores[(row.area_code, row.year)][row.key] = row.value
    assert {year for _code, year in scores} == {2014, 2018, 2020}
    assert len(scores) == 3 * len(town.neighbourhoods)
    for values in scores.values():
        dimensions = sum(values[k] for k in ("lbm_won", "lbm_fys", "lbm_vrz", "lbm_soc", "lbm_onv"))
        assert dimensions == pytest.approx(values["lbm_afw"], abs=1e-9)
        assert values["lbm"] - values["lbm_afw"] == pytest.approx(4.1023, abs=1e-9)
        assert 3.5 < values["lbm"] < 4.6


def test_low_incomes_and_liveability_go_together_as_in_real_towns(town):
    latest = {}
    for row in town.indicators:
        if row.key == "pct_hh_onder_105_sociaal_minimum" or (row.key == "lbm" and row.year == 2020):
            if row.key == "lbm" or row.year >= latest.get((row.area_code, row.key), (0, 0))[0]:
                latest[(row.area_code, row.key)] = (row.year, row.value)
    codes = [b.cbs_code for b in town.neighbourhoods]
    pct = [latest[(c, "pct_hh_onder_105_sociaal_minimum")][1] for c in codes]
    lbm = [latest[(c, "lbm")][1] for c in codes]
    assert np.corrcoef(pct, lbm)[0, 1] < -0.5


def test_every_synthetic_indicator_is_marked_synthetic_and_is_a_known_indicator(town):
    from buurtbalans.neighbourhoods.indicators import INDICATORS

    assert {row.key for row in town.indicators} <= set(INDICATORS)
    assert all("synthetic" in row.source for row in town.indicators)
    keys = Counter((row.area_code, row.key, row.year) for row in town.indicators)
    assert max(keys.values()) == 1
