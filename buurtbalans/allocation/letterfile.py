"""Machine-readable letters: what became of every bid of a round, for the regional platform and for checking.

Format `buurtbalans.round-letters/1` (docs/allocation-product.md, "Letters as a file"):

    {"format": "buurtbalans.round-letters/1",
     "rounds": [{"round": 12, "name": "Week 23", "status": "approved", "problem": null,
                 "listings": [{"listing": "D-1001/1", "address": "Zwaluwweg 63, 8021 AB Zwolle",
                               "state": "open" | "offered" | "let" | "not_let" | "withdrawn",
                               "applicant": "W-100231" | null}],
                 "offers": [{"listing", "applicant", "state": "offered" | "accepted" | "declined" | "withdrawn",
                             "reason": VERA code | null, "replaced_by": listing | null}],
                 "letters": [{"applicant": "W-100231",
                              "bids": [{"listing", "preference", "status", "reason", "refers_to",
                                        "motivation": {"criteria": [str], "assessments": ["2.5", "3.0"],
                                                       "score": "2.75" | null}}]}]}]}

The statuses come from `outcomes.round_bid_statuses`, the same as the letters on screen and on paper.
`motivation` is there only for a bid on a listing that selects on motivation (issue 13 item 4): the published
criteria and the applicant's own assessments used and score, as the letter names them (`letters.motivation_facts`;
empty and null before the round is worked out).
"""

from __future__ import annotations

from buurtbalans.allocation.letters import LetterMotivation, motivation_facts
from buurtbalans.allocation.models import AllocationRound, Listing, Offer, SelectionKey
from buurtbalans.allocation.outcomes import RoundStatuses, round_bid_statuses
from buurtbalans.engine.allocation.motivation import score_text, tenths_text

FORMAT = "buurtbalans.round-letters/1"


def round_letters_entry(allocation_round: AllocationRound, statuses: RoundStatuses | None = None) -> dict:
    """One round of the document (all its listings, offers and letters)."""
    statuses = statuses or round_bid_statuses(allocation_round)
    listings = [
        {"listing": reference, "address": address, "state": state,
         "applicant": statuses.holders.get(reference, (None,))[0] if state in ("offered", "let") else None}
        for reference, address, state in _listing_rows(allocation_round)
    ]
    replacement = dict(Offer.objects.filter(allocation_round=allocation_round, replaced_by__isnull=False)
                       .values_list("pk", "replaced_by__listing__reference"))
    offers = [
        {"listing": reference, "applicant": applicant, "state": state, "reason": reason or None,
         "replaced_by": replacement.get(pk)}
        for pk, reference, applicant, state, reason in Offer.objects.filter(allocation_round=allocation_round)
        .order_by("listing__reference", "offered_at", "pk")
        .values_list("pk", "listing__reference", "applicant__external_id", "status", "decline_reason")
    ]
    motivation_listings = dict(Listing.objects.filter(allocation_round=allocation_round,
                                                      selection=SelectionKey.MOTIVATION)
                               .values_list("reference", "criteria"))
    motivation = motivation_facts(allocation_round) if motivation_listings else {}
    letters = [
        {"applicant": applicant,
         "bids": [_with_motivation(entry.as_letter_entry(), motivation_listings, motivation.get((applicant,
                                                                                                  entry.listing)))
                  for entry in entries]}
        for applicant, entries in sorted(statuses.by_applicant().items())
    ]
    return {"round": allocation_round.pk, "name": allocation_round.name, "status": allocation_round.status,
            # Why the last working out failed (the round then waits to be worked out again), else null.
            "problem": allocation_round.error or None,
            "listings": listings, "offers": offers, "letters": letters}


def _with_motivation(bid: dict, motivation_listings: dict[str, list], own: LetterMotivation | None) -> dict:
    if bid["listing"] not in motivation_listings:
        return bid
    return {**bid, "motivation": {
        "criteria": [str(c) for c in motivation_listings[bid["listing"]] or []],
        "assessments": [tenths_text(int(score * 10)) for score in own.assessments] if own is not None else [],
        # As the round files write a score: "2.75", "3.0".
        "score": score_text(int(own.score * 100)) if own is not None and own.score is not None else None,
    }}


def _listing_rows(allocation_round: AllocationRound):
    for listing in (Listing.objects.filter(allocation_round=allocation_round).select_related("dwelling")
                    .order_by("reference")):
        yield listing.reference, listing.dwelling.address, listing.status


def round_letters_document(rounds) -> dict:
    """The document for the given rounds, oldest first."""
    return {"format": FORMAT, "rounds": [round_letters_entry(r) for r in rounds]}
