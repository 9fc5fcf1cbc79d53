"""One rounding rule for every figure (issue 14 item 3): half up, once, with the separators of the reader's language."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.template import Context, Template
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from buurtbalans.core.formatting import (
    format_euro,
    format_number,
    format_percent,
    format_ratio,
    format_score,
    format_share,
    format_signed,
)

LANGUAGES = st.sampled_from(["nl", "en"])
DECIMALS = st.integers(min_value=0, max_value=4)


def expected(value: Decimal, decimals: int, language: str) -> str:
    """The rule written out another way: Python's own grouping on the half-up Decimal, separators swapped for Dutch."""
    rounded = value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    if rounded.is_zero():
        rounded = abs(rounded)
    text = f"{rounded:,.{decimals}f}"
    return text.translate(str.maketrans(",.", ".,")) if language == "nl" else text


@given(whole=st.integers(min_value=-10**9, max_value=10**9), decimals=DECIMALS, language=LANGUAGES)
def test_a_half_rounds_up_at_every_boundary(whole, decimals, language):
    """x.5 in the last shown place goes away from zero, whether the figure is a Decimal or a float."""
    half = (Decimal(whole) + Decimal("0.5")).scaleb(-decimals)
    away = (Decimal(whole) + (1 if whole >= 0 else 0)).scaleb(-decimals)
    with translation.override(language):
        assert format_number(half, decimals) == expected(away, decimals, language)
        assert format_number(float(half), decimals) == format_number(half, decimals)
        # Just below the half stays down.
        below = half - Decimal(1).scaleb(-decimals - 3)
        assert format_number(below, decimals) == expected(below, decimals, language)


@given(value=st.decimals(min_value=-10**9, max_value=10**9, places=6, allow_nan=False, allow_infinity=False),
       decimals=DECIMALS, language=LANGUAGES)
def test_numbers_have_the_language_separators_and_round_half_up(value, decimals, language):
    with translation.override(language):
        text = format_number(value, decimals)
        assert text == expected(value, decimals, language)
        assert format_number(float(value), decimals) == text  # a float reads as its shortest decimal form


@given(value=st.decimals(min_value=0, max_value=10**9, places=4, allow_nan=False, allow_infinity=False),
       decimals=DECIMALS, language=LANGUAGES)
def test_a_negative_figure_is_its_opposite_with_a_minus(value, decimals, language):
    with translation.override(language):
        positive = format_number(value, decimals)
        negative = format_number(-value, decimals)
        assert negative == (positive if set(positive) <= set("0,.") else f"-{positive}")
        signed = format_signed(-value, decimals)
        assert signed == (f"+{positive}" if set(positive) <= set("0,.") else f"−{positive}")


@given(value=st.integers(min_value=-10**12, max_value=10**12), decimals=DECIMALS, language=LANGUAGES)
def test_int_float_and_decimal_write_the_same(value, decimals, language):
    with translation.override(language):
        text = format_number(value, decimals)
        assert text == format_number(Decimal(value), decimals) == expected(Decimal(value), decimals, language)
        if abs(value) < 2**53:
            assert format_number(float(value), decimals) == text


@given(part=st.integers(min_value=0, max_value=10**6), whole=st.integers(min_value=1, max_value=10**6),
       decimals=st.integers(min_value=0, max_value=2), language=LANGUAGES)
def test_a_share_of_counts_is_rounded_once_from_the_exact_ratio(part, whole, decimals, language):
    exact = Decimal(part) * 100 / Decimal(whole)
    with translation.override(language):
        assert format_ratio(part, whole, decimals) == f"{expected(exact, decimals, language)}%"
        # The same share given as a fraction, or from floats, shows the same unless the float is a hair off a half.
        assert format_ratio(float(part), float(whole), decimals) == format_ratio(part, whole, decimals)


@given(share=st.decimals(min_value=0, max_value=1, places=5, allow_nan=False), decimals=DECIMALS,
       language=LANGUAGES)
def test_a_fraction_shows_as_a_percentage_rounded_half_up(share, decimals, language):
    with translation.override(language):
        assert format_share(share, decimals) == f"{expected(share * 100, decimals, language)}%"
        assert format_share(float(share), decimals) == format_share(share, decimals)
        assert format_percent(share * 100, decimals) == format_share(share, decimals)


def test_the_figures_of_the_issue_show_as_people_expect():
    with translation.override("nl"):
        assert format_score(59.7) == "60"  # the card and the overview no longer differ
        assert format_score(59.5) == "60"
        assert format_score(59.49) == "59"
        assert format_ratio(3, 200) == "2%"  # 1.5 % vacant: not cut to 1 %
        assert format_ratio(1, 200) == "1%"  # 0.5 % in renovation: not 0 %
        assert format_ratio(19, 200) == "10%"  # 9.5 % unknown income: not 9 %
        assert format_share(0.145) == "15%"  # 0.145 * 100 is 14.499… as a float; the rule reads 14.5
        assert format_number(2.675, 2) == "2,68"
        assert format_number(1234567.891, 2) == "1.234.567,89"
        assert format_euro(719.31, 2) == "€\u00a0719,31"
        assert format_signed(-0.0312, 3) == "−0,031"
        assert format_number(-0.4) == "0"
    with translation.override("en"):
        assert format_number(1234567.891, 2) == "1,234,567.89"
        assert format_share(0.0149, 1) == "1.5%"
        assert format_euro(36300, 2) == "€\u00a036,300.00"


@pytest.mark.parametrize("unknown", [None, "", float("nan"), float("inf"), Decimal("NaN")])
def test_an_unknown_figure_is_an_en_dash(unknown):
    assert format_number(unknown) == "–"
    assert format_share(unknown, 1) == "–"
    assert format_euro(unknown) == "–"
    assert format_score(unknown) == "–"
    assert format_ratio(unknown, 10) == "–"
    assert format_ratio(1, 0) == "–"


def test_the_template_filters_write_through_the_one_function():
    template = Template(
        "{% load buurtbalans %}{{ s|score }} {{ f|percent }} {{ f|percent:1 }} {{ p|pct:1 }} {{ n|number }} "
        "{{ n|number:2 }} {{ a|euro:2 }} {{ 3|share:200 }} {{ d|signed }}"
    )
    context = Context({"s": 59.7, "f": 0.0149, "p": 12.25, "n": 1234.5, "a": 719.315, "d": -0.0125})
    with translation.override("nl"):
        assert template.render(context) == "60 1% 1,5% 12,3% 1.235 1.234,50 €\u00a0719,32 2% −0,013"


@pytest.mark.parametrize(("value", "decimals", "dutch"), [
    (Decimal("0.25"), -1, "25%"), (Decimal("0.125"), -1, "12,5%"), (Decimal("1") / 3, -1, "33,3%"),
    (Decimal("0.2496"), -1, "25%"), (None, -1, "–"),
])
def test_negative_decimals_show_a_decimal_only_when_the_figure_has_one(value, decimals, dutch):
    with translation.override("nl"):
        assert format_share(value, decimals) == dutch
