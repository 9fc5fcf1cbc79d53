"""The outcome of a round and its explanations (step 5 of the round).

`RoundResult` keeps the outcome as columns (per bid, per applicant, per listing). Explanations are built from them
on demand, one listing at a time, as JSON-ready dicts (`listing_entry`, `allocation_entries`,
`ineligible_entries`) or as frozen rows (`listing_report`, `bid_explanation`); both come from the same code, so
the file a candidate's letter is made from and the rows a service stores say the same thing.

Explanation codes (`detail` of a candidate, docs/allocation.md):
    preference            the applicant's own rank for this listing (1 = most wanted)
    is_urgent             only on `urgency_first` listings: whether the applicant's urgency counted
    registration_date / motivation_score / submitted_at
                          the value of the listing's selection key (not for `lottery` listings)
    motivation_assessments, registration_date
                          round/2 motivation listings: after the score (a decimal string), the assessments it was
                          made from ([{"assessor", "score"}], in the order given) and the registration date that
                          breaks a tie of scores
    lottery_number        the applicant's lottery number (decimal string: it can exceed 2**53)
    allocated_listing / allocated_preference
                          the listing the applicant got elsewhere and its preference (null when none)
    allocated_to / allocated_rank
                          for `outranked`: who got this listing and their rank on it
    decided_by            for `outranked`: the first part of the priority where the allocated applicant was ahead:
                          urgency, registration_date, motivation_score, submitted_at, lottery_number, input_order
    reserve_position      for `outranked`: the place on the listing's reserve list, or null
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from types import MappingProxyType

import numpy as np

from buurtbalans.engine.allocation.facts import (
    REASON_ORDER,
    RULE_REASONS,
    IneligibleReason,
    MotivationRule,
    RoundFacts,
    SelectionKey,
)
from buurtbalans.engine.allocation.facts import microseconds_to_iso as _iso_time
from buurtbalans.engine.allocation.motivation import AssessedMotivation, score_text, tenths_text
from buurtbalans.engine.allocation.priority import DECIDED_BY_KEY, DECIDED_BY_LOTTERY, DECIDED_BY_URGENCY, Ranking


class BidOutcome(enum.StrEnum):
    """What became of a bid."""

    ALLOCATED = "allocated"
    ALLOCATED_ELSEWHERE = "allocated_elsewhere"  # got a listing they preferred
    OUTRANKED = "outranked"  # the listing went to someone with a higher priority
    INELIGIBLE = "ineligible"


OUTCOME_ORDER: tuple[BidOutcome, ...] = tuple(BidOutcome)
ALLOCATED, ALLOCATED_ELSEWHERE, OUTRANKED, INELIGIBLE = range(4)


class ListingStatus(enum.StrEnum):
    """What became of a listing."""

    ALLOCATED = "allocated"
    UNALLOCATED = "unallocated"  # eligible candidates, but each got a listing they preferred
    NO_ELIGIBLE_BIDS = "no_eligible_bids"


@dataclass(frozen=True)
class Allocation:
    """A listing and the applicant it went to, with the applicant's rank on its list (1 = first)."""

    listing: str
    applicant: str
    rank: int


@dataclass(frozen=True)
class Candidate:
    """An eligible applicant on a listing with rank, outcome and an explanation (`detail`, see the module doc)."""

    applicant: str
    rank: int
    outcome: BidOutcome
    detail: Mapping[str, object]


@dataclass(frozen=True)
class ReserveCandidate:
    """A candidate on a listing's reserve list: eligible, got nothing anywhere; the first `reserve_size` by rank."""

    applicant: str
    rank: int


@dataclass(frozen=True)
class ListingReport:
    """What became of one listing: its status, every eligible candidate in rank order, its reserve list."""

    listing: str
    status: ListingStatus
    candidates: tuple[Candidate, ...]
    reserve: tuple[ReserveCandidate, ...]


