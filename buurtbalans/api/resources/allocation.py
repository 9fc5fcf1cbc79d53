"""Letting homes: listings, bids, rounds, offers and letters, through the allocation screens' selectors and services.

Rights are the screens': VIEW_ALLOCATION (officers, analysts) reads listings and rounds with their figures;
MANAGE_ALLOCATION (officers) reads bids, results, offers and letters (personal data: `X-Purpose: allocation`,
recorded as the screens record it) and makes every change; listing a vacancy with its decided label needs
DECIDE_LABELS, as the steering screen does. A change the state of the data does not allow answers 409 with the
service's messages.

The round's work-out is the screen's job (`allocation.jobs.AllocationRoundSolveJob`): `start` answers 202 with the
job's id. The worker runs it as the job's user with that user's full roles, not only the token's role; that does
not matter for this job, because it reads the round by its id and corporation only (no rights check, no
role-dependent selector) and uses the user only to name who ran it. Reading the result afterwards goes through the
API again, with the token's role.
"""

# No `from __future__ import annotations`: see resources/portfolio.py.
import datetime
from decimal import Decimal
from pathlib import PurePath

from django.http import Http404, HttpResponse
from django.urls import get_script_prefix
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile

from buurtbalans.allocation import selectors as allocation_selectors
from buurtbalans.allocation import services as allocation_services
from buurtbalans.allocation.jobs import LETTER_LANGUAGE
from buurtbalans.allocation.letterfile import round_letters_entry
from buurtbalans.allocation.letterpdf import letter_pdf
from buurtbalans.allocation.letters import letter_build
from buurtbalans.allocation.models import DeclineReason, ListingStatus, OfferStatus, RoundStatus
from buurtbalans.allocation.services import AllocationError
from buurtbalans.allocation.views import candidate_note
from buurtbalans.api.access import WRITE, needs, purpose_of
from buurtbalans.api.errors import ApiError
from buurtbalans.api.idempotency import idempotent
from buurtbalans.api.pagination import PageParams, cursor_page
from buurtbalans.api.schemas import ERRORS, ErrorOut, Id, PurposeCode, page_of, purpose_header
from buurtbalans.api.selectors import (
    api_listing_get,
    api_listing_list,
    api_listings_by_ids,
    api_offer_list,
    api_round_applicant,
    api_round_list,
    api_round_result_listings,
)
from buurtbalans.api.services import api_bid_import, api_listing_from_vacancy
from buurtbalans.core.permissions import Action, can, require

router = Router(auth=needs("allocation"))
# What the screens record as the purpose of reading bids, results and letters (allocation.selectors.PURPOSE).
ALLOCATION_PURPOSES = (allocation_selectors.PURPOSE,)


def _refused(error: AllocationError) -> ApiError:
    return ApiError(409, "; ".join(error.messages), [((), message) for message in error.messages])


def _link(request, path: str) -> str:
    return request.build_absolute_uri(f"{get_script_prefix()}api/v1/{path}")


# --- schemas --------------------------------------------------------------------------------------------------


class ListingOut(Schema):
    id: int
    reference: str
    dwelling_id: Id
    round_id: Id | None = Field(None, alias="allocation_round_id")
    status: str
    selection: str
    urgency_first: bool
    household_size_min: int | None = None
    household_size_max: int | None = None
    income_min: Decimal | None = None
    income_max: Decimal | None = None
    allowed_groups: list[str]
    excluded_groups: list[str]
    base_rent: Decimal
    affordability_exception: bool
    label: str | None = None
    note: str
    bid_count: int = 0
    created: datetime.datetime


class ListingCreateIn(Schema):
    dwelling: Id = Field(description="The vacant dwelling whose decided label the listing takes.")


class ListingFilters(Schema):
    status: ListingStatus | None = None
    round: Id | None = None  # noqa: A003
    dwelling: Id | None = None


