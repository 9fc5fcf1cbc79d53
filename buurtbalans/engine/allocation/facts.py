"""What an allocation round is made of: listings, applicants and their bids (frozen dataclasses).

Two shapes of the same facts:

- `RoundInput` holds readable rows (`Listing`, `Applicant`, `Bid`); services and tests build it.
- `RoundFacts` holds the same facts as columns (numpy arrays, one entry per applicant or per bid), which is what
  `solve_round` works on. `RoundInput.compile()` turns rows into columns; the round file reader
  (`buurtbalans.allocation.roundfile`) builds columns directly, because a national round has 1.5 million bids
  and a Python object per bid would cost seconds.

Amounts are euros with at most two decimals: `Decimal` in rows, whole cents (int64) in columns.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from functools import cached_property
from itertools import chain, repeat
from types import MappingProxyType

import numpy as np

# Round files and the database count money in euros with at most two decimals; columns count whole cents.
CENTS = Decimal(100)
NO_LIMIT_HIGH = np.iinfo(np.int64).max
EPOCH = datetime(1970, 1, 1)
EPOCH_UTC = datetime(1970, 1, 1, tzinfo=UTC)
ONE_MICROSECOND = timedelta(microseconds=1)


class SelectionKey(enum.StrEnum):
    """How a listing orders its eligible candidates after urgency (selectiemethode / volgordecriterium)."""

    REGISTRATION = "registration"  # inschrijfduur: earlier registration date first
    LOTTERY = "lottery"  # loting: lower lottery number first
    MOTIVATION = "motivation"  # motivatie: higher motivation score first
    FIRST_COME = "first_come"  # direct te huur / wie het eerst komt: earlier bid first


class MotivationRule(enum.StrEnum):
    """How a round scores applicants on its `motivation` listings: the round format's version (docs/allocation.md).

    - SCORE (round/1): one score per applicant and listing, given; ties go to the lottery.
    - ASSESSMENTS (round/2): the score follows from blind assessments (`Assessment`) by a published rule
      (`motivation.assessed_motivation`); a listing publishes its criteria and may set a minimum score; ties go to
      the earlier registration date, then the lottery.
    """

    SCORE = "score"
    ASSESSMENTS = "assessments"


class IneligibleReason(enum.StrEnum):
    """Why an applicant may not have a listing. `REASON_ORDER` is the order in which the checks are made."""

    HOUSEHOLD_SIZE = "household_size"
    INCOME_ABOVE_MAX = "income_above_max"
    INCOME_BELOW_MIN = "income_below_min"
    GROUP_NOT_ALLOWED = "group_not_allowed"
    GROUP_EXCLUDED = "group_excluded"
    NO_MOTIVATION_SCORE = "no_motivation_score"  # round/1 (MotivationRule.SCORE)
    MOTIVATION_INCOMPLETE = "motivation_incomplete"  # round/2: too few assessments to make a score
    MOTIVATION_BELOW_MINIMUM = "motivation_below_minimum"  # round/2: a score below the listing's minimum
    NOT_AFFORDABLE = "not_affordable"


# The affordability test comes last: it is the only check that needs the legal parameters, so a parameter missing
# for the reference date only matters for bids that every other check lets through (docs/allocation.md).
REASON_ORDER: tuple[IneligibleReason, ...] = tuple(IneligibleReason)
# Column code of a reason: 0 means eligible.
REASON_CODE = {reason: code for code, reason in enumerate(REASON_ORDER, start=1)}
# The reasons a round of each rule can give (a round/1 summary counts exactly the reasons it did before round/2).
RULE_REASONS: dict[MotivationRule, tuple[IneligibleReason, ...]] = {
    MotivationRule.SCORE: tuple(r for r in REASON_ORDER if r not in (IneligibleReason.MOTIVATION_INCOMPLETE,
                                                                     IneligibleReason.MOTIVATION_BELOW_MINIMUM)),
    MotivationRule.ASSESSMENTS: tuple(r for r in REASON_ORDER if r is not IneligibleReason.NO_MOTIVATION_SCORE),
}
# Assessment scores run from 0.0 to 4.0 with at most one decimal; columns count them in tenths.
SCORE_MAX = Decimal("4.0")
TENTHS = Decimal(10)


class RoundInputError(ValueError):
    """Facts that do not make a round (unknown ids, duplicate bids or preferences); `problems` lists every one."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def score_tenths(score: Decimal | None, name: str) -> int | None:
    """Whole tenths of a motivation score ("0.0" to "4.0", at most one decimal); None for None.

    Raises:
        ValueError: a score that is not a Decimal, is out of range or has more than one decimal.
    """
    if score is None:
        return None
    if not isinstance(score, Decimal) or not score.is_finite() or not 0 <= score <= SCORE_MAX:
        raise ValueError(f"{name} must be a Decimal score from 0.0 to 4.0, not {score!r}")
    tenths = score * TENTHS
    if tenths != tenths.to_integral_value():
        raise ValueError(f"{name} has more than one decimal: {score}")
    return int(tenths)


