"""Shared helpers for the allocation tests: independent oracles, a round builder and hypothesis strategies.

The oracles restate the contract of issue 4 one bid at a time, as plainly as possible (direct `affordability_fit`
calls, Python tuples for priority, exhaustive search for the matching), so the engine's columnar code is checked
against a second, independent reading of the same rules.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from dataclasses import replace
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

from hypothesis import strategies as st

from buurtbalans.engine.allocation import (
    Applicant,
    Assessment,
    Bid,
    IneligibleReason,
    Listing,
    MotivationRule,
    RoundInput,
    SelectionKey,
)
from buurtbalans.engine.parameters import ParameterSet, builtin_parameter_set
from buurtbalans.engine.rules import FitOutcome, HouseholdFacts, RentFacts, affordability_fit

GOLDEN_DIR = Path(__file__).resolve().parent / "data" / "allocation"
REFERENCE_DATE = date(2025, 6, 1)
PARAMS_2025 = builtin_parameter_set(REFERENCE_DATE)
T0 = datetime(2025, 5, 26, 9, 0)


# --- building rounds ------------------------------------------------------------------------------------------------


def listing(id: str, rent: str = "600.00", **fields) -> Listing:  # noqa: A002 - mirrors the contract key
    return Listing(id=id, base_rent=Decimal(rent), **fields)


def applicant(id: str, *, size: int = 2, income: str = "30000", registered: date = date(2015, 1, 1),  # noqa: A002
              **fields) -> Applicant:
    return Applicant(id=id, household_size=size, assessed_income=Decimal(income), registration_date=registered,
                     **fields)


def bids(*rows: tuple) -> tuple[Bid, ...]:
    """Bids from (applicant, listing, preference[, minutes after T0]) tuples."""
    return tuple(Bid(row[0], row[1], row[2], T0 + timedelta(minutes=row[3] if len(row) > 3 else i))
                 for i, row in enumerate(rows))


def round_input_from_document(document: dict) -> tuple[RoundInput, date, str | int]:
    """A round file document (round/1 or /2, trusted, as in the golden scenarios) as rows."""
    def amount(value):
        return None if value is None else Decimal(value)

    is_round_2 = document["format"] == "buurtbalans.round/2"

    def labels(row):
        if not is_round_2:
            return {}
        return {"criteria": tuple(row["criteria"] or ()), "motivation_min_score": amount(row["motivation_min_score"])}

    def motivation(row):
        if not is_round_2:
            return {"motivation_scores": row["motivation_scores"] or {}}
        return {"motivation_assessments": {
            listing_id: tuple(Assessment(x["assessor"], Decimal(x["score"])) for x in given)
            for listing_id, given in (row["motivation_assessments"] or {}).items()}}

    listings = [
        Listing(
            id=row["id"], base_rent=Decimal(row["base_rent"]), selection=SelectionKey(row["selection"]),
            urgency_first=row["urgency_first"], household_size_min=row["household_size_min"],
            household_size_max=row["household_size_max"], income_min=amount(row["income_min"]),
            income_max=amount(row["income_max"]), allowed_groups=frozenset(row["allowed_groups"] or ()),
            excluded_groups=frozenset(row["excluded_groups"] or ()),
            affordability_exception=row["affordability_exception"], dwelling=row["dwelling"],
            complex=row["complex"], municipality=row["municipality"], **labels(row),
        )
        for row in document["listings"]
    ]
    applicants = [
        Applicant(
            id=row["id"], household_size=row["household_size"], assessed_income=Decimal(row["assessed_income"]),
            is_pension_age_household=row["is_pension_age_household"],
            registration_date=date.fromisoformat(row["registration_date"]), is_urgent=row["is_urgent"],
            groups=frozenset(row["groups"] or ()), **motivation(row),
        )
        for row in document["applicants"]
    ]
    round_bids = [
        Bid(row["applicant"], row["listing"], row["preference"], datetime.fromisoformat(row["submitted_at"]))
        for row in document["bids"]
    ]
    rule = MotivationRule.ASSESSMENTS if is_round_2 else MotivationRule.SCORE
    return (RoundInput(listings, applicants, round_bids, rule), date.fromisoformat(document["reference_date"]),
            document["lottery_seed"])


def document_from_round_input(round_input: RoundInput, reference_date: date = REFERENCE_DATE,
                              seed: str | int = "seed") -> dict:
    """The round file document (`buurtbalans.round/1`, or `/2` for the assessments rule) for rows."""
    def amount(value):
        return None if value is None else f"{value:.2f}"

    if round_input.motivation_rule is MotivationRule.ASSESSMENTS:
        return upgrade_to_round_2(document_from_round_input(
            replace(round_input, motivation_rule=MotivationRule.SCORE, listings=[
                replace(x, criteria=(), motivation_min_score=None) for x in round_input.listings],
                applicants=[replace(x, motivation_assessments={}) for x in round_input.applicants]),
            reference_date, seed), round_input)
    return {
        "format": "buurtbalans.round/1",
        "reference_date": reference_date.isoformat(),
        "lottery_seed": seed,
        "listings": [
            {"id": x.id, "dwelling": x.dwelling, "complex": x.complex, "municipality": x.municipality,
             "base_rent": amount(x.base_rent), "selection": x.selection.value, "urgency_first": x.urgency_first,
             "household_size_min": x.household_size_min, "household_size_max": x.household_size_max,
             "income_min": amount(x.income_min), "income_max": amount(x.income_max),
             "allowed_groups": sorted(x.allowed_groups), "excluded_groups": sorted(x.excluded_groups),
             "affordability_exception": x.affordability_exception}
            for x in round_input.listings
        ],
        "applicants": [
            {"id": x.id, "household_size": x.household_size, "assessed_income": amount(x.assessed_income),
             "is_pension_age_household": x.is_pension_age_household,
             "registration_date": x.registration_date.isoformat(), "is_urgent": x.is_urgent,
             "groups": sorted(x.groups), "motivation_scores": dict(x.motivation_scores)}
            for x in round_input.applicants
        ],
        "bids": [
            {"applicant": b.applicant, "listing": b.listing, "preference": b.preference,
             "submitted_at": b.submitted_at.isoformat()}
            for b in round_input.bids
        ],
    }


def upgrade_to_round_2(document: dict, round_input: RoundInput | None = None) -> dict:
    """A round/1 document as round/2: the same listings, applicants and bids, with motivation in round/2's form.

    Without `round_input` the listings publish no criteria and set no minimum, and applicants have no assessments
    (a round/1 round without motivation listings means the same in round/2); with it, they are taken from its rows.
    """
    listings = {x.id: x for x in round_input.listings} if round_input else {}
    applicants = {x.id: x for x in round_input.applicants} if round_input else {}
    upgraded = {**document, "format": "buurtbalans.round/2", "listings": [], "applicants": []}
    for row in document["listings"]:
        item = listings.get(row["id"])
        minimum = item.motivation_min_score if item else None
        upgraded["listings"].append({**row, "criteria": list(item.criteria) if item else None,
                                     "motivation_min_score": None if minimum is None else f"{minimum:.1f}"})
    for row in document["applicants"]:
        row = dict(row)
        del row["motivation_scores"]
        person = applicants.get(row["id"])
        row["motivation_assessments"] = {
            listing_id: [{"assessor": x.assessor, "score": f"{x.score:.1f}"} for x in given]
            for listing_id, given in person.motivation_assessments.items()
        } if person else None
        upgraded["applicants"].append(row)
    return upgraded


def golden_scenarios() -> list[Path]:
    return sorted(p.parent for p in GOLDEN_DIR.glob("*/input.json"))


def load_json(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


# --- oracles --------------------------------------------------------------------------------------------------------


def spec_motivation_score(assessments) -> Decimal | None:
    """The round/2 rule of issue 13, written out again: each assessor once (the first); two within 1.5 give their
    mean; otherwise the median of the first three; None without enough assessments."""
    seen, counted = set(), []
    for assessment in assessments:
        if assessment.assessor not in seen:
            seen.add(assessment.assessor)
            counted.append(assessment.score)
    if len(counted) < 2:
        return None
    if abs(counted[0] - counted[1]) <= Decimal("1.5"):
        return (counted[0] + counted[1]) / 2
    if len(counted) < 3:
        return None
    return sorted(counted[:3])[1]


def expected_reason(item: Listing, person: Applicant, params: ParameterSet,
                    rule: MotivationRule = MotivationRule.SCORE) -> IneligibleReason | None:
    """The first reason (in the documented order) why `person` may not have `item`; None when eligible."""
    size = person.household_size
    if (item.household_size_min is not None and size < item.household_size_min) or (
        item.household_size_max is not None and size > item.household_size_max
    ):
        return IneligibleReason.HOUSEHOLD_SIZE
    if item.income_max is not None and person.assessed_income > item.income_max:
        return IneligibleReason.INCOME_ABOVE_MAX
    if item.income_min is not None and person.assessed_income < item.income_min:
        return IneligibleReason.INCOME_BELOW_MIN
    if item.allowed_groups and not (person.groups & item.allowed_groups):
        return IneligibleReason.GROUP_NOT_ALLOWED
    if person.groups & item.excluded_groups:
        return IneligibleReason.GROUP_EXCLUDED
    if item.selection is SelectionKey.MOTIVATION and rule is MotivationRule.ASSESSMENTS:
        score = spec_motivation_score(person.motivation_assessments.get(item.id, ()))
        if score is None:
            return IneligibleReason.MOTIVATION_INCOMPLETE
        if item.motivation_min_score is not None and score < item.motivation_min_score:
            return IneligibleReason.MOTIVATION_BELOW_MINIMUM
    elif item.selection is SelectionKey.MOTIVATION and item.id not in person.motivation_scores:
        return IneligibleReason.NO_MOTIVATION_SCORE
    if not item.affordability_exception:
        decision = affordability_fit(
            HouseholdFacts(size, person.assessed_income, person.is_pension_age_household),
            RentFacts(item.base_rent),
            params,
        )
        if decision.outcome is None:
            raise LookupError(decision.missing_parameter)
        if decision.outcome is FitOutcome.NOT_FIT:
            return IneligibleReason.NOT_AFFORDABLE
    return None


def spec_lottery_number(seed, applicant_id: str) -> int:
    """The formula of issue 4, written out again."""
    return int(hashlib.sha256(f"{seed}:{applicant_id}".encode()).hexdigest()[:16], 16)


def priority_key(item: Listing, person: Applicant, bid: Bid, seed, position: int,
                 rule: MotivationRule = MotivationRule.SCORE) -> tuple:
    """Smaller is better: urgency (where the listing says so), selection key, lottery number, input order."""
    urgency = 0 if item.urgency_first and person.is_urgent else 1
    if item.selection is SelectionKey.MOTIVATION and rule is MotivationRule.ASSESSMENTS:
        # The higher score, then the earlier date, as one number (keys of all listings are sorted together).
        score = spec_motivation_score(person.motivation_assessments[item.id])
        key = -score * 10**7 + person.registration_date.toordinal()
    elif item.selection is SelectionKey.REGISTRATION:
        key = person.registration_date.toordinal()
    elif item.selection is SelectionKey.MOTIVATION:
        key = -float(person.motivation_scores[item.id])
    elif item.selection is SelectionKey.FIRST_COME:
        key = bid.submitted_at.timestamp() if bid.submitted_at.tzinfo else (bid.submitted_at - datetime(1970, 1, 1)
                                                                            ).total_seconds()
    else:
        key = 0
    return (urgency, key, spec_lottery_number(seed, person.id), position)


class Oracle:
    """The round of `round_input` as the contract states it, bid by bid."""

    def __init__(self, round_input: RoundInput, seed, params: ParameterSet = PARAMS_2025):
        self.round = round_input
        self.listings = {x.id: x for x in round_input.listings}
        self.applicants = {x.id: x for x in round_input.applicants}
        self.position = {x.id: i for i, x in enumerate(round_input.applicants)}
        rule = round_input.motivation_rule
        self.reason = {(b.applicant, b.listing): expected_reason(self.listings[b.listing], self.applicants[b.applicant],
                                                                 params, rule) for b in round_input.bids}
        self.eligible = [b for b in round_input.bids if self.reason[(b.applicant, b.listing)] is None]
        self.preference = {(b.applicant, b.listing): b.preference for b in round_input.bids}
        self.key = {
            (b.applicant, b.listing): priority_key(self.listings[b.listing], self.applicants[b.applicant], b, seed,
                                                   self.position[b.applicant], rule)
            for b in self.eligible
        }

    def ranking(self, listing_id: str) -> list[str]:
        """Eligible bidders of a listing, best first."""
        return [a for (a, li) in sorted(self.key, key=self.key.get) if li == listing_id]

    def blocking_pairs(self, matching: dict[str, str]) -> list[tuple[str, str]]:
        """(applicant, listing) pairs that would both rather have each other: stability is their absence."""
        holder = {li: a for a, li in matching.items()}
        pairs = []
        for bid in self.eligible:
            a, li = bid.applicant, bid.listing
            current = matching.get(a)
            if current == li:
                continue
            wants = current is None or self.preference[(a, li)] < self.preference[(a, current)]
            other = holder.get(li)
            listing_agrees = other is None or self.key[(a, li)] < self.key[(other, li)]
            if wants and listing_agrees:
                pairs.append((a, li))
        return pairs

    def stable_matchings(self) -> list[dict[str, str]]:
        """Every stable matching over the eligible bids, by exhaustive search (tiny rounds only)."""
        options = {a: [None] + [b.listing for b in self.eligible if b.applicant == a] for a in self.applicants}
        names = list(options)
        found = []
        for choice in itertools.product(*(options[a] for a in names)):
            taken = [li for li in choice if li is not None]
            if len(taken) != len(set(taken)):
                continue
            matching = {a: li for a, li in zip(names, choice, strict=True) if li is not None}
            if not self.blocking_pairs(matching):
                found.append(matching)
        return found

    def applicant_optimal(self) -> dict[str, str]:
        """The stable matching every applicant likes at least as well as any other stable matching."""
        stable = self.stable_matchings()

        def rank(a, matching):
            li = matching.get(a)
            return float("inf") if li is None else self.preference[(a, li)]

        best = {a: min(rank(a, m) for m in stable) for a in self.applicants}
        optimal = [m for m in stable if all(rank(a, m) == best[a] for a in self.applicants)]
        assert len(optimal) == 1, "theory: the applicant-optimal stable matching exists and is unique"
        return optimal[0]

    def depends_on_lottery(self) -> bool:
        """True when some listing orders two eligible candidates by the lottery (lottery key or a tie)."""
        for listing_id, item in self.listings.items():
            keys = [self.key[(a, listing_id)][:2] for a in self.ranking(listing_id)]
            if len(keys) > 1 and (item.selection is SelectionKey.LOTTERY or len(set(keys)) < len(keys)):
                return True
        return False


def matching_of(result) -> dict[str, str]:
    return {entry["applicant"]: entry["listing"] for entry in result.allocation_entries()}


# --- hypothesis strategies ----------------------------------------------------------------------------------------

# Values around the 2025 limits, so affordability and the listing limits are exercised at their edges:
# allowance income limits 28375 / 38500 / 27775 / 37350, caps 682.96 (1-2 persons) / 731.93 (3+).
RENTS = ["450.00", "682.96", "682.97", "731.93", "731.94", "880.00"]
INCOMES = ["15000.00", "27775.00", "27775.01", "28375.00", "28375.01", "37350.00", "38500.00", "38500.01",
           "52000.00"]
REGISTERED = [date(2010, 1, 1), date(2012, 6, 1), date(2012, 6, 1), date(2019, 3, 3)]
GROUPS = ["senior", "starter", "student"]


SCORES = ["0.0", "1.5", "2.0", "2.5", "3.0", "3.5", "4.0"]
ASSESSORS = ["anna", "bram", "chris"]


@st.composite
def small_rounds(draw, max_listings: int = 4, max_applicants: int = 5, *, round_2: bool = False,
                 selections: tuple[SelectionKey, ...] = tuple(SelectionKey)) -> RoundInput:
    """Small rounds; `round_2` gives the assessments rule: motivation listings with criteria and sometimes a
    minimum score, applicants with 0 to 4 assessments (repeated assessors included) per motivation listing."""
    n_listings = draw(st.integers(1, max_listings))
    n_applicants = draw(st.integers(1, max_applicants))
    listings = []
    for i in range(n_listings):
        rent = Decimal(draw(st.sampled_from(RENTS)))  # drawn first, as before round/2
        selection = draw(st.sampled_from(selections))
        labels = {}
        if round_2 and selection is SelectionKey.MOTIVATION:
            minimum = draw(st.sampled_from([None, None, "2.0", "2.5", "3.0"]))
            labels = {"criteria": ("Helpt mee in de buurt",),
                      "motivation_min_score": None if minimum is None else Decimal(minimum)}
        listings.append(Listing(
            id=f"L{i}",
            base_rent=rent,
            selection=selection,
            **labels,
            urgency_first=draw(st.booleans()),
            household_size_min=(size_min := draw(st.sampled_from([None, None, 1, 3]))),
            household_size_max=draw(st.sampled_from([None, None, 4] + ([2] if size_min != 3 else []))),
            income_min=draw(st.sampled_from([None, None, Decimal("20000.00")])),
            income_max=draw(st.sampled_from([None, None, Decimal("38500.00"), Decimal("45000.00")])),
            allowed_groups=frozenset(draw(st.sampled_from([(), (), ("senior",), ("senior", "starter")]))),
            excluded_groups=frozenset(draw(st.sampled_from([(), (), ("student",)]))),
            affordability_exception=draw(st.booleans()),
        ))
    applicants, round_bids = [], []
    for a in range(n_applicants):
        wanted = draw(st.permutations(range(n_listings)).map(lambda p: p[: draw(st.integers(0, len(p)))]))
        motivation = {}
        if round_2:
            motivation["motivation_assessments"] = {
                f"L{li}": tuple(Assessment(draw(st.sampled_from(ASSESSORS)), Decimal(draw(st.sampled_from(SCORES))))
                                for _ in range(draw(st.sampled_from([0, 1, 2, 2, 2, 3, 3, 4]))))
                for li in wanted if draw(st.integers(0, 6))
            }
        else:
            motivation["motivation_scores"] = {f"L{li}": draw(st.sampled_from([5, 7.5, 7.5, 9])) for li in wanted
                                               if draw(st.integers(0, 4))}
        applicants.append(Applicant(
            id=f"A{a}",
            household_size=draw(st.integers(1, 5)),
            assessed_income=Decimal(draw(st.sampled_from(INCOMES))),
            is_pension_age_household=draw(st.booleans()),
            registration_date=draw(st.sampled_from(REGISTERED)),
            is_urgent=draw(st.booleans()),
            groups=frozenset(draw(st.lists(st.sampled_from(GROUPS), max_size=2))),
            **motivation,
        ))
        for preference, li in enumerate(wanted, start=1):
            minutes = draw(st.sampled_from([0, 5, 5, 30]))
            round_bids.append(Bid(f"A{a}", f"L{li}", preference, T0 + timedelta(minutes=minutes)))
    order = draw(st.permutations(range(len(round_bids))))
    rule = MotivationRule.ASSESSMENTS if round_2 else MotivationRule.SCORE
    return RoundInput(listings, applicants, [round_bids[i] for i in order], rule)


seeds = st.one_of(st.text(min_size=1, max_size=8), st.integers(0, 10**6))
