"""Simulation screens (issue 15, "In the product"): studies, the scenario editor, the run with progress, the results
side by side, the comparison of two studies, downloads and the board's PDF.

Views stay thin: they check the right (`models.SIMULATE`: policy analyst and administrator), read with selectors,
write through services, and render or export. Counts of households per complex go through the small-cell rule.
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from buurtbalans.core.exports import Column, export_response, requested_format
from buurtbalans.core.figures import Cell, is_protected
from buurtbalans.core.formatting import format_number, format_share
from buurtbalans.core.jobs import job_error_message
from buurtbalans.core.models import Job
from buurtbalans.core.permissions import require
from buurtbalans.core.safeinput import InputError, csv_table, decode_text, describe
from buurtbalans.simulation import charts, results, selectors, services
from buurtbalans.simulation.building import ScenarioBuildError
from buurtbalans.simulation.forms import (
    ArrivalsForm,
    CompareForm,
    ComplexForm,
    ComplexFormSet,
    GeneralForm,
    InflowForm,
    NewStudyForm,
    PolicyForm,
    PolicyFormSet,
    QueueForm,
    UploadForm,
    to_percent,
    to_share,
)
from buurtbalans.simulation.models import SIMULATE
from buurtbalans.simulation.report_pdf import policy_description, reproduce_line, study_report_pdf
from buurtbalans.simulation.texts import (
    KEY_MEASURES,
    MEASURE_BY_KEY,
    MEASURES,
    TYPE_SHORT,
    TYPES,
    UNCERTAINTY,
    band_text,
)

# Up to this many complexes the scenario page edits them in a table of inputs; above it, through a CSV file.
FORMSET_LIMIT = 60
# The complexes listed on the results page (the download has them all).
CHANCES_ON_PAGE = 50
STATUS_NAMES = {
    "draft": gettext_lazy("Not calculated"),
    "running": gettext_lazy("Being calculated"),
    "failed": gettext_lazy("Stopped with an error"),
    "done": gettext_lazy("Calculated"),
}


def _context(request, section: str, **extra) -> dict:
    return {"nav": "simulation", "section": section, **extra}


# --- list and new ----------------------------------------------------------------------------------------------


def study_columns() -> list[Column]:
    return [
        Column(gettext_lazy("Name"), "name"),
        Column(gettext_lazy("Made"), lambda s: timezone.localtime(s.created).date()),
        Column(gettext_lazy("Made by"), "created_by_name"),
        Column(gettext_lazy("Status"), lambda s: s.status, codes=STATUS_NAMES),
    ]


@require_GET
def study_list(request):
    studies = list(selectors.policy_study_list(request.user))
    export_format = requested_format(request)
    if export_format:
        return export_response(export_format=export_format, name="policy-studies", columns=study_columns(),
                               rows=studies)
    for study in studies:
        study.status_name = STATUS_NAMES[study.status]
    finished = [s for s in studies if s.status == "done"]
    compare = CompareForm(studies=finished, initial={"a": finished[1].pk, "b": finished[0].pk}) \
        if len(finished) >= 2 else None
    return render(request, "simulation/list.html", _context(request, "list", studies=studies, compare=compare))


@require_http_methods(["GET", "POST"])
def study_new(request):
    """Name the study; building it reads the corporation's data (complexes, lettings, bids) as of today."""
    membership = require(request.user, SIMULATE)
    today = timezone.localdate()
    form = NewStudyForm(request.POST or None,
                        initial={"name": _("Simulation of %(date)s") % {"date": today.strftime("%d-%m-%Y")}})
    if form.is_bound and form.is_valid():
        try:
            study = services.policy_study_create(corporation=membership.corporation, actor=request.user,
                                                 name=form.cleaned_data["name"], on=today,
                                                 years=form.cleaned_data["years"])
        except ScenarioBuildError as exc:
            form.add_error(None, str(exc))  # in plain words: why there is nothing to simulate
        else:
            return redirect("simulation_study", pk=study.pk)
    status = 400 if form.is_bound else 200
    return render(request, "simulation/new.html", _context(request, "new", form=form), status=status)


