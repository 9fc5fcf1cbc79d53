"""Stock screens: the complex page and the portfolio import (upload -> dry run -> preview -> import)."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from buurtbalans.allocation.selectors import complex_listing_context
from buurtbalans.cooperatives.selectors import complex_cooperative_list
from buurtbalans.core.exports import Column, export_response, personal_data_export_record, requested_format
from buurtbalans.core.jobs import job_enqueue
from buurtbalans.core.models import Job
from buurtbalans.core.permissions import Action, can, require
from buurtbalans.core.selectors import job_get, job_list
from buurtbalans.core.views import paginate
from buurtbalans.households.selectors import (
    INCOME_BAND_LABELS,
    INCOME_BANDS,
    household_income_read_record,
    income_band_limits,
)
from buurtbalans.liveability.selectors import complex_monitor_context
from buurtbalans.portfolio.forms import PortfolioUploadForm
from buurtbalans.portfolio.models import DwellingStatus
from buurtbalans.portfolio.selectors import (
    DEFAULT_DWELLING_SORT,
    complex_composition,
    complex_get,
    dwelling_list,
    dwelling_status_counts,
)
from buurtbalans.steering.views import complex_mix_context

DWELLINGS_PER_PAGE = 50
IMPORT_ERRORS_PER_PAGE = 100
IMPORT_JOB_KIND = "portfolio_import"


def dwelling_columns(with_households: bool) -> list[Column]:
    columns = [
        Column(gettext_lazy("Dwelling code"), "external_id"),
        Column(gettext_lazy("Address"), "address"),
        Column(gettext_lazy("Postcode"), "postcode"),
        Column(gettext_lazy("Type"), lambda d: d.get_dwelling_type_display()),
        Column(gettext_lazy("Rooms"), "rooms"),
        Column(gettext_lazy("Base rent (per month)"), "base_rent"),
        Column(gettext_lazy("Status"), lambda d: d.get_status_display()),
        Column(gettext_lazy("Energy label"), "energy_label"),
    ]
    if with_households:
        columns += [
            Column(gettext_lazy("Household code"), "household_external_id"),
            Column(gettext_lazy("Household size"), "household_size"),
            Column(gettext_lazy("Assessed income (per year)"), "household_income"),
            Column(gettext_lazy("Income year"), "household_income_year"),
        ]
    return columns


@require_GET
def complex_detail(request, pk: int):
    """A complex: its dwellings, occupancy and composition; household columns only for roles that may see them."""
    user = request.user
    complex_ = complex_get(user, pk)
    today = timezone.localdate()
    with_households = can(user, Action.VIEW_HOUSEHOLDS)
    sort = request.GET.get("sort") or DEFAULT_DWELLING_SORT
    dwellings = dwelling_list(user, complex_, reference_date=today, with_households=with_households, sort=sort)

    export_format = requested_format(request)
    if export_format:
        if with_households:
            subject_ids = [i for i in dwellings.values_list("household_external_id", flat=True) if i]
            personal_data_export_record(
                actor=user,
                corporation=complex_.corporation,
                subject_type="complex",
                subject_ids=subject_ids,
                what=f"dwellings and households of complex {complex_.external_id}",
                export_format=export_format,
                purpose="complex_page",
                rows=len(subject_ids),
            )
        return export_response(
            export_format=export_format,
            name=f"complex-{complex_.external_id}",
            columns=dwelling_columns(with_households),
            rows=dwellings.iterator(chunk_size=500),
        )

    page = paginate(request, dwellings, per_page=DWELLINGS_PER_PAGE)
    if with_households:
        household_income_read_record(
            user=user,
            households=[d.household_external_id for d in page.object_list if d.household_external_id],
            purpose="complex_page",
            what=f"households of complex {complex_.external_id} (page {page.number})",
        )
    by_status = dwelling_status_counts(user, complex_)
    composition = complex_composition(user, complex_, reference_date=today) if can(user, Action.VIEW_AGGREGATES) else {}
    households = composition.get("household_count", 0)
    context = {
        "nav": "overview",
        "complex": complex_,
        "today": today,
        "page": page,
        "sort": sort,
        "with_households": with_households,
        "statuses": [(s, label, by_status.get(s, 0)) for s, label in DwellingStatus.choices],
        "dwelling_total": sum(by_status.values()),
        "composition": composition,
        "composition_rows": [
            (band, INCOME_BAND_LABELS[band], composition.get(f"{band}_count", 0)) for band in INCOME_BANDS
        ]
        if composition
        else [],
        "household_total": households,
        "band_limits": income_band_limits(today),
    }
    context["complex_cooperatives"] = complex_cooperative_list(user, complex_, today=today)  # cooperatives (issue 7)
    context.update(complex_listing_context(user, complex_))  # allocation: vacant homes and listings (issue 4)
    context["liveability"] = complex_monitor_context(user, complex_)  # liveability monitor (issue 6)
    context.update(complex_mix_context(user, complex_, reference_date=today))  # steering the mix (issue 5)
    return render(request, "portfolio/complex_detail.html", context)


def _store_upload(upload, suffix: str):
    """Save the upload under UPLOAD_DIR with a random name: the user's file name never becomes a path."""
    directory = settings.UPLOAD_DIR
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"portfolio-{secrets.token_hex(16)}{suffix}"
    with path.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    return path


