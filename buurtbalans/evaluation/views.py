"""Screens of the interventions register and the evaluation page (issue 16 part A, docs/evaluation.md).

Views stay thin: rights through `require`/selectors, writes through services, exports through core.exports. The
evaluation runs in the request: building the panel and 999 bootstrap samples take well under a second on the demo.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from buurtbalans.core.exports import Column, export_response, requested_format
from buurtbalans.core.models import Upload
from buurtbalans.core.pagination import paginate
from buurtbalans.core.permissions import Action, actions_of, can, require
from buurtbalans.core.uploads import upload_discard, upload_store
from buurtbalans.engine import evaluation as engine
from buurtbalans.evaluation import selectors, services
from buurtbalans.evaluation.forms import (
    EvaluationForm,
    InterventionEndForm,
    InterventionFilterForm,
    InterventionForm,
    InterventionImportForm,
)
from buurtbalans.evaluation.importing import INTERVENTIONS_SHEET, interventions_import
from buurtbalans.evaluation.models import InterventionKind, InterventionSource
from buurtbalans.evaluation.panel import (
    OWNED_SHARE_KEY,
    PanelError,
    evaluation_run,
    outcome_indicator,
    outcome_label,
    panel_build,
)
from buurtbalans.evaluation.texts import interval_text, result_sentence, warning_texts, zero_text
from buurtbalans.liveability.charts import Series, line_chart, vega_lite_spec
from buurtbalans.liveability.indicators import format_value

PER_PAGE = 50
# The kind of file the register's import stores for the length of the request (core.uploads).
UPLOAD_KIND = Upload.Kind.INTERVENTIONS


def _context(request, **extra) -> dict:
    return {"nav": "evaluation", "rights": {a.value for a in actions_of(request.user)}, **extra}


def intervention_columns() -> list[Column]:
    return [
        Column(gettext_lazy("Complex code"), lambda r: r.complex.external_id),
        Column(gettext_lazy("Complex"), lambda r: r.complex.name),
        Column(gettext_lazy("Kind"), "kind", codes=InterventionKind),
        Column(gettext_lazy("Started on"), "started_on"),
        Column(gettext_lazy("Ended on"), "ended_on"),
        Column(gettext_lazy("Description"), "description"),
        Column(gettext_lazy("Source"), "source", codes=InterventionSource),
        Column(gettext_lazy("Recorded by"), "created_by_display"),
        Column(gettext_lazy("Code"), "external_id"),
    ]


@require_GET
def intervention_list(request):
    """The register: every intervention of the corporation, newest start first; filter per kind, complex, source."""
    user = request.user
    membership = require(user, Action.VIEW_INTERVENTIONS)
    form = InterventionFilterForm(request.GET or None, corporation=membership.corporation)
    filters = form.cleaned_data if form.is_valid() else {}
    interventions = selectors.intervention_list(user, kind=filters.get("kind") or None,
                                                complex_=filters.get("complex"), source=filters.get("source") or None)
    export_format = requested_format(request)
    if export_format:
        return export_response(export_format=export_format, name="interventions", columns=intervention_columns(),
                               rows=interventions.iterator(chunk_size=500))
    page = paginate(request, interventions, per_page=PER_PAGE)
    return render(request, "evaluation/interventions.html", _context(
        request, form=form, page=page, may_manage=can(user, Action.MANAGE_INTERVENTIONS),
        may_evaluate=can(user, Action.EVALUATE_INTERVENTIONS), total=interventions.count(),
    ))


@require_http_methods(["GET", "POST"])
def intervention_new(request):
    """Enter an intervention (policy analysts and neighbourhood managers)."""
    user = request.user
    membership = require(user, Action.MANAGE_INTERVENTIONS)
    form = InterventionForm(request.POST or None, corporation=membership.corporation,
                            initial={"complex": request.GET.get("complex")} if request.GET.get("complex") else None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        complex_ = data.pop("complex")
        try:
            services.intervention_create(actor=user, complex_=complex_, **data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The intervention is saved."))
            return redirect("evaluation_interventions")
    return render(request, "evaluation/intervention_form.html", _context(
        request, form=form, title=_("Record an intervention")))


@require_http_methods(["GET", "POST"])
def intervention_edit(request, pk: int):
    """Change an intervention's kind, dates or description, or end it."""
    user = request.user
    require(user, Action.MANAGE_INTERVENTIONS)
    intervention = selectors.intervention_get(user, pk, Action.MANAGE_INTERVENTIONS)
    initial = {"kind": intervention.kind, "started_on": intervention.started_on, "ended_on": intervention.ended_on,
               "description": intervention.description}
    form = InterventionForm(request.POST or None, initial=initial, corporation=intervention.corporation,
                            fixed_complex=intervention.complex)
    if request.method == "POST" and form.is_valid():
        try:
            services.intervention_update(actor=user, intervention=intervention, **form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The intervention is saved."))
            return redirect("evaluation_interventions")
    return render(request, "evaluation/intervention_form.html", _context(
        request, form=form, intervention=intervention, end_form=InterventionEndForm(),
        title=_("Change an intervention")))


@require_POST
def intervention_end(request, pk: int):
    """End an intervention on a date."""
    user = request.user
    require(user, Action.MANAGE_INTERVENTIONS)
    intervention = selectors.intervention_get(user, pk, Action.MANAGE_INTERVENTIONS)
    form = InterventionEndForm(request.POST)
    if form.is_valid():
        try:
            services.intervention_end(actor=user, intervention=intervention, ended_on=form.cleaned_data["ended_on"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The intervention is ended."))
            return redirect("evaluation_interventions")
    else:
        messages.error(request, _("Fill in the date on which the intervention ended."))
    return redirect("evaluation_intervention_edit", pk=intervention.pk)


def _form_errors(form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@require_http_methods(["GET", "POST"])
def intervention_import(request):
    """Upload interventions (CSV or Excel): every problem with file, row and column; nothing saved on error."""
    user = request.user
    membership = require(user, Action.MANAGE_INTERVENTIONS)
    form = InterventionImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        # Checked (and saved) within this request: the stored file goes when the request ends (core.uploads).
        stored = upload_store(upload, kind=UPLOAD_KIND, corporation=membership.corporation, user=user,
                              suffix=Path(upload.name).suffix)
        try:
            report = interventions_import(path=stored.path, corporation=membership.corporation, actor=user,
                                          file_name=Path(upload.name).name, dry_run=form.cleaned_data["dry_run"])
        finally:
            upload_discard(stored)
    return render(request, "evaluation/intervention_import.html", _context(
        request, form=form, report=report, sheet=INTERVENTIONS_SHEET,
        counts=report.counts.get(INTERVENTIONS_SHEET.name) if report else None))


# --- the evaluation ------------------------------------------------------------------------------------------


def _chosen(request, user):
    """What to evaluate from the query: one intervention (?intervention=pk) or a kind, year and figure."""
    form = EvaluationForm(request.GET or None)
    intervention = None
    wanted = request.GET.get("intervention")
    if wanted:
        if not wanted.isdigit():
            raise Http404
        intervention = selectors.intervention_get(user, int(wanted), Action.EVALUATE_INTERVENTIONS)
        data = {"kind": intervention.kind, "start_year": intervention.started_on.year,
                "outcome": request.GET.get("outcome") or "score"}
        form = EvaluationForm(data)
    return form, intervention


def _series(run) -> list[Series]:
    result = run.result
    points_treated = tuple(zip(result.series_years, result.series_treated, strict=True))
    points_controls = tuple(zip(result.series_years, result.series_controls, strict=True))
    return [Series(_("With the intervention"), points_treated),
            Series(_("Comparable complexes"), points_controls)]


def _value_text(outcome: str, value: float | None) -> str:
    """A figure of the chart's table, in the outcome's unit (one decimal more than the monitor for a score)."""
    from buurtbalans.core.formatting import format_number, format_share

    if outcome == "score":
        return format_number(value, 1)
    if outcome == OWNED_SHARE_KEY:  # not a monitor indicator: format_value does not know it
        return "–" if value is None else format_share(value, outcome_indicator(outcome).decimals)
    return format_value(outcome, value)


def _is_share(outcome: str) -> bool:
    indicator = outcome_indicator(outcome)
    return indicator is not None and indicator.unit == "share"


def _matches(run) -> list[dict]:
    """Per treated complex its name, link and matched complexes (names, links, distance)."""
    names = {u.unit_id: u.name or u.unit_id for u in run.built.panel.units}
    pks = run.built.complex_pks
    rows = []
    for treated, controls in run.result.matched_controls.items():
        distances = run.result.distances[treated]
        rows.append({
            "code": treated, "name": names[treated], "pk": pks.get(treated),
            "controls": [{"code": c, "name": names[c], "pk": pks.get(c), "distance": d}
                         for c, d in zip(controls, distances, strict=True)],
        })
    return rows


def _panel_columns(years: list[int]) -> list[Column]:
    return [
        Column(gettext_lazy("Complex code"), "id"), Column(gettext_lazy("Complex"), "name"),
        Column(gettext_lazy("With the intervention"), "treated"),
        Column(gettext_lazy("Dwellings"), lambda r: r["covariates"].get("dwellings")),
        Column(gettext_lazy("Degree of urbanisation"), lambda r: r["covariates"].get("urbanity")),
        *[Column(str(year), (lambda y: lambda r: r["values"].get(str(y)))(year)) for year in years],
    ]


def _result_rows(run) -> list[dict]:
    result = run.result
    return [
        {"what": _("Estimate (difference in differences)"), "value": result.estimate},
        {"what": _("Lower end of the range (90%)"), "value": result.ci_low},
        {"what": _("Upper end of the range (90%)"), "value": result.ci_high},
        {"what": _("Difference in trend before the start (per year)"), "value": result.pre_trend_difference},
        {"what": _("Pre-trends differ"), "value": result.pre_trend_warning},
        {"what": _("Too few complexes"), "value": result.too_few_matches_warning},
        {"what": _("Complexes with the intervention"), "value": len(result.treated)},
        {"what": _("Different comparable complexes"),
         "value": len({c for ids in result.matched_controls.values() for c in ids})},
        {"what": _("Years before the start"), "value": ", ".join(map(str, result.pre_years))},
        {"what": _("Years from the start"), "value": ", ".join(map(str, result.post_years))},
        {"what": _("Random seed of the range"), "value": result.seed},
    ]


def _download(text: str, name: str, content_type: str = "application/json") -> HttpResponse:
    response = HttpResponse(text, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@require_GET
def evaluation_page(request):
    """Did it work? A kind of intervention started in a year (or one intervention) against matched complexes."""
    user = request.user
    require(user, Action.EVALUATE_INTERVENTIONS)
    form, intervention = _chosen(request, user)
    run, problems = None, []
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            built = panel_build(user, kind=data["kind"], start_year=data["start_year"], outcome=data["outcome"],
                                intervention=intervention)
            run = evaluation_run(built)
        except PanelError as exc:
            problems = exc.problems
    if run is not None:
        response = _evaluation_download(request, run)
        if response is not None:
            return response
    elif requested_format(request) or request.GET.get("download"):
        raise Http404
    kind = form.data.get("kind") if form.is_bound else None
    context = {"form": form, "intervention": intervention, "problems": problems, "run": run,
               "years": selectors.intervention_start_years(user, kind) if kind in InterventionKind.values else []}
    if run is not None:
        outcome = run.built.outcome
        series = _series(run)
        percent = _is_share(outcome)
        decimals = 1 if outcome == "score" else outcome_indicator(outcome).decimals
        chart = line_chart(series, percent=percent, decimals=decimals)
        if chart is not None:
            chart["start"] = _start_marker(chart, run)
        context.update({
            "outcome_label": outcome_label(outcome), "sentence": result_sentence(outcome, run.result),
            "zero_text": zero_text(run.result), "warnings": warning_texts(run.result),
            "chart": chart, "chart_series": series,
            "chart_table": [{"year": year, "cells": [_value_text(outcome, t), _value_text(outcome, c)]}
                            for year, t, c in zip(run.result.series_years, run.result.series_treated,
                                                  run.result.series_controls, strict=True)],
            "matches": _matches(run), "notes": run.built.notes,
            "low_text": interval_text(outcome, run.result.ci_low),
            "high_text": interval_text(outcome, run.result.ci_high),
            "query": request.GET.urlencode(),
        })
    return render(request, "evaluation/evaluate.html", _context(request, **context))


def _start_marker(chart: dict, run) -> dict | None:
    """Where the start year sits on the chart's x axis (a dashed vertical line)."""
    for tick in chart["x_ticks"]:
        if tick["label"] == str(run.built.start_year):
            return {"x": tick["x"], "label": _("start %(year)s") % {"year": run.built.start_year}}
    return None


def _evaluation_download(request, run):
    """The panel and the result as CSV/Excel (?format=&table=panel|result), the panel as a buurtbalans.evaluation/1
    file (?download=panel), the result as JSON (?download=result) or the chart as Vega-Lite (?download=chart)."""
    built, result = run.built, run.result
    name = f"evaluation-{built.kind}-{built.start_year}-{built.outcome}"
    wanted = request.GET.get("download")
    if wanted == "panel":
        return _download(engine.dump(engine.panel_document(built.panel)), f"{name}-panel.json")
    if wanted == "result":
        return _download(engine.dump(engine.result_document(result)), f"{name}-result.json")
    if wanted == "chart":
        title = _("%(figure)s, start %(year)s") % {"figure": outcome_label(built.outcome), "year": built.start_year}
        spec = vega_lite_spec(title=title, y_title=outcome_label(built.outcome), series=_series(run),
                              percent=_is_share(built.outcome))
        return _download(json.dumps(spec, ensure_ascii=False, indent=2), f"{name}.vl.json")
    if wanted:
        raise Http404
    export_format = requested_format(request)
    if not export_format:
        return None
    table = request.GET.get("table") or "panel"
    if table == "panel":
        document = engine.panel_document(built.panel)
        years = sorted({int(y) for u in document["units"] for y in u["values"]})
        return export_response(export_format=export_format, name=f"{name}-panel", columns=_panel_columns(years),
                               rows=document["units"])
    if table == "result":
        return export_response(export_format=export_format, name=f"{name}-result",
                               columns=[Column(gettext_lazy("What"), "what"), Column(gettext_lazy("Value"), "value")],
                               rows=_result_rows(run))
    if table == "matches":
        rows = [{"treated": m["code"], "treated_name": m["name"], "control": c["code"], "control_name": c["name"],
                 "distance": round(c["distance"], 4)} for m in _matches(run) for c in m["controls"]]
        return export_response(export_format=export_format, name=f"{name}-matches", columns=[
            Column(gettext_lazy("Complex code"), "treated"), Column(gettext_lazy("Complex"), "treated_name"),
            Column(gettext_lazy("Comparable complex code"), "control"),
            Column(gettext_lazy("Comparable complex"), "control_name"),
            Column(gettext_lazy("Distance"), "distance")], rows=rows)
    raise Http404
