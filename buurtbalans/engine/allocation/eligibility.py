"""Eligibility of each bid: may this applicant have this listing? (step 1 of the round, docs/allocation.md)

All checks run on columns (one array entry per bid). Affordability (passend toewijzen) uses the rules engine's
`affordability_fit` for the reference date's parameter set, called once per listing and household class rather
than once per bid; see `affordability_table`.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

import numpy as np

from buurtbalans.engine.allocation.facts import (
    CENTS,
    NO_LIMIT_HIGH,
    REASON_CODE,
    IneligibleReason,
    RoundFacts,
    SelectionKey,
)
from buurtbalans.engine.parameters import ParameterSet, allowance_cap_name, allowance_income_limit_name
from buurtbalans.engine.rules import FitOutcome, HouseholdFacts, RentFacts, affordability_fit

# Codes in `AffordabilityTable.outcome`.
FIT, NOT_FIT, PARAMETER_MISSING = 0, 1, 2


@dataclass(frozen=True)
class MissingParameter:
    """A legal parameter the round needs but the reference date's set does not give.

    Attributes:
        name: the parameter (e.g. "allowance_cap_low").
        listings: ids of the listings whose affordability test needs it.
        bids: how many bids need it.
    """

    name: str
    listings: tuple[str, ...]
    bids: int


class RoundParameterMissing(LookupError):
    """The round cannot decide affordability without guessing: a parameter is unknown for the reference date.

    Listings marked as an affordability exception never need it. `missing` names each parameter with the
    listings and the number of bids that need it.
    """

    def __init__(self, missing: tuple[MissingParameter, ...], params: ParameterSet):
        self.missing = missing
        self.parameters_version = params.version
        self.valid_from = params.valid_from
        parts = []
        for item in missing:
            more = len(item.listings) - 5
            shown = ", ".join(item.listings[:5]) + (f" and {more} more" if more > 0 else "")
            parts.append(
                f"parameter missing: {item.name} (valid from {params.valid_from.isoformat()}), needed for the "
                f"affordability test of {item.bids} bid(s) on {len(item.listings)} listing(s): {shown}"
            )
        super().__init__(
            "; ".join(parts) + ". Add the parameter, or mark those listings as an affordability exception."
        )


@dataclass(frozen=True, eq=False)
class AffordabilityTable:
    """`affordability_fit` answered per household class x listing for a household with income 0.

    A household class is the pair of parameter names the rule picks for a household (the allowance income limit
    of its type and the cap for its size, `allowance_income_limit_name` / `allowance_cap_name`): the rule uses the
    household size and pension age only through them. The rule is monotone in income: above the income limit the
    letting is NOT_APPLICABLE (no test); at or below it the outcome does not depend on the income. So the answer
    for income 0 and the limit it reports decide every household of the class. Assets are not part of a round, so
    the pension-age assets exception (step 3 of the rule) does not arise.

    Attributes:
        class_names: per class its (income limit name, cap name).
        applicant_class: per applicant its class.
        outcome: per class x listing FIT, NOT_FIT or PARAMETER_MISSING (for exception listings: FIT).
        income_limit_cents: per class x listing the income limit in whole cents, rounded down (NO_LIMIT_HIGH when
            the limit itself is missing: every household of the class then needs the missing parameter).
        missing_name: per class x listing the missing parameter's name, or "".
    """

    class_names: tuple[tuple[str, str], ...]
    applicant_class: np.ndarray
    outcome: np.ndarray
    income_limit_cents: np.ndarray
    missing_name: tuple[tuple[str, ...], ...]


def affordability_table(facts: RoundFacts, params: ParameterSet) -> AffordabilityTable:
    """Ask the affordability rule once per household class and listing (at most 6 x listings calls)."""
    sizes = facts.household_size
    pension = facts.is_pension_age_household
    # Households of one class share both parameter names; compute them for each (size, pension) pair present.
    pair_code = np.minimum(sizes, 1_000_000) * 2 + pension
    pairs, pair_of_applicant = np.unique(pair_code, return_inverse=True)
    class_of_pair: list[int] = []
    class_names: list[tuple[str, str]] = []
    representative: list[tuple[int, bool]] = []
    for code in pairs.tolist():
        size, is_pension = code // 2, bool(code % 2)
        names = (allowance_income_limit_name(size, is_pension), allowance_cap_name(size))
        if names not in class_names:
            class_names.append(names)
            representative.append((size, is_pension))
        class_of_pair.append(class_names.index(names))
    applicant_class = np.asarray(class_of_pair, dtype=np.int64)[pair_of_applicant.reshape(-1)]

    n_listings = len(facts.listings)
    outcome = np.full((len(class_names), n_listings), FIT, dtype=np.int8)
    limit = np.full((len(class_names), n_listings), NO_LIMIT_HIGH, dtype=np.int64)
    missing = [["" for _ in range(n_listings)] for _ in class_names]
    decisions: dict[tuple[int, Decimal], tuple[int, int, str]] = {}
    for c, (size, is_pension) in enumerate(representative):
        household = HouseholdFacts(household_size=size, assessed_income=Decimal(0), is_pension_age_household=is_pension)
        for li, listing in enumerate(facts.listings):
            if listing.affordability_exception:
                continue
            key = (c, listing.base_rent)
            if key not in decisions:
                decision = affordability_fit(household, RentFacts(base_rent=listing.base_rent), params)
                decisions[key] = _table_entry(decision)
            outcome[c, li], limit[c, li], missing[c][li] = decisions[key]
    return AffordabilityTable(
        class_names=tuple(class_names),
        applicant_class=applicant_class,
        outcome=outcome,
        income_limit_cents=limit,
        missing_name=tuple(tuple(row) for row in missing),
    )


def _table_entry(decision) -> tuple[int, int, str]:
    limit = NO_LIMIT_HIGH
    if decision.income_limit is not None:
        # income_cents > limit * 100  <=>  income_cents > floor(limit * 100), as incomes are whole cents.
        limit = int((decision.income_limit * CENTS).to_integral_value(rounding=ROUND_FLOOR))
    if decision.outcome is None:
        return PARAMETER_MISSING, limit, decision.missing_parameter or ""
    if decision.outcome is FitOutcome.NOT_FIT:
        return NOT_FIT, limit, ""
    if decision.outcome is FitOutcome.FIT:
        return FIT, limit, ""
    # NOT_APPLICABLE for income 0 would mean the rule excepts every household of the class.
    return FIT, -1, ""


def bid_motivation_scores(facts: RoundFacts) -> np.ndarray:
    """Per bid on a `motivation` listing the applicant's score for it; NaN for other bids and when none was given."""
    scores = np.full(len(facts.bid_applicant), np.nan)
    is_motivation = np.array([x.selection is SelectionKey.MOTIVATION for x in facts.listings], dtype=bool)
    if not len(facts.motivation_applicant) or not is_motivation.any():
        return scores
    n_listings = len(facts.listings)
    bids = np.flatnonzero(is_motivation[facts.bid_listing])
    score_keys = facts.motivation_applicant * n_listings + facts.motivation_listing
    order = np.argsort(score_keys)
    score_keys = score_keys[order]
    bid_keys = facts.bid_applicant[bids] * n_listings + facts.bid_listing[bids]
    position = np.minimum(np.searchsorted(score_keys, bid_keys), len(score_keys) - 1)
    found = score_keys[position] == bid_keys
    scores[bids[found]] = facts.motivation_score[order][position[found]]
    return scores


