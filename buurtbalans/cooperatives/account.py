"""The yearly account of a cooperative as a document: an Excel workbook and an A4 PDF (reportlab).

Both show the same content as the account screen: the cooperative, the board's account (summary, members and
households), each commitment with its target, the realised figure from the log and the review status, the
reviews of the year, and the activity log of the year. `account_story` builds the PDF as reportlab flowables (tests
read their text); `account_pdf` renders it. A few pages at most, so the view renders it at once, without a job.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from buurtbalans.cooperatives.models import Activity, CommitmentReview, HousingCooperative, YearlyAccount
from buurtbalans.cooperatives.selectors import CommitmentYear
from buurtbalans.cooperatives.tables import activity_columns, commitment_year_columns, review_columns, status_label
from buurtbalans.core.exports import FORMULA_PREFIXES
from buurtbalans.core.pdf import BODY, HEADING, TITLE, pdf_table, render_pdf


@dataclass
class AccountContent:
    cooperative: HousingCooperative
    year: int
    account: YearlyAccount | None
    figures: list[CommitmentYear]
    reviews: list[CommitmentReview]
    activities: list[Activity]


def _status_text(content: AccountContent) -> str:
    account = content.account
    if account is None:
        return _("Not started by the board yet.")
    if account.is_submitted and account.submitted is not None:
        return _("Handed in on %(date)s by %(name)s.") % {
            "date": date_format(account.submitted, "j F Y"),
            "name": account.submitted_by_name,
        }
    if account.is_submitted:
        return _("Handed in.")
    return _("Draft: not handed in yet.")


def _summary_rows(content: AccountContent) -> list[tuple[str, object]]:
    cooperative, account = content.cooperative, content.account
    return [
        (_("Cooperative"), cooperative.name),
        (_("Type"), cooperative.get_cooperative_type_display()),
        (_("KvK number"), cooperative.kvk_number),
        (_("Year"), content.year),
        (_("Status"), _status_text(content)),
        (_("Members at the end of the year"), account.members_at_year_end if account else None),
        (_("Households at the end of the year"), account.households_at_year_end if account else None),
        (_("How the year went"), account.summary if account else ""),
    ]


# --- Excel ------------------------------------------------------------------------------------------------------


def _cell_value(value):
    """A value a spreadsheet understands: numbers and dates stay so, the rest becomes text."""
    if value is None:
        return ""
    if isinstance(value, (bool, int, float, Decimal, date)):
        if isinstance(value, datetime) and timezone.is_aware(value):
            return timezone.localtime(value).replace(tzinfo=None)
        return value
    if isinstance(value, (list, tuple)):
        return ", ".join(str(v) for v in value)
    return str(value)


def account_workbook(content: AccountContent):
    """The account as an .xlsx file handle: sheets "Account", "Commitments", "Reviews" and "Activity log"."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)

    def add(sheet, values, header=False):
        cells = []
        for value in values:
            plain = _cell_value(value)
            cell = WriteOnlyCell(sheet, value=plain)
            if isinstance(plain, str) and plain.startswith(FORMULA_PREFIXES):
                # A board's text such as "=HYPERLINK(...)" stays text, never a formula.
                cell.data_type = "s"
            if header:
                cell.font = bold
            cells.append(cell)
        sheet.append(cells)

    sheet = workbook.create_sheet(title=_("Account")[:31])
    for label, value in _summary_rows(content):
        add(sheet, [str(label), value])
    for title, columns, rows in (
        (_("Commitments"), commitment_year_columns(), content.figures),
        (_("Reviews"), review_columns(), content.reviews),
        (_("Activity log"), activity_columns(), content.activities),
    ):
        sheet = workbook.create_sheet(title=str(title)[:31])
        add(sheet, [str(c.label) for c in columns], header=True)
        for row in rows:
            add(sheet, [c.read(row) for c in columns])
    handle = tempfile.TemporaryFile()
    workbook.save(handle)
    handle.seek(0)
    return handle


# --- PDF ----------------------------------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None or value == "":
        return "–"
    return str(value)


def account_story(content: AccountContent, *, generated: datetime) -> list:
    story: list = [
        Paragraph(escape(_("Yearly account %(year)s") % {"year": content.year}), TITLE),
        Paragraph(escape(content.cooperative.name), HEADING),
        Paragraph(escape(_("Made on %(date)s.") % {"date": date_format(generated, "j F Y H:i")}), BODY),
        Spacer(1, 4 * mm),
    ]
    story.append(
        pdf_table([_("Subject"), _("Value")], [[str(k), _text(v)] for k, v in _summary_rows(content)], [0.3, 0.7])
    )
    story.append(Paragraph(escape(_("Commitments: target and realised")), HEADING))
    if content.figures:
        story.append(
            pdf_table(
                [_("Theme"), _("Commitment"), _("What is counted"), _("Target"), _("Realised"), _("Review status")],
                [
                    [
                        f.commitment.get_theme_display(),
                        f.commitment.description,
                        f.commitment.get_target_kind_display(),
                        str(f.target),
                        str(f.realised),
                        status_label(f.status),
                    ]
                    for f in content.figures
                ],
                [0.13, 0.33, 0.18, 0.09, 0.1, 0.17],
            )
        )
    else:
        story.append(Paragraph(escape(_("No commitments ran in this year.")), BODY))
    story.append(Paragraph(escape(_("Reviews by the corporation")), HEADING))
    if content.reviews:
        story.append(
            pdf_table(
                [_("Period"), _("Commitment"), _("Target"), _("Realised"), _("Verdict"), _("Follow-up")],
                [
                    [
                        r.period,
                        r.commitment.description,
                        str(r.target),
                        str(r.realised),
                        r.get_verdict_display(),
                        _text(r.follow_up),
                    ]
                    for r in content.reviews
                ],
                [0.1, 0.3, 0.09, 0.1, 0.13, 0.28],
            )
        )
    else:
        story.append(Paragraph(escape(_("No reviews yet.")), BODY))
    story.append(Paragraph(escape(_("Activity log")), HEADING))
    if content.activities:
        story.append(
            pdf_table(
                [_("Date"), _("Theme"), _("What happened"), _("Participants"), _("From the buurt")],
                [
                    [
                        date_format(a.day, _("j M Y")),
                        a.commitment.get_theme_display(),
                        a.description,
                        str(a.participants),
                        str(a.buurt_participants),
                    ]
                    for a in content.activities
                ],
                [0.13, 0.15, 0.48, 0.12, 0.12],
            )
        )
    else:
        story.append(Paragraph(escape(_("No activities logged in this year.")), BODY))
    return story


def account_pdf(content: AccountContent, *, generated: datetime) -> bytes:
    return render_pdf(
        account_story(content, generated=generated),
        title=_("Yearly account %(year)s") % {"year": content.year},
        author=content.cooperative.name,
    )