class BidOut(Schema):
    id: int
    listing_id: Id
    applicant_id: Id
    applicant: str  # registration number
    household: str  # household code
    household_size: int
    income: Decimal | None = None
    is_pension_age: bool
    registration_date: datetime.date
    is_urgent: bool
    groups: list[str]
    motivation_score: Decimal | None = None
    preference: int
    submitted_at: datetime.datetime
    source: str


class BidImportCounts(Schema):
    new: int = 0
    updated: int = 0
    unchanged: int = 0


class BidImportOut(Schema):
    source: str
    written: bool
    dry_run: bool
    counts: BidImportCounts
    warnings: list[str]


class RoundFigures(Schema):
    listings: int
    bids: int
    applicants: int
    allocations: int
    runs: int


class RoundOut(Schema):
    id: int
    name: str
    reference_date: datetime.date
    lottery_seed: str
    status: str
    problem: str
    listing_count: int = 0
    created: datetime.datetime
    approved_at: datetime.datetime | None = None
    closed_at: datetime.datetime | None = None
    job_id: Id | None = None  # while it is worked out, for roles that may follow the job (as on screen)
    figures: RoundFigures | None = None  # after its first run: counts only


class RoundFilters(Schema):
    status: RoundStatus | None = None


class RoundCreateIn(Schema):
    name: str = Field(min_length=1, max_length=100)
    reference_date: datetime.date
    lottery_seed: str | None = Field(None, max_length=100)
    listings: list[Id] = Field(default_factory=list, max_length=5000,
                               description="Open listings in no round yet, to put in the round at once.")


class RoundListingsIn(Schema):
    listings: list[Id] = Field(min_length=1, max_length=5000)


class JobStartedOut(Schema):
    round_id: Id
    job_id: Id
    job: str = Field(description="Poll this link until its status is succeeded or failed.")


class ApprovedOut(Schema):
    round_id: Id
    status: str
    offers: int = Field(description="New offers made by the approval.")


class CandidateOut(Schema):
    applicant_id: Id
    applicant: str
    household: str
    place: int | None = None
    rank: int | None = None
    outcome: str
    outcome_label: str
    reason: str
    reserve_position: int | None = None
    explanation: str
    status: str
    status_label: str


class ListingResultOut(Schema):
    listing_id: Id
    listing: str
    status: str
    offer_id: Id | None = None
    candidates: list[CandidateOut]
    ineligible: list[CandidateOut]


class RoundResultOut(Schema):
    round_id: Id
    run: int
    items: list[ListingResultOut]
    next: str | None = None


class OfferOut(Schema):
    id: int
    round_id: Id = Field(alias="allocation_round_id")
    listing_id: Id
    listing: str
    applicant_id: Id
    applicant: str
    rank: int
    status: str
    decline_reason: str
    offered_at: datetime.datetime
    decided_at: datetime.datetime | None = None
    tenancy_id: Id | None = None

    @staticmethod
    def resolve_listing(obj) -> str:
        return obj.listing.reference

    @staticmethod
    def resolve_applicant(obj) -> str:
        return obj.applicant.external_id


class OfferFilters(Schema):
    round: Id | None = None  # noqa: A003
    status: OfferStatus | None = None


class AcceptIn(Schema):
    start_date: datetime.date


class DeclineIn(Schema):
    reason: DeclineReason = Field(description="The VERA reason code, as the decline screen offers them.")


class LetterBidOut(Schema):
    listing: str
    preference: int | None = None
    status: str
    reason: str | None = None
    refers_to: str | None = None
    # Only on a listing that selects on motivation (left out otherwise, as in the document).
    motivation: dict | None = None


class LetterOut(Schema):
    applicant: str
    bids: list[LetterBidOut]


class LettersListingOut(Schema):
    listing: str
    address: str
    state: str
    applicant: str | None = None


class LettersOfferOut(Schema):
    listing: str
    applicant: str
    state: str
    reason: str | None = None
    replaced_by: str | None = None


