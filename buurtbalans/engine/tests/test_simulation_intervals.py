"""The 90 % intervals shown with a built scenario's estimates: Wilson for shares, Garwood for counts and rates.

Reference values: Wilson's interval from its closed form; Garwood's from chi-square quantiles,
[χ²(0.05; 2k) / 2, χ²(0.95; 2k + 2) / 2] (e.g. 0 events: [0, 2.9957]; 10 events: [5.4254, 16.9622]).
"""

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from buurtbalans.engine.simulation.intervals import gamma_p, gamma_quantile, garwood, wilson


@pytest.mark.parametrize("k, n, low, high", [
    (0, 20, 0.0, 0.119158),
    (10, 20, 0.327404, 0.672596),
    (20, 20, 0.880842, 1.0),
])
def test_wilson_s_interval_for_a_share(k, n, low, high):
    assert wilson(k, n) == pytest.approx((low, high), abs=1e-6)


@pytest.mark.parametrize("count, low, high", [
    (0, 0.0, 2.995732),
    (1, 0.051293, 4.743865),
    (10, 5.425406, 16.962219),
    (5, 1.970, 10.513),
])
def test_garwood_s_interval_for_a_count(count, low, high):
    assert garwood(count) == pytest.approx((low, high), rel=1e-4, abs=1e-6)


def test_a_rate_is_the_count_s_interval_over_the_exposure():
    assert garwood(10, 200) == pytest.approx(tuple(x / 200 for x in garwood(10)))
    # A fractional count (pseudo-counts added): the gamma quantiles of shape 2.5 and 3.5 (chi-square 5 and 7 df).
    assert garwood(2.5) == pytest.approx((1.145476 / 2, 14.06714 / 2), rel=1e-5)


def test_refused_without_observations():
    with pytest.raises(ValueError):
        wilson(0, 0)
    with pytest.raises(ValueError):
        garwood(3, 0)


@given(shape=st.floats(0.05, 1e5), p=st.floats(0.001, 0.999))
def test_the_gamma_quantile_inverts_the_distribution_function(shape, p):
    x = gamma_quantile(p, shape)
    assert math.isclose(gamma_p(shape, x), p, abs_tol=1e-9)


@given(n=st.integers(1, 5000), data=st.data())
def test_wilson_s_interval_lies_in_0_1_and_holds_the_share(n, data):
    k = data.draw(st.integers(0, n))
    low, high = wilson(k, n)
    assert 0 <= low <= k / n <= high <= 1
