"""The vitality composite, trends and early-warning rules (engine/vitality.py), without a database."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from buurtbalans.engine.vitality import (
    Direction,
    IndicatorRule,
    TrendDirection,
    WarningKind,
    WarningPolicy,
    assess,
    composite_score,
    sub_score,
    trend,
)

TURNOVER = IndicatorRule("turnover_rate", Direction.LOWER_IS_BETTER, weight=1, norm=0.08, tolerance=0.10,
                         warning=0.15)
LBM = IndicatorRule("lbm", Direction.HIGHER_IS_BETTER, weight=2, norm=4.1023, tolerance=0.25, warning=3.95)
SIGNALS = IndicatorRule("signals_per_100", Direction.LOWER_IS_BETTER, weight=2, norm=5, tolerance=15, warning=15)
RULES = (TURNOVER, LBM, SIGNALS)


@pytest.mark.parametrize(
    ("rule", "value", "expected"),
    [
        (TURNOVER, 0.05, 100.0),  # better than the norm
        (TURNOVER, 0.08, 100.0),  # at the norm
        (TURNOVER, 0.13, 50.0),  # half the tolerance past it
        (TURNOVER, 0.18, 0.0),  # the whole tolerance past it
        (TURNOVER, 0.50, 0.0),  # further out stays 0
        (LBM, 4.2, 100.0),
        (LBM, 4.1023 - 0.05, 80.0),
        (LBM, None, None),
    ],
)
def test_sub_scores_fall_linearly_from_the_norm_to_zero(rule, value, expected):
    result = sub_score(rule, value)
    assert result == (None if expected is None else pytest.approx(expected))


def test_the_composite_is_the_weighted_mean_of_the_known_sub_scores():
    composite = composite_score(RULES, {"turnover_rate": 0.13, "lbm": 4.3, "signals_per_100": None})
    # turnover 50 (weight 1), lbm 100 (weight 2); signals unknown and left out: (50 + 200) / 3.
    assert composite.score == pytest.approx(250 / 3)
    shares = {p.key: p.weight_share for p in composite.parts}
    assert shares == pytest.approx({"turnover_rate": 1 / 3, "lbm": 2 / 3, "signals_per_100": 0.0})


def test_without_any_known_weighted_indicator_the_score_is_not_computable():
    assert composite_score(RULES, {}).score is None
    zero = IndicatorRule("lbm_soc", Direction.HIGHER_IS_BETTER, weight=0, norm=0, tolerance=0.1)
    assert composite_score((zero,), {"lbm_soc": -0.2}).score is None


def test_rules_refuse_a_negative_weight_or_no_tolerance():
    with pytest.raises(ValueError):
        IndicatorRule("x", Direction.LOWER_IS_BETTER, weight=-1, norm=0, tolerance=1)
    with pytest.raises(ValueError):
        IndicatorRule("x", Direction.LOWER_IS_BETTER, weight=1, norm=0, tolerance=0)


values_st = st.floats(min_value=-1000, max_value=1000, allow_nan=False)
rule_st = st.builds(
    IndicatorRule,
    key=st.sampled_from(["a", "b", "c", "d"]),
    direction=st.sampled_from(list(Direction)),
    weight=st.one_of(st.just(0.0), st.floats(min_value=0.001, max_value=10)),
    norm=st.floats(min_value=-100, max_value=100, allow_nan=False),
    tolerance=st.floats(min_value=0.01, max_value=100, allow_nan=False),
)
rules_st = st.lists(rule_st, min_size=1, max_size=4, unique_by=lambda r: r.key)


@settings(max_examples=200, deadline=None)
@given(rules=rules_st, data=st.data())
def test_the_score_never_improves_when_an_indicator_moves_in_its_bad_direction(rules, data):
    values = {rule.key: data.draw(st.one_of(st.none(), values_st)) for rule in rules}
    rule = data.draw(st.sampled_from(rules))
    step = data.draw(st.floats(min_value=0, max_value=500, allow_nan=False))
    if values[rule.key] is None:
        values[rule.key] = data.draw(values_st)
    worse = dict(values)
    worse[rule.key] += step if rule.direction is Direction.LOWER_IS_BETTER else -step
    before, after = composite_score(rules, values).score, composite_score(rules, worse).score
    if before is None:
        assert after is None
    else:
        assert after <= before + 1e-6


@settings(max_examples=200, deadline=None)
@given(rules=rules_st, data=st.data(), factor=st.floats(min_value=0.01, max_value=100))
def test_weights_are_normalised_scaling_them_all_changes_nothing(rules, data, factor):
    values = {rule.key: data.draw(st.one_of(st.none(), values_st)) for rule in rules}
    scaled = [
        IndicatorRule(r.key, r.direction, r.weight * factor, r.norm, r.tolerance, r.warning) for r in rules
    ]
    original, rescaled = composite_score(rules, values), composite_score(scaled, values)
    assert (original.score is None) == (rescaled.score is None)
    if original.score is not None:
        assert rescaled.score == pytest.approx(original.score, abs=1e-6)
        assert 0.0 <= original.score <= 100.0
        assert sum(p.weight_share for p in original.parts) == pytest.approx(1.0)


def test_a_trend_is_the_fitted_change_in_the_indicators_terms():
    rising_turnover = trend(TURNOVER, [(2021, 0.06), (2022, 0.08), (2023, 0.10), (2024, 0.12)])
    assert rising_turnover.change == pytest.approx(0.06)
    assert rising_turnover.direction is TrendDirection.WORSE
    # The Leefbaarometer's uneven years: 2014, 2018, 2020.
    rising_lbm = trend(LBM, [(2014, 4.00), (2018, 4.06), (2020, 4.10)])
    assert rising_lbm.direction is TrendDirection.BETTER
    assert (rising_lbm.first_year, rising_lbm.last_year) == (2014, 2020)
    # Within a quarter of the tolerance (0.25): stable.
    assert trend(LBM, [(2018, 4.0), (2020, 4.05)]).direction is TrendDirection.STABLE
    assert trend(LBM, [(2020, 4.0)]).direction is None
    assert trend(LBM, []).change is None


def test_warnings_give_every_reason_that_applies():
    policy = WarningPolicy(min_score=60, score_drop=10, worsening_count=2)
    history = {
        "turnover_rate": [(2022, 0.08), (2023, 0.12), (2024, 0.16)],
        "signals_per_100": [(2022, 4), (2023, 10), (2024, 20)],
        "lbm": [(2018, 4.0), (2020, 3.9)],
    }
    values = {"turnover_rate": 0.16, "signals_per_100": 20, "lbm": 3.9}
    result = assess(RULES, values, history, previous_score=70, policy=policy)
    kinds = [w.kind for w in result.warnings]
    assert kinds == [
        WarningKind.PAST_WARNING_LEVEL,  # turnover 0.16 > 0.15
        WarningKind.PAST_WARNING_LEVEL,  # lbm 3.9 < 3.95
        WarningKind.PAST_WARNING_LEVEL,  # signals 20 > 15
        WarningKind.LOW_SCORE,
        WarningKind.SCORE_DROP,
        WarningKind.WORSENING_INDICATORS,
    ]
    assert [w.key for w in result.warnings[:3]] == ["turnover_rate", "lbm", "signals_per_100"]
    assert set(result.warnings[-1].keys) == {"turnover_rate", "signals_per_100", "lbm"}


def test_only_indicators_that_count_make_a_worsening_warning():
    unweighted = IndicatorRule("lbm_onv", Direction.HIGHER_IS_BETTER, weight=0, norm=0, tolerance=0.15)
    history = {"lbm_onv": [(2014, 0.1), (2020, -0.1)], "lbm": [(2014, 4.2), (2020, 4.0)]}
    result = assess((LBM, unweighted), {"lbm": 4.0, "lbm_onv": -0.1}, history,
                    policy=WarningPolicy(worsening_count=2))
    assert result.trends["lbm_onv"].direction is TrendDirection.WORSE
    assert not [w for w in result.warnings if w.kind is WarningKind.WORSENING_INDICATORS]


def test_a_healthy_complex_has_no_warning():
    result = assess(RULES, {"turnover_rate": 0.05, "signals_per_100": 2, "lbm": 4.2}, {}, previous_score=100)
    assert result.composite.score == 100
    assert result.warnings == ()