class RoundLettersOut(Schema):
    round: int
    name: str
    status: str
    problem: str | None = None
    listings: list[LettersListingOut]
    offers: list[LettersOfferOut]
    letters: list[LetterOut]


ListingPage = page_of(ListingOut)
BidPage = page_of(BidOut)
RoundPage = page_of(RoundOut)
OfferPage = page_of(OfferOut)


def _round_out(user, allocation_round) -> RoundOut:
    statistics = allocation_selectors.round_statistics(user, allocation_round)
    figures = None
    if statistics is not None:
        figures = RoundFigures(listings=statistics.listings, bids=statistics.bids, applicants=statistics.applicants,
                               allocations=statistics.allocations, runs=statistics.runs)
    job_id = allocation_round.job_id if (allocation_round.status == RoundStatus.SOLVING
                                         and can(user, Action.MANAGE_ALLOCATION)) else None
    return RoundOut(
        id=allocation_round.pk, name=allocation_round.name, reference_date=allocation_round.reference_date,
        lottery_seed=allocation_round.lottery_seed, status=allocation_round.status, problem=allocation_round.error,
        listing_count=getattr(allocation_round, "listing_count", 0), created=allocation_round.created,
        approved_at=allocation_round.approved_at, closed_at=allocation_round.closed_at, job_id=job_id,
        figures=figures,
    )


def _listing_out(user, pk: int) -> ListingOut:
    return ListingOut.model_validate(api_listing_get(user, pk), from_attributes=True)


# --- listings -------------------------------------------------------------------------------------------------


@router.get("/allocation/listings", response={200: ListingPage, ERRORS: ErrorOut}, operation_id="listing_list",
            openapi_extra={"responses": {200: {"links": {"GetListing": {
                "operationId": "listing_get", "parameters": {"listing_id": "$response.body#/items/0/id"}}}}}})
def listing_list(request, filters: Query[ListingFilters], page: Query[PageParams]):
    """Listings (VIEW_ALLOCATION), in id order. Filters: `status`, `round` (id), `dwelling` (id)."""
    rows = api_listing_list(request.user, status=filters.status, round_id=filters.round,
                            dwelling_id=filters.dwelling)
    items, next_link = cursor_page(request, rows, page)
    return {"items": items, "next": next_link}


@router.get("/allocation/listings/{listing_id}", response={200: ListingOut, ERRORS: ErrorOut},
            operation_id="listing_get")
def listing_get(request, listing_id: Id):
    return api_listing_get(request.user, listing_id)


@router.post("/allocation/listings", auth=needs("allocation", WRITE), response={200: ListingOut, ERRORS: ErrorOut},
             operation_id="listing_create")
@idempotent
def listing_create(request, body: ListingCreateIn):
    """List a vacant dwelling with its decided label (as the steering screen 'list the vacancy' does: the label,
    rent, groups and selection key come from the decision). 409 when no label was decided or the dwelling cannot
    be listed (no longer vacant, already listed)."""
    listing = api_listing_from_vacancy(user=request.user, dwelling_id=body.dwelling)
    return _listing_out(request.user, listing.pk)


@router.post("/allocation/listings/{listing_id}/withdraw", auth=needs("allocation", WRITE),
             response={200: ListingOut, ERRORS: ErrorOut}, operation_id="listing_withdraw")
@idempotent
def listing_withdraw(request, listing_id: Id):
    """Take an open listing back (no offer out, its round not being worked out); its bids stay for the record."""
    listing = allocation_selectors.listing_manage_get(request.user, listing_id)
    try:
        allocation_services.listing_withdraw(listing=listing, actor=request.user)
    except AllocationError as error:
        raise _refused(error) from None
    return _listing_out(request.user, listing.pk)


# --- bids -----------------------------------------------------------------------------------------------------


