"""Stock screens: the portfolio import (upload -> dry run -> preview -> import). The complex page is in screens."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from buurtbalans.core.exports import Column, export_response, personal_data_export_record, requested_format
from buurtbalans.core.models import Job, Upload
from buurtbalans.core.pagination import paginate
from buurtbalans.core.permissions import Action, can, require
from buurtbalans.core.selectors import job_get, job_list
from buurtbalans.core.uploads import (
    UPLOAD_GONE_MESSAGE,
    UploadGone,
    upload_available,
    upload_check_enqueue,
    upload_import_enqueue,
)
from buurtbalans.portfolio.forms import PortfolioUploadForm

IMPORT_ERRORS_PER_PAGE = 100
IMPORT_JOB_KIND = "portfolio_import"


@require_http_methods(["GET", "POST"])
def import_upload(request):
    """Upload a portfolio file; a dry run checks it and the job page shows the preview."""
    user = request.user
    membership = require(user, Action.MANAGE_PORTFOLIO)
    form = PortfolioUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        # Stored privately (core.uploads): removed after the import, or when nobody confirms the check.
        job = upload_check_enqueue(form.cleaned_data["file"], kind=Upload.Kind.PORTFOLIO, job_kind=IMPORT_JOB_KIND,
                                   corporation=membership.corporation, user=user, suffix=form.suffix)
        return redirect("job_detail", pk=job.pk)
    recent = list(job_list(user).filter(kind=IMPORT_JOB_KIND)[:10])
    return render(request, "portfolio/import_upload.html", {"nav": "import", "form": form, "recent": recent})


def _import_job(user, pk: int) -> Job:
    require(user, Action.MANAGE_PORTFOLIO)
    job = job_get(user, pk)
    if job.kind != IMPORT_JOB_KIND:
        raise Http404
    return job


def _is_good_check(user, job: Job) -> bool:
    """A dry run that found no errors, which this user may confirm."""
    return bool(
        can(user, Action.MANAGE_PORTFOLIO)
        and job.status == Job.Status.SUCCEEDED
        and job.params.get("dry_run")
        and (job.result or {}).get("is_valid")
    )


def _import_of(job: Job) -> Job | None:
    """The real import that a check (dry run) led to, unless it stopped with an error (it may be started again)."""
    return (
        Job.objects.filter(corporation_id=job.corporation_id, kind=IMPORT_JOB_KIND, params__dry_run_job=job.pk)
        .exclude(status=Job.Status.FAILED)
        .order_by("pk")
        .first()
    )


@require_POST
def import_confirm(request, pk: int):
    """Queue the real import of a file whose dry run found no errors: once, however often "Import now" is sent.

    Requests that come in at the same moment wait for each other on the upload's row (core.uploads); the first
    queues the import, the others are sent to its page.
    """
    user = request.user
    job = _import_job(user, pk)
    if not _is_good_check(user, job):
        messages.error(request, _("This file cannot be imported (again). Upload it once more to check it."))
        return redirect("job_detail", pk=job.pk)
    try:
        real, _created = upload_import_enqueue(check_job=job, user=user)
    except UploadGone:
        messages.error(request, UPLOAD_GONE_MESSAGE)
        return redirect("job_detail", pk=job.pk)
    return redirect("job_detail", pk=real.pk)


def import_error_columns() -> list[Column]:
    return [
        Column(gettext_lazy("File"), "file"),
        Column(gettext_lazy("Row"), "row"),
        Column(gettext_lazy("Column"), "column"),
        Column(gettext_lazy("Problem"), "message"),
    ]


SHEET_LABELS = {
    "complexes": gettext_lazy("Complexes"),
    "dwellings": gettext_lazy("Dwellings"),
    "households": gettext_lazy("Households"),
    "tenancies": gettext_lazy("Tenancies"),
    "markers": gettext_lazy("Vulnerability markers"),
    "applicants": gettext_lazy("Home-seekers"),
}


def import_report_context(request, job: Job) -> dict:
    """The preview of an import job for the job page: counts per sheet and every error, paginated."""
    user = request.user
    if not can(user, Action.MANAGE_PORTFOLIO):
        raise PermissionDenied
    failed = job.status == Job.Status.FAILED
    # A failed job's result is {"error": ...}: no report (the job page shows the message).
    result = {} if failed else (job.result or {})
    errors = result.get("errors") or []
    page = paginate(request, errors, per_page=IMPORT_ERRORS_PER_PAGE) if errors else None
    # New/changed/unchanged of markers would tell what is stored about whom: only for who may read markers.
    shows_markers = can(user, Action.VIEW_MARKERS)
    counts = []
    for sheet, c in (result.get("counts") or {}).items():
        hidden = "rows" in c or (sheet == "markers" and not shows_markers)
        shown = {"rows": c.get("rows", sum(c.values()))} if hidden else c
        # The sheet's name as in the file, with what it holds in the user's language.
        counts.append((sheet, SHEET_LABELS.get(sheet, sheet), shown, hidden))
    good_check = _is_good_check(user, job)
    real_import = _import_of(job) if good_check else None
    available = good_check and real_import is None and upload_available(job)
    return {
        "report": result,
        "import_failed": failed,
        "is_dry_run": bool(job.params.get("dry_run")),
        "file_name": job.params.get("file_name", ""),
        "error_page": page,
        "counts": counts,
        "can_confirm": available,
        "real_import": real_import,
        "upload_gone": good_check and real_import is None and not available,
    }


def import_errors_export(request, job: Job, export_format: str):
    """The import's errors as CSV/Excel; they quote input cells, so the download is recorded."""
    user = request.user
    errors = (job.result or {}).get("errors") or []
    personal_data_export_record(
        actor=user,
        corporation=job.corporation,
        subject_type="portfolio_import",
        subject_ids=[],
        what=f"errors of import job {job.pk}",
        export_format=export_format,
        purpose="import",
        rows=len(errors),
    )
    return export_response(
        export_format=export_format, name=f"import-{job.pk}-errors", columns=import_error_columns(), rows=errors
    )


def import_job_export(request, job: Job):
    export_format = requested_format(request)
    if export_format is None:
        return None
    _import_job(request.user, job.pk)
    return import_errors_export(request, job, export_format)