# --- the scenario page -------------------------------------------------------------------------------------------


def _estimates(study) -> dict[str, dict]:
    return {e["key"]: e for e in study.estimates or [] if isinstance(e, dict) and "key" in e}


def _sentence(text: str) -> str:
    """A note as a sentence of its own: it starts with a capital letter (the builder writes some in lower case)."""
    text = text.strip()
    return text[:1].upper() + text[1:] if text else ""


def estimate_text(estimate: dict | None, *, percent: bool) -> str:
    """An estimate in plain words: its value, the 90 % interval ("likely between"), what it rests on and its note.

    An estimate on no cases at all has no figure worth saying (it is the builder's fallback): only its note is
    shown. The interval is said only when there is one (a low and a high end that differ).
    """
    if not estimate:
        return ""
    note = _sentence(str(estimate.get("note") or ""))
    n = estimate.get("n")
    if n is not None and int(n) == 0:
        return note or _("There are no cases in the data to estimate this from.")

    def shown(value):
        if value is None:
            return "–"
        return format_share(value, 1) if percent else format_number(value, -1)

    parts = [_("From the data: %(value)s") % {"value": shown(estimate.get("value"))}]
    low, high = estimate.get("low"), estimate.get("high")
    if low is not None and high is not None and shown(low) != shown(high):
        parts.append(_("likely between %(low)s and %(high)s") % {"low": shown(low), "high": shown(high)})
    if n is not None:
        parts.append(_("based on %(n)s cases") % {"n": format_number(n)})
    text = ", ".join(parts) + "."
    return f"{text} {note}" if note else text


def _forms(study, data=None, *, protected: bool):
    document = study.scenario
    general = GeneralForm(data, prefix="general", initial={
        "name": study.name, "start_year": document.get("start_year"), "years": document.get("years"),
        "runs": study.runs, "seed": study.seed})
    inflow = [InflowForm(data, label=label, initial={t: to_percent(shares.get(t)) for t in TYPES})
              for label, shares in (document.get("inflow") or {}).items()]
    arrivals = ArrivalsForm(data, initial={t: Decimal(str((document.get("arrivals") or {}).get(t, 0))) for t in TYPES})
    queue = QueueForm(data, queue=document.get("initial_queue") or {}, protected=protected)
    policies = PolicyFormSet(data, prefix="policies",
                             initial=[PolicyForm.initial_of(p) for p in document.get("policies") or []])
    complexes = None
    entries = document.get("complexes") or []
    if len(entries) <= FORMSET_LIMIT:
        initial, hidden = zip(*(ComplexForm.initial_of(c, protected) for c in entries), strict=True) \
            if entries else ((), ())
        complexes = ComplexFormSet(data, prefix="complexes", initial=list(initial), hidden=list(hidden))
    return general, inflow, arrivals, queue, policies, complexes


def _document_from(study, inflow, arrivals, queue, policies, complexes, general) -> dict:
    document = json.loads(json.dumps(study.scenario))
    document["start_year"] = general.cleaned_data["start_year"]
    document["years"] = general.cleaned_data["years"]
    document["inflow"] = {form.label: form.shares() for form in inflow}
    document["arrivals"] = arrivals.means()
    document["initial_queue"] = queue.queue()
    document["policies"] = [p for p in (form.policy() for form in policies.forms) if p]
    if complexes is not None:
        stored = {c["id"]: c for c in document.get("complexes") or []}
        document["complexes"] = [form.entry(stored[form.cleaned_data["id"]]) for form in complexes.forms
                                 if form.cleaned_data.get("id") in stored]
    return document


