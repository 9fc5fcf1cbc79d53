"""Eligibility of each bid: may this applicant have this listing (step 1 of the round, docs/allocation.md)?

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
    MotivationRule,
    RoundFacts,
    SelectionKey,
)
from buurtbalans.engine.allocation.motivation import NO_SCORE, AssessedMotivation, assessed_motivation
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
    listings and the number of bids that need it; `params` is the set that lacks them (its `version` and
    `valid_from` are kept as `parameters_version` and `valid_from`).
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

    The rule is monotone in the rent as well (FIT up to the cap, NOT_FIT above it), so each class needs the rule's
    answer only around its boundary: a binary search over the listings' distinct rents asks it about a dozen
    times per class instead of once per listing.

    Attributes:
        class_names: per class its (income limit name, cap name).
        applicant_class: per applicant its class.
        outcome: per class x listing FIT, NOT_FIT or PARAMETER_MISSING (for exception listings: FIT).
        income_limit_cents: per class x listing the income limit in whole cents, rounded down (NO_LIMIT_HIGH when
            the limit itself is missing: every household of the class then needs the missing parameter).
        missing_name: per class the missing parameter's name, or "".
        calls: how many times the rule was asked.
    """

    class_names: tuple[tuple[str, str], ...]
    applicant_class: np.ndarray
    outcome: np.ndarray
    income_limit_cents: np.ndarray
    missing_name: tuple[str, ...]
    calls: int


