"""What happened to each bid of a round, derived from the round's current state (one source of truth).

A round is worked out more than once: after a decline the engine runs again without the decided applicants and
homes, and an approval turns the latest run into offers. No single run tells what became of a bid; the offers
and their answers do, read together with the round's first run (the whole candidate list, whose order never
changes: lottery numbers depend only on the seed and the registration number). `bid_statuses` reads exactly
that and nothing else. Letters, the review screen, the public account and every export show its result.

The statuses (docs/allocation-product.md, "Bid statuses"):

    offered              this applicant holds an offer of this home that waits for an answer
    accepted             this applicant accepted this home
    declined             this applicant said no to the offer of this home (VERA GEW…, the code is the reason)
    withdrawn            we withdrew the offer of this home (VERA ING…, the code is the reason)
    allocated_elsewhere  the applicant holds an offer or tenancy of a home they ranked higher (`refers_to`)
    let_to_other         the home is offered or let to someone with a better place on its list
                         (`holder_rank`, `decided_by`: the first part of the priority where they were ahead)
    ineligible           the applicant does not meet the home's conditions (the reason code)
    not_considered       the applicant takes no part in (this part of) the round, and why (`reason`,
                         `refers_to` where another home is the cause)
    pending              only while the round is not approved: nothing is decided yet

Steps per bid, the first that applies wins:
    1. the round has not been worked out yet                                   -> pending
    2. an offer of this home to this applicant: accepted / offered / declined / withdrawn (with a reason);
       an offer withdrawn without a reason made way for a home the applicant preferred: go on
    3. the applicant was left out of the round from its start (no income known, housed) -> not_considered
    4. not eligible in the first run                                           -> ineligible
    5. no approval yet                                                         -> pending
    6. the applicant holds (offered or accepted, this round) a home ranked higher -> allocated_elsewhere
    7. the home is held by someone ranked better on its list                   -> let_to_other
    8. the applicant left the round (declined, had an offer withdrawn, accepted a home ranked lower, housed
       elsewhere), or the home was taken back                                  -> not_considered
    9. the round is being worked out again and the home is free               -> pending
   10. anything else contradicts the round's own rules (stability of the approved result): not_considered with
       reason `inconsistent`, which tests assert never occurs.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple


class BidStatus(enum.StrEnum):
    """What became of a bid; the meaning of each value is in the module docstring (docs/allocation-product.md)."""

    PENDING = "pending"
    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"
    ALLOCATED_ELSEWHERE = "allocated_elsewhere"
    LET_TO_OTHER = "let_to_other"
    INELIGIBLE = "ineligible"
    NOT_CONSIDERED = "not_considered"


class RoundPhase(enum.StrEnum):
    """Where the round stands, as far as the statuses are concerned."""

    NOT_RUN = "not_run"  # draft, or the first run is being made
    UNDECIDED = "undecided"  # worked out, never approved: no offer was made
    DECIDING = "deciding"  # approved before, now being worked out again or waiting for review
    DECIDED = "decided"  # approved (or closed): every bid has a final status


class PendingReason(enum.StrEnum):
    """Why a bid is still pending: the round has no run yet (step 1), no approval yet (5), or runs again (9)."""

    NOT_WORKED_OUT = "not_worked_out"
    AWAITING_APPROVAL = "awaiting_approval"
    WORKED_OUT_AGAIN = "worked_out_again"


class NotConsideredReason(enum.StrEnum):
    """Why a bid takes no part in (this part of) the round: steps 3, 8 and 10 of the module docstring."""

    NO_INCOME = "no_income"  # left out at the start: no income known
    HOUSED = "housed"  # left out at the start: housed already
    DECLINED_OTHER = "declined_other"  # said no to the offer of `refers_to`
    WITHDRAWN_OTHER = "withdrawn_other"  # we withdrew the offer of `refers_to`
    ACCEPTED_OTHER = "accepted_other"  # accepted `refers_to`, ranked lower, before this home became free again
    HOUSED_ELSEWHERE = "housed_elsewhere"  # housed outside this round meanwhile
    LISTING_WITHDRAWN = "listing_withdrawn"  # we took the home back
    NOT_IN_ROUND = "not_in_round"  # the bid was not part of the round's first run
    INCONSISTENT = "inconsistent"  # never expected: see step 10


class OfferState(enum.StrEnum):
    """Where an offer of a home stands; an offered or accepted home is held (`HELD`)."""

    OFFERED = "offered"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"


HELD = (OfferState.OFFERED, OfferState.ACCEPTED)


# The per-bid records are named tuples, immutable like the frozen dataclasses elsewhere in the engines, but made
# several times faster: a weekly round has 60,000 bids and its screens ask for all of them.
class StatusBid(NamedTuple):
    """A bid to give a status: the applicant's registration number, the listing and the applicant's preference."""

    applicant: str
    listing: str
    preference: int


class FirstRunOutcome(NamedTuple):
    """A bid in the round's first run.

    Its rank (None when not eligible), the reason when not eligible, and the explanation values the priority
    compared (`is_urgent`, the selection key's value, `lottery_number`).
    """

    rank: int | None
    reason: str = ""
    detail: Mapping[str, object] | None = None


@dataclass(frozen=True)
class OfferFact:
    """The latest offer of a home to an applicant in this round.

    `reason` is the VERA code of a decline or a withdrawal; a withdrawal without a reason made way for a home the
    applicant preferred.
    """

    listing: str
    applicant: str
    state: OfferState
    reason: str = ""


@dataclass(frozen=True)
class ListingFact:
    """A home of the round as the statuses need it: whether it was taken back, and how its list is ordered."""

    id: str
    state: str  # "open", "offered", "let", "not_let", "withdrawn"
    selection: str  # the engine's SelectionKey value
    urgency_first: bool = False


@dataclass(frozen=True)
class StatusFacts:
    """Everything the statuses depend on.

    Only the bids asked about need to be in `bids`; `first_run` must hold those bids and the holders' bids on the
    same homes; `offers` every offer of the round to the applicants asked about and to the holders of their homes;
    `preferences` each applicant's preference for the homes they hold (for "ranked higher").
    """

    phase: RoundPhase
    bids: tuple[StatusBid, ...]
    listings: Mapping[str, ListingFact]
    first_run: Mapping[tuple[str, str], FirstRunOutcome]
    offers: tuple[OfferFact, ...]
    # Applicants left out of the round from its start: registration number -> "no_income" / "housed".
    skipped: Mapping[str, str]
    # Applicants housed outside this round since it started.
    housed_elsewhere: frozenset[str]
    preferences: Mapping[tuple[str, str], int]
    # (applicant, listing) -> place on the reserve list in the run that made the holder's offer, where known.
    reserve_positions: Mapping[tuple[str, str], int] | None = None


class BidStatusEntry(NamedTuple):
    """A bid's status with what the letters and screens say about it (`reason`, `refers_to`, the places)."""

    applicant: str
    listing: str
    preference: int
    status: BidStatus
    reason: str = ""
    refers_to: str | None = None
    # The applicant's own place on the home's list (first run); None when not eligible or not in the round.
    rank: int | None = None
    # For let_to_other: the holder's place and the deciding part of the priority; the holder's registration
    # number is kept for the officer's screens only (letters and the public account never show it).
    holder: str | None = None
    holder_rank: int | None = None
    decided_by: str | None = None
    reserve_position: int | None = None
    # The applicant's own lottery number on a lottery home (for let_to_other: they may check it with the seed).
    lottery_number: str | None = None

    def as_letter_entry(self) -> dict:
        """The bid as `round_letters` writes it (format buurtbalans.round-letters/1)."""
        return {"listing": self.listing, "preference": self.preference, "status": self.status.value,
                "reason": self.reason or None, "refers_to": self.refers_to}


def deciding_part(better: Mapping[str, object], worse: Mapping[str, object], *,
                  selection_field: str | tuple[str, ...] | None, urgency_first: bool) -> str:
    """The first part of a home's priority where `better` was ahead of `worse` (the engine's `decided_by`).

    Read from their first-run explanations: urgency (urgent first homes), the selection key's value (a tuple
    names several in order: a round/2 motivation home compares the score, then the registration date, which a
    round/1 explanation does not show), the lottery number, else the order of the input.
    """
    if urgency_first and bool(better.get("is_urgent")) != bool(worse.get("is_urgent")):
        return "urgency"
    fields = (selection_field,) if isinstance(selection_field, str) else selection_field or ()
    for name in fields:
        if better.get(name) != worse.get(name):
            return name
    if str(better.get("lottery_number")) != str(worse.get("lottery_number")):
        return "lottery_number"
    return "input_order"


# The explanation fields of each selection key (lottery homes are ordered by the lottery number itself). Only a
# round/2 motivation explanation shows the registration date, so round/1 ties still go to the lottery number.
SELECTION_FIELD = {"registration": "registration_date", "motivation": ("motivation_score", "registration_date"),
                   "first_come": "submitted_at", "lottery": None}


def _entry(bid: StatusBid, status: BidStatus, rank: int | None = None, **extra) -> BidStatusEntry:
    return BidStatusEntry(bid.applicant, bid.listing, bid.preference, status, rank=rank, **extra)


class _Offers(NamedTuple):
    """The round's offers, indexed for the questions each bid asks."""

    latest: dict[tuple[str, str], OfferFact]  # (applicant, listing) -> the offer
    held_by_applicant: dict[str, list[OfferFact]]  # offered or accepted homes per applicant
    holder_of: dict[str, OfferFact]  # listing -> the offer that holds it
    left: dict[str, OfferFact]  # applicants who declined or had an offer withdrawn with a reason: the first such


def _index_offers(offers: tuple[OfferFact, ...]) -> _Offers:
    index = _Offers({}, {}, {}, {})
    for offer in offers:
        index.latest[(offer.applicant, offer.listing)] = offer
        if offer.state in HELD:
            index.held_by_applicant.setdefault(offer.applicant, []).append(offer)
            index.holder_of[offer.listing] = offer
        elif offer.state == OfferState.DECLINED or offer.reason:
            index.left.setdefault(offer.applicant, offer)
    return index


def bid_statuses(facts: StatusFacts) -> list[BidStatusEntry]:
    """The status of every bid in `facts.bids` (see the module docstring for the steps).

    Args:
        facts: the round's current state, as `StatusFacts` describes.

    Returns:
        One entry per bid, in the order of `facts.bids`.
    """
    offers = _index_offers(facts.offers)
    reserve = facts.reserve_positions or {}
    return [_bid_status(bid, facts, offers, reserve) for bid in facts.bids]


_ANSWERED = {OfferState.ACCEPTED: BidStatus.ACCEPTED, OfferState.OFFERED: BidStatus.OFFERED,
             OfferState.DECLINED: BidStatus.DECLINED, OfferState.WITHDRAWN: BidStatus.WITHDRAWN}


def _bid_status(bid: StatusBid, facts: StatusFacts, offers: _Offers,
                reserve: Mapping[tuple[str, str], int]) -> BidStatusEntry:
    """Steps 1 to 5 of the module docstring; steps 6 to 10 in `_decided_status`."""
    a, li = bid.applicant, bid.listing
    if facts.phase == RoundPhase.NOT_RUN:
        return _entry(bid, BidStatus.PENDING, reason=PendingReason.NOT_WORKED_OUT)
    first = facts.first_run.get((a, li))
    own = offers.latest.get((a, li))
    if own is not None and (own.state != OfferState.WITHDRAWN or own.reason):
        status = _ANSWERED[own.state]
        reason = own.reason if status not in (BidStatus.ACCEPTED, BidStatus.OFFERED) else ""
        return _entry(bid, status, first.rank if first is not None else None, reason=reason)
    if a in facts.skipped:
        return _entry(bid, BidStatus.NOT_CONSIDERED, reason=facts.skipped[a])
    if first is None:
        return _entry(bid, BidStatus.NOT_CONSIDERED, reason=NotConsideredReason.NOT_IN_ROUND)
    if first.rank is None:
        return _entry(bid, BidStatus.INELIGIBLE, reason=first.reason)
    if facts.phase == RoundPhase.UNDECIDED:
        return _entry(bid, BidStatus.PENDING, first.rank, reason=PendingReason.AWAITING_APPROVAL)
    return _decided_status(bid, first, first.rank, facts, offers, reserve)


def _decided_status(bid: StatusBid, first: FirstRunOutcome, rank: int, facts: StatusFacts, offers: _Offers,
                    reserve: Mapping[tuple[str, str], int]) -> BidStatusEntry:
    """Steps 6 to 10: a bid the applicant was eligible for, in a round approved at least once."""
    a, li = bid.applicant, bid.listing
    held = offers.held_by_applicant.get(a, [])
    preferred = _preferred_held(bid, held, facts.preferences)
    if preferred is not None:
        return _entry(bid, BidStatus.ALLOCATED_ELSEWHERE, rank, refers_to=preferred.listing)
    holder = offers.holder_of.get(li)
    if holder is not None:
        holder_first = facts.first_run.get((holder.applicant, li))
        if holder_first is not None and holder_first.rank is not None and holder_first.rank < rank:
            return _let_to_other(bid, first, rank, holder, holder_first, facts.listings[li], reserve)
    out = _why_out(a, held, offers.left, facts.housed_elsewhere)
    if out is not None:
        reason, refers_to = out
        return _entry(bid, BidStatus.NOT_CONSIDERED, rank, reason=reason, refers_to=refers_to)
    if facts.listings[li].state == "withdrawn":
        return _entry(bid, BidStatus.NOT_CONSIDERED, rank, reason=NotConsideredReason.LISTING_WITHDRAWN)
    if facts.phase == RoundPhase.DECIDING and holder is None:
        return _entry(bid, BidStatus.PENDING, rank, reason=PendingReason.WORKED_OUT_AGAIN)
    return _entry(bid, BidStatus.NOT_CONSIDERED, rank, reason=NotConsideredReason.INCONSISTENT)


def _preferred_held(bid: StatusBid, held: list[OfferFact],
                    preferences: Mapping[tuple[str, str], int]) -> OfferFact | None:
    """The home the applicant holds that they ranked highest above this bid's, or None."""
    a = bid.applicant
    better = [o for o in held if o.listing != bid.listing and preferences.get((a, o.listing), 0) < bid.preference]
    if not better:
        return None
    return min(better, key=lambda o: preferences[(a, o.listing)])


def _let_to_other(bid: StatusBid, first: FirstRunOutcome, rank: int, holder: OfferFact, holder_first: FirstRunOutcome,
                  listing: ListingFact, reserve: Mapping[tuple[str, str], int]) -> BidStatusEntry:
    """Step 7: the home is held by `holder`, ranked better on its list than this applicant."""
    # Without the explanations (a screen that shows only the status) the deciding part stays unknown.
    decided = None if holder_first.detail is None or first.detail is None else deciding_part(
        holder_first.detail, first.detail, selection_field=SELECTION_FIELD.get(listing.selection),
        urgency_first=listing.urgency_first)
    lottery_number = None
    if listing.selection == "lottery":
        lottery_number = str((first.detail or {}).get("lottery_number") or "") or None
    return _entry(
        bid, BidStatus.LET_TO_OTHER, rank, holder=holder.applicant, holder_rank=holder_first.rank,
        decided_by=decided,
        reserve_position=reserve.get((bid.applicant, bid.listing)) if holder.state == OfferState.OFFERED else None,
        lottery_number=lottery_number,
    )


def _why_out(applicant: str, held: list[OfferFact], left: Mapping[str, OfferFact],
             housed_elsewhere: frozenset[str]) -> tuple[str, str | None] | None:
    """Why the applicant takes no further part in the round, or None while they still do."""
    accepted = [o for o in held if o.state == OfferState.ACCEPTED]
    if accepted:
        return NotConsideredReason.ACCEPTED_OTHER, accepted[0].listing
    # Before a decline or withdrawal here: accepting a home in another round withdraws the offers out here.
    if applicant in housed_elsewhere:
        return NotConsideredReason.HOUSED_ELSEWHERE, None
    gone = left.get(applicant)
    if gone is not None:
        reason = (NotConsideredReason.DECLINED_OTHER if gone.state == OfferState.DECLINED
                  else NotConsideredReason.WITHDRAWN_OTHER)
        return reason, gone.listing
    return None

