"""Background jobs of the stock app: importing a portfolio file (see portfolio.importing for the API)."""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buurtbalans.core.jobs import JobRunner
from buurtbalans.core.permissions import Action
from buurtbalans.portfolio.importing.report import ImportReport
from buurtbalans.portfolio.services import portfolio_import

# Job.result holds at most this many errors; result["error_count"] counts them all.
MAX_ERRORS_IN_RESULT = 500


class PortfolioImportJob(JobRunner):
    """Import (or with dry_run, only check) the file at params["path"] for the job's corporation.

    Params: {"path": str, "dry_run": bool} and optionally "file_name": the name the user uploaded the file
    under, used in messages. Result: `ImportReport.as_dict(max_errors=500)`.
    """

    kind = "portfolio_import"
    label = gettext_lazy("Portfolio import")
    # An import report quotes the rows it read: only for those who manage the portfolio.
    view_action = Action.MANAGE_PORTFOLIO

    def run(self) -> dict:
        params = self.job.params
        report: ImportReport = portfolio_import(
            source=Path(params["path"]),
            corporation=self.job.corporation,
            actor=self.job.user,
            dry_run=bool(params.get("dry_run", False)),
            on_progress=self.progress,
            source_name=params.get("file_name") or None,
        )
        values = {"source": report.source, "counts": report.counts_line(), "errors": report.error_count}
        if not report.is_valid:
            self.log(_("%(source)s: %(errors)d error(s), nothing written") % values)
        elif report.dry_run:
            self.log(_("%(source)s: checked, nothing written: %(counts)s") % values)
        else:
            self.log(_("%(source)s: imported: %(counts)s") % values)
        return report.as_dict(max_errors=MAX_ERRORS_IN_RESULT)
