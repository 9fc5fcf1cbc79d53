"""Measuring commitments against the log (pure functions, no database)."""

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from buurtbalans.cooperatives.measure import (
    LoggedActivity,
    Verdict,
    period_by_label,
    period_target,
    realised,
    review_periods,
    suggested_verdict,
    year_status,
)


def test_review_periods_cover_the_year_without_gaps():
    for rhythm, labels in (("yearly", ["2025"]), ("half_yearly", ["2025-H1", "2025-H2"]),
                           ("quarterly", ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"])):
        periods = review_periods(2025, rhythm)
        assert [p.label for p in periods] == labels
        assert periods[0].start == date(2025, 1, 1) and periods[-1].end == date(2025, 12, 31)
        for before, after in zip(periods, periods[1:], strict=False):
            assert after.start == before.end + timedelta(days=1)
    assert review_periods(2024, "quarterly")[0].end == date(2024, 3, 31)
    assert period_by_label("2025-Q3") == review_periods(2025, "quarterly")[2]
    with pytest.raises(ValueError):
        period_by_label("2025-Q5")


@pytest.mark.parametrize(
    ("target", "label", "valid_from", "valid_until", "expected"),
    [
        (10, "2025", date(2020, 1, 1), None, 10),  # the whole year: exactly the yearly target
        (10, "2025-Q1", date(2020, 1, 1), None, 3),  # 10 x 90/365 = 2.47, rounded up
        (52, "2025-H2", date(2020, 1, 1), None, 27),  # 52 x 184/365 = 26.2
        (10, "2025", date(2025, 7, 1), None, 6),  # starts halfway: 10 x 184/365 = 5.04
        (10, "2025", date(2020, 1, 1), date(2025, 3, 31), 3),  # ends after the first quarter
        (10, "2025-Q4", date(2020, 1, 1), date(2025, 3, 31), 0),  # not running in the period
        (0, "2025", date(2020, 1, 1), None, 0),
    ],
)
def test_a_period_asks_its_share_of_the_yearly_target_rounded_up(target, label, valid_from, valid_until, expected):
    assert period_target(target, period_by_label(label), valid_from, valid_until) == expected


def test_each_kind_counts_its_own_figure_from_the_entries_of_the_commitment_in_the_period():
    entries = [
        LoggedActivity(1, date(2025, 1, 6), 10, 4),  # Monday of ISO week 2
        LoggedActivity(1, date(2025, 1, 8), 5, 0),  # the same week
        LoggedActivity(1, date(2025, 4, 1), 7, 7),  # second quarter
        LoggedActivity(2, date(2025, 1, 7), 99, 99),  # another commitment
    ]
    q1, year = period_by_label("2025-Q1"), period_by_label("2025")
    assert realised("activities", entries, q1, 1) == 2
    assert realised("participants", entries, q1, 1) == 15
    assert realised("buurt_participants", entries, q1, 1) == 4
    assert realised("open_weeks", entries, q1, 1) == 1
    assert realised("open_weeks", entries, year, 1) == 2
    assert realised("activities", entries, year, 2) == 1


def test_the_suggestion_and_the_year_status():
    assert suggested_verdict(10, 10) is Verdict.MET
    assert suggested_verdict(10, 5) is Verdict.PARTLY
    assert suggested_verdict(10, 4) is Verdict.NOT_MET
    assert suggested_verdict(0, 0) is Verdict.MET
    quarters = review_periods(2025, "quarterly")
    assert year_status({}, quarters) == "not_reviewed"
    assert year_status({"2025-Q1": "met"}, quarters) == "partly_reviewed"
    assert year_status({p.label: "met" for p in quarters} | {"2025-Q3": "partly"}, quarters) == "partly"
    assert year_status({p.label: "met" for p in quarters} | {"2025-Q2": "not_met"}, quarters) == "not_met"


entry_strategy = st.builds(
    LoggedActivity,
    commitment_id=st.integers(1, 3),
    day=st.dates(date(2024, 12, 1), date(2026, 1, 31)),
    participants=st.integers(0, 50),
    buurt_participants=st.integers(0, 20),
)


@settings(max_examples=60, deadline=None)
@given(entries=st.lists(entry_strategy, max_size=60), rhythm=st.sampled_from(["half_yearly", "quarterly"]))
def test_additive_figures_of_the_periods_add_up_to_the_year(entries, rhythm):
    year = period_by_label("2025")
    for kind in ("activities", "participants", "buurt_participants"):
        parts = sum(realised(kind, entries, p, 1) for p in review_periods(2025, rhythm))
        assert parts == realised(kind, entries, year, 1)
    # Weeks are not additive (a week can straddle two quarters) but never exceed the entries.
    assert realised("open_weeks", entries, year, 1) <= realised("activities", entries, year, 1)
