"""The board's PDF of a policy study (A4): the scenario in short, the policies, the key measures in the last year
with their band, per key measure a chart over the years (a line per policy with its 90 % band, drawn with
reportlab's graphics) and the same figures in a table under it, the price per group, the complexes most likely over
their limit, and the line that makes the result reproducible (starting number, calculations, version).

`study_story` builds the reportlab flowables (tests read their text); `study_report_pdf` renders them. Figures go
through core.formatting (Dutch decimals, half up). The story holds no count per complex (only chances), so the
small-cell rule has nothing to coarsen here.
"""

from __future__ import annotations

from datetime import datetime

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import gettext as _
from reportlab.graphics.charts.lineplots import LinePlot
from reportlab.graphics.shapes import Drawing, Line, Polygon, String
from reportlab.lib import colors
from reportlab.lib.units import mm
from reportlab.platypus import CondPageBreak, KeepTogether, Paragraph, Spacer

from buurtbalans.core.formatting import format_number, format_share
from buurtbalans.core.pdf import BODY, CELL_BOLD, HEADING, PAGE_WIDTH, TITLE, pdf_table, render_pdf
from buurtbalans.liveability.charts import _label_decimals
from buurtbalans.simulation import charts, results
from buurtbalans.simulation.texts import KEY_MEASURES, KIND_NAMES, MEASURE_BY_KEY, UNCERTAINTY, band_text

TOP_COMPLEXES = 15
# A chart in the PDF: its plot's height and the room around it (points); one legend row per policy under it.
PLOT_HEIGHT = 120
PLOT_LEFT, PLOT_BOTTOM, PLOT_RIGHT, PLOT_TOP = 46, 18, 10, 8
LEGEND_ROW = 12
FONT_SIZE = 7


def _dash(dash: str) -> list[float] | None:
    return [float(part) for part in dash.split()] if dash else None


