"""The audit log search, the job pages and the corporation's contact details (the overview is in screens).

Views stay thin: they check the right (through the selectors), read with selectors, and render or export.
Templates run no queries, so every list handed to a template is already evaluated.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from buurtbalans.core.audit_labels import actor_display, purpose_label, subject_type_label
from buurtbalans.core.exports import Column, export_response, personal_data_export_record, requested_format
from buurtbalans.core.forms import AuditSearchForm, CorporationContactForm
from buurtbalans.core.jobs import RUNNERS, job_error_message
from buurtbalans.core.pagination import paginate
from buurtbalans.core.permissions import Action, can, membership_of
from buurtbalans.core.selectors import (
    audit_event_list,
    corporation_contact,
    corporation_contact_details_get,
    job_get,
    job_kind_label,
    job_list,
    with_subject_summary,
)
from buurtbalans.core.services import CONTACT_FIELDS, corporation_contact_set

EVENTS_PER_PAGE = 50
JOBS_PER_PAGE = 50

def audit_columns() -> list[Column]:
    return [
        Column(_("When"), "created"),
        Column(_("Who"), "actor_name"),
        Column(_("What"), lambda e: e.get_event_type_display()),
        Column(_("Event code"), "event_type"),
        Column(_("Subject"), "subject_label"),
        Column(_("Whose data"), "subject_ids"),
        Column(_("Purpose"), "purpose"),
        Column(_("Details"), lambda e: e.data),
    ]


@require_GET
def audit_log(request):
    """The auditor's search in the audit log: whose data, who, what and when; exportable."""
    user = request.user
    form = AuditSearchForm(request.GET or None)
    filters = form.cleaned_data if form.is_bound and form.is_valid() else {}
    events = audit_event_list(user, **{k: v for k, v in filters.items() if v not in (None, "")})
    export_format = requested_format(request)
    if export_format:
        membership = membership_of(user)
        # The export itself lists whose data was touched: it is recorded like any other personal-data export.
        recorded = personal_data_export_record(
            actor=user,
            corporation=membership.corporation,
            subject_type="audit_log",
            subject_ids=[filters["subject_id"]] if filters.get("subject_id") else [],
            what="audit log search",
            export_format=export_format,
            purpose="audit",
        )
        # The download shows the log as it was searched, without the record of the download itself.
        rows = events.exclude(pk=recorded.pk).iterator(chunk_size=500)
        return export_response(export_format=export_format, name="audit-log", columns=audit_columns(), rows=rows)
    page = paginate(request, with_subject_summary(events), per_page=EVENTS_PER_PAGE)
    for event in page.object_list:  # the stored codes in the reader's language; the export keeps the codes
        event.purpose_label = purpose_label(event.purpose)
        event.subject_type_label = subject_type_label(event.subject_type)
        event.actor_display = actor_display(event.actor_name)
    return render(request, "core/audit_log.html", {"nav": "audit", "form": form, "page": page})


@require_GET
def jobs(request):
    page = paginate(request, job_list(request.user), per_page=JOBS_PER_PAGE)
    for job in page.object_list:
        job.kind_label = job_kind_label(job.kind)
    return render(request, "core/job_list.html", {"nav": "jobs", "page": page})


def job_context(job) -> dict:
    """What the job page and the polling endpoint show of a job (the result only on the page)."""
    return {
        "id": job.pk,
        "kind": job.kind,
        "kind_label": job_kind_label(job.kind),
        "status": job.status,
        "status_label": str(job.get_status_display()),
        "progress_done": job.progress_done,
        "progress_total": job.progress_total,
        "progress_percent": job.progress_percent,
        "is_finished": job.is_finished,
    }


@require_GET
def job_detail(request, pk: int):
    """A job's progress (polled by script, or refreshed without it) and, when done, its result."""
    job = job_get(request.user, pk)
    context = {"nav": "jobs", "job": job, "info": job_context(job)}
    if job.status == job.Status.FAILED:
        # A plain message for everyone; what really happened (a traceback) only for the administrator.
        context["error_message"] = job_error_message(job)
    context["show_log"] = bool(job.log) and can(request.user, Action.VIEW_JOB_LOG)
    # The result's own part of the page (an import's report, say) comes from the job's runner, in its own app.
    runner = RUNNERS.get(job.kind)
    if requested_format(request):
        download = runner.result_download(request, job) if runner is not None else None
        if download is None:
            raise Http404
        return download
    if runner is not None and runner.result_template and job.is_finished:
        context["result_template"] = runner.result_template
        context.update(runner.result_context(request, job))
    return render(request, "core/job_detail.html", context)


@require_GET
def job_status(request, pk: int):
    """The job's progress as JSON, for the page's polling script."""
    return JsonResponse(job_context(job_get(request.user, pk)))


@require_http_methods(["GET", "POST"])
def corporation_settings(request):
    """The own corporation's address, phone, e-mail, website and objection route, as letters print them.

    Administrators only (MANAGE_CORPORATION); the page has no corporation in its URL, so nobody can reach
    another corporation's details.
    """
    user = request.user
    details = corporation_contact_details_get(user)
    corporation = details.corporation
    # Read before the form fills the row in with what was typed.
    last_change = None if details._state.adding else {"who": details.changed_by_name, "when": details.changed}
    form = CorporationContactForm(request.POST or None, instance=details)
    if request.method == "POST" and form.is_valid():
        try:
            corporation_contact_set(corporation=corporation, actor=user,
                                    values={name: form.cleaned_data[name] for name in CONTACT_FIELDS})
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved. New letters use these details."))
            return redirect("corporation_settings")
    context = {
        "nav": "corporation",
        "form": form,
        "contact": corporation_contact(corporation),  # as stored: what letters print now
        "last_change": last_change,
    }
    return render(request, "core/corporation_settings.html", context)


__all__ = ["audit_log", "corporation_settings", "job_detail", "job_status", "jobs"]