@dataclass(frozen=True, eq=False)
class Eligibility:
    """Per bid the reason it is ineligible (0 = eligible, else `REASON_CODE`), plus what the checks looked at.

    Attributes:
        reason: per bid, uint8.
        motivation_score: per bid the score for the listing (NaN when none).
    """

    reason: np.ndarray
    motivation_score: np.ndarray


def bid_eligibility(facts: RoundFacts, params: ParameterSet) -> Eligibility:
    """Check every bid, in the order of `REASON_ORDER`; a bid gets the first reason that applies.

    Steps:
      1. household_size: the applicant's household size outside the listing's min..max (inclusive).
      2. income_above_max / income_below_min: the assessed income outside the listing's min..max (inclusive).
      3. group_not_allowed: the listing allows certain groups and the applicant has none of them.
      4. group_excluded: the applicant has one of the listing's excluded groups.
      5. no_motivation_score: a `motivation` listing and no score for it.
      6. not_affordable: passend toewijzen says NOT_FIT for this household and rent (not for listings marked as an
         affordability exception). FIT and NOT_APPLICABLE (income above the allowance income limit) are fine.

    Raises:
        RoundParameterMissing: when a bid that passes steps 1-5 on a listing that is not an exception needs a
            parameter the set does not give (the round must not guess).
    """
    n_bids = len(facts.bid_applicant)
    a, li = facts.bid_applicant, facts.bid_listing
    reason = np.zeros(n_bids, dtype=np.uint8)
    listings = facts.listings

    def listing_column(values, dtype):
        return np.asarray(values, dtype=dtype)[li] if len(listings) else np.zeros(n_bids, dtype)

    def mark(fails: np.ndarray, code: IneligibleReason) -> None:
        reason[(reason == 0) & fails] = REASON_CODE[code]

    size = facts.household_size[a]
    size_min = listing_column([x.household_size_min or 0 for x in listings], np.int64)
    size_max = listing_column([NO_LIMIT_HIGH if x.household_size_max is None else x.household_size_max
                               for x in listings], np.int64)
    mark((size < size_min) | (size > size_max), IneligibleReason.HOUSEHOLD_SIZE)

    income = facts.assessed_income_cents[a]
    income_max = listing_column([NO_LIMIT_HIGH if x.income_max is None else int(x.income_max * CENTS)
                                 for x in listings], np.int64)
    income_min = listing_column([0 if x.income_min is None else int(x.income_min * CENTS) for x in listings], np.int64)
    mark(income > income_max, IneligibleReason.INCOME_ABOVE_MAX)
    mark(income < income_min, IneligibleReason.INCOME_BELOW_MIN)

    if facts.group_names:
        groups = facts.applicant_group_mask[a]
        allowed = facts.listing_allowed_mask[li]
        has_allowed_list = allowed.any(axis=1)
        mark(has_allowed_list & ~(groups & allowed).any(axis=1), IneligibleReason.GROUP_NOT_ALLOWED)
        mark((groups & facts.listing_excluded_mask[li]).any(axis=1), IneligibleReason.GROUP_EXCLUDED)

    scores = bid_motivation_scores(facts)
    is_motivation = listing_column([x.selection is SelectionKey.MOTIVATION for x in listings], bool)
    mark(is_motivation & np.isnan(scores), IneligibleReason.NO_MOTIVATION_SCORE)

    is_exception = listing_column([x.affordability_exception for x in listings], bool)
    tested = np.flatnonzero((reason == 0) & ~is_exception)
    if len(tested):
        table = affordability_table(facts, params)
        cls = table.applicant_class[a[tested]]
        lt = li[tested]
        subject = income[tested] <= table.income_limit_cents[cls, lt]
        outcome = table.outcome[cls, lt]
        lacking = subject & (outcome == PARAMETER_MISSING)
        if lacking.any():
            raise RoundParameterMissing(_missing(facts, table, cls[lacking], lt[lacking]), params)
        reason[tested[subject & (outcome == NOT_FIT)]] = REASON_CODE[IneligibleReason.NOT_AFFORDABLE]
    reason.flags.writeable = False
    scores.flags.writeable = False
    return Eligibility(reason=reason, motivation_score=scores)


def _missing(facts: RoundFacts, table: AffordabilityTable, classes, listings) -> tuple[MissingParameter, ...]:
    by_name: dict[str, dict[int, int]] = {}
    for c, li in zip(classes.tolist(), listings.tolist(), strict=True):
        per_listing = by_name.setdefault(table.missing_name[c][li], {})
        per_listing[li] = per_listing.get(li, 0) + 1
    return tuple(
        MissingParameter(
            name=name,
            listings=tuple(facts.listings[li].id for li in sorted(per_listing)),
            bids=sum(per_listing.values()),
        )
        for name, per_listing in sorted(by_name.items())
    )
