"""Screens of allocation: listings, bids (entered or imported), rounds with their review, offers, letters and the
public account.

Views stay thin: they check the right through the selectors, read with selectors, write through services, and
turn a service's `AllocationError` into messages for the user.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from buurtbalans.allocation import selectors, services
from buurtbalans.allocation.forms import (
    AcceptForm,
    AddListingsForm,
    ApplicantProfileForm,
    BidForm,
    BidImportForm,
    DeclineForm,
    ListingForm,
    MotivationScoreForm,
    RoundForm,
)
from buurtbalans.allocation.importing import BIDS_SHEET, bids_import
from buurtbalans.allocation.models import (
    ListingStatus,
    OfferStatus,
    RoundStatus,
    SelectionKey,
)
from buurtbalans.allocation.services import AllocationError
from buurtbalans.core.exports import Column, export_response, personal_data_export_record, requested_format
from buurtbalans.core.formatting import format_number
from buurtbalans.core.models import Upload
from buurtbalans.core.pagination import paginate
from buurtbalans.core.permissions import Action, actions_of, can, require
from buurtbalans.core.uploads import upload_discard, upload_store
from buurtbalans.core.views import job_context

ROUNDS_PER_PAGE = 50
LISTINGS_PER_PAGE = 50
BIDS_PER_PAGE = 100
RESULT_LISTINGS_PER_PAGE = 20


def _context(request, **extra) -> dict:
    rights = {r.value for r in actions_of(request.user)}
    return {"nav": "allocation", "may_manage": Action.MANAGE_ALLOCATION.value in rights, **extra}


def _refused(request, error: AllocationError) -> None:
    for message in error.messages:
        messages.error(request, message)


# --- rounds -------------------------------------------------------------------------------------------------


@require_GET
def round_list(request):
    """The rounds, newest first, and the listings that wait for a round."""
    user = request.user
    page = paginate(request, selectors.round_list(user), per_page=ROUNDS_PER_PAGE)
    waiting = selectors.listings_without_round(user).count()
    return render(request, "allocation/round_list.html", _context(request, page=page, waiting=waiting))


@require_http_methods(["GET", "POST"])
def round_new(request):
    user = request.user
    membership = require(user, Action.MANAGE_ALLOCATION)
    listings = selectors.listings_without_round(user)
    form = RoundForm(request.POST or None, listings=listings,
                     initial={"reference_date": timezone.localdate(), "listings": list(listings)})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            allocation_round = services.allocation_round_create(
                corporation=membership.corporation, actor=user, name=data["name"],
                reference_date=data["reference_date"], lottery_seed=data["lottery_seed"], listings=data["listings"],
            )
        except AllocationError as error:
            _refused(request, error)
        else:
            messages.success(request, _("The round has been created."))
            return redirect("allocation_round_detail", pk=allocation_round.pk)
    return render(request, "allocation/round_new.html", _context(request, form=form))


def account_columns() -> list[Column]:
    """The public account per listing, as shown and exported (counts, place and registration year only)."""
    return [
        Column(gettext_lazy("Listing"), lambda a: a.listing.reference),
        Column(gettext_lazy("Address"), "address"),
        Column(gettext_lazy("City"), "city"),
        Column(gettext_lazy("Selection"), "selection_label"),
        Column(gettext_lazy("Urgent applicants first"), lambda a: a.listing.urgency_first),
        Column(gettext_lazy("Bids"), "bids"),
        Column(gettext_lazy("Candidates who meet the conditions"), "eligible"),
        Column(gettext_lazy("Status"), "state_label"),
        Column(gettext_lazy("Place on the list of the one who got it"), "tenant_rank"),
        Column(gettext_lazy("Registered since (year)"), "tenant_registration_year"),
        Column(gettext_lazy("Passed over, and why"), "passed_over_text"),
        Column(gettext_lazy("Not eligible, and why"), "ineligible_text"),
    ]


@require_GET
def round_detail(request, pk: int):
    """A round: its status, figures, listings with their public account; for officers also the actions, offers
    and letters."""
    user = request.user
    allocation_round = selectors.round_get(user, pk)
    accounts = selectors.round_account(user, allocation_round)
    export_format = requested_format(request)
    if export_format:
        return export_response(export_format=export_format, name=f"round-{allocation_round.pk}-account",
                               columns=account_columns(), rows=accounts)
    may_manage = can(user, Action.MANAGE_ALLOCATION)
    offers = list(selectors.round_offers(user, allocation_round)) if may_manage else []
    add_form = None
    if may_manage and allocation_round.status == RoundStatus.DRAFT:
        waiting = selectors.listings_without_round(user)
        if waiting.exists():
            add_form = AddListingsForm(listings=waiting)
    job = allocation_round.job if allocation_round.status == RoundStatus.SOLVING and may_manage else None
    context = _context(
        request,
        round=allocation_round,
        statistics=selectors.round_statistics(user, allocation_round),
        accounts=accounts,
        runs=selectors.run_overview(allocation_round),
        offers=offers,
        open_offers=sum(1 for o in offers if o.status == OfferStatus.OFFERED),
        add_form=add_form,
        job=job,
        info=job_context(job) if job else None,
        statuses=RoundStatus,
    )
    return render(request, "allocation/round_detail.html", context)


@require_POST
def round_add_listings(request, pk: int):
    user = request.user
    allocation_round = selectors.round_manage_get(user, pk)
    form = AddListingsForm(request.POST, listings=selectors.listings_without_round(user))
    if form.is_valid():
        try:
            services.allocation_round_add_listings(allocation_round=allocation_round,
                                                   listings=form.cleaned_data["listings"], actor=user)
        except AllocationError as error:
            _refused(request, error)
    else:
        messages.error(request, _("Choose one or more listings."))
    return redirect("allocation_round_detail", pk=allocation_round.pk)


@require_POST
def round_start(request, pk: int):
    user = request.user
    allocation_round = selectors.round_manage_get(user, pk)
    try:
        services.allocation_round_start(allocation_round=allocation_round, actor=user)
    except AllocationError as error:
        _refused(request, error)
    return redirect("allocation_round_detail", pk=allocation_round.pk)


@require_POST
def round_approve(request, pk: int):
    user = request.user
    allocation_round = selectors.round_manage_get(user, pk)
    try:
        offers = services.allocation_round_approve(allocation_round=allocation_round, actor=user)
    except AllocationError as error:
        _refused(request, error)
        return redirect("allocation_round_result", pk=allocation_round.pk)
    messages.success(request, _("Approved. New offers: %(n)d.") % {"n": len(offers)})
    return redirect("allocation_round_detail", pk=allocation_round.pk)


@require_POST
def round_close(request, pk: int):
    user = request.user
    allocation_round = selectors.round_manage_get(user, pk)
    try:
        services.allocation_round_close(allocation_round=allocation_round, actor=user)
    except AllocationError as error:
        _refused(request, error)
    return redirect("allocation_round_detail", pk=allocation_round.pk)


def candidate_note(candidate, places: dict) -> str:
    """A short explanation of a candidate's outcome for the review (officers see who is who); `places` gives the
    place on the whole list of the home's candidates, as the letters do (a re-run ranks only those left)."""
    note = _outcome_note(candidate, places)
    motivation = _motivation_note(candidate.detail)
    return "; ".join(part for part in (str(note), motivation) if part)