def affordability_table(facts: RoundFacts, params: ParameterSet) -> AffordabilityTable:
    """Ask the affordability rule about each household class and the listings' rents (see `AffordabilityTable`)."""
    sizes = facts.household_size
    pension = facts.is_pension_age_household
    # Households of one class share both parameter names; compute them for each (size, pension) pair present.
    pair_code = np.minimum(sizes, 1_000) * 2 + pension
    present = np.flatnonzero(np.bincount(pair_code, minlength=2)) if len(pair_code) else np.zeros(0, np.int64)
    class_of_pair = np.zeros(2 * 1_000 + 2, dtype=np.int64)
    class_names: list[tuple[str, str]] = []
    representative: list[tuple[int, bool]] = []
    for code in present.tolist():
        size, is_pension = code // 2, bool(code % 2)
        names = (allowance_income_limit_name(size, is_pension), allowance_cap_name(size))
        if names not in class_names:
            class_names.append(names)
            representative.append((size, is_pension))
        class_of_pair[code] = class_names.index(names)
    applicant_class = class_of_pair[pair_code]

    tested = [li for li, listing in enumerate(facts.listings) if not listing.affordability_exception]
    rents = sorted({facts.listings[li].base_rent for li in tested})
    outcome = np.full((len(class_names), len(facts.listings)), FIT, dtype=np.int8)
    limit = np.full((len(class_names), len(facts.listings)), NO_LIMIT_HIGH, dtype=np.int64)
    missing: list[str] = []
    calls = 0
    for c, (size, is_pension) in enumerate(representative):
        household = HouseholdFacts(household_size=size, assessed_income=Decimal(0), is_pension_age_household=is_pension)

        def ask(rent: Decimal, household=household):
            nonlocal calls
            calls += 1
            return _table_entry(affordability_fit(household, RentFacts(base_rent=rent), params))

        if not rents:
            missing.append("")
            continue
        first = ask(rents[0])
        missing.append(first[2])
        class_limit = first[1]
        if first[0] == PARAMETER_MISSING:
            # A missing limit or cap stops the rule before it looks at the rent: the same for every rent.
            outcome[c, tested] = PARAMETER_MISSING
            limit[c, tested] = class_limit
            continue
        # The first rent the rule calls NOT_FIT (len(rents) when it calls every rent FIT).
        low, high = 0, len(rents)
        if first[0] == NOT_FIT:
            high = 0
        else:
            low = 1
            while low < high:
                middle = (low + high) // 2
                if ask(rents[middle])[0] == NOT_FIT:
                    high = middle
                else:
                    low = middle + 1
        boundary = rents[high] if high < len(rents) else None
        for li in tested:
            rent = facts.listings[li].base_rent
            outcome[c, li] = NOT_FIT if boundary is not None and rent >= boundary else FIT
            limit[c, li] = class_limit
    return AffordabilityTable(
        class_names=tuple(class_names),
        applicant_class=applicant_class,
        outcome=outcome,
        income_limit_cents=limit,
        missing_name=tuple(missing),
        calls=calls,
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
        assessed: round/2, the scores of the bids on motivation listings with the assessments used; None in
            round/1.
    """

    reason: np.ndarray
    motivation_score: np.ndarray
    assessed: AssessedMotivation | None = None


def bid_eligibility(facts: RoundFacts, params: ParameterSet) -> Eligibility:
    """Check every bid, in the order of `REASON_ORDER`; a bid gets the first reason that applies.

    Steps:
      1. household_size: the applicant's household size outside the listing's min..max (inclusive).
      2. income_above_max / income_below_min: the assessed income outside the listing's min..max (inclusive).
      3. group_not_allowed: the listing allows certain groups and the applicant has none of them.
      4. group_excluded: the applicant has one of the listing's excluded groups.
      5. round/1: no_motivation_score: a `motivation` listing and no score for it.
         round/2: motivation_incomplete: a `motivation` listing and too few assessments to make a score
         (`motivation.assessed_motivation`); then motivation_below_minimum: a score below the listing's
         `motivation_min_score`.
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

    def per_listing(values, dtype=np.int64) -> np.ndarray:
        return np.asarray(values, dtype=dtype).reshape(len(listings))

    def mark(bids: np.ndarray, fails: np.ndarray, code: IneligibleReason) -> None:
        """Give `code` to the bids (indices) that fail and have no reason yet."""
        failing = bids[fails]
        reason[failing[reason[failing] == 0]] = REASON_CODE[code]

    def bids_of(has_rule: np.ndarray) -> np.ndarray:
        """The bids on listings that have a rule: most listings have few limits, so most checks touch few bids."""
        if not has_rule.any():
            return np.zeros(0, dtype=np.int64)
        return np.arange(n_bids) if has_rule.all() else np.flatnonzero(has_rule[li])

    size_min = per_listing([x.household_size_min or 0 for x in listings])
    size_max = per_listing([NO_LIMIT_HIGH if x.household_size_max is None else x.household_size_max
                            for x in listings])
    bids = bids_of((size_min > 0) | (size_max < NO_LIMIT_HIGH))
    size, lb = facts.household_size[a[bids]], li[bids]
    mark(bids, (size < size_min[lb]) | (size > size_max[lb]), IneligibleReason.HOUSEHOLD_SIZE)

    income_max = per_listing([NO_LIMIT_HIGH if x.income_max is None else int(x.income_max * CENTS) for x in listings])
    bids = bids_of(income_max < NO_LIMIT_HIGH)
    mark(bids, facts.assessed_income_cents[a[bids]] > income_max[li[bids]], IneligibleReason.INCOME_ABOVE_MAX)
    income_min = per_listing([0 if x.income_min is None else int(x.income_min * CENTS) for x in listings])
    bids = bids_of(income_min > 0)
    mark(bids, facts.assessed_income_cents[a[bids]] < income_min[li[bids]], IneligibleReason.INCOME_BELOW_MIN)

    if facts.group_names:
        allowed = facts.listing_allowed_mask
        bids = bids_of(allowed.any(axis=1))
        held = facts.applicant_group_mask[a[bids]] & allowed[li[bids]]
        mark(bids, ~held.any(axis=1), IneligibleReason.GROUP_NOT_ALLOWED)
        excluded = facts.listing_excluded_mask
        bids = bids_of(excluded.any(axis=1))
        held = facts.applicant_group_mask[a[bids]] & excluded[li[bids]]
        mark(bids, held.any(axis=1), IneligibleReason.GROUP_EXCLUDED)

    assessed = None
    if facts.motivation_rule is MotivationRule.ASSESSMENTS:
        assessed = assessed_motivation(facts)
        scores = _assessed_checks(facts, assessed, mark)
    else:
        scores = bid_motivation_scores(facts)
        bids = bids_of(per_listing([x.selection is SelectionKey.MOTIVATION for x in listings], bool))
        mark(bids, np.isnan(scores[bids]), IneligibleReason.NO_MOTIVATION_SCORE)

    is_exception = per_listing([x.affordability_exception for x in listings], bool)
    tested = np.flatnonzero((reason == 0) & ~is_exception[li]) if len(listings) else np.zeros(0, np.int64)
    if len(tested):
        table = affordability_table(facts, params)
        cls = table.applicant_class[a[tested]]
        lt = li[tested]
        subject = facts.assessed_income_cents[a[tested]] <= table.income_limit_cents[cls, lt]
        outcome = table.outcome[cls, lt]
        lacking = subject & (outcome == PARAMETER_MISSING)
        if lacking.any():
            raise RoundParameterMissing(_missing(facts, table, cls[lacking], lt[lacking]), params)
        reason[tested[subject & (outcome == NOT_FIT)]] = REASON_CODE[IneligibleReason.NOT_AFFORDABLE]
    reason.flags.writeable = False
    scores.flags.writeable = False
    return Eligibility(reason=reason, motivation_score=scores, assessed=assessed)


def _assessed_checks(facts: RoundFacts, assessed: AssessedMotivation, mark) -> np.ndarray:
    """Round/2 step 5: no score (too few assessments), then a score below the minimum; per bid the score or NaN."""
    scores = np.full(len(facts.bid_applicant), np.nan)
    bids, hundredths = assessed.bid, assessed.score_hundredths
    has_score = hundredths != NO_SCORE
    scores[bids[has_score]] = hundredths[has_score] / 100
    mark(bids, ~has_score, IneligibleReason.MOTIVATION_INCOMPLETE)
    minimum = np.array([-1 if x.motivation_min_score is None else int(x.motivation_min_score * 100)
                        for x in facts.listings], dtype=np.int64).reshape(len(facts.listings))
    mark(bids, has_score & (hundredths < minimum[facts.bid_listing[bids]]), IneligibleReason.MOTIVATION_BELOW_MINIMUM)
    return scores


def _missing(facts: RoundFacts, table: AffordabilityTable, classes, listings) -> tuple[MissingParameter, ...]:
    by_name: dict[str, dict[int, int]] = {}
    for c, li in zip(classes.tolist(), listings.tolist(), strict=True):
        per_listing = by_name.setdefault(table.missing_name[c], {})
        per_listing[li] = per_listing.get(li, 0) + 1
    return tuple(
        MissingParameter(
            name=name,
            listings=tuple(facts.listings[li].id for li in sorted(per_listing)),
            bids=sum(per_listing.values()),
        )
        for name, per_listing in sorted(by_name.items())
    )
