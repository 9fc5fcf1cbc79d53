"""Background jobs of the liveability app: counting vitality, importing records, the PDF report per municipality."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buurtbalans.core.figures import is_protected
from buurtbalans.core.jobs import JobRunner
from buurtbalans.core.models import Job
from buurtbalans.core.permissions import Action, can
from buurtbalans.core.uploads import import_previewed_record, upload_in_use
from buurtbalans.liveability.models import LiveabilityReportFile
from buurtbalans.liveability.services import (
    RECORDS_IMPORT_KIND,
    REPORT_KIND,
    VITALITY_NIGHTLY_KIND,
    VITALITY_REFRESH_KIND,
    social_records_import,
)
from buurtbalans.liveability.services_recount import vitality_recount, vitality_recount_is_current
from buurtbalans.portfolio.models import Complex

# The report is for the municipality and the tenants' association: always in Dutch.
REPORT_LANGUAGE = "nl"
MAX_ERRORS_IN_RESULT = 500
# A recount of at most this many complexes links to each of them on its page.
MAX_COMPLEX_LINKS = 10


# Why a recount was asked for, as the job page says it (services_recount.REASONS).
RECOUNT_REASONS = {
    "signal": gettext_lazy("a signal was recorded"),
    "support_need": gettext_lazy("a support need was recorded"),
    "visit": gettext_lazy("a visit was recorded"),
    "meeting_place": gettext_lazy("a meeting place was recorded"),
    "meeting_place_use": gettext_lazy("the use of a meeting place was recorded"),
    "activity": gettext_lazy("an activity was recorded"),
    "records_import": gettext_lazy("social management records were imported"),
    "portfolio_import": gettext_lazy("the stock and households were imported"),
    "open_data_import": gettext_lazy("open data were imported"),
    "settings": gettext_lazy("weights or norms were changed"),
    "manual": gettext_lazy("someone asked to count again"),
    "demo": gettext_lazy("the demo was made"),
}


class VitalityRefreshJob(JobRunner):
    """Count the complexes concerned by the writes since the last count again (or all of them), and score them.

    Queued through `services_recount` (one waiting job per corporation takes in every write until a worker starts
    it) or by the "count again" button. Params: {"complexes": [ids] (absent: all), "rescore", "reasons",
    "requests", "requested", "reference_date" (default: today)}. Result: the counts of `vitality_recount`, with
    "skipped" when a count after the last request had done it already, and the monitor's address.
    """

    kind = VITALITY_REFRESH_KIND
    label = gettext_lazy("Vitality of the complexes")
    view_action = Action.VIEW_MONITOR
    # Scores are replaced in one transaction: a second start after a dead worker does the same again.
    retry_safe = True
    result_template = "liveability/_vitality_job_result.html"

    @classmethod
    def result_context(cls, request, job: Job) -> dict:
        return vitality_job_context(job)

    def run(self) -> dict:
        params = self.job.params
        raw = params.get("reference_date")
        reference_date = date.fromisoformat(raw) if raw else timezone.localdate()
        back = {"reference_date": reference_date.isoformat(), "url": reverse("monitor_overview")}
        if vitality_recount_is_current(self.job, reference_date):
            self.log("every complex concerned was counted after the last request: nothing to do")
            self.progress(1, 1)
            return {"skipped": True, "complexes": 0, "warnings": 0, **back}
        result = vitality_recount(corporation=self.job.corporation, reference_date=reference_date,
                                  complex_ids=params.get("complexes"), rescore=bool(params.get("rescore")),
                                  on_progress=self.progress)
        self.log(f"{result['complexes']} complexes counted ({result['scope']}), {result['warnings']} with a warning, "
                 f"{result['seconds']} s" + (f", {result['rescored']} scored again" if "rescored" in result else ""))
        return {**result, **back}


class VitalityNightlyJob(JobRunner):
    """Every night: count every complex on the new day (the twelve months move, markers and tenancies end by date).

    Scheduled like the retention run (`every`, core.jobs.periodic_jobs_enqueue; docs/operations.md "Periodic
    jobs"); `buurtbalans refresh_vitality` does the same from cron. Params: none. Result: as VitalityRefreshJob's.
    """

    kind = VITALITY_NIGHTLY_KIND
    label = gettext_lazy("Nightly count of the vitality")
    view_action = Action.VIEW_MONITOR
    every = timedelta(days=1)
    retry_safe = True
    result_template = "liveability/_vitality_job_result.html"

    @classmethod
    def result_context(cls, request, job: Job) -> dict:
        return vitality_job_context(job)

    def run(self) -> dict:
        reference_date = timezone.localdate()
        result = vitality_recount(corporation=self.job.corporation, reference_date=reference_date,
                                  on_progress=self.progress)
        self.log(f"{result['complexes']} complexes, {result['warnings']} with a warning, {result['seconds']} s")
        return {**result, "reference_date": reference_date.isoformat(), "url": reverse("monitor_overview")}


def vitality_job_context(job: Job) -> dict:
    """What the finished count's page shows: what was counted and why, and the way back to the monitor."""
    params, result = job.params or {}, job.result or {}
    complexes = params.get("complexes")
    # A few complexes: a link to each one's page in the monitor (of the job's own corporation: the page checks).
    shown = complexes if complexes is not None and 0 < len(complexes) <= MAX_COMPLEX_LINKS else []
    names = dict(Complex.objects.filter(corporation_id=job.corporation_id, pk__in=shown).values_list("pk", "name"))
    return {
        "vitality": {
            "reasons": [RECOUNT_REASONS[r] for r in params.get("reasons", []) if r in RECOUNT_REASONS],
            "requests": params.get("requests") or 0,
            "skipped": bool(result.get("skipped")),
            "all": complexes is None or result.get("scope") == "all",
            "counted": result.get("complexes"),
            "warnings": result.get("warnings"),
            "rescored": result.get("rescored"),
            "complexes": [{"name": names[pk], "url": reverse("monitor_complex", args=[pk])}
                          for pk in shown if pk in names],
            "monitor_url": reverse("monitor_overview"),
        },
    }


class SocialRecordsImportJob(JobRunner):
    """Check (dry run) or import a file of social management records and arrears.

    Params: {"path", "dry_run", "file_name"}. Result: `ImportReport.as_dict(max_errors=500)`.
    """

    kind = RECORDS_IMPORT_KIND
    label = gettext_lazy("Import of social management records")
    # The report quotes the rows it read (notes, arrears): only for those who manage the records.
    view_action = Action.MANAGE_SOCIAL_RECORDS

    def run(self) -> dict:
        params = self.job.params
        dry_run = bool(params.get("dry_run", True))
        # The uploaded file (core.uploads): gone after a written import; a missing one fails the job plainly.
        with upload_in_use(self.job) as use:
            report = social_records_import(
                source=use.path, corporation=self.job.corporation, actor=self.job.user,
                dry_run=dry_run, source_name=params.get("file_name") or None,
                on_progress=self.progress,
            )
            use.done(dry_run=dry_run, valid=report.is_valid, written=report.written)
        # Support needs are special-category data: new/unchanged tells what is stored, only for who may read them.
        shows_needs = can(self.job.user, Action.VIEW_MARKERS)
        needs = sum((report.counts.get("support_needs") or {}).values())
        if dry_run and needs:
            # A check compares support needs with what is stored: audited like a read.
            import_previewed_record(job=self.job, sheet="support_needs", rows=needs, subject_type="support_need",
                                    counts_shown=shows_needs)
        hidden = () if shows_needs else ("support_needs",)
        values = {"source": report.source, "counts": report.counts_line(hidden=hidden), "errors": report.error_count}
        if not report.is_valid:
            self.log(_("%(source)s: %(errors)d error(s), nothing written") % values)
        elif report.dry_run:
            self.log(_("%(source)s: checked, nothing written: %(counts)s") % values)
        else:
            self.log(_("%(source)s: imported: %(counts)s") % values)
        return report.as_dict(max_errors=MAX_ERRORS_IN_RESULT)


def report_small_cells(job: Job) -> bool:
    """Whether a liveability report job applies the small-cell rule: as asked, else as for the job's user."""
    small_cells = job.params.get("small_cells")
    return is_protected(job.user) if small_cells is None else bool(small_cells)


class LiveabilityReportJob(JobRunner):
    """A PDF (A4, Dutch) per municipality for the performance agreements: stock, composition, vitality, focus
    complexes and the social management done in the year.

    Params: {"municipality": GM code, "year": int, "small_cells": bool}. Result: {"municipality", "year",
    "file": {"name", "url"}}. "small_cells" (default: the rule of the job's user) applies the small-cell rule of
    `steering.reasons`: a report without it holds exact counts of a few households, for users who read markers only.
    """

    kind = REPORT_KIND
    label = gettext_lazy("Liveability report")
    view_action = Action.VIEW_MONITOR
    # The file row is written with update_or_create per job: a second start replaces the first one's.
    retry_safe = True

    def run(self) -> dict:
        from buurtbalans.liveability.report_pdf import liveability_report_data, liveability_report_pdf

        params = self.job.params
        municipality, year = params["municipality"], int(params["year"])
        corporation = self.job.corporation
        protected = report_small_cells(self.job)
        self.progress(0, 3)
        with translation.override(REPORT_LANGUAGE):
            data = liveability_report_data(corporation=corporation, municipality_code=municipality, year=year,
                                           on_progress=lambda done, total: self.progress(done, 3),
                                           protected=protected)
            self.progress(1, 3)
            content = liveability_report_pdf(data, generated=timezone.localtime())
        self.progress(2, 3)
        file_name = f"leefbaarheid-{corporation.code}-{municipality}-{year}.pdf"
        with transaction.atomic():
            LiveabilityReportFile.objects.update_or_create(
                job=self.job,
                defaults={"corporation": corporation, "municipality_code": municipality, "year": year,
                          "file_name": file_name, "content": content},
            )
        self.log(f"{file_name}: {len(content)} bytes")
        return {
            "municipality": municipality,
            "year": year,
            "file": {"name": file_name, "url": reverse("monitor_report_download", args=[self.job.pk])},
        }
