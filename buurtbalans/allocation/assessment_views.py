"""Screens of blind assessing (issue 13 items 2 and 4): the assessors' scoring pages, the officer's page to record
the motivation texts, and the agreement of assessors (Cohen's kappa) with its download.

Thin, like the other allocation views: rights and reads through `assessment_selectors`, writes through
`services` (which refuse after the round ran), `AllocationError` shown as messages.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from buurtbalans.allocation import assessment_selectors as reads
from buurtbalans.allocation import selectors, services
from buurtbalans.allocation.models import SelectionKey
from buurtbalans.allocation.services import AllocationError
from buurtbalans.core.exports import Column, export_response, requested_format
from buurtbalans.core.permissions import Action, actions_of
from buurtbalans.engine.agreement import score_class

# What a kappa means, after Landis & Koch (1977), in words an applicant's letter could use.
KAPPA_WORDS = (
    (0.0, gettext_lazy("less than chance")),
    (0.205, gettext_lazy("hardly more than chance")),
    (0.405, gettext_lazy("a little")),
    (0.605, gettext_lazy("moderate")),
    (0.805, gettext_lazy("good")),
)
# With fewer shared applicants a kappa says little.
FEW_APPLICANTS = 10


def _refused(request, error: AllocationError) -> None:
    for message in error.messages:
        messages.error(request, message)


def _context(request, nav: str, **extra) -> dict:
    rights = {r.value for r in actions_of(request.user)}
    return {"nav": nav, "may_manage": Action.MANAGE_ALLOCATION.value in rights, **extra}


# --- assessors ------------------------------------------------------------------------------------------------


@require_GET
def assess_list(request):
    """The open motivation listings with applicants to assess, and how many the assessor has scored."""
    rows = reads.assess_listing_list(request.user)
    return render(request, "allocation/assess_list.html", _context(request, "assess", rows=rows))


@require_http_methods(["GET", "POST"])
def assess_listing(request, pk: int):
    """One listing: its published criteria and, per neutral code, the motivation and the assessor's own score."""
    user = request.user
    listing = reads.assess_listing_get(user, pk)
    if request.method == "POST":
        applicant = reads.assess_applicant_by_code(user, listing, request.POST.get("code", ""))
        if applicant is None:
            messages.error(request, _("This code is not one of the applicants of this listing."))
            return redirect("allocation_assess_listing", pk=listing.pk)
        try:
            services.motivation_assessment_create(listing=listing, applicant=applicant,
                                                  score=request.POST.get("score", ""), actor=user)
        except AllocationError as error:
            _refused(request, error)
        else:
            messages.success(request, _("Your score for %(code)s has been saved.")
                             % {"code": request.POST.get("code", "").strip().upper()})
        return redirect(f"{request.path}#applicant-{request.POST.get('code', '').strip().upper()}")
    try:
        services.assessing_open_check(listing)
        closed_reason = ""
    except AllocationError as error:
        closed_reason = error.messages[0]
    rows = reads.assess_rows(user, listing)
    return render(request, "allocation/assess_listing.html", _context(
        request, "assess", listing=listing, rows=rows, is_open=not closed_reason and bool(listing.criteria),
        closed_reason=closed_reason, scored=sum(1 for row in rows if row.own_score is not None)))


# --- the officer records the motivation texts ----------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def motivation_texts(request, pk: int):
    """The motivations applicants gave for a motivation listing, by registration number, and a form to record
    one (until it is scored)."""
    user = request.user
    listing = selectors.listing_manage_get(user, pk)
    if request.method == "POST":
        code = request.POST.get("applicant", "")
        applicant = reads.motivation_text_applicant(user, listing, code)
        if applicant is None:
            messages.error(request, _("Fill in the registration number of an applicant who reacted to this home."))
        else:
            try:
                services.motivation_text_set(listing=listing, applicant=applicant,
                                             text=request.POST.get("text", ""), actor=user)
            except AllocationError as error:
                _refused(request, error)
            else:
                messages.success(request, _("The motivation of %(code)s has been saved.")
                                 % {"code": applicant.external_id})
        return redirect("allocation_motivation_texts", pk=listing.pk)
    try:
        services.assessing_open_check(listing)
        closed_reason = ""
    except AllocationError as error:
        closed_reason = error.messages[0]
    rows = reads.motivation_text_rows(user, listing) if listing.selection == SelectionKey.MOTIVATION else []
    return render(request, "allocation/assess_motivation_texts.html", _context(
        request, "allocation", listing=listing, rows=rows, closed_reason=closed_reason,
        is_open=not closed_reason))


# --- agreement of assessors ----------------------------------------------------------------------------------


def kappa_words(kappa: float | None) -> str:
    """What a kappa means, in a few words (Landis & Koch 1977)."""
    if kappa is None:
        return str(_("not computable"))
    if kappa >= 1:
        return str(_("complete"))
    words = str(_("very good"))
    for upper, label in reversed(KAPPA_WORDS):
        if kappa < upper:
            words = str(label)
    return words


def agreement_columns() -> list[Column]:
    return [
        Column(gettext_lazy("Round"), lambda r: r.round.name),
        Column(gettext_lazy("Reference date"), lambda r: r.round.reference_date),
        Column(gettext_lazy("Assessor"), lambda r: r.pair.first),
        Column(gettext_lazy("Other assessor"), lambda r: r.pair.second),
        Column(gettext_lazy("Applicants both scored"), lambda r: r.pair.items),
        Column(gettext_lazy("Same whole point (%)"), "same_class_share"),
        Column(gettext_lazy("At most 1.5 apart (%)"), "within_rule_share"),
        Column(gettext_lazy("Kappa"), "kappa"),
        Column(gettext_lazy("What it means"), lambda r: kappa_words(r.kappa)),
    ]


@require_GET
def assessor_agreement(request):
    """Cohen's kappa per round and pair of assessors, as a table and a download."""
    rows = reads.assessor_agreement(request.user)
    export_format = requested_format(request)
    if export_format:
        return export_response(export_format=export_format, name="assessor-agreement",
                               columns=agreement_columns(), rows=rows)
    table = [{"row": row, "words": kappa_words(row.kappa), "is_few": row.pair.items < FEW_APPLICANTS}
             for row in rows]
    return render(request, "allocation/kappa.html", _context(
        request, "allocation", table=table, few=FEW_APPLICANTS,
        # The examples on the page show the whole-point classes the kappa uses.
        examples={"low": score_class("2.4"), "high": score_class("2.5")}))
