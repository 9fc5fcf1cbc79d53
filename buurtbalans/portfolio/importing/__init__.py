"""Importing and exporting a corporation's portfolio (stock, households, tenancies, markers, waiting list).

For views, commands and jobs the entry points are the services and the job runner:

    from buurtbalans.portfolio.services import portfolio_import, portfolio_export

    report = portfolio_import(source=Path("stock.xlsx"), corporation=corporation, actor=request.user,
                              dry_run=True, on_progress=None, source_name=None)
    report.is_valid        # no errors
    report.written         # True only after a real (not dry) run without errors
    report.errors          # [ImportError(file, row, column, message, sheet)], str(e) is the one-line message:
                           #   'dwellings.csv row 118, base_rent: "6l2,50" is not an amount'
    report.error_count     # all errors, also those beyond the kept list (MAX_KEPT_ERRORS)
    report.counts          # {"dwellings": {"new": 3, "updated": 1, "unchanged": 40}, ...}
    report.warnings        # ignored columns and sheets
    report.columns         # {"dwellings": {"kaleHuur": "base_rent", ...}}: how the header was understood
    report.as_dict(max_errors=500)   # JSON-ready, as stored in Job.result

    path = portfolio_export(corporation=corporation, actor=request.user, format="xlsx", destination=folder)

The job runner (`buurtbalans.portfolio.jobs.PortfolioImportJob`, kind "portfolio_import") takes params
{"path": str, "dry_run": bool} and optionally "file_name" (the uploaded name, for messages), runs
`portfolio_import` for the job's corporation and user, reports progress through
`JobRunner.progress(done, total)` and stores `report.as_dict(max_errors=500)` in `job.result`.
A rejected file is a job that SUCCEEDED with result["is_valid"] False: the job did its work; the file
was wrong. A job FAILS only on an unexpected exception (or a user without the right).

Save the upload under any name that keeps its suffix (.xlsx, .zip, .csv) and pass the name the user
knows it by as "file_name": messages then say `stock.xlsx sheet dwellings row 4`, and for a single CSV
file that name decides the sheet (`dwellings.csv`). The upload page (`portfolio.views.import_upload`) stores
the file with `core.uploads.upload_check_enqueue`, whose job params (`upload_job_params`) carry both:

    upload_check_enqueue(file, kind=Upload.Kind.PORTFOLIO, job_kind="portfolio_import",
                         corporation=corporation, user=request.user, suffix=".zip")

Modules: `columns` (the alias table: sheets, columns, Dutch labels), `values` (cell parsers),
`readers` (xlsx, CSV, zip), `parse` (cells, chunk by chunk), `plan` (cross-sheet checks and the diff against the
database), `write` (set-based upserts), `export`, `report` (ImportError, ImportReport).
"""

from buurtbalans.portfolio.importing.report import MAX_KEPT_ERRORS, ImportError, ImportReport

__all__ = ["MAX_KEPT_ERRORS", "ImportError", "ImportReport"]
