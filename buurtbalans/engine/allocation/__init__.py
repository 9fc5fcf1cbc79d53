"""Allocation rounds (toewijzingsronde): listings, bids, priority, deferred acceptance and explanations.

Pure Python and numpy; no Django. The caller passes the legal parameter set for the reference date and the
lottery seed. Contract and interpretations: docs/allocation.md.

- `facts`: `Listing`, `Applicant`, `Bid`, `RoundInput` (rows) and `RoundFacts` (columns).
- `eligibility`: may this applicant have this listing? (`affordability_fit` for passend toewijzen)
- `motivation`: round/2, the motivation score made from blind assessments.
- `priority`: lottery numbers and the order of candidates on a listing.
- `deferred_acceptance`: applicant-proposing deferred acceptance (Gale and Shapley 1962; Roth 1984).
- `result`: outcomes per bid and listing, with explanations.
- `solve`: `solve_round`, the whole round.
"""

from buurtbalans.engine.allocation.deferred_acceptance import deferred_acceptance
from buurtbalans.engine.allocation.eligibility import MissingParameter, RoundParameterMissing, bid_eligibility
from buurtbalans.engine.allocation.facts import (
    REASON_ORDER,
    Applicant,
    Assessment,
    Bid,
    IneligibleReason,
    Listing,
    MotivationRule,
    RoundFacts,
    RoundInput,
    RoundInputError,
    SelectionKey,
)
from buurtbalans.engine.allocation.motivation import assessed_motivation
from buurtbalans.engine.allocation.priority import lottery_number, lottery_numbers
from buurtbalans.engine.allocation.result import (
    RESULT_FORMATS,
    Allocation,
    BidExplanation,
    BidOutcome,
    Candidate,
    IneligibleBid,
    ListingReport,
    ListingStatus,
    ReserveCandidate,
    RoundResult,
)
from buurtbalans.engine.allocation.solve import DEFAULT_RESERVE_SIZE, solve_round

__all__ = [
    "DEFAULT_RESERVE_SIZE",
    "REASON_ORDER",
    "RESULT_FORMATS",
    "Allocation",
    "Applicant",
    "Assessment",
    "Bid",
    "BidExplanation",
    "BidOutcome",
    "Candidate",
    "IneligibleBid",
    "IneligibleReason",
    "Listing",
    "ListingReport",
    "ListingStatus",
    "MissingParameter",
    "MotivationRule",
    "ReserveCandidate",
    "RoundResult",
    "RoundFacts",
    "RoundInput",
    "RoundInputError",
    "RoundParameterMissing",
    "SelectionKey",
    "assessed_motivation",
    "bid_eligibility",
    "deferred_acceptance",
    "lottery_number",
    "lottery_numbers",
    "solve_round",
]
