"""The liveability report per municipality as a PDF (A4), for the performance agreements.

`liveability_report_data` gathers the figures (aggregates only: no household, no record's note), under the
small-cell rule (`steering.reasons.Cell`) unless the one who asked for it may read markers: a figure about fewer than
5 households is "< 5", as on the monitor's screens;
`liveability_story` turns them into reportlab flowables (tests read their text); `liveability_report_pdf` renders.
The job renders under the Dutch translation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Count
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from buurtbalans.core.figures import SMALL_CELL_TEXT, Cell
from buurtbalans.core.formatting import format_number, format_percent, format_ratio
from buurtbalans.core.pdf import BODY, HEADING, TITLE, pdf_table, render_pdf
from buurtbalans.households.selectors import INCOME_BAND_LABELS, INCOME_BANDS
from buurtbalans.liveability.focus import focus_neighbourhoods
from buurtbalans.liveability.indicators import INDICATOR_KEYS, INDICATORS, format_value
from buurtbalans.liveability.models import AreaVitality, ComplexVitality, SignalKind, VisitKind
from buurtbalans.liveability.selectors import social_counts
from buurtbalans.liveability.texts import small_cell_keys, warning_lines
from buurtbalans.neighbourhoods.models import Municipality
from buurtbalans.portfolio.composition import composition_by_complex
from buurtbalans.portfolio.models import Complex, Dwelling, DwellingStatus

# How many complexes the report lists by name (the lowest scores); the rest are counted.
LISTED_COMPLEXES = 25


@dataclass
class ReportData:
    corporation: str
    municipality_code: str
    municipality_name: str
    year: int
    reference_date: date
    dwellings_by_status: dict[str, int] = field(default_factory=dict)
    complex_count: int = 0
    composition: dict[str, int] = field(default_factory=dict)
    vitality_date: date | None = None
    area: dict | None = None
    score_classes: list[tuple[str, int]] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    lowest: list[dict] = field(default_factory=list)
    focus_buurten: list[dict] = field(default_factory=list)
    complexes_in_focus_buurten: list[dict] = field(default_factory=list)
    social: dict = field(default_factory=dict)
    # The small-cell rule applies (the report is for someone who may not read markers, or leaves the corporation).
    protected: bool = True
    # Household-share indicators of the municipality that stand for fewer than 5 households (shown as "< 5").
    area_hidden: frozenset = frozenset()


def liveability_report_data(*, corporation, municipality_code: str, year: int, on_progress=None,
                            protected: bool = True) -> ReportData:
    """The report's figures for the corporation's complexes in one municipality.

    `protected`: the small-cell rule (`steering.reasons.is_protected` of the user who asked for the report). The
    counts stay exact in the data; the reasons of a warning leave out a share of fewer than 5 households, and the
    story shows such counts and shares as "< 5".
    """
    today = timezone.localdate()
    reference_date = min(today, date(year, 12, 31))
    municipality = Municipality.objects.filter(cbs_code=municipality_code).defer("geometry").first()
    complexes = Complex.objects.filter(corporation=corporation,
                                       neighbourhood__municipality__cbs_code=municipality_code)
    data = ReportData(
        corporation=corporation.name, municipality_code=municipality_code,
        municipality_name=municipality.name if municipality else municipality_code, year=year,
        reference_date=reference_date, protected=protected,
    )
    data.complex_count = complexes.count()
    data.dwellings_by_status = dict(
        Dwelling.objects.filter(corporation=corporation, complex__in=complexes).order_by().values_list("status")
        .annotate(n=Count("pk")).values_list("status", "n")
    )
    # The complexes' compositions summed (the one count, `portfolio.composition`, as the overview shows them).
    totals = {key: 0 for key in ("household_count", "marker_count", *[f"{b}_count" for b in INCOME_BANDS])}
    ids = list(complexes.values_list("pk", flat=True))
    for composition in composition_by_complex(corporation.pk, reference_date, complex_ids=ids).values():
        counts = composition.as_counts()
        for key in totals:
            totals[key] += counts[key]
    data.composition = totals
    if on_progress:
        on_progress(1, 3)

    area = AreaVitality.objects.filter(corporation=corporation, area_code=municipality_code, is_latest=True).first()
    if area is not None:
        data.vitality_date = area.reference_date
        data.area = {"score": area.score, "complexes": area.complex_count, "warnings": area.warning_count,
                     "values": area.values}
    latest = list(
        ComplexVitality.objects.filter(corporation=corporation, is_latest=True, complex__in=complexes)
        .select_related("complex", "complex__neighbourhood")
        .only("score", "warnings", "warning_count", "values", "dwelling_count", "household_count",
              "reference_date", "complex__external_id",
              "complex__name", "complex__neighbourhood__name", "complex__neighbourhood__cbs_code")
    )
    bounds = [(0, 60, _("below 60")), (60, 75, _("60 to 75")), (75, 85, _("75 to 85")), (85, 95, _("85 to 95")),
              (95, 101, _("95 or more"))]
    data.score_classes = [
        (label, sum(1 for r in latest if r.score is not None and low <= r.score < high)) for low, high, label in bounds
    ]
    if area is not None:
        # The municipality's shares of households stand for the households of the complexes counted with it.
        households = sum(r.household_count for r in latest if r.reference_date == area.reference_date)
        data.area_hidden = small_cell_keys(_Counted(households, area.values), protected)
    data.warnings = [
        {"code": r.complex.external_id, "name": r.complex.name,
         "buurt": r.complex.neighbourhood.name if r.complex.neighbourhood else "", "score": r.score,
         "reasons": warning_lines(r.warnings, small_cell_keys(r, protected))}
        for r in sorted((r for r in latest if r.warning_count),
                        key=lambda r: (-r.warning_count, r.score if r.score is not None else 999))
    ]
    data.lowest = [
        {"code": r.complex.external_id, "name": r.complex.name, "score": r.score, "dwellings": r.dwelling_count}
        for r in sorted((r for r in latest if r.score is not None), key=lambda r: r.score)[:LISTED_COMPLEXES]
    ]
    if on_progress:
        on_progress(2, 3)

    rows, _low_key = focus_neighbourhoods(municipality_code, year=year)
    focus = [r for r in rows if r.focus]
    data.focus_buurten = [
        {"code": r.bu_code, "name": r.bu_naam, "low_income": r.low_income_share, "low_income_year": r.low_income_year,
         "lbm": r.lbm, "lbm_year": r.lbm_year}
        for r in focus
    ]
    focus_codes = {r.bu_code for r in focus}
    data.complexes_in_focus_buurten = [
        {"code": r.complex.external_id, "name": r.complex.name, "buurt": r.complex.neighbourhood.name,
         "score": r.score}
        for r in latest if r.complex.neighbourhood and r.complex.neighbourhood.cbs_code in focus_codes
    ]
    data.social = social_counts(corporation.pk, start=date(year, 1, 1), end=date(year, 12, 31),
                                municipality_code=municipality_code)
    return data


@dataclass(frozen=True)
class _Counted:
    """What `small_cell_keys` reads of a vitality row: its households and its values."""

    household_count: int
    values: dict


def _n(value) -> str:
    # Figures as on the screens: rounded half up once (core.formatting), never cut.
    return format_number(value)


def _share(part: int, whole: int) -> str:
    return format_ratio(part, whole)


def liveability_story(data: ReportData, *, generated: datetime) -> list:
    """The report's flowables."""
    story: list = [
        Paragraph(escape(_("Liveability in %(municipality)s, %(year)s") % {
            "municipality": data.municipality_name, "year": data.year}), TITLE),
        Paragraph(escape(data.corporation), HEADING),
        Paragraph(escape(_("For the performance agreements with the municipality. Stock and composition on "
                           "%(date)s; social management done in %(year)s. Made on %(made)s.") % {
            "date": date_format(data.reference_date, "j F Y"), "year": data.year,
            "made": date_format(generated, "j F Y H:i")}), BODY),
        Spacer(1, 4 * mm),
    ]
    total = sum(data.dwellings_by_status.values())
    story.append(Paragraph(escape(_("Our stock")), HEADING))
    story.append(Paragraph(escape(_("%(complexes)s complexes with %(dwellings)s dwellings.") % {
        "complexes": _n(data.complex_count), "dwellings": _n(total)}), BODY))
    story.append(pdf_table(
        [_("Status"), _("Dwellings"), _("Share")],
        [[str(label), _n(data.dwellings_by_status.get(code, 0)), _share(data.dwellings_by_status.get(code, 0), total)]
         for code, label in DwellingStatus.choices],
        [0.5, 0.25, 0.25],
    ))

    households = data.composition.get("household_count", 0)

    def cell(key: str) -> Cell:
        return Cell(data.composition.get(f"{key}_count", 0), households, data.protected)

    def count_text(key: str) -> str:
        return SMALL_CELL_TEXT if cell(key).is_suppressed else _n(cell(key).count)

    def share_text(key: str) -> str:
        return SMALL_CELL_TEXT if cell(key).is_suppressed else _share(cell(key).count, households)

    story.append(Paragraph(escape(_("Who lives there")), HEADING))
    story.append(Paragraph(escape(_("%(n)s households; %(share)s of them have a vulnerability marker.") % {
        "n": _n(households), "share": share_text("marker")}), BODY))
    story.append(pdf_table(
        [_("Income band"), _("Households"), _("Share")],
        [[str(INCOME_BAND_LABELS[band]), count_text(band), share_text(band)] for band in INCOME_BANDS],
        [0.5, 0.25, 0.25],
    ))

    story.append(Paragraph(escape(_("Vitality of our complexes")), HEADING))
    if data.area is None:
        story.append(Paragraph(escape(_("The vitality has not been counted yet.")), BODY))
    else:
        story.append(Paragraph(escape(_(
            "Vitality score %(score)s of 100 (mean weighted by dwellings, on %(date)s); %(warnings)s of "
            "%(complexes)s complexes are on the early-warning list.") % {
            "score": _n(data.area["score"]), "date": date_format(data.vitality_date, "j F Y"),
            "warnings": _n(data.area["warnings"]), "complexes": _n(data.area["complexes"])}), BODY))
        story.append(pdf_table(
            [_("Indicator"), _("Value")],
            [[str(INDICATORS[key].label),
              SMALL_CELL_TEXT if key in data.area_hidden else format_value(key, data.area["values"].get(key))]
             for key in INDICATOR_KEYS],
            [0.7, 0.3],
        ))
        story.append(Spacer(1, 2 * mm))
        story.append(pdf_table([_("Vitality score"), _("Complexes")],
                            [[str(label), _n(n)] for label, n in data.score_classes], [0.5, 0.5]))

    story.append(Paragraph(escape(_("Complexes that need attention")), HEADING))
    if data.warnings:
        story.append(pdf_table(
            [_("Complex"), _("Neighbourhood"), _("Score"), _("Reasons")],
            [[f"{w['name']} ({w['code']})", w["buurt"], _n(w["score"]), " ".join(w["reasons"])]
             for w in data.warnings[:LISTED_COMPLEXES]],
            [0.22, 0.16, 0.08, 0.54],
        ))
        if len(data.warnings) > LISTED_COMPLEXES:
            story.append(Paragraph(escape(_("And %(n)s more complexes with a warning.") % {
                "n": _n(len(data.warnings) - LISTED_COMPLEXES)}), BODY))
    else:
        story.append(Paragraph(escape(_("None.")), BODY))

    story.append(Paragraph(escape(_("Focus neighbourhoods from public data")), HEADING))
    if data.focus_buurten:
        story.append(pdf_table(
            [_("Neighbourhood"), _("Low incomes"), _("Leefbaarometer")],
            [[f"{b['name']} ({b['code']})", f"{format_percent(b['low_income'], 1)} ({b['low_income_year']})",
              f"{format_number(b['lbm'], 3)} ({b['lbm_year']})"] for b in data.focus_buurten],
            [0.5, 0.25, 0.25],
        ))
        story.append(Paragraph(escape(_("Our complexes in these neighbourhoods: %(n)s.") % {
            "n": _n(len(data.complexes_in_focus_buurten))}), BODY))
        if data.complexes_in_focus_buurten:
            story.append(pdf_table(
                [_("Complex"), _("Neighbourhood"), _("Score")],
                [[f"{c['name']} ({c['code']})", c["buurt"], _n(c["score"])]
                 for c in data.complexes_in_focus_buurten[:LISTED_COMPLEXES]],
                [0.5, 0.35, 0.15],
            ))
    else:
        story.append(Paragraph(escape(_("No focus neighbourhoods (or no public data imported).")), BODY))

    social = data.social
    story.append(Paragraph(escape(_("Social management done in %(year)s") % {"year": data.year}), HEADING))
    rows = [[str(label), _n(social["signals"].get(kind, 0))] for kind, label in SignalKind.choices]
    rows.append([_("Support needs"), _n(social["support_needs"])])
    rows += [[str(label), _n(social["visits"].get(kind, 0))] for kind, label in VisitKind.choices]
    rows += [
        [_("Households reached in visits"), _n(social["households_reached"])],
        [_("Activities"), _n(social["activity_total"])],
        [_("Participants in activities"), _n(social["participants"])],
        [_("Meeting places"), _n(social["meeting_places"])],
        [_("Visitors of meeting places"), _n(social["visitors"])],
    ]
    story.append(pdf_table([_("What"), _("Number")], rows, [0.7, 0.3]))
    story.append(Spacer(1, 4 * mm))
    if data.area_hidden or any(cell(key).is_suppressed for key in (*INCOME_BANDS, "marker")):
        story.append(Paragraph(escape(_("To protect privacy, a figure about fewer than 5 households is shown as "
                                        "“< 5”.")), BODY))
    story.append(Paragraph(escape(_("Sources: our own records; CBS (CC BY 4.0); municipality; Leefbaarometer 3.0, "
                                    "Ministry of the Interior (BZK). The method is described in docs/monitor.md.")),
                           BODY))
    return story


def liveability_report_pdf(data: ReportData, *, generated: datetime) -> bytes:
    return render_pdf(
        liveability_story(data, generated=generated),
        title=_("Liveability in %(municipality)s, %(year)s")
        % {"municipality": data.municipality_name, "year": data.year},
        author=data.corporation,
    )
