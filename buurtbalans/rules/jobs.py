"""Background jobs of the rules app: the yearly compliance report as a PDF."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from buurtbalans.core.jobs import JobRunner
from buurtbalans.core.models import Job
from buurtbalans.core.permissions import Action
from buurtbalans.rules.compliance import compliance_for_corporation
from buurtbalans.rules.models import ComplianceReportFile

COMPLIANCE_REPORT_KIND = "compliance_report"

# The report is for the regulator and the municipalities: always in Dutch, whatever the requester's language.
REPORT_LANGUAGE = "nl"


class ComplianceReportJob(JobRunner):
    """A PDF (A4, Dutch) of one year's compliance for the job's corporation: the tables of the screen, the
    parameter versions and their sources.

    Params: {"year": int, "municipality": CBS code or None}. Result: {"year", "municipality", "lettings",
    "parameter_versions", "file": {"name", "url"}}; the PDF itself is a `ComplianceReportFile`.
    """

    kind = COMPLIANCE_REPORT_KIND
    label = _("Compliance report")
    view_action = Action.VIEW_COMPLIANCE
    # The file row is written with update_or_create per job: a second start replaces the first one's.
    retry_safe = True

    def run(self) -> dict:
        from buurtbalans.rules.report_pdf import compliance_pdf

        params = self.job.params
        year, municipality = int(params["year"]), params.get("municipality") or None
        corporation = self.job.corporation
        self.progress(0, 3)
        outcome = compliance_for_corporation(corporation, year, municipality)
        self.progress(1, 3)
        with translation.override(REPORT_LANGUAGE):
            content = compliance_pdf(outcome, generated=timezone.localtime())
        self.progress(2, 3)
        suffix = f"-{municipality}" if municipality else ""
        file_name = f"toewijzingsverantwoording-{corporation.code}-{year}{suffix}.pdf"
        versions = list(outcome.report.parameter_versions)
        with transaction.atomic():
            ComplianceReportFile.objects.update_or_create(
                job=self.job,
                defaults={
                    "corporation": corporation,
                    "year": year,
                    "file_name": file_name,
                    "content": content,
                    "parameter_versions": versions,
                },
            )
            # The version of 1 January, whose norms the report applies (Job.parameter_version: "runs record it").
            Job.objects.filter(pk=self.job.pk).update(parameter_version=versions[0][:60])
        self.log(f"{file_name}: {len(content)} bytes, {outcome.report.total.lettings} lettings")
        return {
            "year": year,
            "municipality": municipality,
            "lettings": outcome.report.total.lettings,
            "parameter_versions": versions,
            "file": {"name": file_name, "url": reverse("rules_compliance_report_download", args=[self.job.pk])},
        }