@dataclass(frozen=True)
class Assessment:
    """One assessor's score of an applicant's motivation for one listing (round/2), given blind.

    Attributes:
        assessor: who scored (an id the round only compares: the same id twice counts once, the first).
        score: 0.0 to 4.0, at most one decimal.
    """

    assessor: str
    score: Decimal

    def __post_init__(self) -> None:
        """Refuse an assessment without an assessor or with a score out of range.

        Raises:
            ValueError: naming the field.
        """
        if not isinstance(self.assessor, str) or not self.assessor:
            raise ValueError(f"assessor must be a non-empty string, not {self.assessor!r}")
        score_tenths(self.score, "score")


def _cents(amount: Decimal | None, name: str) -> int | None:
    if amount is None:
        return None
    if not isinstance(amount, Decimal) or not amount.is_finite() or amount < 0:
        raise ValueError(f"{name} must be a non-negative Decimal amount, not {amount!r}")
    cents = amount * CENTS
    if cents != cents.to_integral_value():
        raise ValueError(f"{name} has more than two decimals: {amount}")
    return int(cents)


@dataclass(frozen=True)
class Listing:
    """A vacant dwelling offered in the round (publicatie), with its labels. Capacity is one household.

    Attributes:
        id: the listing's id in the round.
        base_rent: kale huur per month, the rent tested for affordability (passend toewijzen).
        selection: how eligible candidates are ordered after urgency.
        urgency_first: urgent applicants go before everyone else (voorrang voor urgenten).
        household_size_min / household_size_max: inclusive limits; None = no limit.
        income_min / income_max: inclusive limits on the assessed income per year; None = no limit.
        allowed_groups: when not empty, the applicant must belong to at least one of these groups (doelgroep).
        excluded_groups: the applicant must belong to none of these.
        affordability_exception: the passend-toewijzen test is not applied (a documented exception, e.g. a
            dwelling let within the 5% room); the corporation accounts for it in its yearly norm.
        dwelling / complex / municipality: for the record; the round does not use them.
        criteria: the published criteria of a `motivation` listing (round/2: required there, a non-empty tuple of
            texts; other listings have none).
        motivation_min_score: round/2: the lowest score (0.0 to 4.0) a candidate may have; None = no minimum.
    """

    id: str
    base_rent: Decimal
    selection: SelectionKey = SelectionKey.REGISTRATION
    urgency_first: bool = False
    household_size_min: int | None = None
    household_size_max: int | None = None
    income_min: Decimal | None = None
    income_max: Decimal | None = None
    allowed_groups: frozenset[str] = frozenset()
    excluded_groups: frozenset[str] = frozenset()
    affordability_exception: bool = False
    dwelling: str | None = None
    complex: str | None = None
    municipality: str | None = None
    criteria: tuple[str, ...] = ()
    motivation_min_score: Decimal | None = None

    def __post_init__(self) -> None:
        """Refuse a listing no applicant could have or the columns cannot hold; normalise the selection and groups.

        Raises:
            ValueError: an empty id, an amount that is negative or not whole cents, a size limit below 1, a lower
                limit above its upper limit (a labelling mistake, not a rule), criteria that are not texts, or
                criteria or a minimum score on a listing that does not select on motivation.
        """
        if not isinstance(self.id, str) or not self.id:
            raise ValueError(f"listing id must be a non-empty string, not {self.id!r}")
        object.__setattr__(self, "selection", SelectionKey(self.selection))
        object.__setattr__(self, "allowed_groups", frozenset(self.allowed_groups))
        object.__setattr__(self, "excluded_groups", frozenset(self.excluded_groups))
        self._check_motivation_labels()
        _cents(self.base_rent, "base_rent")
        if self.base_rent is None:
            raise ValueError("base_rent is required")
        for name in ("income_min", "income_max"):
            _cents(getattr(self, name), name)
        for name in ("household_size_min", "household_size_max"):
            value = getattr(self, name)
            if value is not None and (type(value) is not int or value < 1):
                raise ValueError(f"{name} must be a whole number of at least 1 or None, not {value!r}")
        for low, high in (("household_size_min", "household_size_max"), ("income_min", "income_max")):
            if None not in (getattr(self, low), getattr(self, high)) and getattr(self, low) > getattr(self, high):
                # Nobody could have such a listing: a labelling mistake, not a rule.
                raise ValueError(f"{low} {getattr(self, low)} is above {high} {getattr(self, high)}")

    def _check_motivation_labels(self) -> None:
        """Criteria are texts and, with a minimum score, belong to a listing that selects on motivation."""
        if isinstance(self.criteria, str):
            raise ValueError("criteria must be a sequence of texts, not one text")
        criteria = tuple(self.criteria)
        if not all(isinstance(text, str) and text for text in criteria):
            raise ValueError(f"criteria must be non-empty texts, not {criteria!r}")
        object.__setattr__(self, "criteria", criteria)
        score_tenths(self.motivation_min_score, "motivation_min_score")
        if self.selection is not SelectionKey.MOTIVATION and (criteria or self.motivation_min_score is not None):
            raise ValueError(f"listing {self.id} does not select on motivation: it has no criteria or minimum score")

