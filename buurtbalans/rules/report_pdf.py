"""The compliance report as a PDF (A4): the screen's tables, the parameters used with their version and sources.

`compliance_story` builds the report as reportlab flowables (tests read their text before rendering);
`compliance_pdf` renders them. Strings go through gettext: the job renders under the Dutch translation.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from buurtbalans.core.formatting import format_number, format_share
from buurtbalans.core.pdf import BODY, HEADING, TITLE, pdf_table, render_pdf
from buurtbalans.engine.parameters import source_urls
from buurtbalans.rules.compliance import ComplianceOutcome
from buurtbalans.rules.labels import PARAMETER_ORDER, is_share, parameter_label
from buurtbalans.rules.tables import exception_label, fallback_lines, figure_rows, percent_text


def _count(value: int | None) -> str:
    return format_number(value)


def _value_text(key: str, value: Decimal | None, state: str) -> str:
    if state == "not_applicable":
        return _("does not exist in this year")
    if value is None:
        return _("unknown (missing)")
    if is_share(key):
        return format_share(value, 1)
    return f"€ {format_number(value, 2)}"


def compliance_story(outcome: ComplianceOutcome, *, generated: datetime) -> list:
    """The report's flowables: title, summary, the tables, notes on the data, and the parameters used."""
    report = outcome.report
    rows = figure_rows(outcome)
    total = rows[-1]
    story: list = [
        Paragraph(escape(_("Compliance with the allocation rules %(year)s") % {"year": outcome.year}), TITLE),
        Paragraph(escape(str(outcome.corporation)), HEADING),
    ]
    scope = (
        _("Municipality: %(name)s") % {"name": outcome.municipality_name(outcome.municipality)}
        if outcome.municipality
        else _("All municipalities")
    )
    story.append(
        Paragraph(
            escape(
                _("%(scope)s. Lettings: tenancies that started in %(year)s. Made on %(date)s.")
                % {"scope": scope, "year": outcome.year, "date": date_format(generated, "j F Y H:i")}
            ),
            BODY,
        )
    )
    story.append(Spacer(1, 4 * mm))

    story.append(Paragraph(escape(_("Summary")), HEADING))
    story.append(
        Paragraph(
            escape(
                _(
                    "Passend toewijzen: %(fit)s of %(low)s lettings to households with a low income fitted "
                    "(%(share)s). The norm of %(norm)s: %(words)s."
                )
                % {
                    "fit": _count(total.fit),
                    "low": _count(total.low_income_lettings),
                    "share": total.fit_share_text,
                    "norm": percent_text(report.affordability_fit_quota),
                    "words": total.fit_norm_words.lower(),
                }
            ),
            BODY,
        )
    )
    story.append(
        Paragraph(
            escape(
                _(
                    "DAEB allocation: %(target)s of %(daeb)s DAEB lettings went to the target group (%(share)s). "
                    "The norm: %(words)s. Free room used %(used)s of %(allowed)s; exception budget left: %(left)s."
                )
                % {
                    "target": _count(total.daeb_target_group_lettings),
                    "daeb": _count(total.daeb_lettings),
                    "share": total.daeb_target_share_text,
                    "words": total.daeb_norm_words.lower(),
                    "used": _count(total.free_room_used),
                    "allowed": _count(total.free_room_allowed),
                    "left": _count(total.exception_budget_left),
                }
            ),
            BODY,
        )
    )

    story.append(Paragraph(escape(_("Passend toewijzen per municipality")), HEADING))
    story.append(
        pdf_table(
            [_("Municipality"), _("Lettings"), _("To low incomes"), _("Fitting"), _("Share fitting"), _("Norm")],
            [
                [r.name, _count(r.lettings), _count(r.low_income_lettings), _count(r.fit), r.fit_share_text,
                 r.fit_norm_words]
                for r in rows
            ],
            [0.30, 0.11, 0.14, 0.11, 0.14, 0.20],
            total_last=True,
        )
    )  # fmt: skip
    story.append(Paragraph(escape(_("DAEB allocation per municipality")), HEADING))
    story.append(
        pdf_table(
            [_("Municipality"), _("DAEB lettings"), _("To the target group"), _("Share"), _("Norm applied"),
             _("Norm")],
            [
                [r.name, _count(r.daeb_lettings), _count(r.daeb_target_group_lettings), r.daeb_target_share_text,
                 r.daeb_norm_text, r.daeb_norm_words]
                for r in rows
            ],
            [0.30, 0.12, 0.14, 0.11, 0.13, 0.20],
            total_last=True,
        )
    )  # fmt: skip
    story.append(Paragraph(escape(_("Free room and exception budget")), HEADING))
    story.append(
        pdf_table(
            [_("Municipality"), _("Performance agreement"), _("Free room used"), _("Allowed"), _("Left"),
             _("Non-fitting"), _("Exception budget left")],
            [
                [r.name, r.agreement_text, _count(r.free_room_used), _count(r.free_room_allowed),
                 _count(r.free_room_left), _count(r.exception_budget_used), _count(r.exception_budget_left)]
                for r in rows
            ],
            [0.26, 0.13, 0.11, 0.10, 0.09, 0.13, 0.18],
            total_last=True,
        )
    )  # fmt: skip

    story.append(Paragraph(escape(_("Lettings that did not fit")), HEADING))
    if report.total.non_fitting:
        story.append(
            pdf_table(
                [_("Letting (contract code)"), _("Exception reason")],
                [[n.letting_id, exception_label(n.exception_reason)] for n in report.total.non_fitting],
                [0.35, 0.65],
            )
        )
    else:
        story.append(Paragraph(escape(_("None.")), BODY))

    notes = _data_notes(outcome)
    if notes:
        story.append(Paragraph(escape(_("About the data")), HEADING))
        story.extend(Paragraph(escape(note), BODY) for note in notes)

    story.extend(_parameter_section(outcome))
    return story


