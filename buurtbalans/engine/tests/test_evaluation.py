"""Difference-in-differences against matched controls (engine.evaluation, issue 16): planted effects are found, the
90 % interval covers them as often as it says, a differing pre-trend is flagged, and a malformed panel is refused
with every problem listed."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from buurtbalans.engine.evaluation import (
    PANEL_FORMAT,
    RESULT_FORMAT,
    EvaluationError,
    Panel,
    Unit,
    dump,
    evaluate,
    panel_document,
    parse_panel,
    result_document,
)

YEARS = range(2019, 2025)
START = 2022


def synthetic_panel(seed: int, effect: float, *, treated: int = 20, controls: int = 80, noise: float = 2.0,
                    extra_treated_slope: float = 0.0, slope_sd: float = 0.5) -> Panel:
    """Complexes with their own level and trend (a vitality-like score around 60), noise each year, and `effect`
    added to the treated from START on; the treated may rise faster before START too (`extra_treated_slope`)."""
    rng = np.random.default_rng(seed)
    units = []
    for i in range(treated + controls):
        is_treated = i < treated
        level = rng.normal(60, 8)
        slope = rng.normal(0.5, slope_sd) + (extra_treated_slope if is_treated else 0.0)
        dwellings = float(rng.integers(20, 200))
        values = {
            year: level + slope * (year - YEARS[0]) + rng.normal(0, noise) + (effect if is_treated and year >= START
                                                                              else 0.0)
            for year in YEARS
        }
        units.append(Unit(f"C{i:03}", is_treated, {"dwellings": dwellings}, values))
    return Panel("vitality", START, tuple(units))


def document(**changes) -> dict:
    """A small valid panel document: two treated complexes and three controls."""
    units = []
    for i, treated in enumerate([True, True, False, False, False]):
        units.append({
            "id": f"C{i}",
            "treated": treated,
            "covariates": {"dwellings": 40 + i, "buurt_type": 2},
            "values": {str(y): 60 + i + (3 if treated and y >= 2022 else 0) for y in range(2019, 2025)},
        })
    base = {"format": PANEL_FORMAT, "outcome": "vitality", "start_year": 2022, "units": units}
    base.update(changes)
    return base


# --- the estimate ------------------------------------------------------------------------------------------------


def test_the_estimate_recovers_a_planted_effect():
    result = evaluate(synthetic_panel(seed=1, effect=4.0, treated=40, controls=160, noise=1.0))
    assert result.estimate == pytest.approx(4.0, abs=0.5)
    assert result.ci_low < 4.0 < result.ci_high
    assert result.ci_low > 0
    assert not result.pre_trend_warning
    assert result.warnings == ()


def test_with_parallel_trends_and_no_noise_the_estimate_is_the_effect_exactly():
    result = evaluate(synthetic_panel(seed=2, effect=-2.5, noise=0.0, slope_sd=0.0))
    assert result.estimate == pytest.approx(-2.5, abs=1e-9)
    assert result.ci_low == pytest.approx(-2.5, abs=1e-9)
    assert result.ci_high == pytest.approx(-2.5, abs=1e-9)


def test_the_90_percent_interval_covers_the_planted_effect_in_at_least_85_percent_of_200_seeds():
    covered = sum(
        r.ci_low <= 4.0 <= r.ci_high
        for r in (evaluate(synthetic_panel(seed, 4.0), bootstrap=199, seed=seed) for seed in range(200))
    )
    assert covered >= 170, covered


def test_with_no_effect_the_interval_excludes_0_in_at_most_15_percent_of_200_seeds():
    excluded = sum(
        not r.ci_low <= 0.0 <= r.ci_high
        for r in (evaluate(synthetic_panel(1000 + seed, 0.0), bootstrap=199, seed=seed) for seed in range(200))
    )
    assert excluded <= 30, excluded


def test_a_differing_pre_trend_raises_the_warning():
    result = evaluate(synthetic_panel(seed=3, effect=0.0, extra_treated_slope=1.5))
    assert result.pre_trend_warning
    assert "pre_trend_differs" in result.warnings
    assert result.pre_trend_difference > 0 and result.pre_trend_low > 0


def test_a_differing_pre_trend_is_flagged_in_most_seeds_and_parallel_trends_in_few():
    flagged = sum(evaluate(synthetic_panel(s, 0.0, extra_treated_slope=1.5), bootstrap=199, seed=s).pre_trend_warning
                  for s in range(50))
    false_alarms = sum(evaluate(synthetic_panel(s, 0.0), bootstrap=199, seed=s).pre_trend_warning for s in range(50))
    assert flagged >= 40 and false_alarms <= 7, (flagged, false_alarms)


def test_too_few_treated_or_matched_controls_raise_their_warning():
    few = evaluate(synthetic_panel(seed=4, effect=1.0, treated=3, controls=30))
    assert few.too_few_matches_warning
    assert "too_few_treated" in few.warnings and "too_few_controls" in few.warnings  # 3 x 3 = at most 9 controls
    enough = evaluate(synthetic_panel(seed=4, effect=1.0, treated=10, controls=30))
    assert not enough.too_few_matches_warning


def test_each_treated_unit_gets_its_k_nearest_controls_with_replacement():
    units = (
        Unit("T1", True, {}, {2020: 10.0, 2021: 10.0, 2022: 12.0}),
        Unit("T2", True, {}, {2020: 10.5, 2021: 10.5, 2022: 12.0}),
        Unit("A", False, {}, {2020: 10.0, 2021: 10.0, 2022: 10.0}),
        Unit("B", False, {}, {2020: 10.4, 2021: 10.4, 2022: 10.0}),
        Unit("C", False, {}, {2020: 30.0, 2021: 30.0, 2022: 30.0}),
    )
    result = evaluate(Panel("x", 2022, units), k=2)
    assert result.matched_controls == {"T1": ("A", "B"), "T2": ("B", "A")}
    assert result.estimate == pytest.approx(((2 + 0.2) + (1.5 + 0.2)) / 2)  # A changes 0, B -0.4


def test_ties_go_to_the_lower_id():
    twin = {2020: 5.0, 2021: 6.0, 2022: 7.0}
    units = (Unit("T", True, {}, twin), Unit("Z", False, {}, twin), Unit("M", False, {}, twin),
             Unit("B", False, {}, twin))
    assert evaluate(Panel("x", 2022, units), k=2).matched_controls == {"T": ("B", "M")}


def test_a_control_with_a_gap_in_the_years_used_is_left_out():
    panel = synthetic_panel(seed=5, effect=1.0, treated=5, controls=20)
    gap = panel.units[7]
    values = {year: value for year, value in gap.values.items() if year != 2020}
    units = (*panel.units[:7], Unit(gap.unit_id, False, gap.covariates, values), *panel.units[8:])
    result = evaluate(Panel("x", START, units))
    assert result.excluded_controls == (gap.unit_id,)
    assert "controls_excluded" in result.warnings
    assert all(gap.unit_id not in ids for ids in result.matched_controls.values())


def test_the_years_used_are_those_every_treated_unit_has():
    panel = synthetic_panel(seed=6, effect=1.0, treated=5, controls=20)
    first = panel.units[0]
    shorter = Unit(first.unit_id, True, first.covariates, {y: v for y, v in first.values.items() if y != 2024})
    result = evaluate(Panel("x", START, (shorter, *panel.units[1:])))
    assert result.pre_years == (2019, 2020, 2021)
    assert result.post_years == (2022, 2023)
    assert [year for year in result.series_years] == [2019, 2020, 2021, 2022, 2023]


def test_with_one_pre_year_the_pre_trend_is_not_checked():
    panel = synthetic_panel(seed=7, effect=1.0, treated=10, controls=30)
    short = tuple(Unit(u.unit_id, u.treated, u.covariates, {y: v for y, v in u.values.items() if y >= 2021})
                  for u in panel.units)
    result = evaluate(Panel("x", START, short))
    assert result.pre_trend_difference is None and not result.pre_trend_warning
    assert "pre_trend_not_checked" in result.warnings


def test_the_same_seed_gives_the_same_result_and_another_seed_another_interval():
    panel = synthetic_panel(seed=8, effect=2.0)
    first = dump(result_document(evaluate(panel, seed=11)))
    assert dump(result_document(evaluate(panel, seed=11))) == first
    other = evaluate(panel, seed=12)
    assert json.loads(first)["estimate"] == pytest.approx(other.estimate)
    assert (json.loads(first)["ci_low"], json.loads(first)["ci_high"]) != (round(other.ci_low, 6),
                                                                           round(other.ci_high, 6))


def test_the_result_has_the_contract_keys_first():
    result = result_document(evaluate(parse_panel(document())))
    assert list(result)[:8] == ["format", "estimate", "ci_low", "ci_high", "level", "pre_trend_warning", "treated",
                                "matched_controls"]
    assert result["format"] == RESULT_FORMAT and result["level"] == 0.9
    assert result["treated"] == ["C0", "C1"]
    assert set(result["matched_controls"]) == {"C0", "C1"}
    assert all(len(ids) == 3 for ids in result["matched_controls"].values())
    assert result["series"][0].keys() == {"year", "treated", "controls"}


def test_a_panel_written_and_read_again_is_the_same():
    panel = synthetic_panel(seed=9, effect=1.0, treated=3, controls=5)
    again = parse_panel(json.loads(json.dumps(panel_document(panel))))
    assert again == panel


# --- invariants ----------------------------------------------------------------------------------------------------


small_panels = st.builds(
    lambda seed, effect, treated, controls: synthetic_panel(seed, effect, treated=treated, controls=controls),
    st.integers(0, 10_000), st.floats(-10, 10), st.integers(1, 8), st.integers(3, 20),
)


@settings(max_examples=40, deadline=None)
@given(panel=small_panels, shift=st.floats(-1000, 1000), year_shocks=st.lists(st.floats(-20, 20), min_size=6,
                                                                               max_size=6))
def test_a_shift_of_every_value_or_of_a_whole_year_changes_nothing(panel, shift, year_shocks):
    shock = dict(zip(YEARS, year_shocks, strict=True))
    moved = Panel(panel.outcome, panel.start_year, tuple(
        Unit(u.unit_id, u.treated, u.covariates, {y: v + shift + shock[y] for y, v in u.values.items()})
        for u in panel.units
    ))
    before, after = evaluate(panel, bootstrap=99), evaluate(moved, bootstrap=99)
    assert after.matched_controls == before.matched_controls
    assert after.estimate == pytest.approx(before.estimate, abs=1e-6)
    assert after.ci_low == pytest.approx(before.ci_low, abs=1e-6)
    assert after.ci_high == pytest.approx(before.ci_high, abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(panel=small_panels, factor=st.floats(0.1, 10))
def test_scaling_every_value_scales_the_estimate(panel, factor):
    scaled = Panel(panel.outcome, panel.start_year, tuple(
        Unit(u.unit_id, u.treated, u.covariates, {y: v * factor for y, v in u.values.items()}) for u in panel.units
    ))
    before, after = evaluate(panel, bootstrap=99), evaluate(scaled, bootstrap=99)
    assert after.matched_controls == before.matched_controls
    assert after.estimate == pytest.approx(before.estimate * factor, abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(panel=small_panels)
def test_when_every_treated_unit_has_an_untreated_twin_the_estimate_is_0(panel):
    treated = [u for u in panel.units if u.treated]
    twins = tuple(Unit(f"twin-{u.unit_id}", False, u.covariates, u.values) for u in treated)
    result = evaluate(Panel(panel.outcome, panel.start_year, (*treated, *twins)), k=1, bootstrap=99)
    assert result.estimate == pytest.approx(0, abs=1e-9)
    assert result.ci_low == pytest.approx(0, abs=1e-9) and result.ci_high == pytest.approx(0, abs=1e-9)
    assert not result.pre_trend_warning
    assert result.matched_controls == {u.unit_id: (f"twin-{u.unit_id}",) for u in treated}


@settings(max_examples=40, deadline=None)
@given(panel=small_panels, seed=st.integers(0, 2**32))
def test_the_interval_holds_the_estimate_of_the_matched_pairs(panel, seed):
    result = evaluate(panel, bootstrap=199, seed=seed)
    spread = max(1e-9, result.ci_high - result.ci_low)
    assert result.ci_low <= result.ci_high
    # The estimate lies inside its own interval, or close to it when the treated units are very few.
    assert result.ci_low - spread <= result.estimate <= result.ci_high + spread


# --- malformed panels ----------------------------------------------------------------------------------------------


def problems_of(doc) -> list[str]:
    with pytest.raises(EvaluationError) as error:
        parse_panel(doc)
    return list(error.value.problems)


def test_a_valid_document_is_read():
    panel = parse_panel(document())
    assert panel.start_year == 2022 and len(panel.units) == 5
    assert panel.units[0].values[2019] == 60.0


def test_a_document_that_is_not_an_object_is_named():
    assert problems_of([1, 2]) == ["panel: must be an object {...}"]


def test_every_problem_of_a_panel_is_listed():
    doc = document(format="buurtbalans.evaluation/9", start_year="2022", colour="red")
    doc["units"][0]["treated"] = "yes"
    doc["units"][1]["values"] = {"2019": "high", "next year": 3, "2023": None}
    doc["units"][2]["covariates"] = {"dwellings": 40}
    doc["units"][3]["id"] = "C2"
    doc["units"][4]["size"] = 3
    del doc["units"][4]["values"]
    assert problems_of(doc) == [
        "colour: unknown key",
        'format: must be "buurtbalans.evaluation/1", not "buurtbalans.evaluation/9"',
        'start_year: must be a year between 1900 and 2200, not "2022"',
        'units[0].treated: must be true or false, not "yes"',
        'units[1].values.2019: must be a number, not "high"',
        'units[1].values: "next year" is not a year between 1900 and 2200',
        "units[2].covariates: every unit needs the same covariates (missing buurt_type)",
        'units[3].id: "C2" also at units[2]',
        "units[4].size: unknown key",
        "units[4].values: missing",
    ]


def test_a_panel_without_treated_or_control_units_is_refused():
    doc = document()
    for unit in doc["units"]:
        unit["treated"] = False
    assert problems_of(doc) == ['units: no treated unit (a unit with "treated": true)']
    for unit in doc["units"]:
        unit["treated"] = True
    assert problems_of(doc) == ['units: no control unit (a unit with "treated": false)']


def test_a_start_year_outside_the_data_is_refused():
    assert problems_of(document(start_year=2019)) == [
        "units[0].values: a treated unit needs a value before start_year 2019",
        "units[1].values: a treated unit needs a value before start_year 2019",
        "start_year: 2019 leaves no pre-period (the first year of the treated units is 2019)",
    ]
    assert problems_of(document(start_year=2030)) == [
        "units[0].values: a treated unit needs a value in or after start_year 2030",
        "units[1].values: a treated unit needs a value in or after start_year 2030",
        "start_year: 2030 is after the last year of the treated units (2024)",
    ]


def test_a_treated_unit_without_pre_period_values_is_refused():
    doc = document()
    doc["units"][1]["values"] = {"2022": 61, "2023": 62}
    assert problems_of(doc) == ["units[1].values: a treated unit needs a value before start_year 2022"]


def test_missing_keys_and_a_unit_that_is_no_object_are_named():
    assert problems_of({"format": PANEL_FORMAT, "units": [3]}) == [
        "outcome: missing",
        "start_year: missing",
        "units[0]: must be an object {...}",
        'units: no treated unit (a unit with "treated": true)',
        'units: no control unit (a unit with "treated": false)',
    ]


def test_numbers_that_are_not_finite_or_booleans_are_refused():
    doc = document()
    doc["units"][2]["values"]["2020"] = True
    doc["units"][3]["covariates"]["dwellings"] = 1e300
    assert problems_of(doc) == [
        "units[2].values.2020: must be a number, not true",
        "units[3].covariates.dwellings: must be a finite number of at most 1e+12 in size, not 1e+300",
    ]


def test_a_panel_whose_controls_all_have_gaps_cannot_be_evaluated():
    doc = document()
    for unit in doc["units"][2:]:
        del unit["values"]["2021"]
    with pytest.raises(EvaluationError) as error:
        evaluate(parse_panel(doc))
    assert error.value.problems == (
        "units: no control unit has a value in every year used (2019, 2020, 2021, 2022, 2023, 2024)",
    )


def test_options_out_of_range_are_refused_together():
    with pytest.raises(EvaluationError) as error:
        evaluate(parse_panel(document()), k=0, bootstrap=0, seed=-1)
    assert len(error.value.problems) == 3
