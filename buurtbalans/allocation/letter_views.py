"""Screens of the letters of a round: the list of applicants with their outcomes, one letter (page or PDF), every
letter as one PDF (a job with progress for a large round), and the outcomes as CSV/Excel for the mail merge of
the regional platform.

Letters are written in Dutch (B1) whatever the officer's screen language. Every letter, list and file shows the
bid statuses of `outcomes.round_bid_statuses`. Reading a letter or downloading letters is logged.
"""

from __future__ import annotations

import io

from django.contrib import messages
from django.db.models import Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from buurtbalans.allocation import selectors, services
from buurtbalans.allocation.jobs import LETTER_LANGUAGE, LETTERS_JOB_KIND, letters_file_name, letters_file_path
from buurtbalans.allocation.letterpdf import letter_pdf, letters_pdf
from buurtbalans.allocation.letters import letter_build, letter_facts, letters_build
from buurtbalans.allocation.models import RoundStatus
from buurtbalans.allocation.outcomes import BID_STATUS_LABELS
from buurtbalans.allocation.services import AllocationError
from buurtbalans.allocation.views import _context, _refused
from buurtbalans.core.exports import Column, export_response, personal_data_export_record, requested_format
from buurtbalans.core.models import Job
from buurtbalans.core.pagination import paginate
from buurtbalans.core.selectors import job_get

LETTERS_PER_PAGE = 100
# Up to this many letters, "all letters (PDF)" is made at once in the request (well under a second); a larger
# round is made by the worker, with progress.
LETTERS_IN_REQUEST = 100


@require_GET
def letter_list(request, pk: int):
    """Every applicant of the round with the status of each bid, their letter (page, PDF), all letters as one PDF,
    and the outcomes for the mail merge (?format=csv|xlsx)."""
    user = request.user
    allocation_round = selectors.round_manage_get(user, pk)
    export_format = requested_format(request)
    if export_format:
        return _merge_export(request, allocation_round, export_format)
    applicants = selectors.round_applicants(user, allocation_round).select_related("household")
    query = (request.GET.get("q") or "").strip()
    if query:
        applicants = applicants.filter(Q(external_id__icontains=query) | Q(name__icontains=query))
    page = paginate(request, applicants, per_page=LETTERS_PER_PAGE)
    people = list(page.object_list)
    with translation.override(LETTER_LANGUAGE):
        facts = letter_facts(allocation_round, people)
    rows = []
    for person in people:
        entries = facts.entries.get(person.external_id, [])
        rows.append({"applicant": person, "bids": [
            {"entry": entry, "address": facts.listings[entry.listing].dwelling.postal_address,
             "label": BID_STATUS_LABELS[entry.status]} for entry in entries]})
    # The list shows names and outcomes: a read of these applicants' personal data.
    selectors.letters_read_record(user=user, allocation_round=allocation_round,
                                  households=[p.household.external_id for p in people], what="letter list")
    jobs = Job.objects.filter(kind=LETTERS_JOB_KIND, corporation=allocation_round.corporation,
                              params__round=allocation_round.pk).order_by("-created", "-pk")
    return render(request, "allocation/letter_list.html", _context(
        request, round=allocation_round, page=page, rows=rows, query=query, phase=facts.statuses.phase,
        is_decided=allocation_round.status in (RoundStatus.APPROVED, RoundStatus.CLOSED),
        letters_job=jobs.first(), letter_count=page.paginator.count,
    ))


def _letter(request, pk: int, applicant_pk: int, *, what: str):
    """The letter, built in Dutch; reading it is a read of the applicant's personal data and is logged."""
    user = request.user
    allocation_round = selectors.round_manage_get(user, pk)
    applicant = selectors.applicant_get(user, applicant_pk)
    if not selectors.round_applicants(user, allocation_round).filter(pk=applicant.pk).exists():
        raise Http404
    language = request.GET.get("language") if request.GET.get("language") in ("nl", "en") else LETTER_LANGUAGE
    with translation.override(language):
        letter = letter_build(allocation_round, applicant)
    selectors.letters_read_record(user=user, allocation_round=allocation_round,
                                  households=[applicant.household.external_id],
                                  what=f"letter ({what}) to applicant {applicant.external_id}")
    return allocation_round, applicant, letter, language


@require_GET
def letter_detail(request, pk: int, applicant_pk: int):
    allocation_round, applicant, letter, language = _letter(request, pk, applicant_pk, what="page")
    return render(request, "allocation/letter.html", _context(
        request, round=allocation_round, applicant=applicant, letter=letter, letter_language=language,
        is_decided=letter.is_final,
    ))


@require_GET
def letter_download(request, pk: int, applicant_pk: int):
    allocation_round, applicant, letter, language = _letter(request, pk, applicant_pk, what="pdf")
    with translation.override(language):
        content = letter_pdf(letter)
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="brief-{allocation_round.pk}-{applicant.external_id}.pdf"'
    return response