def _put_problems(problems, general, inflow, arrivals, queue, policies, complexes) -> list[str]:
    """Each problem on the field or form it is about; what has no place there is returned for the page's top."""
    left = []
    by_label = {form.label: form for form in inflow}
    for problem in problems:
        target, field = None, problem.field
        if problem.section == "general":
            target = general
        elif problem.section == "inflow":
            target = by_label.get(problem.label)
        elif problem.section == "arrivals":
            target = arrivals
        elif problem.section == "queue":
            target = queue
        elif problem.section == "policy" and problem.index is not None and problem.index < len(policies.forms):
            target = policies.forms[problem.index]
        elif problem.section == "complex" and complexes is not None and problem.index is not None \
                and problem.index < len(complexes.forms):
            target = complexes.forms[problem.index]
        if target is None:
            left.append(problem.text)
            continue
        target.add_error(field if field in target.fields else None, problem.text)
        if field not in target.fields:
            continue
    return left


def complex_rows(study, *, protected: bool, names: dict[str, str]) -> list[dict]:
    """The scenario's complexes for the table and the download: counts under the small-cell rule."""
    estimates = _estimates(study)
    rows = []
    for entry in study.scenario.get("complexes") or []:
        dwellings = int(entry.get("dwellings") or 0)
        cells = {t: Cell(int(entry.get(t) or 0), dwellings, protected) for t in TYPES}
        rows.append({
            "id": entry.get("id"), "name": names.get(str(entry.get("id")), ""), "dwellings": dwellings,
            "cells": cells, "turnover": entry.get("turnover"),
            "target_V": entry.get("target_V_max_share"), "target_P": entry.get("target_P_max_share"),
            "estimate": estimate_text(estimates.get(f"turnover.{entry.get('id')}"), percent=True),
        })
    return rows


def complex_columns() -> list[Column]:
    """The scenario's complexes as a file to edit and upload again (the same columns are read back)."""
    return [
        Column(gettext_lazy("Complex code"), "id"),
        Column(gettext_lazy("Name"), "name"),
        Column(gettext_lazy("Dwellings"), "dwellings"),
        *(Column(TYPE_SHORT[t], lambda r, t=t: r["cells"][t].export_count) for t in TYPES),
        Column(gettext_lazy("Turnover per year (%)"), lambda r: to_percent(r["turnover"])),
        Column(gettext_lazy("Limit vulnerable (%)"), lambda r: to_percent(r["target_V"])),
        Column(gettext_lazy("Limit lowest incomes (%)"), lambda r: to_percent(r["target_P"])),
    ]


def _job_info(study) -> dict:
    job = study.job
    return {
        "job": job,
        "progress_percent": job.progress_percent if job else 0,
        "status_label": job.get_status_display() if job else "",
        "error_message": job_error_message(job) if job is not None and job.status == Job.Status.FAILED else "",
    }


