"""Background jobs of the stock app: importing a portfolio file (see portfolio.importing for the API)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buurtbalans.core.jobs import JobError, JobRunner
from buurtbalans.core.permissions import Action, can
from buurtbalans.core.uploads import upload_in_use
from buurtbalans.portfolio.importing.report import ImportReport
from buurtbalans.portfolio.services import SPECIAL_SHEETS, portfolio_import, portfolio_import_previewed

# Job.result holds at most this many errors; result["error_count"] counts them all.
MAX_ERRORS_IN_RESULT = 500


class PortfolioImportJob(JobRunner):
    """Import (or with dry_run, only check) the uploaded file of params["upload"] for the job's corporation.

    Params: {"upload": Upload id, "path": str, "dry_run": bool, "file_name": str} (see core.uploads; a job with
    only "path" reads that file). Result: `ImportReport.as_dict(max_errors=500)`, with the counts of the markers
    sheet reduced to {"rows": n} unless the user may read markers. A dry run that read markers is audited as
    IMPORT_PREVIEWED; a written import removes the uploaded file.
    """

    kind = "portfolio_import"
    label = gettext_lazy("Portfolio import")
    # An import report quotes the rows it read: only for those who manage the portfolio.
    view_action = Action.MANAGE_PORTFOLIO

    result_template = "portfolio/_import_report.html"

    @classmethod
    def result_context(cls, request, job) -> dict:
        # Imported when a page asks: the worker loads this module at start-up and needs no screens.
        from buurtbalans.portfolio.views import import_report_context

        return import_report_context(request, job)

    @classmethod
    def result_download(cls, request, job):
        from buurtbalans.portfolio.views import import_job_export

        return import_job_export(request, job)

    def run(self) -> dict:
        params = self.job.params
        dry_run = bool(params.get("dry_run", False))
        try:
            with upload_in_use(self.job) as use:
                report: ImportReport = portfolio_import(
                    source=use.path,
                    corporation=self.job.corporation,
                    actor=self.job.user,
                    dry_run=dry_run,
                    on_progress=self.progress,
                    source_name=params.get("file_name") or None,
                )
                use.done(dry_run=dry_run, valid=report.is_valid, written=report.written)
        except PermissionDenied:
            raise JobError(_("You may not import for this corporation (any more). Nothing is saved.")) from None
        shows_special = can(self.job.user, Action.VIEW_MARKERS)
        hidden = () if shows_special else SPECIAL_SHEETS
        if dry_run:
            portfolio_import_previewed(report, job=self.job, corporation=self.job.corporation, actor=self.job.user,
                                       counts_shown=shows_special)
        values = {"source": report.source, "counts": report.counts_line(hidden=hidden), "errors": report.error_count}
        if not report.is_valid:
            self.log(_("%(source)s: %(errors)d error(s), nothing written") % values)
        elif report.dry_run:
            self.log(_("%(source)s: checked, nothing written: %(counts)s") % values)
        else:
            self.log(_("%(source)s: imported: %(counts)s") % values)
        return report.as_dict(max_errors=MAX_ERRORS_IN_RESULT, hidden=hidden)
