"""Measuring a cooperative's commitments against its activity log: pure Python, no Django.

A commitment has a yearly target of one kind (activities, participants, participants from the buurt, weeks with an
opening) and a review rhythm (yearly, half-yearly, quarterly). For one review period this module gives:

- the realised figure, counted from the log entries of that commitment dated in the period (and in the commitment's
  own validity);
- the target for the period: the yearly target times the share of the year's days that the period and the
  commitment's own validity have in common, rounded up (a quarter of a 10-a-year commitment asks for 3);
- a suggested verdict (the reviewer decides; see `suggested_verdict`).

The yearly report (`cooperative_report`), the review screen, the portal and the account use these functions, so
they always give the same numbers for the same log. See docs/cooperatives.md, "Measuring a commitment".
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from math import ceil


class TargetKind(enum.StrEnum):
    """What a commitment's yearly target counts."""

    ACTIVITIES = "activities"  # log entries (one entry = one activity)
    PARTICIPANTS = "participants"  # participants summed over the entries
    BUURT_PARTICIPANTS = "buurt_participants"  # of those, participants from the buurt (not living in the building)
    OPEN_WEEKS = "open_weeks"  # distinct calendar weeks (ISO) with at least one entry: "a weekly opening"


class Rhythm(enum.StrEnum):
    """How often the corporation reviews a commitment; the periods are parts of a calendar year."""

    YEARLY = "yearly"
    HALF_YEARLY = "half_yearly"
    QUARTERLY = "quarterly"


class Verdict(enum.StrEnum):
    MET = "met"
    PARTLY = "partly"
    NOT_MET = "not_met"


# The share of the target from which "partly met" is suggested.
PARTLY_FROM = Fraction(1, 2)


@dataclass(frozen=True)
class Period:
    """A review period: `start` and `end` inclusive, `label` such as "2025", "2025-H1", "2025-Q3"."""

    start: date
    end: date
    label: str

    def __contains__(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def year(self) -> int:
        return self.start.year


@dataclass(frozen=True)
class LoggedActivity:
    """One entry of the activity log as the measure needs it."""

    commitment_id: int
    day: date
    participants: int = 0
    buurt_participants: int = 0


def _month_end(year: int, month: int) -> date:
    if month == 12:
        return date(year, 12, 31)
    return date(year, month + 1, 1) - timedelta(days=1)


def review_periods(year: int, rhythm: Rhythm | str) -> list[Period]:
    """The review periods of `year` under `rhythm`, in order."""
    rhythm = Rhythm(rhythm)
    if rhythm is Rhythm.YEARLY:
        return [Period(date(year, 1, 1), date(year, 12, 31), f"{year}")]
    if rhythm is Rhythm.HALF_YEARLY:
        return [
            Period(date(year, 1, 1), date(year, 6, 30), f"{year}-H1"),
            Period(date(year, 7, 1), date(year, 12, 31), f"{year}-H2"),
        ]
    return [Period(date(year, 3 * q - 2, 1), _month_end(year, 3 * q), f"{year}-Q{q}") for q in (1, 2, 3, 4)]


def period_by_label(label: str) -> Period:
    """The period a label names ("2025", "2025-H2", "2025-Q1").

    Raises:
        ValueError: for any other text.
    """
    text = label.strip()
    year_text, _, part = text.partition("-")
    if not (len(year_text) == 4 and year_text.isdigit()):
        raise ValueError(f"not a review period: {label!r}")
    year = int(year_text)
    if not part:
        return review_periods(year, Rhythm.YEARLY)[0]
    if part in ("H1", "H2"):
        return review_periods(year, Rhythm.HALF_YEARLY)[int(part[1]) - 1]
    if part in ("Q1", "Q2", "Q3", "Q4"):
        return review_periods(year, Rhythm.QUARTERLY)[int(part[1]) - 1]
    raise ValueError(f"not a review period: {label!r}")


def _days(start: date, end: date) -> int:
    return max((end - start).days + 1, 0)


def overlap(period: Period, valid_from: date, valid_until: date | None) -> Period | None:
    """The part of `period` in which a commitment valid from `valid_from` until `valid_until` runs, or None."""
    start = max(period.start, valid_from)
    end = period.end if valid_until is None else min(period.end, valid_until)
    if end < start:
        return None
    return Period(start, end, period.label)


def period_target(target_per_year: int, period: Period, valid_from: date, valid_until: date | None = None) -> int:
    """The target for `period`: the yearly target pro rata the days the commitment runs in it, rounded up.

    A commitment that runs the whole year asks exactly its yearly target for the year period. Not running in the
    period at all: 0.
    """
    running = overlap(period, valid_from, valid_until)
    if running is None or target_per_year <= 0:
        return 0
    year_days = _days(date(period.year, 1, 1), date(period.year, 12, 31))
    return ceil(Fraction(target_per_year * _days(running.start, running.end), year_days))


def realised(kind: TargetKind | str, entries: Iterable[LoggedActivity], period: Period, commitment_id: int) -> int:
    """The figure the log shows for one commitment in `period` (entries of other commitments are ignored)."""
    kind = TargetKind(kind)
    own = [e for e in entries if e.commitment_id == commitment_id and e.day in period]
    if kind is TargetKind.ACTIVITIES:
        return len(own)
    if kind is TargetKind.PARTICIPANTS:
        return sum(e.participants for e in own)
    if kind is TargetKind.BUURT_PARTICIPANTS:
        return sum(e.buurt_participants for e in own)
    return len({e.day.isocalendar()[:2] for e in own})


def realised_while_running(
    kind: TargetKind | str,
    entries: Iterable[LoggedActivity],
    period: Period,
    commitment_id: int,
    valid_from: date,
    valid_until: date | None = None,
) -> int:
    """`realised` over the part of `period` in which the commitment runs: entries dated outside the commitment's own
    period do not count for it (the portal refuses them; an import could still hold them)."""
    running = overlap(period, valid_from, valid_until)
    if running is None:
        return 0
    return realised(kind, entries, running, commitment_id)


def suggested_verdict(target: int, achieved: int) -> Verdict:
    """What the log suggests: met at or above the target, partly from half of it, otherwise not met.

    Only a suggestion for the reviewer, who judges from the log and the conversation with the board.
    """
    if target <= 0 or achieved >= target:
        return Verdict.MET
    if Fraction(achieved, target) >= PARTLY_FROM:
        return Verdict.PARTLY
    return Verdict.NOT_MET


# Order for "the worst verdict of the year": a year with one period not met is not met as a whole.
VERDICT_ORDER = (Verdict.NOT_MET, Verdict.PARTLY, Verdict.MET)


def year_status(verdicts: dict[str, str | None], periods: list[Period]) -> str:
    """One review status for a commitment's year from the verdicts of its periods (label -> verdict or None).

    "not_reviewed" when no period has a verdict, "partly_reviewed" when some have, otherwise the worst verdict.
    Periods in which the commitment does not run should be left out of `periods` by the caller.
    """
    given = [verdicts.get(p.label) for p in periods]
    known = [Verdict(v) for v in given if v]
    if not known:
        return "not_reviewed"
    if len(known) < len(periods):
        return "partly_reviewed"
    return min(known, key=VERDICT_ORDER.index).value


__all__ = [
    "LoggedActivity",
    "Period",
    "Rhythm",
    "TargetKind",
    "Verdict",
    "overlap",
    "period_by_label",
    "period_target",
    "realised",
    "realised_while_running",
    "review_periods",
    "suggested_verdict",
    "year_status",
]