def band_drawing(series: list[charts.BandSeries], *, percent: bool, decimals: int,
                 width: float = PAGE_WIDTH) -> Drawing | None:
    """A measure over the years as a reportlab drawing: per policy its band (p5-p95, a light polygon) and its mean
    (a line plot with the line's colour and dash), axes with Dutch tick labels, and a legend under the plot.

    The axes are the page chart's (`charts.band_axes`): the y axis from a round tick at or below the lowest p5 to
    one at or above the highest p95, so every line and band lies inside the plot. None when there is nothing to draw.
    """
    drawable = [s for s in series if s.points]
    if not drawable:
        return None
    years, ticks = charts.band_axes(drawable)
    low, high = ticks[0], ticks[-1]
    first, last = (years[0], years[-1]) if len(years) > 1 else (years[0] - 0.5, years[0] + 0.5)
    legend_height = LEGEND_ROW * len(series) + 4
    drawing = Drawing(width, PLOT_HEIGHT + PLOT_BOTTOM + PLOT_TOP + legend_height)
    plot = LinePlot()
    plot.x, plot.y = PLOT_LEFT, legend_height + PLOT_BOTTOM
    plot.width, plot.height = width - PLOT_LEFT - PLOT_RIGHT, PLOT_HEIGHT
    tick_decimals = _label_decimals(ticks, 100 if percent else 1)

    def label(value: float) -> str:
        return format_share(value, tick_decimals) if percent else format_number(value, tick_decimals)

    def x_of(year: float) -> float:
        return plot.x + plot.width * (year - first) / (last - first)

    def y_of(value: float) -> float:
        return plot.y + plot.height * (value - low) / (high - low)

    # The bands first, so the lines lie over them.
    for index, s in enumerate(series):
        colour = colors.HexColor(charts.SERIES_STYLES[index % len(charts.SERIES_STYLES)][0])
        upper = [(x_of(year), y_of(p95)) for year, _m, _p5, p95 in s.points]
        lower = [(x_of(year), y_of(p5)) for year, _m, p5, _p95 in reversed(s.points)]
        if len(upper) == 1:  # one year: a short bar, so the band is seen
            (x, top), (_x, bottom) = upper[0], lower[0]
            upper, lower = [(x - 2, top), (x + 2, top)], [(x + 2, bottom), (x - 2, bottom)]
        drawing.add(Polygon([c for point in upper + lower for c in point], strokeColor=None, strokeWidth=0,
                            fillColor=colors.Color(colour.red, colour.green, colour.blue, alpha=0.18)))
    plot.data = [[(year, mean) for year, mean, _p5, _p95 in s.points] or [(first, low)] for s in series]
    for index, s in enumerate(series):
        colour, dash = charts.SERIES_STYLES[index % len(charts.SERIES_STYLES)]
        plot.lines[index].strokeColor = colors.HexColor(colour)
        plot.lines[index].strokeWidth = 1.6 if s.points else 0
        plot.lines[index].strokeDashArray = _dash(dash)
    plot.xValueAxis.valueMin, plot.xValueAxis.valueMax = first, last
    plot.xValueAxis.valueSteps = years
    plot.xValueAxis.labelTextFormat = lambda value: str(int(round(value)))
    plot.yValueAxis.valueMin, plot.yValueAxis.valueMax = low, high
    plot.yValueAxis.valueSteps = ticks
    plot.yValueAxis.labelTextFormat = label
    plot.yValueAxis.visibleGrid = True
    plot.yValueAxis.gridStrokeColor = colors.HexColor("#d8dde3")
    for axis in (plot.xValueAxis, plot.yValueAxis):
        axis.labels.fontSize = FONT_SIZE
        axis.labels.fontName = "Helvetica"
    drawing.add(plot)
    for row, s in enumerate(series):
        colour, dash = charts.SERIES_STYLES[row % len(charts.SERIES_STYLES)]
        y = legend_height - LEGEND_ROW * (row + 1) + 3
        drawing.add(Line(PLOT_LEFT, y + 2.5, PLOT_LEFT + 22, y + 2.5, strokeColor=colors.HexColor(colour),
                         strokeWidth=2, strokeDashArray=_dash(dash)))
        drawing.add(String(PLOT_LEFT + 28, y, s.name, fontName="Helvetica", fontSize=FONT_SIZE + 1))
    return drawing


def measure_section(result: dict, key: str) -> list:
    """A key measure over the years: its title, the chart and, under it, the same figures in a table."""
    measure = MEASURE_BY_KEY[key]
    series = charts.series_of(result, key)
    drawing = band_drawing(series, percent=measure.kind == "share", decimals=measure.decimals)
    table = results.measure_table(result, key)
    title = Paragraph(escape(str(measure.title)), CELL_BOLD)
    if drawing is None:
        return [title, Paragraph(escape(_("No figures to show: this group had no lettings in any calculation.")),
                                 BODY)]
    width = 0.85 / max(1, len(series))
    figures = pdf_table([_("Year")] + [s.name for s in series],
                        [[str(row["year"])] + row["cells"] for row in table], [0.15] + [width] * len(series))
    return [CondPageBreak(drawing.height + 40), KeepTogether([title, drawing]), Spacer(1, 2 * mm), figures,
            Spacer(1, 4 * mm)]


def policy_description(policy: dict) -> str:
    kind = policy.get("kind", "")
    text = str(KIND_NAMES.get(kind, kind))
    if kind == "quota":
        text += " " + _("(reserved: %(share)s)") % {"share": format_share(policy.get("reserved_share"), 1)}
    if kind in ("room_check", "plan"):
        text += " " + _("(at least %(n)s vulnerable households a year)") % {
            "n": format_number(policy.get("min_vulnerable_placements") or 0)}
    return text


def reproduce_line(study) -> str:
    return _("Made with starting number %(seed)s, %(runs)s calculations per policy and version %(version)s, "
             "on %(when)s.") % {"seed": study.result_seed, "runs": format_number(study.result_runs or 0),
                                "version": study.engine_version,
                                "when": date_format(study.finished, "j F Y H:i") if study.finished else "–"}


