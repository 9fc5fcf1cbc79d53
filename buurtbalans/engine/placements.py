"""Placements of vulnerable households (plaatsingen): which vacancies can take one, and lawful temporary contracts.

Pure Python: the caller passes every fact (the complexes' composition, the placements already made this year, the
vacancies' labels, the spread number k). Rules and interpretation: docs/placements.md.

- `propose_placements`: per vacancy, can it take a placement, and why (the room check and the spread rule).
- `placement_grounds`: the same check for one more placement in one complex, for the decision itself.
- `temporary_contract_problems`: a temporary tenancy only for the groups and terms the law allows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum

# At most this many placements per complex per calendar year, unless the corporation sets another number.
DEFAULT_PLACEMENTS_PER_COMPLEX_PER_YEAR = 2

# The vacancy labels of the labelling plan (engine.labelling.Label), by value.
LABEL_NO_VULNERABLE = "NO_VULNERABLE"
LABEL_RESERVED_VULNERABLE = "RESERVED_VULNERABLE"


class Ground(StrEnum):
    """Why a vacancy can, or cannot without a recorded reason, take a placement."""

    # Proposed.
    ROOM = "room"  # the complex stays within its limit and the spread rule after one more placement
    RESERVED = "reserved"  # the vacancy's label reserves it for a vulnerable household (and there is room)
    # Never: the label says this vacancy is not used for a placement (issue 13 item 1).
    NO_VULNERABLE_LABEL = "no_vulnerable_label"
    # Only with a recorded reason.
    OVER_LIMIT = "over_limit"  # one more vulnerable household takes the complex over its maximum share
    # One more household with one of the lowest incomes takes the complex over its profile's maximum of them: a
    # household placed with support almost always has one, as steering's room check counts it (issue 14 item 8).
    OVER_PRIMARY_LIMIT = "over_primary_limit"
    OVER_SPREAD = "over_spread"  # the complex already has k placements this calendar year
    NO_COMPLEX = "no_complex"  # the dwelling is in no complex: neither rule can be checked


PROPOSED_GROUNDS = frozenset({Ground.ROOM, Ground.RESERVED})
BLOCKING_GROUNDS = frozenset({Ground.NO_VULNERABLE_LABEL})
NEEDS_REASON_GROUNDS = frozenset({Ground.OVER_LIMIT, Ground.OVER_PRIMARY_LIMIT, Ground.OVER_SPREAD, Ground.NO_COMPLEX})


@dataclass(frozen=True)
class ComplexRoom:
    """One complex at the start of the proposal.

    Its households, how many count as vulnerable, its maximum vulnerable share (the profile's limit), and the
    placements already made in it this calendar year; with `max_primary_share`, also how many have one of the
    lowest incomes and the profile's maximum of them (None: not checked).
    """

    complex_id: str
    households: int
    vulnerable: int
    max_vulnerable_share: Decimal
    placed_this_year: int = 0
    primary: int = 0
    max_primary_share: Decimal | None = None

    def share_after(self, placements: int) -> Decimal:
        """The vulnerable share after `placements` more vulnerable households move into vacancies of the complex."""
        return Decimal(self.vulnerable + placements) / Decimal(self.households + placements)

    def primary_share_after(self, placements: int) -> Decimal:
        """The share with one of the lowest incomes after `placements` more such households move in."""
        return Decimal(self.primary + placements) / Decimal(self.households + placements)


@dataclass(frozen=True)
class PlacementVacancy:
    """A vacant dwelling: its complex (None: in none) and its decided or proposed label (None: none)."""

    vacancy_id: str
    complex_id: str | None
    label: str | None = None


@dataclass(frozen=True)
class VacancyProposal:
    """The proposal for one vacancy.

    `is_proposed` is True when a placement fits; otherwise `grounds` say why not. `placements_before` counts the
    complex's placements this year plus the ones proposed before this vacancy (in this proposal); `share_after` is
    the complex's vulnerable share with this placement too (None without a complex).
    """

    vacancy_id: str
    complex_id: str | None
    is_proposed: bool
    grounds: tuple[Ground, ...]
    placements_before: int | None
    share_after: Decimal | None

    @property
    def needs_reason(self) -> bool:
        """Whether placing here anyway needs a recorded reason (False when it fits, or when it is never allowed)."""
        return not self.is_proposed and not (set(self.grounds) & BLOCKING_GROUNDS)


def placement_grounds(room: ComplexRoom | None, label: str | None, *, k: int, planned: int = 0) -> tuple[Ground, ...]:
    """The grounds for one more placement in a vacancy of this complex.

    Args:
        room: the complex at the start (None: the vacancy is in no complex).
        label: the vacancy's label (None: none decided or proposed).
        k: at most this many placements per complex per calendar year.
        planned: placements already planned in this complex on top of `room.placed_this_year`.

    Returns:
        (Ground.ROOM,) or (Ground.RESERVED,) when it fits; otherwise every ground against it, in a fixed order.
    """
    if label == LABEL_NO_VULNERABLE:
        return (Ground.NO_VULNERABLE_LABEL,)
    if room is None:
        return (Ground.NO_COMPLEX,)
    against: list[Ground] = []
    if room.share_after(planned + 1) > room.max_vulnerable_share:
        against.append(Ground.OVER_LIMIT)
    if room.max_primary_share is not None and room.primary_share_after(planned + 1) > room.max_primary_share:
        against.append(Ground.OVER_PRIMARY_LIMIT)
    if room.placed_this_year + planned >= k:
        against.append(Ground.OVER_SPREAD)
    if against:
        return tuple(against)
    return (Ground.RESERVED,) if label == LABEL_RESERVED_VULNERABLE else (Ground.ROOM,)


def _order_key(vacancy: PlacementVacancy, rooms: Mapping[str, ComplexRoom]):
    room = rooms.get(vacancy.complex_id) if vacancy.complex_id is not None else None
    reserved = 0 if vacancy.label == LABEL_RESERVED_VULNERABLE else 1
    share = room.share_after(1) if room is not None else Decimal(2)
    return (reserved, share, vacancy.complex_id or "", vacancy.vacancy_id)


def propose_placements(
    vacancies: Iterable[PlacementVacancy],
    rooms: Iterable[ComplexRoom],
    *,
    k: int = DEFAULT_PLACEMENTS_PER_COMPLEX_PER_YEAR,
) -> tuple[VacancyProposal, ...]:
    """Which vacancies can take a placement of a vulnerable household, and why (or why not).

    Steps:
        1. Order the vacancies: those labelled RESERVED_VULNERABLE first (the labelling plan reserved them), then
           the complex with the lowest vulnerable share after one more placement (the most room), then the complex
           and vacancy ids, so the result does not depend on the order of the input.
        2. For each vacancy, with the placements proposed so far in its complex counted as already made, check
           `placement_grounds`: the label (NO_VULNERABLE: never), the complex's limit (the share after one more
           must not exceed the maximum: the room check) and the spread rule (at most k placements per complex per
           calendar year, those made this year included).
        3. Propose it when nothing is against it; a proposed vacancy counts for the next ones in its complex.

    The result therefore never takes a complex over its limit or over k, and no vacancy left out could have been
    added without breaking a rule.

    Args:
        vacancies: the vacant dwellings with their complex and label.
        rooms: the complexes at the start (a vacancy whose complex is missing here counts as in no complex).
        k: at most this many placements per complex per calendar year (at least 0).

    Returns:
        One proposal per vacancy, sorted by vacancy id.

    Raises:
        ValueError: k is negative, or two vacancies or two complexes share an id.
    """
    if k < 0:
        raise ValueError("k must be 0 or more")
    vacancies = list(vacancies)
    by_complex = {room.complex_id: room for room in rooms}
    if len({v.vacancy_id for v in vacancies}) != len(vacancies):
        raise ValueError("vacancy ids must be unique")
    planned: dict[str, int] = {}
    proposals = []
    for vacancy in sorted(vacancies, key=lambda v: _order_key(v, by_complex)):
        room = by_complex.get(vacancy.complex_id) if vacancy.complex_id is not None else None
        already = planned.get(room.complex_id, 0) if room is not None else 0
        grounds = placement_grounds(room, vacancy.label, k=k, planned=already)
        is_proposed = bool(set(grounds) & PROPOSED_GROUNDS)
        if is_proposed and room is not None:
            planned[room.complex_id] = already + 1
        proposals.append(
            VacancyProposal(
                vacancy_id=vacancy.vacancy_id,
                complex_id=room.complex_id if room is not None else None,
                is_proposed=is_proposed,
                grounds=grounds,
                placements_before=room.placed_this_year + already if room is not None else None,
                share_after=room.share_after(already + 1) if room is not None else None,
            )
        )
    return tuple(sorted(proposals, key=lambda p: p.vacancy_id))


# --- temporary contracts (Wet vaste huurcontracten) -------------------------------------------------------------

# Since 1 July 2024 a tenancy is for an indefinite period, except for the groups of the Besluit specifieke groepen
# tijdelijke huurovereenkomst (art. 7:271 lid 1 BW as amended by the Wet vaste huurcontracten), for at most two
# years. The list and its sources: docs/placements.md, "Temporary contracts".
FIXED_TERM_LAW_FROM = date(2024, 7, 1)
MAX_TEMPORARY_MONTHS = 24


class TemporaryGroup(StrEnum):
    """The groups that may get a temporary tenancy since 1 July 2024 (at most 24 months each)."""

    STUDENT = "student"  # studies in another municipality, or comes from abroad to study
    URGENT_WORKS = "urgent_works"  # must leave the home for urgent works or renovation (art. 7:220 lid 2 BW)
    SHELTER_OR_EMERGENCY = "shelter_or_emergency"  # from maatschappelijke opvang (Wmo 2015), or a social emergency
    SECOND_CHANCE = "second_chance"  # a second-chance tenancy (tweede-kans-huurovereenkomst)
    SURVIVING_RELATIVE = "surviving_relative"  # may not continue the deceased tenant's tenancy (art. 7:268 BW)
    SEPARATED_PARENT = "separated_parent"  # separated parent who wants to live near the children
    WADDEN_WORKER = "wadden_worker"  # works temporarily on a Wadden island
    STATUS_HOLDER_FROM_COA = "status_holder_from_coa"  # status holder coming straight from a COA reception centre


class ContractProblem(StrEnum):
    """Why a temporary tenancy is refused."""

    GROUP_NOT_ALLOWED = "group_not_allowed"
    TERM_MISSING = "term_missing"
    TERM_TOO_LONG = "term_too_long"
    BEFORE_LAW = "before_law"


def temporary_contract_problems(group: str, months: int | None, start: date) -> tuple[ContractProblem, ...]:
    """Why a temporary tenancy for this group and term may not be made (empty: it may).

    Args:
        group: a `TemporaryGroup` value (anything else is not allowed).
        months: the term in months (None or below 1: missing).
        start: the first day of the tenancy.

    Returns:
        The problems, in a fixed order: group, term, date.
    """
    problems: list[ContractProblem] = []
    if group not in {g.value for g in TemporaryGroup}:
        problems.append(ContractProblem.GROUP_NOT_ALLOWED)
    if months is None or months < 1:
        problems.append(ContractProblem.TERM_MISSING)
    elif months > MAX_TEMPORARY_MONTHS:
        problems.append(ContractProblem.TERM_TOO_LONG)
    if start < FIXED_TERM_LAW_FROM:
        # Before the law another regime applied (any tenant, up to two years); the product records new ones only.
        problems.append(ContractProblem.BEFORE_LAW)
    return tuple(problems)


# --- half years (contingents) ---------------------------------------------------------------------------------


def half_year_of(day: date) -> str:
    """The half year a date falls in, as "2026-H1" (January-June) or "2026-H2" (July-December)."""
    return f"{day.year}-H{1 if day.month <= 6 else 2}"


def half_year_bounds(code: str) -> tuple[date, date]:
    """The first and last day of a half year written "YYYY-H1" or "YYYY-H2".

    Raises:
        ValueError: the code is not of that form.
    """
    year_text, _, half = code.partition("-H")
    if len(year_text) != 4 or not year_text.isdigit() or half not in {"1", "2"}:
        raise ValueError(f"not a half year: {code!r}")
    year = int(year_text)
    return (date(year, 1, 1), date(year, 6, 30)) if half == "1" else (date(year, 7, 1), date(year, 12, 31))