@router.get("/allocation/listings/{listing_id}/bids", response={200: BidPage, ERRORS: ErrorOut},
            operation_id="listing_bids")
def listing_bids(request, listing_id: Id, page: Query[PageParams],
                 x_purpose: PurposeCode = purpose_header()):  # noqa: B008
    """The listing's bids with each applicant's household size, income and urgency (officers; `X-Purpose:
    allocation`; recorded as the listing page records it)."""
    user = request.user
    listing = allocation_selectors.listing_manage_get(user, listing_id)
    purpose_of(request, x_purpose, allowed=ALLOCATION_PURPOSES)
    bids, next_link = cursor_page(request, allocation_selectors.listing_bids_queryset(user, listing), page)
    rows = allocation_selectors.listing_bid_rows(user, listing, bids)
    items = [BidOut(
        id=r.bid.pk, listing_id=listing.pk, applicant_id=r.applicant.pk, applicant=r.applicant.external_id,
        household=r.household_code, household_size=r.household_size, income=r.income,
        is_pension_age=r.is_pension_age, registration_date=r.registration_date, is_urgent=r.is_urgent,
        groups=r.groups, motivation_score=r.motivation_score, preference=r.bid.preference,
        submitted_at=r.bid.submitted_at, source=r.bid.source,
    ) for r in rows]
    return {"items": items, "next": next_link}


@router.post("/allocation/bids/imports", auth=needs("allocation", WRITE),
             response={200: BidImportOut, ERRORS: ErrorOut}, operation_id="bid_import_create")
@idempotent
def bid_import_create(request, file: File[UploadedFile], dry_run: Query[bool] = False):
    """Upload the regional platform's bids: the file formats and checks of the screen's bids import (.csv or
    .xlsx, one row per bid: listing, applicant, preference, submitted_at; docs/allocation-product.md).

    All or nothing: on any error nothing is written and the answer is 422 with every error, `loc` = [file, row,
    column]. `dry_run=true` only checks. Send an `Idempotency-Key` to make a retry safe.
    """
    if not PurePath(file.name or "").name:
        raise ApiError(400, _("Give the file a name (.csv or .xlsx)."), [(("body", "file"), _("no name"))])
    report = api_bid_import(file=file, user=request.user, dry_run=dry_run)
    if not report.is_valid:
        raise ApiError(422, _("%(source)s: %(errors)d error(s), nothing written.")
                       % {"source": report.source, "errors": report.error_count},
                       [((e.file, e.row, e.column), e.message) for e in report.errors])
    counts = report.counts.get("bids", {})
    return BidImportOut(source=report.source, written=report.written, dry_run=report.dry_run,
                        counts=BidImportCounts(**counts), warnings=report.warnings)


# --- rounds ---------------------------------------------------------------------------------------------------


@router.get("/allocation/rounds", response={200: RoundPage, ERRORS: ErrorOut}, operation_id="round_list",
            openapi_extra={"responses": {200: {"links": {"GetRound": {
                "operationId": "round_get", "parameters": {"round_id": "$response.body#/items/0/id"}}}}}})
def round_list(request, filters: Query[RoundFilters], page: Query[PageParams]):
    """Rounds (VIEW_ALLOCATION), in id order, with their counts. Filter: `status`."""
    items, next_link = cursor_page(request, api_round_list(request.user, status=filters.status), page)
    return {"items": [_round_out(request.user, r) for r in items], "next": next_link}


@router.get("/allocation/rounds/{round_id}", response={200: RoundOut, ERRORS: ErrorOut}, operation_id="round_get")
def round_get(request, round_id: Id):
    """A round's status and figures (counts only), as its page shows them; `job_id` while it is worked out."""
    return _round_out(request.user, allocation_selectors.round_get(request.user, round_id))


@router.post("/allocation/rounds", auth=needs("allocation", WRITE), response={200: RoundOut, ERRORS: ErrorOut},
             operation_id="round_create")