def study_story(study, *, names: dict[str, str], generated: datetime) -> list:
    result, scenario = study.result or {}, study.result_scenario or study.scenario
    summary = results.scenario_summary(scenario)
    p = lambda text: Paragraph(escape(text), BODY)  # noqa: E731
    story = [
        Paragraph(escape(_("Policy study: %(name)s") % {"name": study.name}), TITLE),
        p(_("Made by %(who)s. Printed on %(when)s.") % {"who": study.created_by_name,
                                                       "when": date_format(generated, "j F Y")}),
        Paragraph(escape(_("The scenario")), HEADING),
        p(_("%(complexes)s complexes with %(dwellings)s dwellings, from the data of %(on)s. The years %(first)s to "
            "%(last)s.") % {"complexes": format_number(summary["complexes"]),
                            "dwellings": format_number(summary["dwellings"]),
                            "on": date_format(study.built_on, "j F Y"), "first": summary["start_year"],
                            "last": summary["last_year"]}),
        Paragraph(escape(_("The policies")), HEADING),
        pdf_table([_("Policy"), _("What it does")],
                  [[pol.get("name", ""), policy_description(pol)] for pol in scenario.get("policies", [])],
                  [0.3, 0.7]),
        Paragraph(escape(_("The outcome in %(year)s") % {"year": results.last_year(result) or ""}), HEADING),
        p(str(UNCERTAINTY)),
    ]
    rows = results.key_measure_rows(result, KEY_MEASURES)
    header = [_("Measure")] + [row["policy"] for row in rows]
    table = []
    for index in range(len(KEY_MEASURES)):
        measure = rows[0]["cells"][index][0] if rows else None
        if measure is None:
            continue
        table.append([str(measure.title)] + [band_text(measure, row["cells"][index][1]) for row in rows])
    width = 0.7 / max(1, len(rows))
    story.append(pdf_table(header, table, [0.3] + [width] * len(rows)))
    story += [Spacer(1, 3 * mm), Paragraph(escape(_("The main measures over the years")), HEADING),
              p(_("Per measure a line for every policy with its band; the table under each chart has the same "
                  "figures: the average, with the band in brackets."))]
    for key in KEY_MEASURES:
        story += measure_section(result, key)
    story += [Spacer(1, 3 * mm), Paragraph(escape(_("The price per group")), HEADING)]
    sentences = [r["sentence"] for r in results.price_rows(result) if not r["is_base"]]
    by_policy: dict[str, list[str]] = {}
    for r in results.price_rows(result):
        if not r["is_base"]:
            by_policy.setdefault(r["policy"], []).append(r["sentence"])
    if sentences:
        for policy, lines in by_policy.items():
            story.append(p(f"{policy}: " + " ".join(lines)))
    else:
        story.append(p(_("There is only one policy: nothing to compare with.")))
    chances = results.complex_chance_rows(result, names)
    story.append(Paragraph(escape(_("Complexes most likely over the limit for vulnerable households")), HEADING))
    if chances:
        policies = results.policy_names(result)
        story.append(pdf_table([_("Complex"), _("Name")] + policies,
                               [[r["complex"], r["name"]] + r["texts"] for r in chances[:TOP_COMPLEXES]],
                               [0.15, 0.25] + [0.6 / max(1, len(policies))] * len(policies)))
        story.append(p(_("The chance that the complex is over its limit at the end of the last year.")))
    else:
        story.append(p(_("This result has no figures per complex.")))
    story += [Spacer(1, 4 * mm), p(reproduce_line(study))]
    return story


def study_report_pdf(study, *, names: dict[str, str], generated: datetime) -> bytes:
    return render_pdf(study_story(study, names=names, generated=generated),
                      title=_("Policy study: %(name)s") % {"name": study.name}, author=study.created_by_name)