@dataclass(frozen=True)
class IneligibleBid:
    """A bid the applicant may not have, with the first check it failed (`REASON_ORDER`)."""

    applicant: str
    listing: str
    reason: IneligibleReason


@dataclass(frozen=True)
class BidExplanation:
    """One bid's outcome as a letter to the applicant needs it."""

    applicant: str
    listing: str
    preference: int
    outcome: BidOutcome
    rank: int | None
    reason: IneligibleReason | None
    detail: Mapping[str, object]


def _score(value: float) -> float | int:
    return int(value) if float(value).is_integer() else float(value)


# The result's format follows the round's: round/1 gives round-result/1, round/2 (assessments) round-result/2.
RESULT_FORMATS = {MotivationRule.SCORE: "buurtbalans.round-result/1",
                  MotivationRule.ASSESSMENTS: "buurtbalans.round-result/2"}
# Round/2 reasons whose ineligible entries show the assessments counted (and, below the minimum, the score).
MOTIVATION_REASONS = (IneligibleReason.MOTIVATION_INCOMPLETE, IneligibleReason.MOTIVATION_BELOW_MINIMUM)
UNIX_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
# `decided_by` codes in `CandidateColumns.decided_by`.
DECIDED_BY = (DECIDED_BY_URGENCY, "registration_date", "motivation_score", "submitted_at", DECIDED_BY_LOTTERY,
              "input_order")
_DECIDED_CODE = {name: code for code, name in enumerate(DECIDED_BY)}
# The detail field that shows a listing's selection key (lottery listings show only the lottery number).
KEY_FIELD = {key: (None if key is SelectionKey.LOTTERY else DECIDED_BY_KEY[key]) for key in SelectionKey}


@dataclass(frozen=True, eq=False)
class CandidateColumns:
    """Per candidate (eligible bid, in `ranking.order`) the values its explanation shows.

    `allocated_listing` / `allocated_preference`: the listing the applicant got (anywhere) and its preference, or -1
    / 0. `allocated_to` / `allocated_rank`: the applicant the candidate's listing went to and their rank, or -1 /
    0. `decided_by`: index in `DECIDED_BY` (meaningful for outranked candidates only).
    """

    bid: np.ndarray
    applicant: np.ndarray
    listing: np.ndarray
    rank: np.ndarray
    outcome: np.ndarray
    preference: np.ndarray
    is_urgent: np.ndarray
    lottery: np.ndarray
    allocated_listing: np.ndarray
    allocated_preference: np.ndarray
    allocated_to: np.ndarray
    allocated_rank: np.ndarray
    decided_by: np.ndarray
    reserve_position: np.ndarray

    def key_values(self, result: RoundResult, lo: int, hi: int) -> list:
        """The selection-key values of candidates lo..hi (all on one listing), as the explanation shows them."""
        facts = result.facts
        selection = facts.listings[int(self.listing[lo])].selection
        if selection is SelectionKey.REGISTRATION:
            texts = result.registration_date_texts()
            return list(map(texts.__getitem__, self.applicant[lo:hi].tolist()))
        if selection is SelectionKey.MOTIVATION:
            if result.assessed is not None:
                return result.motivation_score_texts(self.bid[lo:hi])
            return [_score(s) for s in result.motivation_score[self.bid[lo:hi]].tolist()]
        if selection is SelectionKey.FIRST_COME:
            is_utc = facts.submitted_at_is_utc
            return [_iso_time(t, is_utc) for t in facts.bid_submitted_us[self.bid[lo:hi]].tolist()]
        return [None] * (hi - lo)