@idempotent
def round_create(request, body: RoundCreateIn):
    """A new draft round, optionally with open listings that are in no round yet (404 for a listing id that is
    not one of your corporation's; 409 for one that is not open or already in a round)."""
    user = request.user
    membership = require(user, Action.MANAGE_ALLOCATION)
    listings = api_listings_by_ids(user, body.listings) if body.listings else []
    try:
        allocation_round = allocation_services.allocation_round_create(
            corporation=membership.corporation, actor=user, name=body.name, reference_date=body.reference_date,
            lottery_seed=body.lottery_seed, listings=listings,
        )
    except AllocationError as error:
        raise _refused(error) from None
    return _round_out(user, allocation_selectors.round_get(user, allocation_round.pk))


@router.post("/allocation/rounds/{round_id}/listings", auth=needs("allocation", WRITE),
             response={200: RoundOut, ERRORS: ErrorOut}, operation_id="round_add_listings")
@idempotent
def round_add_listings(request, round_id: Id, body: RoundListingsIn):
    """Put open listings without a round into a draft round."""
    user = request.user
    allocation_round = allocation_selectors.round_manage_get(user, round_id)
    listings = api_listings_by_ids(user, body.listings)
    try:
        allocation_services.allocation_round_add_listings(allocation_round=allocation_round, listings=listings,
                                                          actor=user)
    except AllocationError as error:
        raise _refused(error) from None
    return _round_out(user, allocation_selectors.round_get(user, round_id))


@router.post("/allocation/rounds/{round_id}/start", auth=needs("allocation", WRITE),
             response={202: JobStartedOut, ERRORS: ErrorOut}, operation_id="round_start")
@idempotent
def round_start(request, round_id: Id):
    """Have the round worked out by the worker (a draft round, or one under review or approved again after
    answers): 202 with the job; poll `GET /api/v1/jobs/{id}`, then read `/result`."""
    user = request.user
    allocation_round = allocation_selectors.round_manage_get(user, round_id)
    try:
        allocation_round = allocation_services.allocation_round_start(allocation_round=allocation_round, actor=user)
    except AllocationError as error:
        raise _refused(error) from None
    job_id = allocation_round.job_id
    return Status(202, JobStartedOut(round_id=allocation_round.pk, job_id=job_id,
                                     job=_link(request, f"jobs/{job_id}")))


@router.get("/allocation/rounds/{round_id}/result", response={200: RoundResultOut, ERRORS: ErrorOut},
            operation_id="round_result")
def round_result(request, round_id: Id, page: Query[PageParams],
                 x_purpose: PurposeCode = purpose_header()):  # noqa: B008
    """The latest run for review: per listing the ranked candidates with outcome, reason, reserve position and the
    explanation the result page gives, and who was not eligible (officers; `X-Purpose: allocation`; recorded as
    the result page records it). Pages of listings (`limit`, `next`). 404 before the round was worked out."""
    user = request.user
    allocation_round = allocation_selectors.round_manage_get(user, round_id)
    purpose_of(request, x_purpose, allowed=ALLOCATION_PURPOSES)
    run = allocation_selectors.latest_run(allocation_round)
    if run is None:
        raise Http404
    listings, next_link = cursor_page(request, api_round_result_listings(user, allocation_round, run), page)
    results = allocation_selectors.round_result(user, allocation_round, run,
                                                references=[listing.reference for listing in listings])
    items = []
    for result in results:
        places = {c.applicant: c.place for c in result.candidates}

        def out(candidate, places=places):
            return CandidateOut(
                applicant_id=candidate.applicant_pk, applicant=candidate.applicant,
                household=candidate.household_code, place=candidate.place, rank=candidate.rank,
                outcome=candidate.outcome, outcome_label=candidate.outcome_label, reason=candidate.reason_label,
                reserve_position=candidate.reserve_position, explanation=candidate_note(candidate, places),
                status=candidate.status, status_label=candidate.status_label,
            )

        items.append(ListingResultOut(
            listing_id=result.listing.pk, listing=result.listing.reference, status=result.status,
            offer_id=result.offer.pk if result.offer else None,
            candidates=[out(c) for c in result.candidates], ineligible=[out(c) for c in result.ineligible],
        ))
    return RoundResultOut(round_id=allocation_round.pk, run=run.number, items=items, next=next_link)