def _data_notes(outcome: ComplianceOutcome) -> list[str]:
    notes = [
        ngettext("%(count)s letting: %(what)s.", "%(count)s lettings: %(what)s.", count)
        % {"count": count, "what": what}
        for what, count in fallback_lines(outcome)
    ]
    incomplete = outcome.facts.incomplete
    if incomplete:
        notes.append(
            ngettext(
                "%(count)s letting could not be assessed (no rent or no income known) and is not counted: %(ids)s.",
                "%(count)s lettings could not be assessed (no rent or no income known) and are not counted: %(ids)s.",
                len(incomplete),
            )
            % {"count": len(incomplete), "ids": ", ".join(i.letting_id for i in incomplete)}
        )
    missing = outcome.report.total.missing_parameters
    if missing:
        notes.append(
            _("Parameters missing, so some figures are unknown: %(names)s.")
            % {"names": ", ".join(parameter_label(n) for n in missing)}
        )
    return notes


def _parameter_section(outcome: ComplianceOutcome) -> list:
    params = outcome.year_parameters
    report = outcome.report
    flowables: list = [
        Paragraph(escape(_("Legal parameters used")), HEADING),
        Paragraph(
            escape(
                _("Parameter versions: %(versions)s. Norms from the set valid on 1 January %(year)s.")
                % {"versions": ", ".join(report.parameter_versions), "year": outcome.year}
            ),
            BODY,
        ),
    ]
    rows = []
    used_keys: list[str] = []
    for key in PARAMETER_ORDER:
        state = "not_applicable" if key in params.not_applicable else "value"
        source = params.sources.get(key, "")
        for token in source.split():
            if token not in used_keys:
                used_keys.append(token)
        rows.append([parameter_label(key), _value_text(key, getattr(params, key), state), source or "–"])
    flowables.append(pdf_table([_("Parameter"), _("Value"), _("Source")], rows, [0.55, 0.22, 0.23]))
    urls = source_urls()
    source_rows = [[key, url] for key in used_keys for url in urls.get(key, (key,) if "://" in key else ())]
    if source_rows:
        flowables.append(Paragraph(escape(_("Sources")), HEADING))
        flowables.append(pdf_table([_("Key"), _("Address")], source_rows, [0.12, 0.88]))
    return flowables


def compliance_pdf(outcome: ComplianceOutcome, *, generated: datetime) -> bytes:
    """The report rendered as an A4 PDF."""
    return render_pdf(
        compliance_story(outcome, generated=generated),
        title=_("Compliance with the allocation rules %(year)s") % {"year": outcome.year},
        author=str(outcome.corporation),
    )
