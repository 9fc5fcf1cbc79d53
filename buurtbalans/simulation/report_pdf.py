"""The board's PDF of a policy study (A4): the scenario in short, the policies, the key measures in the last year
with their band, the price per group, the complexes most likely over their limit, and the line that makes the
result reproducible (starting number, calculations, version).

`study_story` builds the reportlab flowables (tests read their text); `study_report_pdf` renders them. Figures go
through core.formatting (Dutch decimals, half up). The story holds no count per complex (only chances), so the
small-cell rule has nothing to coarsen here.
"""

from __future__ import annotations

from datetime import datetime

from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.translation import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from buurtbalans.core.formatting import format_number, format_share
from buurtbalans.core.pdf import BODY, HEADING, TITLE, pdf_table, render_pdf
from buurtbalans.simulation import results
from buurtbalans.simulation.texts import KEY_MEASURES, KIND_NAMES, UNCERTAINTY, band_text

TOP_COMPLEXES = 15


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
