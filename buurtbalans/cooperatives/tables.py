"""The tables of the cooperative screens as exported (CSV/Excel): the same figures as on screen."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from buurtbalans.core.exports import Column
from buurtbalans.core.periods import period_display

STATUS_LABELS = {
    "met": _("Met"),
    "partly": _("Partly met"),
    "not_met": _("Not met"),
    "not_reviewed": _("Not reviewed yet"),
    "partly_reviewed": _("Partly reviewed"),
}


def status_label(status: str | None) -> str:
    return str(STATUS_LABELS.get(status or "not_reviewed", status or ""))


def cooperative_columns() -> list[Column]:
    return [
        Column(_("Name"), "name"),
        Column(_("Type"), lambda c: c.get_cooperative_type_display()),
        Column(_("KvK number"), "kvk_number"),
        Column(_("Founding date"), "founded_on"),
        Column(_("Members"), "members"),
        Column(_("Households"), "households"),
        Column(_("Complexes"), "complex_count"),
        Column(_("Commitments"), "commitment_count"),
    ]


def commitment_year_columns() -> list[Column]:
    """One row per commitment in a year (`selectors.CommitmentYear`)."""
    return [
        Column(_("Theme"), lambda f: f.commitment.get_theme_display()),
        Column(_("Commitment"), lambda f: f.commitment.description),
        Column(_("What is counted"), lambda f: f.commitment.get_target_kind_display()),
        Column(_("Year"), "year"),
        Column(_("Target"), "target"),
        Column(_("Realised (from the log)"), "realised"),
        Column(_("Review rhythm"), lambda f: f.commitment.get_review_rhythm_display()),
        Column(_("Review status"), lambda f: status_label(f.status)),
    ]


def activity_columns() -> list[Column]:
    return [
        Column(_("Date"), "day"),
        Column(_("Theme"), lambda a: a.commitment.get_theme_display()),
        Column(_("Commitment"), lambda a: a.commitment.description),
        Column(_("What happened"), "description"),
        Column(_("Participants"), "participants"),
        Column(_("Of whom from the buurt"), "buurt_participants"),
        Column(_("File"), "file_name"),
        Column(_("Recorded by"), "recorded_by_name"),
    ]


def complex_link_columns() -> list[Column]:
    return [
        Column(_("Complex code"), lambda link: link.complex.external_id),
        Column(_("Complex"), lambda link: link.complex.name),
        Column(_("Arrangement"), lambda link: link.get_arrangement_display()),
        Column(_("From"), "valid_from"),
        Column(_("Until"), "valid_until"),
        Column(_("Only these dwellings"), lambda link: [d.external_id for d in link.dwellings.all()]),
    ]


def contact_columns() -> list[Column]:
    return [
        Column(_("Name"), "name"),
        Column(_("Role"), lambda c: c.get_role_display()),
        Column(_("Email"), "email"),
        Column(_("Phone"), "phone"),
    ]


def document_columns() -> list[Column]:
    return [
        Column(_("Kind"), lambda d: d.get_kind_display()),
        Column(_("Title"), "title"),
        Column(_("Signed on"), "signed_on"),
        Column(_("Valid from"), "valid_from"),
        Column(_("Valid until"), "valid_until"),
        Column(_("File"), "file_name"),
    ]


def review_columns() -> list[Column]:
    return [
        Column(_("Period"), "period", codes=period_display),
        Column(_("Commitment"), lambda r: r.commitment.description),
        Column(_("Target"), "target"),
        Column(_("Realised"), "realised"),
        Column(_("Verdict"), lambda r: r.get_verdict_display()),
        Column(_("Notes"), "notes"),
        Column(_("Follow-up"), "follow_up"),
        Column(_("Reviewed by"), "reviewed_by_name"),
        Column(_("Reviewed"), "reviewed"),
    ]


def escalation_columns() -> list[Column]:
    return [
        Column(_("Date"), "decided_on"),
        Column(_("Step"), lambda e: e.get_step_display()),
        Column(_("Commitment"), lambda e: e.commitment.description if e.commitment else ""),
        Column(_("What was agreed"), "notes"),
        Column(_("Deadline"), "deadline"),
        Column(_("Recorded by"), "recorded_by_name"),
    ]


def comparison_columns() -> list[Column]:
    """One row per year and group of `comparison.Comparison`: (group label, YearFigures)."""
    return [
        Column(_("Group"), lambda row: row[0]),
        Column(_("Year"), lambda row: row[1].year),
        Column(_("Dwellings"), lambda row: row[1].dwellings),
        Column(_("Tenancies ended"), lambda row: row[1].ended),
        Column(_("Turnover per 100 dwellings"), lambda row: row[1].turnover_per_100),
        Column(_("Lettings"), lambda row: row[1].lettings),
        Column(_("Lettings to the lowest incomes"), lambda row: row[1].lowest_income_lettings),
        Column(_("Share of lettings to the lowest incomes"), lambda row: row[1].lowest_income_share),
        Column(_("Vitality score"), lambda row: row[1].vitality_score),
    ]