@dataclass(frozen=True)
class Applicant:
    """A household looking for a dwelling (woningzoekende), as the round sees it.

    Attributes:
        id: the applicant's id in the round (registration number).
        household_size: everyone who moves in, children included.
        assessed_income: verzamelinkomen per year, without children's income.
        is_pension_age_household: someone in the household has reached the AOW age on 1 January.
        registration_date: start of the registration (inschrijfdatum), for `registration` listings.
        is_urgent: has an urgency (urgentieverklaring) that listings with `urgency_first` honour.
        groups: target groups the applicant belongs to (e.g. "senior", "starter").
        motivation_scores: round/1: listing id -> the motivation score the assessors gave for that listing.
        motivation_assessments: round/2: listing id -> the assessors' scores for that listing, in the order given
            (the first of an assessor counts).
    """

    id: str
    household_size: int
    assessed_income: Decimal
    registration_date: date
    is_pension_age_household: bool = False
    is_urgent: bool = False
    groups: frozenset[str] = frozenset()
    motivation_scores: Mapping[str, float] = field(default_factory=dict)
    motivation_assessments: Mapping[str, tuple[Assessment, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Refuse an applicant the round cannot rank; freeze the groups, the scores and the assessments.

        Raises:
            ValueError: an empty id, a household size below 1, an income that is missing, negative or not whole cents,
                a registration date that is not a date, a motivation score that is not a finite number, or an
                assessment that is not an `Assessment`.
        """
        if not isinstance(self.id, str) or not self.id:
            raise ValueError(f"applicant id must be a non-empty string, not {self.id!r}")
        if type(self.household_size) is not int or self.household_size < 1:
            raise ValueError(f"household_size must be a whole number of at least 1, not {self.household_size!r}")
        if self.assessed_income is None:
            raise ValueError("assessed_income is required")
        _cents(self.assessed_income, "assessed_income")
        if not isinstance(self.registration_date, date) or isinstance(self.registration_date, datetime):
            raise ValueError(f"registration_date must be a date, not {self.registration_date!r}")
        object.__setattr__(self, "groups", frozenset(self.groups))
        scores = dict(self.motivation_scores)
        for listing_id, score in scores.items():
            if isinstance(score, bool) or not isinstance(score, int | float | Decimal) or not math.isfinite(score):
                raise ValueError(f"motivation score for {listing_id!r} must be a finite number, not {score!r}")
        object.__setattr__(self, "motivation_scores", MappingProxyType(scores))
        assessments = {listing_id: tuple(given) for listing_id, given in self.motivation_assessments.items()}
        for listing_id, given in assessments.items():
            if not all(isinstance(item, Assessment) for item in given):
                raise ValueError(f"motivation assessments for {listing_id!r} must be Assessments, not {given!r}")
        object.__setattr__(self, "motivation_assessments", MappingProxyType(assessments))


@dataclass(frozen=True)
class Bid:
    """An applicant's reaction (reactie) on a listing.

    Attributes:
        applicant / listing: ids.
        preference: the applicant's rank for this listing, 1 = most wanted; distinct per applicant.
        submitted_at: when the bid was placed (for `first_come` listings). Either every bid in a round carries a
            UTC offset or none does.
    """

    applicant: str
    listing: str
    preference: int
    submitted_at: datetime

    def __post_init__(self) -> None:
        """Refuse a preference below 1 or a submission time that is not a datetime (`first_come` orders by it).

        Raises:
            ValueError: naming the field.
        """
        if type(self.preference) is not int or self.preference < 1:
            raise ValueError(f"preference must be a whole number of at least 1, not {self.preference!r}")
        if not isinstance(self.submitted_at, datetime):
            raise ValueError(f"submitted_at must be a datetime, not {self.submitted_at!r}")


def datetime_to_microseconds(moment: datetime) -> int:
    """Microseconds since 1970-01-01 (UTC for aware datetimes, as written for naive ones)."""
    if moment.tzinfo is None:
        return (moment - EPOCH) // ONE_MICROSECOND
    return (moment - EPOCH_UTC) // ONE_MICROSECOND


def microseconds_to_iso(microseconds: int, is_utc: bool) -> str:
    """The inverse of `datetime_to_microseconds`, as ISO 8601 text."""
    moment = (EPOCH_UTC if is_utc else EPOCH) + timedelta(microseconds=microseconds)
    return moment.isoformat()


@dataclass(frozen=True)
class RoundInput:
    """A round as rows. `compile()` checks that the rows make a round and turns them into `RoundFacts`.

    `motivation_rule` says how motivation listings score (round/1 scores or round/2 assessments, `MotivationRule`).
    """

    listings: tuple[Listing, ...]
    applicants: tuple[Applicant, ...]
    bids: tuple[Bid, ...]
    motivation_rule: MotivationRule = MotivationRule.SCORE

    def __post_init__(self) -> None:
        """Keep the rows as tuples, whatever iterables were passed, so the input cannot change once built."""
        for name in ("listings", "applicants", "bids"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        object.__setattr__(self, "motivation_rule", MotivationRule(self.motivation_rule))

    def compile(self) -> RoundFacts:
        """The same facts as columns.

        Raises:
            RoundInputError: with every problem: duplicate ids, bids on unknown listings or by unknown
                applicants, motivation scores or assessments for unknown listings, a second bid of an applicant on
                a listing, a preference an applicant uses twice, a mix of bids with and without a UTC offset, or
                motivation given in the other rule's form (scores in round/2, assessments, criteria or a minimum
                score in round/1) or a round/2 motivation listing without criteria.
        """
        problems: list[str] = []
        listing_index = _index_ids((listing.id for listing in self.listings), "listings", problems)
        applicant_index = _index_ids((applicant.id for applicant in self.applicants), "applicants", problems)
        bid_applicant = np.array([applicant_index.get(bid.applicant, -1) for bid in self.bids], dtype=np.int64)
        bid_listing = np.array([listing_index.get(bid.listing, -1) for bid in self.bids], dtype=np.int64)
        for i, bid in enumerate(self.bids):
            if bid_applicant[i] < 0:
                problems.append(f'bids[{i}].applicant: unknown applicant "{bid.applicant}"')
            if bid_listing[i] < 0:
                problems.append(f'bids[{i}].listing: unknown listing "{bid.listing}"')
        preference = np.array([bid.preference for bid in self.bids], dtype=np.int64)
        known = (bid_applicant >= 0) & (bid_listing >= 0)
        for conflict in bid_conflicts(bid_applicant, bid_listing, preference, known):
            bid = self.bids[conflict.bid]
            if conflict.kind == "duplicate_bid":
                problems.append(
                    f'bids[{conflict.bid}]: applicant "{bid.applicant}" already bid on listing "{bid.listing}" '
                    f"in bids[{conflict.first}]"
                )
            else:
                problems.append(
                    f'bids[{conflict.bid}].preference: applicant "{bid.applicant}" already gave preference '
                    f"{bid.preference} in bids[{conflict.first}]"
                )
        aware = [bid.submitted_at.tzinfo is not None for bid in self.bids]
        is_utc = bool(aware) and all(aware)
        if any(aware) and not is_utc:
            problems.extend(
                f"bids[{i}].submitted_at: has no UTC offset while other bids have one"
                for i, has_offset in enumerate(aware)
                if not has_offset
            )
        motivation_rows: list[tuple[int, int, float]] = []
        for a, applicant in enumerate(self.applicants):
            for listing_id, score in applicant.motivation_scores.items():
                if listing_id not in listing_index:
                    problems.append(f'applicants[{a}].motivation_scores: unknown listing "{listing_id}"')
                else:
                    motivation_rows.append((a, listing_index[listing_id], float(score)))
        assessments = self._assessment_columns(listing_index, problems)
        if problems:
            raise RoundInputError(problems)
        motivation = np.array(motivation_rows, dtype=np.float64).reshape(-1, 3)
        return RoundFacts.from_columns(
            listings=self.listings,
            applicant_ids=tuple(applicant.id for applicant in self.applicants),
            household_size=np.array([applicant.household_size for applicant in self.applicants]),
            assessed_income_cents=np.array(
                [_cents(applicant.assessed_income, "assessed_income") for applicant in self.applicants],
                dtype=np.int64,
            ),
            is_pension_age_household=np.array([a.is_pension_age_household for a in self.applicants], dtype=bool),
            registration_day=np.array([a.registration_date.toordinal() for a in self.applicants], dtype=np.int64),
            is_urgent=np.array([applicant.is_urgent for applicant in self.applicants], dtype=bool),
            applicant_groups=[applicant.groups for applicant in self.applicants],
            motivation_applicant=motivation[:, 0].astype(np.int64),
            motivation_listing=motivation[:, 1].astype(np.int64),
            motivation_score=motivation[:, 2],
            bid_applicant=bid_applicant,
            bid_listing=bid_listing,
            bid_preference=preference,
            bid_submitted_us=np.array([datetime_to_microseconds(bid.submitted_at) for bid in self.bids], np.int64),
            submitted_at_is_utc=is_utc,
            has_checked_conflicts=True,
            motivation_rule=self.motivation_rule,
            **assessments,
        )

    def _assessment_columns(self, listing_index: dict[str, int], problems: list[str]) -> dict:
        """The round/2 assessments as columns for `RoundFacts.from_columns`; adds a problem for each misfit."""
        is_assessed = self.motivation_rule is MotivationRule.ASSESSMENTS
        for i, listing in enumerate(self.listings):
            if is_assessed and listing.selection is SelectionKey.MOTIVATION and not listing.criteria:
                problems.append(f'listings[{i}].criteria: listing "{listing.id}" selects on motivation and must '
                                "publish its criteria")
            if not is_assessed and (listing.criteria or listing.motivation_min_score is not None):
                problems.append(f"listings[{i}]: criteria and motivation_min_score need the assessments rule (round/2)")
        assessor_index: dict[str, int] = {}
        rows: list[tuple[int, int, int, int]] = []
        for a, applicant in enumerate(self.applicants):
            if is_assessed and applicant.motivation_scores:
                problems.append(f"applicants[{a}].motivation_scores: round/2 scores motivation from assessments")
            if not is_assessed and applicant.motivation_assessments:
                problems.append(f"applicants[{a}].motivation_assessments: assessments need round/2")
            for listing_id, given in applicant.motivation_assessments.items():
                if listing_id not in listing_index:
                    problems.append(f'applicants[{a}].motivation_assessments: unknown listing "{listing_id}"')
                    continue
                for item in given:
                    assessor = assessor_index.setdefault(item.assessor, len(assessor_index))
                    rows.append((a, listing_index[listing_id], assessor, score_tenths(item.score, "score")))
        columns = np.array(rows, dtype=np.int64).reshape(-1, 4)
        return {"assessor_ids": tuple(assessor_index), "assessment_applicant": columns[:, 0],
                "assessment_listing": columns[:, 1], "assessment_assessor": columns[:, 2],
                "assessment_score_tenths": columns[:, 3]}


def _index_ids(ids: Iterable[str], section: str, problems: list[str]) -> dict[str, int]:
    index: dict[str, int] = {}
    for i, identifier in enumerate(ids):
        if identifier in index:
            problems.append(f'{section}[{i}].id: "{identifier}" is also the id of {section}[{index[identifier]}]')
        else:
            index[identifier] = i
    return index


@dataclass(frozen=True)
class BidConflict:
    """A bid that repeats an earlier one: the same listing again, or a preference the applicant already used."""

    bid: int
    kind: str  # "duplicate_bid" or "duplicate_preference"
    first: int


def stable_order(keys: list[np.ndarray]) -> np.ndarray:
    """Indices that sort rows by `keys` (most significant first, each non-negative integers), ties in input order.

    When the keys fit in 62 bits together they are packed into one int64 and sorted once, which is several times
    faster than `np.lexsort` on a million rows; otherwise it falls back to `np.lexsort`.
    """
    n = len(keys[0]) if keys else 0
    bits = [int(key.max()).bit_length() if n else 0 for key in keys]
    if sum(bits) <= 62:
        packed = np.zeros(n, dtype=np.int64)
        for key, width in zip(keys, bits, strict=True):
            packed <<= width
            packed |= key.astype(np.int64, copy=False)
        return np.argsort(packed, kind="stable")
    # np.lexsort sorts by its last key first; the row number last keeps ties in input order.
    return np.lexsort((np.arange(n), *reversed(keys)))


def _may_repeat(a: np.ndarray, b: np.ndarray) -> bool:
    """False when no (a, b) pair occurs twice; a plain sort is twice as fast as the argsort that finds which."""
    if len(a) < 2:
        return False
    width = int(b.max()).bit_length()
    if int(a.max()).bit_length() + width > 62:
        return True
    packed = np.sort((a.astype(np.int64) << width) | b.astype(np.int64))
    return bool((packed[1:] == packed[:-1]).any())


def bid_conflicts(
    bid_applicant: np.ndarray, bid_listing: np.ndarray, preference: np.ndarray, known: np.ndarray | None = None
) -> list[BidConflict]:
    """Every bid that repeats an earlier bid (same applicant and listing) or an earlier preference of its applicant.

    Bids are compared in input order; the later one is reported, pointing at the first. Bids where `known` is
    False (an unknown id) take no part.
    """
    rows = np.arange(len(bid_applicant)) if known is None else np.flatnonzero(known)
    conflicts: list[BidConflict] = []
    for kind, second in (("duplicate_bid", bid_listing), ("duplicate_preference", preference)):
        a, b = bid_applicant[rows], second[rows]
        if not _may_repeat(a, b):
            continue
        order = stable_order([a, b])
        a, b = a[order], b[order]
        same = (a[1:] == a[:-1]) & (b[1:] == b[:-1])
        if not same.any():
            continue
        # The first bid of each run of equal (applicant, key) pairs is the one the others repeat.
        run_start = np.maximum.accumulate(np.where(np.concatenate(([False], same)), 0, np.arange(len(order))))
        for position in np.flatnonzero(same) + 1:
            conflicts.append(BidConflict(int(rows[order[position]]), kind, int(rows[order[run_start[position]]])))
    conflicts.sort(key=lambda c: (c.bid, c.kind))
    return conflicts


def _group_masks(groups: Iterable[Iterable[str]], group_bit: dict[str, int], words: int, rows: int) -> np.ndarray:
    """Per row a bit mask (`words` x 64 bits) of its groups that have a bit; other groups are ignored."""
    masks = np.zeros((rows, words), dtype=np.uint64)
    if not group_bit:
        return masks
    groups = [tuple(g) for g in groups]
    if len(groups) != rows:
        raise ValueError(f"{len(groups)} group lists for {rows} rows")
    lengths = np.fromiter(map(len, groups), np.int64, rows)
    bits = np.fromiter(map(group_bit.get, chain.from_iterable(groups), repeat(-1)), np.int64, int(lengths.sum()))
    row = np.repeat(np.arange(rows), lengths)
    for word in range(words):
        mine = (bits >= 0) & (bits // 64 == word)
        np.bitwise_or.at(masks[:, word], row[mine], np.left_shift(np.uint64(1), (bits[mine] % 64).astype(np.uint64)))
    return masks


def _empty(dtype) -> np.ndarray:
    array = np.zeros(0, dtype=dtype)
    array.flags.writeable = False
    return array


def _readonly(array: np.ndarray, dtype) -> np.ndarray:
    result = np.ascontiguousarray(array, dtype=dtype)
    if result is array:
        result = result.copy()
    result.flags.writeable = False
    return result


@dataclass(frozen=True, eq=False)
class RoundFacts:
    """A round as columns: per applicant and per bid arrays (read-only), indexed by position.

    Build it with `RoundInput.compile()` or `RoundFacts.from_columns(...)`. Indices: applicant `a` is
    `applicant_ids[a]`, listing `li` is `listings[li]`, bid `b` has `bid_applicant[b]` and `bid_listing[b]`.

    Attributes:
        listings: the listings (few: a national round has 2,000).
        applicant_ids: per applicant its id.
        household_size / assessed_income_cents / is_pension_age_household / registration_day / is_urgent: per
            applicant; `registration_day` is the proleptic ordinal of the date (`date.toordinal()`).
        group_names: every group some listing allows or excludes (groups no listing names play no part).
        applicant_group_mask: per applicant a bit mask over `group_names` (shape: applicants x words of 64 bits).
        listing_allowed_mask / listing_excluded_mask: the same per listing.
        motivation_applicant / motivation_listing / motivation_score: round/1, one entry per score given.
        bid_applicant / bid_listing / bid_preference / bid_submitted_us: per bid; time in microseconds since
            1970-01-01 (UTC when `submitted_at_is_utc`).
        motivation_rule: how motivation listings score (`MotivationRule`: round/1 scores, round/2 assessments).
        assessor_ids: round/2, every assessor named in the assessments.
        assessment_applicant / assessment_listing / assessment_assessor / assessment_score_tenths: round/2, one
            entry per assessment, in the order given (an applicant's assessments for a listing in their order);
            the assessor is an index in `assessor_ids`, the score in tenths (0 to 40).
    """

    listings: tuple[Listing, ...]
    applicant_ids: tuple[str, ...]
    household_size: np.ndarray
    assessed_income_cents: np.ndarray
    is_pension_age_household: np.ndarray
    registration_day: np.ndarray
    is_urgent: np.ndarray
    group_names: tuple[str, ...]
    applicant_group_mask: np.ndarray
    listing_allowed_mask: np.ndarray
    listing_excluded_mask: np.ndarray
    motivation_applicant: np.ndarray
    motivation_listing: np.ndarray
    motivation_score: np.ndarray
    bid_applicant: np.ndarray
    bid_listing: np.ndarray
    bid_preference: np.ndarray
    bid_submitted_us: np.ndarray
    submitted_at_is_utc: bool = False
    motivation_rule: MotivationRule = MotivationRule.SCORE
    assessor_ids: tuple[str, ...] = ()
    assessment_applicant: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    assessment_listing: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    assessment_assessor: np.ndarray = field(default_factory=lambda: _empty(np.int64))
    assessment_score_tenths: np.ndarray = field(default_factory=lambda: _empty(np.int64))

    @classmethod
    def from_columns(
        cls,
        *,
        listings: Iterable[Listing],
        applicant_ids: Iterable[str],
        household_size,
        assessed_income_cents,
        is_pension_age_household,
        registration_day,
        is_urgent,
        applicant_groups: Iterable[Iterable[str]],
        motivation_applicant,
        motivation_listing,
        motivation_score,
        bid_applicant,
        bid_listing,
        bid_preference,
        bid_submitted_us,
        submitted_at_is_utc: bool = False,
        has_checked_conflicts: bool = False,
        motivation_rule: MotivationRule = MotivationRule.SCORE,
        assessor_ids: Iterable[str] = (),
        assessment_applicant=(),
        assessment_listing=(),
        assessment_assessor=(),
        assessment_score_tenths=(),
    ) -> RoundFacts:
        """Facts from columns whose ids the caller has already resolved to indices and checked.

        `has_checked_conflicts` skips the search for repeated bids and preferences when the caller has just run
        `bid_conflicts` itself (the round file reader does, to name every one). The assessment columns belong to
        the round/2 rule (`motivation_rule=MotivationRule.ASSESSMENTS`); a round/1 round has none.

        Raises:
            ValueError: when the columns do not fit together (lengths, indices out of range, conflicting bids).
        """
        listings = tuple(listings)
        applicant_ids = tuple(applicant_ids)
        n_applicants, n_listings = len(applicant_ids), len(listings)
        group_names = tuple(
            sorted({g for listing in listings for g in (*listing.allowed_groups, *listing.excluded_groups)})
        )
        group_bit = {name: bit for bit, name in enumerate(group_names)}
        words = max(1, (len(group_names) + 63) // 64)
        applicant_mask = _group_masks(applicant_groups, group_bit, words, n_applicants)
        allowed = _group_masks([x.allowed_groups for x in listings], group_bit, words, n_listings)
        excluded = _group_masks([x.excluded_groups for x in listings], group_bit, words, n_listings)
        facts = cls(
            listings=listings,
            applicant_ids=applicant_ids,
            household_size=_readonly(household_size, np.int64),
            assessed_income_cents=_readonly(assessed_income_cents, np.int64),
            is_pension_age_household=_readonly(is_pension_age_household, bool),
            registration_day=_readonly(registration_day, np.int64),
            is_urgent=_readonly(is_urgent, bool),
            group_names=group_names,
            applicant_group_mask=_readonly(applicant_mask, np.uint64),
            listing_allowed_mask=_readonly(allowed, np.uint64),
            listing_excluded_mask=_readonly(excluded, np.uint64),
            motivation_applicant=_readonly(motivation_applicant, np.int64),
            motivation_listing=_readonly(motivation_listing, np.int64),
            motivation_score=_readonly(motivation_score, np.float64),
            bid_applicant=_readonly(bid_applicant, np.int64),
            bid_listing=_readonly(bid_listing, np.int64),
            bid_preference=_readonly(bid_preference, np.int64),
            bid_submitted_us=_readonly(bid_submitted_us, np.int64),
            submitted_at_is_utc=bool(submitted_at_is_utc),
            motivation_rule=MotivationRule(motivation_rule),
            assessor_ids=tuple(assessor_ids),
            assessment_applicant=_readonly(assessment_applicant, np.int64),
            assessment_listing=_readonly(assessment_listing, np.int64),
            assessment_assessor=_readonly(assessment_assessor, np.int64),
            assessment_score_tenths=_readonly(assessment_score_tenths, np.int64),
        )
        facts._check(has_checked_conflicts)
        return facts

    def _check(self, has_checked_conflicts: bool) -> None:
        """Refuse columns that do not fit together; `from_columns` documents the cases."""
        self._check_lengths()
        self._check_values()
        self._check_repeats(has_checked_conflicts)
        self._check_rule()

    def _check_rule(self) -> None:
        """Motivation comes in the form of the round's rule; round/2 motivation listings publish their criteria."""
        n_assessments = len(self.assessment_applicant)
        for name in ("assessment_listing", "assessment_assessor", "assessment_score_tenths"):
            if len(getattr(self, name)) != n_assessments:
                raise ValueError("the assessment columns differ in length")
        for name, column, size in (("assessment_applicant", self.assessment_applicant, len(self.applicant_ids)),
                                   ("assessment_listing", self.assessment_listing, len(self.listings)),
                                   ("assessment_assessor", self.assessment_assessor, len(self.assessor_ids))):
            if n_assessments and (column.min() < 0 or column.max() >= size):
                raise ValueError(f"{name} holds an index outside 0..{size - 1}")
        if n_assessments and (self.assessment_score_tenths.min() < 0 or self.assessment_score_tenths.max() > 40):
            raise ValueError("assessment scores must be 0 to 40 tenths")
        if self.motivation_rule is MotivationRule.SCORE:
            if n_assessments or any(x.criteria or x.motivation_min_score is not None for x in self.listings):
                raise ValueError("assessments, criteria and minimum scores need the assessments rule (round/2)")
            return
        if len(self.motivation_applicant):
            raise ValueError("a round/2 round scores motivation from assessments, not from given scores")
        for listing in self.listings:
            if listing.selection is SelectionKey.MOTIVATION and not listing.criteria:
                raise ValueError(f"listing {listing.id} selects on motivation and must publish its criteria")

    def _check_lengths(self) -> None:
        """One entry per applicant in every applicant column, per bid in every bid column, per score likewise."""
        n_applicants, n_bids = len(self.applicant_ids), len(self.bid_applicant)
        for name in ("household_size", "assessed_income_cents", "is_pension_age_household", "registration_day",
                     "is_urgent", "applicant_group_mask"):
            if len(getattr(self, name)) != n_applicants:
                raise ValueError(f"{name} has {len(getattr(self, name))} entries for {n_applicants} applicants")
        for name in ("bid_listing", "bid_preference", "bid_submitted_us"):
            if len(getattr(self, name)) != n_bids:
                raise ValueError(f"{name} has {len(getattr(self, name))} entries for {n_bids} bids")
        if not len(self.motivation_applicant) == len(self.motivation_listing) == len(self.motivation_score):
            raise ValueError("the motivation columns differ in length")

    def _check_values(self) -> None:
        """Indices point at an applicant or listing; sizes, incomes, preferences and scores are in range."""
        n_applicants = len(self.applicant_ids)
        for name, column, size in (
            ("bid_applicant", self.bid_applicant, n_applicants),
            ("bid_listing", self.bid_listing, len(self.listings)),
            ("motivation_applicant", self.motivation_applicant, n_applicants),
            ("motivation_listing", self.motivation_listing, len(self.listings)),
        ):
            if len(column) and (column.min() < 0 or column.max() >= size):
                raise ValueError(f"{name} holds an index outside 0..{size - 1}")
        if n_applicants and (self.household_size.min() < 1 or self.assessed_income_cents.min() < 0):
            raise ValueError("household sizes must be at least 1 and incomes non-negative")
        if len(self.bid_applicant) and self.bid_preference.min() < 1:
            raise ValueError("preferences must be at least 1")
        if not np.isfinite(self.motivation_score).all():
            raise ValueError("motivation scores must be finite")

    def _check_repeats(self, has_checked_conflicts: bool) -> None:
        """No repeated bid or preference (unless the caller has just looked) and one score per applicant and listing."""
        conflicts = (
            [] if has_checked_conflicts else bid_conflicts(self.bid_applicant, self.bid_listing, self.bid_preference)
        )
        if conflicts:
            first = conflicts[0]
            raise ValueError(f"bid {first.bid} repeats bid {first.first} ({first.kind}); {len(conflicts)} in all")
        if len(self.motivation_applicant):
            pairs = self.motivation_applicant * max(1, len(self.listings)) + self.motivation_listing
            if len(np.unique(pairs)) != len(pairs):
                raise ValueError("an applicant has two motivation scores for one listing")

    @cached_property
    def listing_ids(self) -> tuple[str, ...]:
        """Per listing its id, in column order (listing `li` is `listing_ids[li]`)."""
        return tuple(listing.id for listing in self.listings)

    def listing_index(self) -> dict[str, int]:
        """Listing id -> its position in the columns (the inverse of `listing_ids`)."""
        return {listing.id: i for i, listing in enumerate(self.listings)}

    def applicant_index(self) -> dict[str, int]:
        """Applicant id -> its position in the columns (the inverse of `applicant_ids`)."""
        return {identifier: i for i, identifier in enumerate(self.applicant_ids)}

    def without(self, *, listings: Iterable[str] = (), applicants: Iterable[str] = ()) -> RoundFacts:
        """The round left after taking out listings and applicants (and every bid on or by them).

        This is how a round re-runs after a declined offer: the caller takes out the accepted pairs (and, by its
        own policy, the decliner's bid) and solves again with the same seed; lottery numbers depend only on the
        seed and the applicant id, so every remaining applicant keeps theirs.
        """
        drop_listings, drop_applicants = set(listings), set(applicants)
        keep_l = np.array([listing.id not in drop_listings for listing in self.listings], dtype=bool)
        keep_a = np.array([identifier not in drop_applicants for identifier in self.applicant_ids], dtype=bool)
        return self.subset(keep_listings=keep_l, keep_applicants=keep_a)

    def subset(
        self,
        *,
        keep_listings: np.ndarray | None = None,
        keep_applicants: np.ndarray | None = None,
        keep_bids: np.ndarray | None = None,
    ) -> RoundFacts:
        """The round restricted to the listings, applicants and bids whose mask is True (None keeps all)."""
        keep_l = np.ones(len(self.listings), bool) if keep_listings is None else np.asarray(keep_listings, bool)
        keep_a = (
            np.ones(len(self.applicant_ids), bool) if keep_applicants is None else np.asarray(keep_applicants, bool)
        )
        keep_b = np.ones(len(self.bid_applicant), bool) if keep_bids is None else np.asarray(keep_bids, bool)
        keep_b = keep_b & keep_l[self.bid_listing] & keep_a[self.bid_applicant]
        keep_m = keep_l[self.motivation_listing] & keep_a[self.motivation_applicant]
        keep_s = keep_l[self.assessment_listing] & keep_a[self.assessment_applicant]
        new_l = np.cumsum(keep_l) - 1
        new_a = np.cumsum(keep_a) - 1
        applicant_rows = np.flatnonzero(keep_a)
        groups = [
            {name for bit, name in enumerate(self.group_names) if int(mask[bit // 64]) >> (bit % 64) & 1}
            for mask in self.applicant_group_mask[applicant_rows]
        ]
        return RoundFacts.from_columns(
            listings=[listing for listing, keep in zip(self.listings, keep_l, strict=True) if keep],
            applicant_ids=[self.applicant_ids[a] for a in applicant_rows],
            household_size=self.household_size[keep_a],
            assessed_income_cents=self.assessed_income_cents[keep_a],
            is_pension_age_household=self.is_pension_age_household[keep_a],
            registration_day=self.registration_day[keep_a],
            is_urgent=self.is_urgent[keep_a],
            applicant_groups=groups,
            motivation_applicant=new_a[self.motivation_applicant[keep_m]],
            motivation_listing=new_l[self.motivation_listing[keep_m]],
            motivation_score=self.motivation_score[keep_m],
            bid_applicant=new_a[self.bid_applicant[keep_b]],
            bid_listing=new_l[self.bid_listing[keep_b]],
            bid_preference=self.bid_preference[keep_b],
            bid_submitted_us=self.bid_submitted_us[keep_b],
            submitted_at_is_utc=self.submitted_at_is_utc,
            has_checked_conflicts=True,
            motivation_rule=self.motivation_rule,
            assessor_ids=self.assessor_ids,
            assessment_applicant=new_a[self.assessment_applicant[keep_s]],
            assessment_listing=new_l[self.assessment_listing[keep_s]],
            assessment_assessor=self.assessment_assessor[keep_s],
            assessment_score_tenths=self.assessment_score_tenths[keep_s],
        )
