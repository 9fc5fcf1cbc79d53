"""The two terms of accountability as plain date arithmetic (no Django): the six weeks to decide an objection and
the twelve months before a motivation tenant's follow-up. docs/accountability.md states the conventions.

Objection term. The day of receipt is day 0; the term ends on day 42 (receipt + 6 weeks), which is the due date. An
objection not decided is overdue from day 43 on: on the due date itself it is still on time.

Follow-up term. Twelve calendar months after the start of the tenancy: the same day number twelve months later, or
the last day of that month when it is shorter (a tenancy that started on 29 February 2024 is due on 28 February
2025). From that day on the twelve months have passed.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta

OBJECTION_TERM = timedelta(weeks=6)
FOLLOW_UP_MONTHS = 12


def objection_due_on(received_on: date) -> date:
    """The last day of the term to decide an objection received on `received_on` (day 42)."""
    return received_on + OBJECTION_TERM


def objection_is_overdue(due_on: date, decided_on: date | None, today: date) -> bool:
    """Whether an objection is past its term without a decision on `today` (day 43 or later)."""
    return decided_on is None and today > due_on


def add_months(day: date, months: int) -> date:
    """The same day `months` calendar months later, or the last day of that month when it is shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def follow_up_due_on(start_date: date) -> date:
    """The first day on which twelve months of the tenancy that started on `start_date` have passed."""
    return add_months(start_date, FOLLOW_UP_MONTHS)


def latest_start_due(today: date) -> date:
    """The latest start date whose twelve months have passed on `today`: `follow_up_due_on(s) <= today` exactly
    when `s <= latest_start_due(today)`, so a database filter on the start date gives the same list.

    On the last day of a month every start in the same month a year before has passed its twelve months (29 February
    is due on 28 February), so the bound is the last day of that month; on any other day it is the same day.
    """
    year_before = add_months(today, -FOLLOW_UP_MONTHS)
    if today.day == calendar.monthrange(today.year, today.month)[1]:
        return year_before.replace(day=calendar.monthrange(year_before.year, year_before.month)[1])
    return year_before