def _candidate_columns(result: RoundResult) -> CandidateColumns:
    facts, ranking = result.facts, result.ranking
    bids = ranking.order
    applicants = facts.bid_applicant[bids]
    listings = facts.bid_listing[bids]
    own_bid = result.applicant_bid[applicants]
    has_own = own_bid >= 0
    own = np.maximum(own_bid, 0)
    winner_bid = result.listing_bid[listings] if len(facts.listings) else np.zeros(0, np.int64)
    has_winner = winner_bid >= 0
    winner = np.maximum(winner_bid, 0)
    lottery = result.lottery[applicants]
    urgent = ranking.urgent_first[bids]
    value = ranking.selection_value[bids]
    key_code = np.array([_DECIDED_CODE[DECIDED_BY_KEY[x.selection]] for x in facts.listings], dtype=np.int8)
    by_lottery = np.where(lottery != result.lottery[facts.bid_applicant[winner]], _DECIDED_CODE[DECIDED_BY_LOTTERY],
                          _DECIDED_CODE["input_order"])
    if ranking.tie_value is not None:  # round/2: equal motivation scores go by the registration date
        tie = ranking.tie_value[bids]
        by_lottery = np.where(tie != ranking.tie_value[winner], _DECIDED_CODE["registration_date"], by_lottery)
    decided = np.where(
        urgent != ranking.urgent_first[winner],
        _DECIDED_CODE[DECIDED_BY_URGENCY],
        np.where(
            value != ranking.selection_value[winner],
            key_code[listings] if len(facts.listings) else 0,
            by_lottery,
        ),
    ).astype(np.int8)
    columns = CandidateColumns(
        bid=bids,
        applicant=applicants,
        listing=listings,
        rank=ranking.rank[bids],
        outcome=result.outcome[bids],
        preference=facts.bid_preference[bids],
        is_urgent=urgent,
        lottery=lottery,
        allocated_listing=np.where(has_own, facts.bid_listing[own], -1),
        allocated_preference=np.where(has_own, facts.bid_preference[own], 0),
        allocated_to=np.where(has_winner, facts.bid_applicant[winner], -1),
        allocated_rank=np.where(has_winner, ranking.rank[winner], 0),
        decided_by=decided,
        reserve_position=result.reserve_position[bids],
    )
    for name in CandidateColumns.__dataclass_fields__:
        getattr(columns, name).flags.writeable = False
    return columns