def _motivation_note(detail: dict) -> str:
    """On a motivation listing (round/2): the score and the assessors' scores it was made of, never their names."""
    if detail.get("motivation_score") is None:
        return ""
    scores = [format_number(Decimal(str(x["score"])), 1) for x in detail.get("motivation_assessments") or []]
    score = format_number(Decimal(str(detail["motivation_score"])), 2)
    if not scores:
        return _("motivation score %(score)s") % {"score": score}
    return _("motivation score %(score)s (assessments %(scores)s)") % {"score": score, "scores": "; ".join(scores)}


def _outcome_note(candidate, places: dict):
    detail = candidate.detail
    if candidate.outcome == "ineligible":
        return candidate.reason_label
    if candidate.outcome == "allocated_elsewhere":
        other = detail.get("allocated_listing")
        return _("got %(listing)s (their choice %(choice)s)") % {"listing": other,
                                                                 "choice": detail.get("allocated_preference")}
    if candidate.outcome == "outranked":
        return _("%(who)s (rank %(rank)s) was ahead on %(key)s") % {
            "who": detail.get("allocated_to"),
            "rank": places.get(detail.get("allocated_to")) or detail.get("allocated_rank"),
            "key": DECIDED_BY_LABELS.get(detail.get("decided_by"), detail.get("decided_by"))}
    return ""


DECIDED_BY_LABELS = {
    "urgency": gettext_lazy("urgency"),
    "registration_date": gettext_lazy("registration date"),
    "motivation_score": gettext_lazy("motivation score"),
    "motivation_assessments": gettext_lazy("motivation assessments"),
    "submitted_at": gettext_lazy("time of reaction"),
    "lottery_number": gettext_lazy("lottery number"),
    "input_order": gettext_lazy("order of the file"),
}