@require_http_methods(["GET", "POST"])
def study_detail(request, pk: int):
    """The scenario: every value editable, each estimate with what it rests on; save, and calculate."""
    user = request.user
    study = selectors.policy_study_get(user, pk)
    protected = is_protected(user)
    names = selectors.complex_names(user, [c.get("id") for c in study.scenario.get("complexes") or []])
    export_format = requested_format(request)
    if export_format:
        if request.GET.get("table") != "complexes":
            raise Http404
        return export_response(export_format=export_format, name=f"simulation-{study.pk}-complexes",
                               columns=complex_columns(), rows=complex_rows(study, protected=protected, names=names))
    general, inflow, arrivals, queue, policies, complexes = _forms(study, request.POST or None,
                                                                  protected=protected)
    top_errors: list[str] = []
    if request.method == "POST":
        forms_ok = all(f.is_valid() for f in (general, *inflow, arrivals, queue, policies)) and \
            (complexes is None or complexes.is_valid())
        if forms_ok:
            document = _document_from(study, inflow, arrivals, queue, policies, complexes, general)
            try:
                study = services.policy_study_update(study=study, actor=user, name=general.cleaned_data["name"],
                                                     runs=general.cleaned_data["runs"],
                                                     seed=general.cleaned_data["seed"], document=document)
            except services.StudyInputError as exc:
                top_errors = _put_problems(exc.problems, general, inflow, arrivals, queue, policies, complexes)
            else:
                if "run" in request.POST:
                    services.policy_study_run_request(study=study, actor=user)
                    messages.success(request, _("The calculation has started."))
                else:
                    messages.success(request, _("The scenario has been saved."))
                return redirect("simulation_study", pk=study.pk)
        if not top_errors:
            top_errors = [_("Nothing was saved. Please correct the fields marked below.")]
    estimates = _estimates(study)
    for form in inflow:
        form.rows = [(form[t], estimate_text(estimates.get(f"inflow.{form.label}.{t}"), percent=True))
                     for t in TYPES]
    for form in policies.forms:
        name = (form.initial or {}).get("name")
        form.estimate = estimate_text(estimates.get(f"policies.{name}.min_vulnerable_placements"), percent=False) \
            if name else ""
    arrival_rows = [(arrivals[t], estimate_text(estimates.get(f"arrivals.{t}"), percent=False)) for t in TYPES]
    rows = complex_rows(study, protected=protected, names=names)
    if complexes is not None:
        for form, row in zip(complexes.forms, rows, strict=False):
            form.row = row
    context = _context(
        request, "study", study=study, status=study.status, status_name=STATUS_NAMES[study.status],
        general=general, inflow=inflow, arrivals=arrivals, arrival_rows=arrival_rows, policies=policies,
        complexes=complexes, complex_table=rows if complexes is None else None, top_errors=top_errors,
        upload=UploadForm(), any_hidden=any(r["cells"][t].is_suppressed for r in rows for t in TYPES),
        queue=queue, queue_hidden=bool(queue.hidden), info=_job_info(study),
        reproduce=reproduce_line(study) if study.status == "done" else "",
        same_as_before=(study.result_digest == study.previous_digest) if study.previous_digest else None,
    )
    return render(request, "simulation/study.html", context, status=400 if request.method == "POST" else 200)


@require_POST
def study_run(request, pk: int):
    """Calculate (again) with the stored scenario, calculations and starting number."""
    study = selectors.policy_study_get(request.user, pk)
    try:
        services.policy_study_run_request(study=study, actor=request.user)
    except services.StudyInputError as exc:
        for problem in exc.problems:
            messages.error(request, problem.text)
    else:
        messages.success(request, _("The calculation has started."))
    return redirect("simulation_study", pk=study.pk)


@require_POST
def study_copy(request, pk: int):
    study = selectors.policy_study_get(request.user, pk)
    copy = services.policy_study_copy(study=study, actor=request.user,
                                      name=_("Copy of %(name)s") % {"name": study.name})
    messages.success(request, _("A copy has been made. Change it and compare the two."))
    return redirect("simulation_study", pk=copy.pk)


@require_POST
def study_delete(request, pk: int):
    """Remove a study for good, after the analyst ticked that they are sure; back to the list with a message."""
    study = selectors.policy_study_get(request.user, pk)
    if study.status == "running":
        messages.error(request, _("The study is being calculated. Wait until the calculation is done, then remove "
                                  "it."))
        return redirect("simulation_study", pk=study.pk)
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Nothing was removed: tick that you are sure, then press the button again."))
        return redirect(reverse("simulation_study", args=[study.pk]) + "#delete")
    name = study.name
    services.policy_study_delete(study=study, actor=request.user)
    messages.success(request, _("The study “%(name)s” has been removed.") % {"name": name})
    return redirect("simulation_studies")


COLUMN_KEYS = ("id", None, "dwellings", "V", "P", "O", "turnover", "target_V_max_share", "target_P_max_share")


def _header_keys() -> dict[str, str]:
    """Column title (lower case) -> scenario key: the titles of the download in English and in Dutch."""
    from django.utils import translation

    keys = {}
    for language in ("en", "nl", translation.get_language() or "nl"):
        with translation.override(language):
            for column, key in zip(complex_columns(), COLUMN_KEYS, strict=True):
                if key:
                    keys[str(column.label).strip().lower()] = key
    return keys