@router.post("/allocation/rounds/{round_id}/approve", auth=needs("allocation", WRITE),
             response={200: ApprovedOut, ERRORS: ErrorOut}, operation_id="round_approve")
@idempotent
def round_approve(request, round_id: Id):
    """Approve the worked-out round (status review): its allocations become offers."""
    user = request.user
    allocation_round = allocation_selectors.round_manage_get(user, round_id)
    try:
        offers = allocation_services.allocation_round_approve(allocation_round=allocation_round, actor=user)
    except AllocationError as error:
        raise _refused(error) from None
    allocation_round.refresh_from_db()
    return ApprovedOut(round_id=allocation_round.pk, status=allocation_round.status, offers=len(offers))


@router.post("/allocation/rounds/{round_id}/close", auth=needs("allocation", WRITE),
             response={200: RoundOut, ERRORS: ErrorOut}, operation_id="round_close")
@idempotent
def round_close(request, round_id: Id):
    """Close an approved round once no offer is out; listings still open become 'not let'."""
    user = request.user
    allocation_round = allocation_selectors.round_manage_get(user, round_id)
    try:
        allocation_services.allocation_round_close(allocation_round=allocation_round, actor=user)
    except AllocationError as error:
        raise _refused(error) from None
    return _round_out(user, allocation_selectors.round_get(user, round_id))


# --- offers ---------------------------------------------------------------------------------------------------


@router.get("/allocation/offers", response={200: OfferPage, ERRORS: ErrorOut}, operation_id="offer_list",
            openapi_extra={"responses": {200: {"links": {"GetOffer": {
                "operationId": "offer_get", "parameters": {"offer_id": "$response.body#/items/0/id"}}}}}})
def offer_list(request, filters: Query[OfferFilters], page: Query[PageParams]):
    """Offers (officers, as on the round page), in id order. Filters: `round` (id), `status`."""
    rows = api_offer_list(request.user, round_id=filters.round, status=filters.status)
    items, next_link = cursor_page(request, rows, page)
    return {"items": items, "next": next_link}


@router.get("/allocation/offers/{offer_id}", response={200: OfferOut, ERRORS: ErrorOut}, operation_id="offer_get")
def offer_get(request, offer_id: Id):
    return allocation_selectors.offer_get(request.user, offer_id)


@router.post("/allocation/offers/{offer_id}/accept", auth=needs("allocation", WRITE),
             response={200: OfferOut, ERRORS: ErrorOut}, operation_id="offer_accept")
@idempotent
def offer_accept(request, offer_id: Id, body: AcceptIn):
    """The applicant accepts: the tenancy starts on `start_date` (its id in `tenancy_id`)."""
    user = request.user
    offer = allocation_selectors.offer_get(user, offer_id)
    try:
        allocation_services.offer_accept(offer=offer, actor=user, start_date=body.start_date)
    except AllocationError as error:
        raise _refused(error) from None
    return OfferOut.model_validate(allocation_selectors.offer_get(user, offer_id), from_attributes=True)


@router.post("/allocation/offers/{offer_id}/decline", auth=needs("allocation", WRITE),
             response={200: OfferOut, ERRORS: ErrorOut}, operation_id="offer_decline")
