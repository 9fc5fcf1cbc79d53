"""The corporation overview, the audit log search, the job pages and the corporation's contact details.

Views stay thin: they check the right (through the selectors), read with selectors, and render or export.
Templates run no queries, so every list handed to a template is already evaluated.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from buurtbalans.core.exports import Column, export_response, personal_data_export_record, requested_format
from buurtbalans.core.figures import Cell, is_protected
from buurtbalans.core.forms import AuditSearchForm, CorporationContactForm
from buurtbalans.core.jobs import RUNNERS, job_error_message
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
from buurtbalans.households.selectors import (
    INCOME_BAND_LABELS,
    INCOME_BAND_SHORT_LABELS,
    INCOME_BANDS,
    income_band_limits,
)
from buurtbalans.portfolio.models import DwellingStatus
from buurtbalans.portfolio.selectors import (
    DEFAULT_COMPLEX_SORT,
    complex_composition_list,
    complex_count,
    complex_order_list,
    is_plain_complex_sort,
    stock_summary,
)

COMPLEXES_PER_PAGE = 50
EVENTS_PER_PAGE = 50
JOBS_PER_PAGE = 50


class CountedPaginator(Paginator):
    """A paginator told the row count, so it never runs COUNT(*) over an expensive aggregate query."""

    def __init__(self, object_list, per_page, *, count: int):
        super().__init__(object_list, per_page)
        self._known_count = count

    @cached_property
    def count(self) -> int:
        return self._known_count


def paginate(request, queryset, *, per_page: int, count: int | None = None):
    """The requested page (`?page=`), its rows evaluated; a page number out of range shows the last page."""
    paginator = (
        CountedPaginator(queryset, per_page, count=count) if count is not None else Paginator(queryset, per_page)
    )
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    page.elided_range = list(paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1))
    return page


def complex_columns(protected: bool = False) -> list[Column]:
    """The complex composition table as exported (the same figures as on screen, with counts and shares).

    `protected`: the small-cell rule of the steering pages (`steering.reasons.Cell`) for users who may not read
    markers: a count of fewer than 5 households, and its share, is written as "< 5".
    """
    if protected:
        return _small_cell_complex_columns()
    columns = [
        Column(_("Complex code"), "external_id"),
        Column(_("Complex"), "name"),
        Column(_("Neighbourhood code"), "neighbourhood_code"),
        Column(_("Neighbourhood"), "neighbourhood_name"),
        Column(_("Dwellings"), "dwelling_count"),
        Column(_("Occupied"), "occupied_count"),
        Column(_("Vacant"), "vacant_count"),
        Column(_("Households"), "household_count"),
    ]
    for band in INCOME_BANDS:
        columns.append(Column(INCOME_BAND_LABELS[band], f"{band}_count"))
        columns.append(Column(_("%(band)s (share)") % {"band": INCOME_BAND_LABELS[band]}, _rounded(f"{band}_share")))
    columns.append(Column(_("Households with a vulnerability marker"), "marker_count"))
    columns.append(Column(_("Share with a vulnerability marker"), _rounded("marker_share")))
    return columns


def composition_cell(row, key: str, protected: bool) -> Cell:
    """A count of a composition (`key`: an income band or "marker") out of its households, as a `Cell`.

    `row` is a complex of `complex_composition_list` or the dict of `complex_composition`/`stock_summary`. The one
    place the overview, the buurt and the complex page (and their downloads) turn a composition into figures, so
    screen and download follow the same small-cell rule.
    """
    read = row.get if isinstance(row, dict) else (lambda name, default=None: getattr(row, name, default))
    return Cell(read(f"{key}_count", 0) or 0, read("household_count", 0) or 0, protected)


def composition_rows(row, protected: bool) -> list[tuple]:
    """[(band, label, Cell)] per income band, for the composition chart and its table (core/_composition_chart)."""
    return [(band, INCOME_BAND_LABELS[band], composition_cell(row, band, protected))
            for band in INCOME_BANDS]


def _small_cell_complex_columns() -> list[Column]:
    def cell(row, band: str) -> Cell:
        return composition_cell(row, band, True)

    columns = complex_columns()[:8]
    for band in INCOME_BANDS:
        columns.append(Column(INCOME_BAND_LABELS[band], lambda r, b=band: cell(r, b).export_count))
        columns.append(Column(_("%(band)s (share)") % {"band": INCOME_BAND_LABELS[band]},
                              lambda r, b=band: cell(r, b).export_share))
    columns.append(Column(_("Households with a vulnerability marker"), lambda r: cell(r, "marker").export_count))
    columns.append(Column(_("Share with a vulnerability marker"), lambda r: cell(r, "marker").export_share))
    return columns


def _rounded(attribute: str):
    def read(row):
        value = getattr(row, attribute, None)
        return None if value is None else round(value, 4)

    return read


def composition_context(request, *, reference_date, neighbourhood=None) -> dict:
    """The sorted, paginated complex table shared by the overview and the buurt page."""
    user = request.user
    sort = request.GET.get("sort") or DEFAULT_COMPLEX_SORT
    count = complex_count(user, neighbourhood=neighbourhood)
    if is_plain_complex_sort(sort):
        # Cut the page first, then aggregate only its complexes.
        ids = complex_order_list(user, neighbourhood=neighbourhood, sort=sort)
        page = paginate(request, ids, per_page=COMPLEXES_PER_PAGE, count=count)
        rows = complex_composition_list(user, reference_date=reference_date, neighbourhood=neighbourhood, sort=sort)
        by_pk = {row.pk: row for row in rows.filter(pk__in=page.object_list)}
        page.object_list = [by_pk[pk] for pk in page.object_list]
    else:
        # Sorting on a figure needs every complex's figures: one grouped query.
        rows = complex_composition_list(user, reference_date=reference_date, neighbourhood=neighbourhood, sort=sort)
        page = paginate(request, rows, per_page=COMPLEXES_PER_PAGE, count=count)
    # The small-cell rule, as in the download of the same table (complex_columns).
    protected = is_protected(user)
    for row in page.object_list:
        row.band_cells = [composition_cell(row, band, protected) for band in INCOME_BANDS]
        row.marker_cell = composition_cell(row, "marker", protected)
    return {
        "complex_page": page,
        "complex_small_cells": any(c.is_suppressed for row in page.object_list for c in (*row.band_cells,
                                                                                         row.marker_cell)),
        "sort": sort,
        "bands": [(band, INCOME_BAND_SHORT_LABELS[band], INCOME_BAND_LABELS[band]) for band in INCOME_BANDS],
        "band_limits": income_band_limits(reference_date),
    }


@require_GET
def overview(request):
    """The corporation at a glance: stock by status, households, vacancy, and the composition per complex."""
    user = request.user
    if not can(user, Action.VIEW_AGGREGATES):
        if can(user, Action.EXPORT_SUBJECT_DATA):  # the privacy officer starts from a household's request
            return redirect("privacy_home")
        if can(user, Action.VIEW_AUDIT):
            return redirect("audit_log")
        # Signed in, but none of the corporation-wide screens is for this role (e.g. a cooperative board, whose
        # portal comes with the cooperatives app): say so instead of a bare "forbidden".
        if can(user, Action.COOPERATIVE_PORTAL):  # cooperatives (issue 7): a board's home is its cooperative's portal
            return redirect("cooperative_portal")
        if can(user, Action.MANAGE_SHARED_PARAMETERS):  # the platform administrator's work: the legal parameters
            return redirect("rules_parameters")
        return render(request, "core/welcome.html", {"nav": "overview"})
    today = timezone.localdate()
    export_format = requested_format(request)
    if export_format:
        sort = request.GET.get("sort") or DEFAULT_COMPLEX_SORT
        rows = list(complex_composition_list(user, reference_date=today, sort=sort))
        return export_response(export_format=export_format, name="complexes",
                               columns=complex_columns(is_protected(user)), rows=rows)
    summary = stock_summary(user, reference_date=today)
    protected = is_protected(user)
    statuses = [
        (status, label, summary.dwellings_by_status.get(status, 0)) for status, label in DwellingStatus.choices
    ]
    context = {
        "nav": "overview",
        "today": today,
        "summary": summary,
        "statuses": statuses,
        # The corporation's composition under the small-cell rule too: a small corporation has a few households.
        "composition_rows": composition_rows(summary.composition, protected),
        "marker_cell": composition_cell(summary.composition, "marker", protected),
        **composition_context(request, reference_date=today),
    }
    return render(request, "core/overview.html", context)


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


__all__ = ["audit_log", "corporation_settings", "job_detail", "job_status", "jobs", "overview", "paginate"]