@require_POST
def letters_all(request, pk: int):
    """Every letter of the round as one PDF: at once for a small round, else by the worker (the job page shows
    the progress and, when done, the download)."""
    user = request.user
    allocation_round = selectors.round_manage_get(user, pk)
    try:
        services.round_letters_check(allocation_round)
    except AllocationError as error:
        _refused(request, error)
        return redirect("allocation_letter_list", pk=allocation_round.pk)
    count = selectors.round_applicants(user, allocation_round).count()
    if count <= LETTERS_IN_REQUEST:
        with translation.override(LETTER_LANGUAGE):
            facts = letter_facts(allocation_round)
            letters = list(letters_build(allocation_round, facts=facts))
            buffer = io.BytesIO()
            letters_pdf(letters, buffer, title=_("Letters of %(round)s") % {"round": allocation_round.name},
                        author=allocation_round.corporation.name)
        selectors.letters_read_record(user=user, allocation_round=allocation_round,
                                      households=[a.household.external_id for a in facts.applicants.values()],
                                      what="all letters (pdf)")
        response = HttpResponse(buffer.getvalue(), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{letters_file_name(allocation_round)}"'
        return response
    try:
        job = services.round_letters_request(allocation_round=allocation_round, actor=user)
    except AllocationError as error:
        _refused(request, error)
        return redirect("allocation_letter_list", pk=allocation_round.pk)
    messages.success(request, _("The letters are being made. This page shows how far it is."))
    return redirect("job_detail", pk=job.pk)


@require_GET
def letters_file(request, job_pk: int):
    """The PDF a letters job made; downloading it is logged as an export of every applicant's letter."""
    user = request.user
    job = job_get(user, job_pk)
    if job.kind != LETTERS_JOB_KIND or job.status != Job.Status.SUCCEEDED:
        raise Http404
    allocation_round = selectors.round_manage_get(user, job.params["round"])
    path = letters_file_path(job)
    if not path.is_file():
        raise Http404
    households = selectors.round_applicants(user, allocation_round).values_list("household__external_id", flat=True)
    personal_data_export_record(actor=user, corporation=allocation_round.corporation, subject_type="applicant",
                                subject_ids=sorted(set(households)),
                                what=f"all letters of round {allocation_round.name}", export_format="pdf",
                                purpose="allocation", rows=job.result.get("letters"))
    return FileResponse(path.open("rb"), as_attachment=True, filename=letters_file_name(allocation_round),
                        content_type="application/pdf")


def merge_columns() -> list[Column]:
    """One row per bid, with what a mail merge of the regional platform needs (Dutch texts of the letter)."""
    return [
        Column(gettext_lazy("Registration number"), "applicant"),
        Column(gettext_lazy("Name"), "name"),
        Column(gettext_lazy("Street and number"), "street_address"),
        Column(gettext_lazy("Postal code"), "postal_code"),
        Column(gettext_lazy("City"), "city"),
        Column(gettext_lazy("Postal address complete"), "has_postal_address"),
        Column(gettext_lazy("Listing"), "listing"),
        Column(gettext_lazy("Address of the home"), "home"),
        Column(gettext_lazy("Choice"), "preference"),
        Column(gettext_lazy("Status (code)"), "status"),
        Column(gettext_lazy("Status"), "status_label"),
        Column(gettext_lazy("Reason (code)"), "reason"),
        Column(gettext_lazy("Refers to listing"), "refers_to"),
        Column(gettext_lazy("Headline in the letter"), "headline"),
        Column(gettext_lazy("Explanation in the letter"), "explanation"),
    ]


def _merge_rows(facts, letters):
    for letter in letters:
        applicant = facts.applicants[letter.applicant_code]
        entries = {e.listing: e for e in facts.entries.get(letter.applicant_code, [])}
        for item in letter.items:
            entry = entries[item.listing_reference]
            yield {
                "applicant": applicant.external_id, "name": applicant.name,
                "street_address": applicant.street_address, "postal_code": applicant.postal_code,
                "city": applicant.city, "has_postal_address": applicant.has_postal_address,
                "listing": item.listing_reference, "home": item.address, "preference": item.preference,
                "status": item.status, "status_label": str(BID_STATUS_LABELS[entry.status]),
                "reason": item.reason, "refers_to": entry.refers_to or "", "headline": item.headline,
                "explanation": " ".join(item.sentences),
            }


def _merge_export(request, allocation_round, export_format: str):
    with translation.override(LETTER_LANGUAGE):
        facts = letter_facts(allocation_round)
        letters = list(letters_build(allocation_round, facts=facts))
        rows = list(_merge_rows(facts, letters))
        # The headers in Dutch, like the texts (a streamed CSV would otherwise translate them later).
        columns = [Column(str(c.label), c.value) for c in merge_columns()]
        response = export_response(export_format=export_format, name=f"uitkomsten-{allocation_round.name}",
                                   columns=columns, rows=rows)
    personal_data_export_record(
        actor=request.user, corporation=allocation_round.corporation, subject_type="applicant",
        subject_ids=sorted({a.household.external_id for a in facts.applicants.values()}),
        what=f"outcomes of round {allocation_round.name} for the mail merge", export_format=export_format,
        purpose="allocation", rows=len(rows),
    )
    return response

