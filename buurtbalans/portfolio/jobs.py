"""Background jobs of the stock app: importing a portfolio file (see portfolio.importing for the API)."""

from __future__ import annotations

from pathlib import Path

from buurtbalans.core.jobs import JobRunner
from buurtbalans.portfolio.importing.report import ImportReport
from buurtbalans.portfolio.services import portfolio_import

# Job.result holds at most this many errors; result["error_count"] counts them all.
MAX_ERRORS_IN_RESULT = 500


class PortfolioImportJob(JobRunner):
    """Import (or with dry_run, only check) the file at params["path"] for the job's corporation.

    Params: {"path": str, "dry_run": bool}. Result: `ImportReport.as_dict(max_errors=500)`.
    """

    kind = "portfolio_import"

    def run(self) -> dict:
        params = self.job.params
        report: ImportReport = portfolio_import(
            source=Path(params["path"]),
            corporation=self.job.corporation,
            actor=self.job.user,
            dry_run=bool(params.get("dry_run", False)),
            on_progress=self.progress,
        )
        if report.is_valid:
            verb = "checked" if report.dry_run else "imported"
            self.log(f"{report.source}: {verb}: {report.counts_line()}")
        else:
            self.log(f"{report.source}: {report.error_count} error(s), nothing written")
        return report.as_dict(max_errors=MAX_ERRORS_IN_RESULT)