def result_columns() -> list[Column]:
    return [
        Column(gettext_lazy("Listing"), "listing"),
        Column(gettext_lazy("Registration number"), "applicant"),
        Column(gettext_lazy("Household code"), "household"),
        Column(gettext_lazy("Place on the list"), "place"),
        Column(gettext_lazy("Rank in this run"), "rank"),
        Column(gettext_lazy("Outcome in this run"), "outcome"),
        Column(gettext_lazy("Reason"), "reason"),
        Column(gettext_lazy("Reserve position"), "reserve"),
        Column(gettext_lazy("Explanation"), "note"),
        Column(gettext_lazy("Status now (code)"), "status"),
        Column(gettext_lazy("Status now"), "status_label"),
    ]


@require_GET
def round_result(request, pk: int):
    """The latest run for review: per listing the ranked candidates with outcome and reason, the reserve list and
    who was not eligible; the approve button while the round waits for review."""
    user = request.user
    allocation_round = selectors.round_manage_get(user, pk)
    run = selectors.latest_run(allocation_round)
    if run is None:
        raise Http404
    export_format = requested_format(request)
    page = None
    if export_format:
        results = selectors.round_result(user, allocation_round, run)
    else:
        # A weekly regional round has 250 homes and 60,000 bids: show a page of homes at a time.
        page = paginate(request, sorted(selectors.run_listing_statuses(run)), per_page=RESULT_LISTINGS_PER_PAGE)
        results = selectors.round_result(user, allocation_round, run, references=page.object_list)
    for result in results:
        places = {c.applicant: c.place for c in result.candidates}
        for candidate in (*result.candidates, *result.ineligible):
            candidate.note = candidate_note(candidate, places)
    if export_format:
        rows = [
            {"listing": r.listing.reference, "applicant": c.applicant, "household": c.household_code,
             "place": c.place, "rank": c.rank, "outcome": c.outcome_label, "reason": c.reason_label,
             "reserve": c.reserve_position,
             "note": c.note, "status": c.status, "status_label": c.status_label}
            for r in results for c in (*r.candidates, *r.ineligible)
        ]
        personal_data_export_record(
            actor=user, corporation=allocation_round.corporation, subject_type="round",
            subject_ids=sorted({row["household"] for row in rows}),
            what=f"result of round {allocation_round.name} run {run.number}", export_format=export_format,
            purpose="allocation", rows=len(rows),
        )
        return export_response(export_format=export_format, name=f"round-{allocation_round.pk}-run-{run.number}",
                               columns=result_columns(), rows=rows)
    context = _context(request, round=allocation_round, run=run, results=results, statuses=RoundStatus,
                       skipped=run.skipped, page=page)
    return render(request, "allocation/round_result.html", context)


