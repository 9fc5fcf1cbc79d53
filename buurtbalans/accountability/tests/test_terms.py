"""The two terms as dates: six weeks to decide an objection, twelve months before a follow-up."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given
from hypothesis import strategies as st

from buurtbalans.accountability.terms import (
    add_months,
    follow_up_due_on,
    latest_start_due,
    objection_due_on,
    objection_is_overdue,
)


def test_the_objection_term_ends_on_day_42_and_day_43_is_too_late():
    received = date(2025, 3, 3)  # day 0
    due = objection_due_on(received)
    assert due == date(2025, 4, 14) == received + timedelta(days=42)
    assert not objection_is_overdue(due, None, received + timedelta(days=41))
    assert not objection_is_overdue(due, None, received + timedelta(days=42))  # day 42: still on time
    assert objection_is_overdue(due, None, received + timedelta(days=43))  # day 43: too late
    assert not objection_is_overdue(due, received + timedelta(days=50), received + timedelta(days=60))  # decided


def test_twelve_months_fall_on_the_same_day_or_the_end_of_a_shorter_month():
    assert follow_up_due_on(date(2024, 7, 1)) == date(2025, 7, 1)
    assert follow_up_due_on(date(2024, 2, 29)) == date(2025, 2, 28)
    assert follow_up_due_on(date(2023, 3, 31)) == date(2024, 3, 31)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 1, 15), -12) == date(2024, 1, 15)


@given(start=st.dates(date(2000, 1, 1), date(2040, 12, 31)), today=st.dates(date(2000, 1, 1), date(2042, 12, 31)))
def test_the_start_date_bound_gives_exactly_the_tenancies_whose_twelve_months_have_passed(start, today):
    assert (start <= latest_start_due(today)) == (follow_up_due_on(start) <= today)