@require_http_methods(["GET", "POST"])
def import_upload(request):
    """Upload a portfolio file; a dry run checks it and the job page shows the preview."""
    user = request.user
    membership = require(user, Action.MANAGE_PORTFOLIO)
    form = PortfolioUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        path = _store_upload(form.cleaned_data["file"], form.suffix)
        job = job_enqueue(
            kind=IMPORT_JOB_KIND,
            corporation=membership.corporation,
            user=user,
            params={"path": str(path), "dry_run": True, "file_name": form.cleaned_data["file"].name[:200]},
        )
        return redirect("job_detail", pk=job.pk)
    recent = list(job_list(user).filter(kind=IMPORT_JOB_KIND)[:10])
    return render(request, "portfolio/import_upload.html", {"nav": "import", "form": form, "recent": recent})


def _import_job(user, pk: int) -> Job:
    require(user, Action.MANAGE_PORTFOLIO)
    job = job_get(user, pk)
    if job.kind != IMPORT_JOB_KIND:
        raise Http404
    return job


def _can_confirm(user, job: Job) -> bool:
    """A dry run that found no errors, not yet followed by the real import of the same file."""
    if not (
        can(user, Action.MANAGE_PORTFOLIO)
        and job.status == Job.Status.SUCCEEDED
        and job.params.get("dry_run")
        and job.result.get("is_valid")
    ):
        return False
    return not (
        Job.objects.filter(corporation_id=job.corporation_id, kind=IMPORT_JOB_KIND, params__path=job.params.get("path"))
        .exclude(pk=job.pk)
        .exclude(status=Job.Status.FAILED)
        .exists()
    )


@require_POST
def import_confirm(request, pk: int):
    """Enqueue the real import of a file whose dry run found no errors."""
    user = request.user
    job = _import_job(user, pk)
    if not _can_confirm(user, job):
        messages.error(request, _("This file cannot be imported (again). Upload it once more to check it."))
        return redirect("job_detail", pk=job.pk)
    real = job_enqueue(
        kind=IMPORT_JOB_KIND,
        corporation=job.corporation,
        user=user,
        params={**job.params, "dry_run": False, "dry_run_job": job.pk},
    )
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
    result = job.result or {}
    errors = result.get("errors") or []
    page = paginate(request, errors, per_page=IMPORT_ERRORS_PER_PAGE) if errors else None
    return {
        "report": result,
        "is_dry_run": bool(job.params.get("dry_run")),
        "file_name": job.params.get("file_name", ""),
        "error_page": page,
        # The sheet's name as in the file, with what it holds in the user's language.
        "counts": [
            (sheet, SHEET_LABELS.get(sheet, sheet), counts) for sheet, counts in (result.get("counts") or {}).items()
        ],
        "can_confirm": _can_confirm(user, job),
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