# --- offers -------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def offer_accept(request, pk: int):
    user = request.user
    offer = selectors.offer_get(user, pk)
    form = AcceptForm(request.POST or None, initial={"start_date": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            tenancy = services.offer_accept(offer=offer, actor=user, start_date=form.cleaned_data["start_date"])
        except AllocationError as error:
            _refused(request, error)
        else:
            messages.success(request, _("Accepted. The tenancy %(code)s starts on %(date)s.")
                             % {"code": tenancy.external_id, "date": tenancy.start_date.isoformat()})
        return redirect("allocation_round_detail", pk=offer.allocation_round_id)
    return render(request, "allocation/offer_answer.html",
                  _context(request, offer=offer, form=form, answer="accept"))


@require_http_methods(["GET", "POST"])
def offer_decline(request, pk: int):
    user = request.user
    offer = selectors.offer_get(user, pk)
    form = DeclineForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.offer_decline(offer=offer, actor=user, reason=form.cleaned_data["reason"])
        except AllocationError as error:
            _refused(request, error)
        else:
            messages.success(request, _("Recorded. The round is worked out again for the homes that are left."))
        return redirect("allocation_round_detail", pk=offer.allocation_round_id)
    return render(request, "allocation/offer_answer.html",
                  _context(request, offer=offer, form=form, answer="decline"))


# --- listings -----------------------------------------------------------------------------------------------


def listing_columns() -> list[Column]:
    return [
        Column(gettext_lazy("Listing"), "reference"),
        Column(gettext_lazy("Dwelling code"), lambda x: x.dwelling.external_id),
        Column(gettext_lazy("Address"), lambda x: x.dwelling.address),
        Column(gettext_lazy("Complex"), lambda x: x.dwelling.complex.external_id if x.dwelling.complex else ""),
        Column(gettext_lazy("Status"), lambda x: x.get_status_display()),
        Column(gettext_lazy("Round"), lambda x: x.allocation_round.name if x.allocation_round else ""),
        Column(gettext_lazy("Selection"), lambda x: x.get_selection_display()),
        Column(gettext_lazy("Base rent (per month)"), "base_rent"),
        Column(gettext_lazy("Label"), "label"),
        Column(gettext_lazy("Bids"), "bid_count"),
    ]


@require_GET
def listing_list(request):
    user = request.user
    status = request.GET.get("status") or ""
    if status and status not in ListingStatus.values:
        status = ""
    listings = selectors.listing_list(user, status=status or None)
    export_format = requested_format(request)
    if export_format:
        return export_response(export_format=export_format, name="listings", columns=listing_columns(),
                               rows=listings.iterator(chunk_size=500))
    page = paginate(request, listings, per_page=LISTINGS_PER_PAGE)
    return render(request, "allocation/listing_list.html",
                  _context(request, page=page, status=status, statuses=ListingStatus.choices))


@require_http_methods(["GET", "POST"])
def listing_new(request):
    """List a vacant dwelling (also reached from the complex page with ?dwelling=<pk>)."""
    user = request.user
    require(user, Action.MANAGE_ALLOCATION)
    dwellings = selectors.vacant_dwellings(user)
    initial = {}
    dwelling_pk = request.GET.get("dwelling")
    if dwelling_pk and dwelling_pk.isdigit():
        initial["dwelling"] = selectors.dwelling_for_listing(user, int(dwelling_pk))
    form = ListingForm(request.POST or None, dwellings=dwellings, rounds=selectors.draft_rounds(user),
                       initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            listing = services.listing_create_for_dwelling(
                dwelling=form.cleaned_data["dwelling"], actor=user,
                allocation_round=form.cleaned_data.get("allocation_round"), **form.labels(),
            )
        except AllocationError as error:
            _refused(request, error)
        else:
            messages.success(request, _("Listing %(ref)s has been made.") % {"ref": listing.reference})
            return redirect("allocation_listing_detail", pk=listing.pk)
    return render(request, "allocation/listing_form.html", _context(request, form=form, listing=None))


@require_http_methods(["GET", "POST"])
def listing_edit(request, pk: int):
    user = request.user
    listing = selectors.listing_manage_get(user, pk)
    initial = {name: getattr(listing, name) for name in (
        "selection", "urgency_first", "household_size_min", "household_size_max", "income_min", "income_max",
        "allowed_groups", "excluded_groups", "base_rent", "affordability_exception", "note",
        "motivation_min_score")}
    initial["criteria"] = "\n".join(listing.criteria or [])
    form = ListingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.listing_update(listing=listing, actor=user, **form.labels())
        except AllocationError as error:
            _refused(request, error)
        else:
            messages.success(request, _("The listing has been changed."))
            return redirect("allocation_listing_detail", pk=listing.pk)
    return render(request, "allocation/listing_form.html", _context(request, form=form, listing=listing))


@require_POST
def listing_withdraw(request, pk: int):
    user = request.user
    listing = selectors.listing_manage_get(user, pk)
    try:
        services.listing_withdraw(listing=listing, actor=user)
    except AllocationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("The listing has been withdrawn."))
    return redirect("allocation_listing_detail", pk=listing.pk)


@require_GET
def listing_detail(request, pk: int):
    """A listing: its labels (with the published criteria of a motivation listing) and public account; for
    officers its bids (income, urgency: the read is logged) and the forms to enter a bid or, on a motivation
    listing from before issue 13, its one motivation score."""
    user = request.user
    listing = selectors.listing_get(user, pk)
    may_manage = can(user, Action.MANAGE_ALLOCATION)
    bids = None
    if may_manage:
        bids = paginate(request, selectors.listing_bids_queryset(user, listing), per_page=BIDS_PER_PAGE)
        bids.object_list = selectors.listing_bid_rows(user, listing, bids.object_list)
    context = _context(
        request,
        listing=listing,
        account=selectors.listing_account(user, listing),
        allowed_labels=selectors.group_labels(listing.allowed_groups),
        excluded_labels=selectors.group_labels(listing.excluded_groups),
        bids=bids,
        bid_form=BidForm() if may_manage else None,
        # The one score of a motivation listing from before issue 13; one with criteria is scored by assessors.
        score_form=MotivationScoreForm() if (may_manage and listing.selection == SelectionKey.MOTIVATION
                                             and not listing.criteria) else None,
        takes_bids=may_manage and services.bid_check_listing(listing) is None,
    )
    return render(request, "allocation/listing_detail.html", context)


@require_GET
def listing_account(request, pk: int):
    """The public account of one listing, as a page or a download."""
    user = request.user
    listing = selectors.listing_get(user, pk)
    account = selectors.listing_account(user, listing)
    export_format = requested_format(request)
    if export_format:
        return export_response(export_format=export_format, name=f"listing-{listing.reference}-account",
                               columns=account_columns(), rows=[account])
    return render(request, "allocation/listing_account.html",
                  _context(request, listing=listing, account=account, account_list=[account]))


@require_POST
def listing_bid_add(request, pk: int):
    user = request.user
    listing = selectors.listing_manage_get(user, pk)
    form = BidForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Fill in a registration number and a preference from 1."))
        return redirect("allocation_listing_detail", pk=listing.pk)
    applicant = selectors.applicant_by_code(user, form.cleaned_data["applicant"])
    if applicant is None:
        messages.error(request, _("No applicant with registration number %(code)s.")
                       % {"code": form.cleaned_data["applicant"]})
        return redirect("allocation_listing_detail", pk=listing.pk)
    try:
        services.bid_create(listing=listing, applicant=applicant, preference=form.cleaned_data["preference"],
                            submitted_at=form.cleaned_data["submitted_at"], actor=user)
    except AllocationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("The bid has been recorded."))
    return redirect("allocation_listing_detail", pk=listing.pk)


@require_POST
def listing_score_add(request, pk: int):
    user = request.user
    listing = selectors.listing_manage_get(user, pk)
    form = MotivationScoreForm(request.POST)
    applicant = selectors.applicant_by_code(user, request.POST.get("applicant", "")) if form.is_valid() else None
    if applicant is None:
        messages.error(request, _("Fill in the registration number of an applicant who reacted, and a score."))
        return redirect("allocation_listing_detail", pk=listing.pk)
    try:
        services.motivation_score_set(listing=listing, applicant=applicant, score=form.cleaned_data["score"],
                                      actor=user)
    except AllocationError as error:
        _refused(request, error)
    else:
        messages.success(request, _("The score has been recorded."))
    return redirect("allocation_listing_detail", pk=listing.pk)


# --- bids import --------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def bid_import(request):
    """Upload the platform's bids (CSV or Excel): every problem with file, row and column; nothing saved on error."""
    user = request.user
    membership = require(user, Action.MANAGE_ALLOCATION)
    form = BidImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        # Checked (and saved) within this request: the stored file goes when the request ends (core.uploads).
        stored = upload_store(upload, kind=Upload.Kind.BIDS, corporation=membership.corporation, user=user,
                              suffix=Path(upload.name).suffix)
        try:
            report = bids_import(path=stored.path, corporation=membership.corporation, actor=user,
                                 file_name=Path(upload.name).name, dry_run=form.cleaned_data["dry_run"])
        finally:
            upload_discard(stored)
    return render(request, "allocation/bid_import.html",
                  _context(request, form=form, report=report, sheet=BIDS_SHEET))


# --- applicants ---------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def applicant_detail(request, pk: int):
    """An applicant's target groups and urgency as the rounds use them, with their bids; the read is logged."""
    user = request.user
    applicant = selectors.applicant_get(user, pk)
    profile = services.profile_for(applicant)
    form = ApplicantProfileForm(request.POST or None, initial={
        "groups": profile.groups, "is_urgent": profile.is_urgent, "urgency_valid_until": profile.urgency_valid_until})
    if request.method == "POST" and form.is_valid():
        try:
            services.applicant_profile_set(applicant=applicant, actor=user, **form.cleaned_data)
        except AllocationError as error:
            _refused(request, error)
        else:
            messages.success(request, _("The applicant's profile has been saved."))
            return redirect("allocation_applicant", pk=applicant.pk)
    selectors.bids_read_record(user=user, households=[applicant.household.external_id],
                               what=f"allocation profile of applicant {applicant.external_id}")
    context = _context(request, applicant=applicant, household=applicant.household, profile=profile, form=form,
                       bids=list(selectors.applicant_bids(user, applicant)))
    return render(request, "allocation/applicant_detail.html", context)
