"""The map's fast score text writes what Django's number_format writes (issue 12 item 7: same text, less work)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation
from django.utils.formats import number_format
from hypothesis import given
from hypothesis import strategies as st

from buurtbalans.liveability.views import _score_text


@pytest.mark.parametrize("language", ["nl", "en"])
@given(value=st.one_of(st.floats(min_value=0, max_value=5000, allow_nan=False),
                       st.decimals(min_value=0, max_value=5000, places=3, allow_nan=False)))
def test_the_score_text_is_number_format_with_no_decimals(language, value):
    with translation.override(language):
        assert _score_text(value) == number_format(value, 0)


def test_an_unknown_score_is_a_dash():
    assert _score_text(None) == "–"
    assert _score_text(Decimal("59.9")) == number_format(Decimal("59.9"), 0)
