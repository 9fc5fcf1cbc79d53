"""The short way for whole numbers in `number` and `share` writes exactly what floatformat writes (issue 12 item 7:
the complex tables call them thousands of times a page)."""

from decimal import Decimal

from django.template.defaultfilters import floatformat
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from buurtbalans.core.templatetags.buurtbalans import number, share


@given(st.integers(min_value=-10**12, max_value=10**12), st.sampled_from(["nl", "en"]))
def test_number_of_a_whole_number_is_floatformat(value, language):
    with translation.override(language):
        assert number(value) == floatformat(value, "0g")


@given(st.integers(min_value=0, max_value=10**7), st.integers(min_value=1, max_value=10**7),
       st.sampled_from(["nl", "en"]))
def test_share_of_whole_numbers_is_floatformat(part, whole, language):
    with translation.override(language):
        # Half up, as floatformat rounds; a share of 1,000% or more is grouped as every figure is ("1.000%").
        assert share(part, whole) == f"{floatformat(100 * Decimal(part) / Decimal(whole), '0g')}%"


def test_halves_round_up_and_big_counts_are_grouped():
    with translation.override("nl"):
        assert share(1, 8) == "13%"  # 12.5 % rounds up, as floatformat does
        assert share(1, 200) == "1%"  # 0.5 %
        assert share(0, 3) == "0%"
        assert number(1234567) == "1.234.567"
