"""The map's fast score text writes what the one formatting function writes (issue 12 item 7: same text, less work;
issue 14 item 3: one rounding rule, half up)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import example, given
from hypothesis import strategies as st

from buurtbalans.core.formatting import format_score
from buurtbalans.liveability.views import _score_text


@pytest.mark.parametrize("language", ["nl", "en"])
@given(value=st.one_of(st.floats(min_value=-10, max_value=5000, allow_nan=False),
                       st.decimals(min_value=0, max_value=5000, places=3, allow_nan=False),
                       st.integers(min_value=0, max_value=5000).map(lambda n: n + 0.5)))
@example(value=59.5)
@example(value=999.5)
@example(value=0.49999999999999994)
@example(value=-0.0)
def test_the_score_text_is_the_one_formatting_function(language, value):
    with translation.override(language):
        assert _score_text(value) == format_score(value)


def test_a_score_rounds_half_up_and_an_unknown_score_is_a_dash():
    assert _score_text(None) == "–"
    assert _score_text(59.5) == "60"
    assert _score_text(59.7) == "60"
    assert _score_text(59.49) == "59"
    assert _score_text(Decimal("59.9")) == "60"