@dataclass(frozen=True, eq=False)
class RoundResult:
    """The solved round. Arrays are read-only and indexed like `facts`.

    Attributes:
        facts: the round that was solved.
        parameters_version: the legal parameter set used (`ParameterSet.version`).
        reference_date / lottery_seed / reserve_size: as passed to `solve_round`.
        lottery: per applicant the lottery number (uint64).
        reason: per bid 0 when eligible, else the code of its `IneligibleReason` (1-based in `REASON_ORDER`).
        motivation_score: per bid the applicant's score for the listing (NaN when none).
        ranking: the candidates of each listing in priority order.
        outcome: per bid the code of its `BidOutcome` (index in `OUTCOME_ORDER`).
        applicant_bid: per applicant the bid it was allocated on, or -1.
        listing_bid: per listing the bid it was allocated to, or -1.
        reserve_position: per bid its place on the listing's reserve list (1-based), or 0.
        assessed: round/2, the scores of the bids on motivation listings and the assessments used; None in round/1.
    """

    facts: RoundFacts
    parameters_version: str
    reference_date: date
    lottery_seed: str | int
    reserve_size: int
    lottery: np.ndarray
    reason: np.ndarray
    motivation_score: np.ndarray
    ranking: Ranking
    outcome: np.ndarray
    applicant_bid: np.ndarray
    listing_bid: np.ndarray
    reserve_position: np.ndarray
    assessed: AssessedMotivation | None = None

    # --- counts --------------------------------------------------------------------------------------------------

    def summary(self) -> dict[str, object]:
        """Counts for a one-line report and the stored run."""
        counts = np.bincount(self.outcome, minlength=len(OUTCOME_ORDER))
        reasons = np.bincount(self.reason, minlength=len(REASON_ORDER) + 1)
        eligible_per_listing = np.diff(self.ranking.start)
        return {
            "parameters_version": self.parameters_version,
            "listings": len(self.facts.listings),
            "applicants": len(self.facts.applicant_ids),
            "bids": len(self.outcome),
            "allocations": int((self.listing_bid >= 0).sum()),
            "listings_without_eligible_bids": int((eligible_per_listing == 0).sum()),
            "outcomes": {outcome.value: int(counts[code]) for code, outcome in enumerate(OUTCOME_ORDER)},
            "ineligible_reasons": {reason.value: int(reasons[code]) for code, reason in enumerate(REASON_ORDER, 1)
                                   if reason in RULE_REASONS[self.facts.motivation_rule]},
        }

    @property
    def format(self) -> str:
        """The result's format name: `buurtbalans.round-result/1` for round/1, `/2` for round/2."""
        return RESULT_FORMATS[self.facts.motivation_rule]

    # --- round/2 motivation -----------------------------------------------------------------------------------------

    def motivation_score_texts(self, bids: np.ndarray) -> list[str]:
        """Round/2: per bid (each on a motivation listing, with a score) its score as text ("2.75")."""
        assessed = self.assessed
        return list(map(score_text, assessed.score_hundredths[assessed.position(bids)].tolist()))

    def assessments_used(self, bids: np.ndarray) -> list[list[dict]]:
        """Round/2: per bid (each on a motivation listing) the assessments counted, `[{"assessor", "score"}]`."""
        facts, assessed = self.facts, self.assessed
        ids = facts.assessor_ids
        used = assessed.used[assessed.position(bids)]
        if not len(facts.assessment_assessor):  # nobody was assessed: nothing to show
            return [[] for _ in range(len(bids))]
        assessor = facts.assessment_assessor[np.maximum(used, 0)].tolist()
        tenths = facts.assessment_score_tenths[np.maximum(used, 0)].tolist()
        return [
            [{"assessor": ids[who], "score": tenths_text(score)}
             for index, who, score in zip(row, people, scores, strict=True) if index >= 0]
            for row, people, scores in zip(used.tolist(), assessor, tenths, strict=True)
        ]

    def motivation_extras(self, bids: np.ndarray) -> list[dict]:
        """Round/2: what the ineligible entry of each bid adds for a motivation reason.

        That is the score (below the minimum only) and the assessments counted; nothing for other bids and in round/1.
        """
        extras: list[dict] = [{} for _ in range(len(bids))]
        if self.assessed is None or not len(bids):
            return extras
        codes = [REASON_ORDER.index(reason) + 1 for reason in MOTIVATION_REASONS]
        mine = np.flatnonzero(np.isin(self.reason[bids], codes))
        if not len(mine):
            return extras
        below = self.reason[bids[mine]] == REASON_ORDER.index(IneligibleReason.MOTIVATION_BELOW_MINIMUM) + 1
        assessments = self.assessments_used(bids[mine])
        scores = self.motivation_score_texts(bids[mine][below])
        for i, is_below, used in zip(mine.tolist(), below.tolist(), assessments, strict=True):
            extras[i] = ({"motivation_score": scores.pop(0)} if is_below else {}) | {"motivation_assessments": used}
        return extras

    # --- JSON-ready entries (the round file, docs/allocation.md) ---------------------------------------------------

    def allocation_entries(self) -> list[dict]:
        """`[{"listing", "applicant", "rank"}]` in listing order."""
        facts = self.facts
        entries = []
        for li, bid in enumerate(self.listing_bid.tolist()):
            if bid >= 0:
                entries.append({
                    "listing": facts.listings[li].id,
                    "applicant": facts.applicant_ids[facts.bid_applicant[bid]],
                    "rank": int(self.ranking.rank[bid]),
                })
        return entries

    def ineligible_entries(self) -> list[dict]:
        """`[{"applicant", "listing", "reason"}]` in bid order."""
        facts = self.facts
        bids = np.flatnonzero(self.reason)
        ids, listings = facts.applicant_ids, facts.listings
        entries = [
            {"applicant": ids[a], "listing": listings[li].id, "reason": REASON_ORDER[r - 1].value}
            for a, li, r in zip(
                facts.bid_applicant[bids].tolist(),
                facts.bid_listing[bids].tolist(),
                self.reason[bids].tolist(),
                strict=True,
            )
        ]
        if self.assessed is not None:
            for entry, extra in zip(entries, self.motivation_extras(bids), strict=True):
                entry.update(extra)
        return entries

    def listing_status(self, li: int) -> ListingStatus:
        """Allocated; else unallocated when it had eligible candidates; else no eligible bids."""
        if self.listing_bid[li] >= 0:
            return ListingStatus.ALLOCATED
        if self.ranking.start[li + 1] > self.ranking.start[li]:
            return ListingStatus.UNALLOCATED
        return ListingStatus.NO_ELIGIBLE_BIDS

    def listing_entry(self, li: int) -> dict:
        """The listing at index `li` as the round file writes it; candidates in rank order.

        Shape: `{"status", "candidates": [{"applicant", "rank", "outcome", "detail"}], "reserve": [{"applicant",
        "rank"}]}`.
        """
        candidates = self._candidate_entries(li)
        reserve = [
            {"applicant": c["applicant"], "rank": c["rank"]}
            for c in candidates
            if c["outcome"] == "outranked" and c["detail"]["reserve_position"] is not None
        ]
        return {"status": self.listing_status(li).value, "candidates": candidates, "reserve": reserve}

    def to_document(self) -> dict:
        """The whole result as one JSON-ready dict (fine for small rounds; the file writer streams instead)."""
        return {
            "format": self.format,
            "parameters_version": self.parameters_version,
            "reference_date": self.reference_date.isoformat(),
            "lottery_seed": self.lottery_seed,
            "allocations": self.allocation_entries(),
            "listings": {listing.id: self.listing_entry(li) for li, listing in enumerate(self.facts.listings)},
            "ineligible": self.ineligible_entries(),
        }

    def candidate_columns(self) -> CandidateColumns:
        """Every value the candidates' explanations show, as columns in `ranking.order` (computed once)."""
        cached = self.__dict__.get("_candidate_columns")
        if cached is None:
            cached = _candidate_columns(self)
            object.__setattr__(self, "_candidate_columns", cached)
        return cached

    def registration_date_texts(self) -> list[str]:
        """Per applicant the registration date as ISO text (computed once, in numpy: 500,000 dates in 50 ms)."""
        cached = self.__dict__.get("_registration_date_texts")
        if cached is None:
            days = self.facts.registration_day - UNIX_EPOCH_ORDINAL
            cached = np.datetime_as_string(days.astype("datetime64[D]")).tolist()
            object.__setattr__(self, "_registration_date_texts", cached)
        return cached

    def _candidate_entries(self, li: int) -> list[dict]:
        columns = self.candidate_columns()
        lo, hi = int(self.ranking.start[li]), int(self.ranking.start[li + 1])
        if lo == hi:
            return []
        facts = self.facts
        listing = facts.listings[li]
        ids = facts.applicant_ids
        listing_ids = facts.listing_ids
        key_name = KEY_FIELD[listing.selection]
        key_values = columns.key_values(self, lo, hi) if key_name else [None] * (hi - lo)
        assessed = self.assessed is not None and listing.selection is SelectionKey.MOTIVATION
        if assessed:
            used = self.assessments_used(columns.bid[lo:hi])
            registered = self.registration_date_texts()
        rows = zip(
            columns.applicant[lo:hi].tolist(),
            columns.rank[lo:hi].tolist(),
            columns.outcome[lo:hi].tolist(),
            columns.preference[lo:hi].tolist(),
            columns.is_urgent[lo:hi].tolist(),
            columns.lottery[lo:hi].tolist(),
            columns.allocated_listing[lo:hi].tolist(),
            columns.allocated_preference[lo:hi].tolist(),
            columns.allocated_to[lo:hi].tolist(),
            columns.allocated_rank[lo:hi].tolist(),
            columns.decided_by[lo:hi].tolist(),
            columns.reserve_position[lo:hi].tolist(),
            key_values,
            strict=True,
        )
        entries = []
        for i, (a, rank, outcome, preference, is_urgent, number, other, other_pref, winner, winner_rank, decided,
                reserve, key_value) in enumerate(rows):
            detail: dict[str, object] = {"preference": preference}
            if listing.urgency_first:
                detail["is_urgent"] = is_urgent
            if key_name:
                detail[key_name] = key_value
            if assessed:
                detail["motivation_assessments"] = used[i]
                detail["registration_date"] = registered[a]
            detail["lottery_number"] = str(number)
            if outcome == ALLOCATED_ELSEWHERE:
                detail["allocated_listing"] = listing_ids[other]
                detail["allocated_preference"] = other_pref
            elif outcome == OUTRANKED:
                detail["allocated_to"] = ids[winner]
                detail["allocated_rank"] = winner_rank
                detail["decided_by"] = DECIDED_BY[decided]
                detail["reserve_position"] = reserve or None
                detail["allocated_listing"] = listing_ids[other] if other >= 0 else None
                detail["allocated_preference"] = other_pref if other >= 0 else None
            entries.append({"applicant": ids[a], "rank": rank, "outcome": OUTCOME_ORDER[outcome].value,
                            "detail": detail})
        return entries

    # --- rows ------------------------------------------------------------------------------------------------------

    def allocations(self) -> tuple[Allocation, ...]:
        """The allocations as rows, in listing order (`allocation_entries`)."""
        return tuple(Allocation(**entry) for entry in self.allocation_entries())

    def ineligible(self) -> tuple[IneligibleBid, ...]:
        """The ineligible bids as rows, in bid order (`ineligible_entries`)."""
        return tuple(
            IneligibleBid(e["applicant"], e["listing"], IneligibleReason(e["reason"]))
            for e in self.ineligible_entries()
        )

    def listing_report(self, listing_id: str) -> ListingReport:
        """The listing's outcome as rows (`listing_entry`).

        Raises:
            ValueError: when the round has no listing `listing_id`.
        """
        li = self.facts.listing_ids.index(listing_id)
        entry = self.listing_entry(li)
        return ListingReport(
            listing=listing_id,
            status=ListingStatus(entry["status"]),
            candidates=tuple(
                Candidate(c["applicant"], c["rank"], BidOutcome(c["outcome"]), MappingProxyType(c["detail"]))
                for c in entry["candidates"]
            ),
            reserve=tuple(ReserveCandidate(r["applicant"], r["rank"]) for r in entry["reserve"]),
        )

    def bid_explanation(self, applicant_id: str, listing_id: str) -> BidExplanation:
        """The outcome of one bid with its explanation.

        Raises:
            KeyError: when the applicant made no such bid.
        """
        facts = self.facts
        a = facts.applicant_ids.index(applicant_id)
        li = facts.listing_ids.index(listing_id)
        matches = np.flatnonzero((facts.bid_applicant == a) & (facts.bid_listing == li))
        if not len(matches):
            raise KeyError(f"{applicant_id} made no bid on {listing_id}")
        bid = int(matches[0])
        preference = int(facts.bid_preference[bid])
        if self.reason[bid]:
            reason = REASON_ORDER[self.reason[bid] - 1]
            detail = {"reason": reason.value} | self.motivation_extras(np.array([bid]))[0]
            return BidExplanation(applicant_id, listing_id, preference, BidOutcome.INELIGIBLE, None, reason,
                                  MappingProxyType(detail))
        rank = int(self.ranking.rank[bid])
        candidate = self._candidate_entries(li)[rank - 1]
        return BidExplanation(applicant_id, listing_id, preference, BidOutcome(candidate["outcome"]), rank, None,
                              MappingProxyType(candidate["detail"]))