def read_complex_file(data: bytes, file: str, document: dict) -> tuple[dict, list[str]]:
    """The scenario with the complexes of an edited CSV (the page's download); problems name file, row and field.

    A complex is found by its code; a count written "< 5" keeps the value from the data. Complexes not in the
    file keep their values; a code not in the scenario is a problem.
    """
    problems: list[str] = []
    try:
        text = decode_text(data, file)
        header, records = csv_table(text, file)
    except InputError as exc:
        return document, [str(exc)]
    keys = _header_keys()
    columns = {i: keys.get(name.strip().lower()) for i, name in enumerate(header)}
    if "id" not in columns.values():
        return document, [describe(file, _("the column “%(name)s” is missing") % {"name": _("Complex code")}, row=1)]
    document = json.loads(json.dumps(document))
    by_id = {str(c["id"]): c for c in document.get("complexes") or []}
    try:
        for row_number, cells in records:
            values = {columns[i]: cell.strip() for i, cell in enumerate(cells) if columns.get(i)}
            code = values.get("id", "")
            if not code:
                continue
            entry = by_id.get(code)
            if entry is None:
                problems.append(describe(file, _("complex %(code)s is not in the scenario") % {"code": code},
                                         row=row_number, field=_("Complex code")))
                continue
            for key, raw in values.items():
                if key == "id" or raw == "" or raw.startswith("<"):
                    continue
                try:
                    number = Decimal(raw.replace(" ", "").replace(".", "").replace(",", ".")
                                     if "," in raw else raw)
                except InvalidOperation:
                    problems.append(describe(file, _("“%(value)s” is not a number") % {"value": raw[:30]},
                                             row=row_number, field=_column_title(key)))
                    continue
                if key in ("dwellings", "V", "P", "O"):
                    if number != number.to_integral_value() or number < 0:
                        problems.append(describe(file, _("must be a whole number of 0 or more"), row=row_number,
                                                 field=_column_title(key)))
                        continue
                    entry[key] = int(number)
                else:
                    if not 0 <= number <= 100:
                        problems.append(describe(file, _("must be a percentage from 0 to 100"), row=row_number,
                                                 field=_column_title(key)))
                        continue
                    entry[key] = to_share(number)
    except InputError as exc:
        problems.append(str(exc))
    return document, problems


def _column_title(key: str) -> str:
    titles = {k: str(c.label) for c, k in zip(complex_columns(), COLUMN_KEYS, strict=True) if k}
    return titles.get(key, key)


@require_POST
def study_upload(request, pk: int):
    """Read an edited file of complexes into the scenario (checked as a whole, as the form is)."""
    study = selectors.policy_study_get(request.user, pk)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file to upload."))
        return redirect("simulation_study", pk=study.pk)
    upload = form.cleaned_data["file"]
    document, problems = read_complex_file(upload.read(), upload.name, study.scenario)
    if not problems:
        try:
            services.policy_study_update(study=study, actor=request.user, name=study.name, runs=study.runs,
                                         seed=study.seed, document=document)
        except services.StudyInputError as exc:
            problems = [f"{upload.name}: {p.text}" for p in exc.problems]
    if problems:
        messages.error(request, _("Nothing was saved from %(file)s:") % {"file": upload.name})
        for problem in problems[:50]:
            messages.error(request, problem)
    else:
        messages.success(request, _("The complexes of %(file)s have been saved.") % {"file": upload.name})
    return redirect(reverse("simulation_study", args=[study.pk]) + "#complexes")


# --- results -------------------------------------------------------------------------------------------------------


def measure_columns(policies: list[str]) -> list[Column]:
    return [
        Column(gettext_lazy("Measure"), "measure"),
        Column(gettext_lazy("Measure (code)"), "measure_code"),
        Column(gettext_lazy("Policy"), "policy"),
        Column(gettext_lazy("Year"), "year"),
        Column(gettext_lazy("Average"), "mean"),
        Column(gettext_lazy("Low end of the band (5th percentile)"), "p5"),
        Column(gettext_lazy("High end of the band (95th percentile)"), "p95"),
    ]