@idempotent
def offer_decline(request, offer_id: Id, body: DeclineIn):
    """The applicant declines, with a VERA reason code (an unknown code: 422). The round is then worked out again
    for the homes that are left: start it (`/start`) as the screen does."""
    user = request.user
    offer = allocation_selectors.offer_get(user, offer_id)
    try:
        allocation_services.offer_decline(offer=offer, actor=user, reason=body.reason)
    except AllocationError as error:
        raise _refused(error) from None
    return OfferOut.model_validate(allocation_selectors.offer_get(user, offer_id), from_attributes=True)


# --- letters --------------------------------------------------------------------------------------------------


def _letters_entry(request, round_id: int, x_purpose):
    user = request.user
    allocation_round = allocation_selectors.round_manage_get(user, round_id)
    purpose_of(request, x_purpose, allowed=ALLOCATION_PURPOSES)
    with translation.override(LETTER_LANGUAGE):
        entry = round_letters_entry(allocation_round)
    return allocation_round, entry


@router.get("/allocation/rounds/{round_id}/letters", response={200: RoundLettersOut, ERRORS: ErrorOut},
            operation_id="round_letters", exclude_unset=True)
def round_letters(request, round_id: Id, x_purpose: PurposeCode = purpose_header()):  # noqa: B008
    """What became of every bid of the round: the document `round_letters` writes for one round
    (`buurtbalans.round-letters/1`: listings, offers, one letter per applicant). Officers; `X-Purpose:
    allocation`; recorded as a read of every applicant's letter."""
    user = request.user
    allocation_round, entry = _letters_entry(request, round_id, x_purpose)
    households = allocation_selectors.round_applicants(user, allocation_round).values_list(
        "household__external_id", flat=True)
    allocation_selectors.letters_read_record(user=user, allocation_round=allocation_round,
                                             households=list(households), what="API: all letters (json)")
    return entry


@router.get("/allocation/rounds/{round_id}/letters/{applicant_id}", response={200: LetterOut, ERRORS: ErrorOut},
            operation_id="round_letter", exclude_unset=True)
def round_letter(request, round_id: Id, applicant_id: Id,
                 x_purpose: PurposeCode = purpose_header()):  # noqa: B008
    """One applicant's letter of the round, as in the `round_letters` document."""
    user = request.user
    allocation_round = allocation_selectors.round_manage_get(user, round_id)
    applicant = api_round_applicant(user, allocation_round, applicant_id)
    _round, entry = _letters_entry(request, round_id, x_purpose)
    letter = next((x for x in entry["letters"] if x["applicant"] == applicant.external_id),
                  {"applicant": applicant.external_id, "bids": []})
    allocation_selectors.letters_read_record(user=user, allocation_round=allocation_round,
                                             households=[applicant.household.external_id],
                                             what=f"API: letter (json) to applicant {applicant.external_id}")
    return letter


@router.get("/allocation/rounds/{round_id}/letters/{applicant_id}/pdf", response={ERRORS: ErrorOut},
            operation_id="round_letter_pdf",
            openapi_extra={"responses": {200: {"description": "The letter as PDF, in Dutch.", "content": {
                "application/pdf": {"schema": {"type": "string", "format": "binary"}}}}}})
def round_letter_pdf(request, round_id: Id, applicant_id: Id,
                     x_purpose: PurposeCode = purpose_header()):  # noqa: B008
    """One applicant's letter as the PDF the letter screen downloads (`application/pdf`)."""
    user = request.user
    allocation_round = allocation_selectors.round_manage_get(user, round_id)
    applicant = api_round_applicant(user, allocation_round, applicant_id)
    purpose_of(request, x_purpose, allowed=ALLOCATION_PURPOSES)
    with translation.override(LETTER_LANGUAGE):
        content = letter_pdf(letter_build(allocation_round, applicant))
    allocation_selectors.letters_read_record(user=user, allocation_round=allocation_round,
                                             households=[applicant.household.external_id],
                                             what=f"API: letter (pdf) to applicant {applicant.external_id}")
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="brief-{allocation_round.pk}-{applicant.external_id}.pdf"'
    return response
