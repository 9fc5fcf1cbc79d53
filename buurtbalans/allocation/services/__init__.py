"""Writes of the allocation app: listings, applicants' profiles, bids, rounds, runs, offers and letters.

Every write goes through a function here, in one transaction, with an audit event (2xx). Views, jobs, commands
and the demo only call these. One module per responsibility; this package re-exports their public names, so
`from buurtbalans.allocation.services import X` is the way to call them:

- `listings`: a listing and its labels (publicatie);
- `applicants`: an applicant's target groups, urgency and motivation scores;
- `assessments`: blind assessments of motivation (round/2) and the motivation texts assessors read;
- `bids`: bids (reacties) and the checks the bids import shares;
- `rounds`: a round's creation, its listings, its start and its close;
- `solving`: working a round out (the job): input, engine, run and 60,000 outcomes;
- `offers`: approval into offers, and the applicant's answer (accept, decline);
- `letters`: every letter of a round as one PDF (the job);
- `base`: what they share (`AllocationError`, the audit helper, row locks).

Concurrency. Two officers may act on the same round or offer at the same moment. Every service that changes a
round, an offer or a listing first locks the rows it decides on (`select_for_update`, in a fixed order:
applicant, round, offers, listing, dwelling), then reads their state again inside the transaction and refuses
when it no longer allows the change ("this offer was accepted meanwhile"). Partial unique constraints (one
active listing per dwelling, one active offer per listing and per applicant and round) are the last guard.
On SQLite, whose transactions take the write lock at their start here, the same code runs one at a time.

The round lifecycle (docs/allocation-product.md):

    draft --start--> solving --solve (job)--> review --approve--> approved --close--> closed
                        ^                                           |
                        +------ decline / start again --------------+
"""

from buurtbalans.allocation.services.applicants import applicant_profile_set, motivation_score_set, profile_for
from buurtbalans.allocation.services.assessments import (
    assessing_open_check,
    assessment_score_clean,
    motivation_assessment_create,
    motivation_text_set,
)
from buurtbalans.allocation.services.base import PURPOSE, AllocationError
from buurtbalans.allocation.services.bids import (
    bid_check_applicant,
    bid_check_listing,
    bid_create,
    bid_round_preferences,
)
from buurtbalans.allocation.services.letters import LETTERS_JOB_KIND, round_letters_check, round_letters_request
from buurtbalans.allocation.services.listings import (
    LISTING_FIELDS,
    listing_create_for_dwelling,
    listing_relabel,
    listing_update,
    listing_withdraw,
)
from buurtbalans.allocation.services.offers import allocation_round_approve, offer_accept, offer_decline
from buurtbalans.allocation.services.rounds import (
    allocation_round_add_listings,
    allocation_round_close,
    allocation_round_create,
    allocation_round_start,
)
from buurtbalans.allocation.services.solving import (
    BID_RESULT_FIELDS,
    RESULT_CHUNK,
    SOLVE_JOB_KIND,
    allocation_round_solve,
    round_removals,
)

__all__ = [
    "BID_RESULT_FIELDS",
    "LETTERS_JOB_KIND",
    "LISTING_FIELDS",
    "PURPOSE",
    "RESULT_CHUNK",
    "SOLVE_JOB_KIND",
    "AllocationError",
    "allocation_round_add_listings",
    "allocation_round_approve",
    "allocation_round_close",
    "allocation_round_create",
    "allocation_round_solve",
    "allocation_round_start",
    "applicant_profile_set",
    "assessing_open_check",
    "assessment_score_clean",
    "bid_check_applicant",
    "bid_check_listing",
    "bid_create",
    "bid_round_preferences",
    "listing_create_for_dwelling",
    "listing_relabel",
    "listing_update",
    "listing_withdraw",
    "motivation_assessment_create",
    "motivation_score_set",
    "motivation_text_set",
    "offer_accept",
    "offer_decline",
    "profile_for",
    "round_letters_check",
    "round_letters_request",
    "round_removals",
]