def price_columns() -> list[Column]:
    return [
        Column(gettext_lazy("Policy"), "policy"),
        Column(gettext_lazy("Group"), "group"),
        Column(gettext_lazy("Waiting time in the last year (median, years)"), "wait"),
        Column(gettext_lazy("The same with the first policy"), "base_wait"),
        Column(gettext_lazy("Difference (years)"), "difference"),
        Column(gettext_lazy("In words"), "sentence"),
    ]


def chance_columns(policies: list[str]) -> list[Column]:
    return [
        Column(gettext_lazy("Complex code"), "complex"),
        Column(gettext_lazy("Name"), "name"),
        *(Column(name, lambda r, i=i: r["chances"][i]) for i, name in enumerate(policies)),
    ]


def _chart(result: dict, measure, spec_url: str) -> dict:
    series = charts.series_of(result, measure.key)
    percent = measure.kind == "share"
    return {
        "key": measure.key, "title": measure.title, "chart_id": f"chart-{measure.key.replace('_', '-').lower()}",
        "table_key": f"measure-{measure.key}",
        "svg": charts.band_chart(series, percent=percent, decimals=measure.decimals),
        "series": series, "table": results.measure_table(result, measure.key),
        "spec_url": spec_url,
    }


def _spec_response(result: dict, key: str, filename: str) -> JsonResponse:
    """A measure's chart as a Vega-Lite specification to download."""
    measure = MEASURE_BY_KEY.get(key)
    if measure is None:
        raise Http404
    response = JsonResponse(charts.vega_lite_spec(
        title=str(measure.title), y_title=str(measure.title), series=charts.series_of(result, key),
        percent=measure.kind == "share"), json_dumps_params={"ensure_ascii": False, "indent": 2})
    response["Content-Disposition"] = f'attachment; filename="{filename}-{key}.vl.json"'
    return response


@require_GET
def study_results(request, pk: int):
    """The policies side by side: each measure over the years with its band, the price per group, the complexes."""
    user = request.user
    study = selectors.policy_study_get(user, pk)
    if study.result is None:
        return redirect("simulation_study", pk=study.pk)
    result = study.result
    policies = results.policy_names(result)
    spec = request.GET.get("spec")
    if spec:
        return _spec_response(result, spec, slugify(study.name))
    names = selectors.complex_names(user, [c.get("id") for c in study.scenario.get("complexes") or []])
    export_format = requested_format(request)
    if export_format:
        table = request.GET.get("table") or "measures"
        base = f"simulation-{study.pk}"
        if table == "measures" or table.startswith("measure-"):
            only = {table.removeprefix("measure-")} if table.startswith("measure-") else None
            if only and not only <= set(MEASURE_BY_KEY):
                raise Http404
            return export_response(export_format=export_format, name=f"{base}-{table}",
                                   columns=measure_columns(policies), rows=results.long_rows(result, only))
        if table == "price":
            return export_response(export_format=export_format, name=f"{base}-price-per-group",
                                   columns=price_columns(), rows=results.price_rows(result))
        if table == "complexes":
            return export_response(export_format=export_format, name=f"{base}-complexes-over-limit",
                                   columns=chance_columns(policies), rows=results.complex_chance_rows(result, names))
        raise Http404
    price = results.price_rows(result)
    price_by_policy = []
    for name in policies[1:]:
        price_by_policy.append({"policy": name, "rows": [r for r in price if r["policy"] == name],
                                "base": policies[0]})
    chances = results.complex_chance_rows(result, names)
    scenario = study.result_scenario or study.scenario
    context = _context(
        request, "results", study=study, policies=policies,
        policy_rows=[(p.get("name"), policy_description(p)) for p in scenario.get("policies") or []],
        charts=[_chart(result, m, f"{reverse('simulation_study_results', args=[study.pk])}?spec={m.key}")
                for m in MEASURES],
        uncertainty=UNCERTAINTY,
        key_rows=results.key_measure_rows(result, KEY_MEASURES), key_measures=[MEASURE_BY_KEY[k] for k in
                                                                              KEY_MEASURES],
        price=price, price_by_policy=price_by_policy, last_year=results.last_year(result),
        has_chances=results.has_complex_chances(result), chances=chances[:CHANCES_ON_PAGE],
        more_chances=max(0, len(chances) - CHANCES_ON_PAGE), summary=results.scenario_summary(scenario),
        reproduce=reproduce_line(study),
    )
    for row in context["key_rows"]:
        row["texts"] = [band_text(m, cell) for m, cell in row["cells"]]
    return render(request, "simulation/results.html", context)


@require_GET
def study_report(request, pk: int):
    """The board's PDF."""
    study = selectors.policy_study_get(request.user, pk)
    if study.result is None:
        raise Http404
    names = selectors.complex_names(request.user, [c.get("id") for c in study.scenario.get("complexes") or []])
    content = study_report_pdf(study, names=names, generated=timezone.now())
    response = HttpResponse(content, content_type="application/pdf")
    filename = f"{slugify(study.name) or 'simulatie'}-{timezone.localdate().isoformat()}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- comparing two studies ---------------------------------------------------------------------------------------


def compare_rows(a, b) -> tuple[list[str], list[dict]]:
    """Per measure, the last year's figure with its band for every policy of study A, then of study B."""
    header = [f"{a.name}: {p}" for p in results.policy_names(a.result)] + \
             [f"{b.name}: {p}" for p in results.policy_names(b.result)]
    rows = []
    for measure in MEASURES:
        cells = [cell for _p, cell in ((None, c) for r in results.key_measure_rows(a.result, [measure.key])
                                       for _m, c in r["cells"])]
        cells += [c for r in results.key_measure_rows(b.result, [measure.key]) for _m, c in r["cells"]]
        rows.append({"measure": str(measure.title), "cells": cells,
                     "texts": [band_text(measure, c) for c in cells]})
    return header, rows


@require_GET
def compare(request):
    """Two finished studies side by side: the measures in their last year, and per key measure a chart of both
    studies' policies over the years (mean line and band) with its table."""
    finished = list(selectors.finished_study_list(request.user))
    form = CompareForm(request.GET or None, studies=finished)
    header, rows, pair, chart_list = [], [], None, []
    if form.is_bound and form.is_valid():
        by_pk = {s.pk: s for s in finished}
        a = selectors.policy_study_get(request.user, form.cleaned_data["a"])
        b = selectors.policy_study_get(request.user, form.cleaned_data["b"])
        if a.pk not in by_pk or b.pk not in by_pk:
            raise Http404
        pair = (a, b)
        header, rows = compare_rows(a, b)
        merged = charts.merged_result([(a.name, a.result), (b.name, b.result)])
        if request.GET.get("spec"):
            return _spec_response(merged, request.GET["spec"], "simulation-comparison")
        export_format = requested_format(request)
        if export_format:
            table = request.GET.get("table") or "comparison"
            if table.startswith("measure-"):
                key = table.removeprefix("measure-")
                if key not in MEASURE_BY_KEY:
                    raise Http404
                return export_response(export_format=export_format, name=f"simulation-comparison-{key}",
                                       columns=measure_columns([]), rows=results.long_rows(merged, {key}))
            if table != "comparison":
                raise Http404
            columns = [Column(gettext_lazy("Measure"), "measure"),
                       *(Column(h, lambda r, i=i: (r["cells"][i] or {}).get("mean")) for i, h in enumerate(header))]
            return export_response(export_format=export_format, name="simulation-comparison", columns=columns,
                                   rows=rows)
        query = request.GET.copy()
        query.pop("format", None)
        query.pop("table", None)
        for key in KEY_MEASURES:
            query["spec"] = key
            chart_list.append(_chart(merged, MEASURE_BY_KEY[key], f"?{query.urlencode()}"))
    context = _context(request, "compare", form=form, header=header, rows=rows, pair=pair, charts=chart_list,
                       uncertainty=UNCERTAINTY)
    return render(request, "simulation/compare.html", context)
