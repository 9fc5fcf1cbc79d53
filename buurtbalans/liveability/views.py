"""Screens of the liveability monitor and social management.

Views stay thin: they check the right through the selectors, read with selectors, write through services, and
render or export (every table as CSV/Excel through core.exports). Templates run no queries.
"""

from __future__ import annotations

import json
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from buurtbalans.core.exports import Column, export_response, requested_format
from buurtbalans.core.figures import SMALL_CELL_TEXT, is_protected
from buurtbalans.core.formatting import format_number, format_percent, format_score
from buurtbalans.core.jobs import job_error_message
from buurtbalans.core.models import Job
from buurtbalans.core.pagination import paginate
from buurtbalans.core.permissions import Action, actions_of, can, require
from buurtbalans.core.selectors import job_get, job_list
from buurtbalans.core.uploads import UPLOAD_GONE_MESSAGE, UploadGone, upload_available
from buurtbalans.households.selectors import MARKER_PURPOSE_LABELS, marker_purposes_for
from buurtbalans.liveability import selectors, services
from buurtbalans.liveability.charts import Series, line_chart, vega_lite_spec
from buurtbalans.liveability.forms import (
    ActivityForm,
    MapForm,
    MeetingPlaceForm,
    MeetingPlaceUseForm,
    MonitorSettingsForm,
    MunicipalityYearForm,
    RecordsUploadForm,
    SignalForm,
    SupportNeedForm,
    SupportNeedPurposeForm,
    VisitForm,
)
from buurtbalans.liveability.indicators import (
    INDICATOR_KEYS,
    INDICATORS,
    LEEFBAAROMETER_KEYS,
    format_value,
)
from buurtbalans.liveability.mapping import CLASS_COLOURS, NO_VALUE_COLOUR, svg_layers
from buurtbalans.liveability.models import SignalKind, VisitKind
from buurtbalans.liveability.sections import complex_sections_rendered
from buurtbalans.liveability.services import RECORDS_IMPORT_KIND, REPORT_KIND, VITALITY_REFRESH_KIND
from buurtbalans.liveability.texts import (
    HOUSEHOLD_SHARE_KEYS,
    LOW_INCOME_LABELS,
    indicator_rows,
    small_cell_keys,
    warning_lines,
)
from buurtbalans.neighbourhoods.models import Neighbourhood
from buurtbalans.portfolio.models import Dwelling
from buurtbalans.portfolio.selectors import complex_get

COMPLEXES_PER_PAGE = 50
RECORDS_PER_PAGE = 50
MAP_COMPLEXES_PER_PAGE = 100
# The indicators shown as columns of the overview table (all of them are in the export).
TABLE_INDICATORS = ("vulnerable_share", "signals_per_100", "turnover_rate", "arrears_share", "vacancy_days", "lbm")


def _context(request, **extra) -> dict:
    return {"nav": "monitor", "rights": {a.value for a in actions_of(request.user)}, **extra}


def _municipality(request, choices: list[tuple[str, str]], field: str = "municipality") -> str | None:
    codes = [code for code, _name in choices]
    wanted = (request.GET.get(field) or "").upper()
    if wanted and wanted not in codes:
        raise Http404("unknown municipality")
    return wanted or (codes[0] if codes else None)


def _municipality_filter(request, user) -> tuple[list[tuple[str, str]], str | None]:
    """The user's municipalities, and the one the list is narrowed to (None: all); 404 for one not theirs."""
    municipalities = selectors.municipality_choices(user)
    municipality = (request.GET.get("municipality") or "").upper() or None
    if municipality and municipality not in dict(municipalities):
        raise Http404
    return municipalities, municipality


def _monitor_export(export_format: str, name: str, user, rows):
    """A list of complexes as CSV/Excel, with the household shares hidden under the small-cell rule."""
    return export_response(export_format=export_format, name=name, columns=monitor_columns(is_protected(user)),
                           rows=rows.iterator(chunk_size=500))


def _score_cell(row, policy) -> None:
    """The score and links as shown in a table row (done here: a template include and two {% url %} per row cost
    more than the rest of the row at 50 rows)."""
    row.score_text = _score_text(row.score)
    row.is_low = row.score is not None and row.score < policy.min_score
    row.complex_url = f"{_url_prefix('monitor_complex')}{row.complex_id}/"
    buurt = row.complex.neighbourhood
    row.buurt_url = f"{_url_prefix('monitor_buurt')}{buurt.cbs_code}/" if buurt is not None else ""


def _url_prefix(name: str) -> str:
    """The URL of `name` without its last argument ("/monitor/complexes/"), for building many links cheaply."""
    placeholder = "0" if name == "monitor_complex" else "BU00000000"
    return reverse(name, args=[placeholder])[: -len(placeholder) - 1]


def _pct(value):
    # Downloads write the figure unrounded, as a number (docs/ui.md, "Figures: one rounding rule").
    return value


def _share_or_small_cell(row, key: str, protected: bool):
    """An indicator's value for a download: "< 5" where it stands for fewer than 5 households (small-cell rule)."""
    if key in small_cell_keys(row, protected):
        return SMALL_CELL_TEXT
    return _pct((row.values or {}).get(key))


def monitor_columns(protected: bool = False) -> list[Column]:
    columns = [
        Column(gettext_lazy("Complex code"), lambda r: r.complex.external_id),
        Column(gettext_lazy("Complex"), lambda r: r.complex.name),
        Column(gettext_lazy("Neighbourhood code"),
               lambda r: r.complex.neighbourhood.cbs_code if r.complex.neighbourhood_id else ""),
        Column(gettext_lazy("Neighbourhood"),
               lambda r: r.complex.neighbourhood.name if r.complex.neighbourhood_id else ""),
        Column(gettext_lazy("Reference date"), "reference_date"),
        Column(gettext_lazy("Dwellings"), "dwelling_count"),
        Column(gettext_lazy("Households"), "household_count"),
        Column(gettext_lazy("Vitality score"), "score"),
        Column(gettext_lazy("Warnings"), "warning_count"),
    ]
    for key in INDICATOR_KEYS:
        columns.append(Column(INDICATORS[key].label, lambda r, key=key: _share_or_small_cell(r, key, protected)))
    columns.append(Column(gettext_lazy("Reasons"),
                          lambda r: " ".join(warning_lines(r.warnings, small_cell_keys(r, protected)))))
    return columns


# --- overview, early warning ------------------------------------------------------------------------------------


@require_GET
def monitor_overview(request):
    """The corporation's vitality: the summary and every complex with its score, warnings and key indicators."""
    user = request.user
    require(user, Action.VIEW_MONITOR)
    municipalities, municipality = _municipality_filter(request, user)
    sort = request.GET.get("sort") or selectors.DEFAULT_MONITOR_SORT
    rows = selectors.monitor_complex_list(user, sort=sort, municipality_code=municipality)
    export_format = requested_format(request)
    if export_format:
        return _monitor_export(export_format, "vitality", user, rows)
    summary = selectors.monitor_summary(user)
    page = paginate(request, rows, per_page=COMPLEXES_PER_PAGE)
    rules, policy = selectors.monitor_rules_get(user)
    context = _context(
        request,
        summary=summary,
        page=page,
        sort=sort,
        municipality=municipality,
        municipalities=municipalities,
        table_indicators=[(key, INDICATORS[key].label) for key in TABLE_INDICATORS],
        policy=policy,
        summary_rows=indicator_rows(rules, summary) if summary else [],
        recent_refresh=job_list(user).filter(kind=VITALITY_REFRESH_KIND).first(),
    )
    protected = is_protected(user)
    for row in page.object_list:
        hidden = small_cell_keys(row, protected)
        row.cells = [SMALL_CELL_TEXT if key in hidden else format_value(key, (row.values or {}).get(key))
                     for key in TABLE_INDICATORS]
        _score_cell(row, policy)
    context["protected"] = protected
    return render(request, "liveability/overview.html", context)


@require_GET
def monitor_warnings(request):
    """The early-warning list: complexes with a warning, each with its reasons."""
    user = request.user
    require(user, Action.VIEW_MONITOR)
    municipalities, municipality = _municipality_filter(request, user)
    rows = selectors.early_warning_list(user, municipality_code=municipality)
    export_format = requested_format(request)
    if export_format:
        return _monitor_export(export_format, "early-warning", user, rows)
    page = paginate(request, rows, per_page=COMPLEXES_PER_PAGE)
    _rules, policy = selectors.monitor_rules_get(user)
    protected = is_protected(user)
    for row in page.object_list:
        row.reasons = warning_lines(row.warnings, small_cell_keys(row, protected))
        _score_cell(row, policy)
    return render(request, "liveability/warnings.html", _context(
        request, page=page, municipality=municipality, municipalities=municipalities, policy=policy,
        summary=selectors.monitor_summary(user),
    ))


@require_POST
def monitor_refresh(request):
    """Count the vitality of every complex again, as a background task."""
    job = services.vitality_refresh_enqueue(actor=request.user, reference_date=timezone.localdate())
    return redirect("job_detail", pk=job.pk)


# --- complex ----------------------------------------------------------------------------------------------------


def _series_points(rows, key) -> tuple[tuple[int, float], ...]:
    points = []
    for row in rows:
        value = row.score if key == "score" else (row.values or {}).get(key)
        if value is not None:
            points.append((row.reference_date.year, value))
    return tuple(points)


def complex_trend_series(user, complex_, key: str) -> list[Series]:
    """The complex's yearly values of `key` ("score" or an indicator), with its municipality and the corporation."""
    own = selectors.complex_vitality_series(user, complex_)
    if key in HOUSEHOLD_SHARE_KEYS and is_protected(user):
        # A year whose share stands for fewer than 5 households is left out of the complex's line (small cells).
        own = [row for row in own if key not in small_cell_keys(row, True)]
    series = [Series(complex_.name, _series_points(own, key))]
    if key in LEEFBAAROMETER_KEYS:
        latest = own[-1] if own else None
        history = (latest.history or {}).get(key, []) if latest is not None and hasattr(latest, "history") else []
        if history:
            series = [Series(complex_.name, tuple((int(y), v) for y, v in history))]
    municipality = complex_.neighbourhood.municipality if complex_.neighbourhood_id else None
    areas = selectors.area_vitality_series_many(user, ["", *([municipality.cbs_code] if municipality else [])])
    if municipality is not None:
        series.append(Series(_("Our complexes in %(name)s") % {"name": municipality.name},
                             _series_points(areas[municipality.cbs_code], key)))
    series.append(Series(_("All our complexes"), _series_points(areas[""], key)))
    return [s for s in series if s.points]


def _chart_context(series: list[Series], key: str, norm: float | None = None, norm_label: str = "") -> dict:
    """The trend chart, its series and its data table (the table writes the same figures as the chart's labels)."""
    percent = key in INDICATORS and INDICATORS[key].unit == "share"
    decimals = INDICATORS[key].decimals if key in INDICATORS else 0
    chart = line_chart(series, percent=percent, decimals=decimals, norm=norm, norm_label=norm_label)
    years = sorted({year for s in series for year, _v in s.points})
    table = [
        {"year": year, "cells": [format_value(key, dict(s.points).get(year)) if key != "score"
                                 else _score_text(dict(s.points).get(year)) for s in series]}
        for year in years
    ]
    return {"chart": chart, "chart_series": series, "chart_table": table}


def _chart_norm(key: str, rules, policy, vitality) -> tuple[float | None, str]:
    """The line a complex's trend is held against: the warning level of the score, or the indicator's norm (the one
    its last scoring used, which a complex profile may set)."""
    if key == "score":
        return float(policy.min_score), str(_("Warning level"))
    part = ((getattr(vitality, "parts", None) or {}).get(key) or {}) if vitality else {}
    norm = part.get("norm", next((rule.norm for rule in rules if rule.key == key), None))
    return (None, "") if norm is None else (float(norm), str(_("Norm")))


def _score_text(value):
    """A vitality score as text: `format_score` (the one rounding rule: half up, so 59.5 is "60"), with a short way
    for the map, which labels every complex with one (1,230 in the demo; issue 12 item 7)."""
    if type(value) is float and 0 <= value < 999.5 and "e" not in (text := repr(value)) and text[0] != "-":
        # Half up on the decimal form, as format_score reads a float: the first decimal decides. Below 999.5 the
        # result has at most three digits, so no thousands separator.
        whole, _dot, fraction = text.partition(".")
        return str(int(whole) + 1) if fraction and fraction[0] >= "5" else whole
    return format_score(value)


def _label_of(key: str):
    return _("Vitality score") if key == "score" else INDICATORS[key].label


@require_GET
def monitor_complex(request, pk: int):
    """One complex in the monitor: every indicator with value, norm and trend; its trend against the municipality
    and the corporation; the social management done; links to its records."""
    user = request.user
    complex_ = complex_get(user, pk)
    require(user, Action.VIEW_MONITOR)
    rules, policy = selectors.monitor_rules_get(user)
    vitality = selectors.complex_vitality_get(user, complex_)
    key = request.GET.get("indicator") or "score"
    if key != "score" and key not in INDICATORS:
        raise Http404
    protected = is_protected(user)
    hidden = small_cell_keys(vitality, protected)
    rows = indicator_rows(rules, vitality, hidden) if vitality else []
    series = complex_trend_series(user, complex_, key)
    export_format = requested_format(request)
    if export_format:
        table = request.GET.get("table") or "indicators"
        if table == "indicators":
            columns = [
                Column(gettext_lazy("Indicator"), "label"), Column(gettext_lazy("Key"), "key"),
                Column(gettext_lazy("Value"), lambda r: _pct(r.value)), Column(gettext_lazy("Shown as"), "value_text"),
                Column(gettext_lazy("Norm"), "norm_text"), Column(gettext_lazy("Warning level"), "warning_text"),
                Column(gettext_lazy("Direction"), "direction"),
                Column(gettext_lazy("Sub-score"), "sub_score"),
                Column(gettext_lazy("Weight share"), "weight_share"),
                Column(gettext_lazy("Trend"), "trend"), Column(gettext_lazy("Change"), "change_text"),
                Column(gettext_lazy("Years"), "trend_years"),
            ]
            return export_response(export_format=export_format, name=f"vitality-{complex_.external_id}",
                                   columns=columns, rows=rows)
        if table == "trend":
            return _trend_export(export_format, f"trend-{complex_.external_id}-{key}", series)
        raise Http404
    today = timezone.localdate()
    summary = selectors.social_summary(user, start=today - timedelta(days=365), end=today, complex_=complex_)
    may_read_support_needs = bool(marker_purposes_for(user)) and can(user, Action.VIEW_MARKERS)
    context = _context(
        request,
        complex=complex_,
        vitality=vitality,
        reasons=warning_lines(vitality.warnings, hidden) if vitality else [],
        protected=protected and bool(hidden),
        indicator_rows=rows,
        policy=policy,
        indicator=key,
        indicator_label=_label_of(key),
        indicator_choices=[("score", _("Vitality score"))] + [(k, INDICATORS[k].label) for k in INDICATOR_KEYS],
        social=summary,
        social_rows=_social_rows(summary),
        support_need_count=selectors.support_need_count(user, complex_) if may_read_support_needs else None,
        may_read_support_needs=may_read_support_needs,
        # Next to the trend, what upper apps add: the owned share and whether the means to steer have gone (history).
        sections=complex_sections_rendered(request, complex_),
        **_chart_context(series, key, *_chart_norm(key, rules, policy, vitality)),
    )
    if can(user, Action.VIEW_SOCIAL_RECORDS):
        context.update(
            signals=list(selectors.signal_list(user, complex_=complex_)[:10]),
            visits=list(selectors.visit_list(user, complex_=complex_)[:10]),
            activities=list(selectors.activity_list(user, complex_=complex_)[:10]),
            meeting_places=list(selectors.meeting_place_list(user, complex_=complex_)),
        )
    return render(request, "liveability/complex.html", context)


def _social_rows(summary: dict) -> list[tuple[str, int]]:
    rows = [(label, summary["signals"].get(kind, 0)) for kind, label in SignalKind.choices]
    rows.append((_("Support needs"), summary["support_needs"]))
    rows += [(label, summary["visits"].get(kind, 0)) for kind, label in VisitKind.choices]
    rows.append((_("Households reached in visits"), summary["households_reached"]))
    rows.append((_("Activities"), summary["activity_total"]))
    rows.append((_("Participants in activities"), summary["participants"]))
    return rows


def _trend_export(export_format: str, name: str, series: list[Series]):
    rows = [{"series": s.name, "year": year, "value": value} for s in series for year, value in s.points]
    columns = [Column(gettext_lazy("Series"), "series"), Column(gettext_lazy("Year"), "year"),
               Column(gettext_lazy("Value"), "value")]
    return export_response(export_format=export_format, name=name, columns=columns, rows=rows)


def _spec_response(spec: dict, name: str):
    response = HttpResponse(json.dumps(spec, ensure_ascii=False, indent=2), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="{name}.vl.json"'
    return response


@require_GET
def monitor_complex_chart(request, pk: int):
    """The complex's trend chart as a Vega-Lite specification (JSON download)."""
    user = request.user
    complex_ = complex_get(user, pk)
    require(user, Action.VIEW_MONITOR)
    key = request.GET.get("indicator") or "score"
    if key != "score" and key not in INDICATORS:
        raise Http404
    series = complex_trend_series(user, complex_, key)
    percent = key in INDICATORS and INDICATORS[key].unit == "share"
    spec = vega_lite_spec(title=f"{complex_.name}: {_label_of(key)}", y_title=str(_label_of(key)), series=series,
                          percent=percent)
    return _spec_response(spec, f"trend-{complex_.external_id}-{key}")


@require_http_methods(["GET", "POST"])
def complex_support_needs(request, pk: int):
    """Support needs of a complex: GET asks the purpose, POST shows them (every read is logged)."""
    user = request.user
    require(user, Action.VIEW_MARKERS)
    complex_ = complex_get(user, pk)
    purposes = marker_purposes_for(user)
    if not purposes:
        raise PermissionDenied
    form = SupportNeedPurposeForm(request.POST or None, purposes=purposes, labels=MARKER_PURPOSE_LABELS)
    needs = None
    if request.method == "POST" and form.is_valid():
        needs = selectors.support_needs_for_complex(user=user, complex_=complex_,
                                                    purpose=form.cleaned_data["purpose"])
    return render(request, "liveability/support_needs.html", _context(
        request, complex=complex_, form=form, needs=needs,
    ))


# --- map --------------------------------------------------------------------------------------------------------


def _map_request(request):
    user = request.user
    require(user, Action.VIEW_MONITOR)
    municipalities = selectors.municipality_choices(user)
    municipality = _municipality(request, municipalities)
    indicator = request.GET.get("indicator") or "lbm"
    if indicator not in selectors.MAP_INDICATORS:
        raise Http404
    return user, municipalities, municipality, indicator


def _legend_words(data: dict) -> list[dict]:
    """The legend in words: "worst fifth: 3.90 to 3.98" (worst first)."""
    key = data["key"]
    higher = data["higher_is_better"]
    names = [_("worst"), _("below middle"), _("middle"), _("above middle"), _("best")]

    def text(value):
        if value is None:
            return ""
        if key == "vitality":
            return format_score(value)
        if key in INDICATORS:
            return format_value(key, value)
        return format_number(value, 1 if not key.startswith("lbm") else 3)

    rows = []
    for item in data["legend"]:
        if item["to"] is None:
            span = _("%(from)s or better") % {"from": text(item["from"])}
        elif higher:
            span = _("%(from)s to %(to)s") % {"from": text(item["from"]), "to": text(item["to"])}
        else:
            span = _("%(from)s down to %(to)s") % {"from": text(item["from"]), "to": text(item["to"])}
        rows.append({"colour": item["colour"], "name": names[item["class"]], "span": span,
                     "class": item["class"]})
    return rows


def _value_text(data: dict, value) -> str:
    key = data["key"]
    if value is None:
        return _("no figure")
    if key == "vitality":
        return format_score(value)
    if key in INDICATORS:
        return format_value(key, value)
    if key.startswith("lbm"):
        return format_number(value, 3)
    return format_percent(value, 1)


@require_GET
def monitor_map(request):
    """The map: buurten coloured by the chosen indicator, our complexes as markers; the same data as tables."""
    user, municipalities, municipality, indicator = _map_request(request)
    # Unbound: the view has already checked the choice (a missing municipality means the first one).
    form = MapForm(municipalities=[(c, f"{n} ({c})") for c, n in municipalities],
                   initial={"municipality": municipality, "indicator": indicator})
    if municipality is None:
        return render(request, "liveability/map.html", _context(request, form=form, data=None))
    data = selectors.map_data(user, municipality_code=municipality, indicator=indicator)
    legend = _legend_words(data)
    class_names = {row["class"]: row["name"] for row in legend}
    label = selectors.indicator_label(data["key"]) if indicator != "low_income" else _(
        "Share of households with a low income")
    for buurt in data["buurten"]:
        buurt["colour"] = CLASS_COLOURS[buurt["class"]] if buurt["class"] is not None else NO_VALUE_COLOUR
        buurt["value_text"] = _value_text(data, buurt["value"])
        buurt["class_name"] = class_names.get(buurt["class"], _("no figure"))
    for complex_ in data["complexes"]:
        complex_["score_text"] = _score_text(complex_["score"])
        # The diamond's corner (the template's `add` filter would cut the coordinates to whole numbers).
        complex_["rx"], complex_["ry"] = round(complex_["x"] - 4, 1), round(complex_["y"] - 4, 1)
    export_format = requested_format(request)
    if export_format:
        table = request.GET.get("table") or "buurten"
        if table == "buurten":
            columns = [Column(gettext_lazy("CBS code"), "code"), Column(gettext_lazy("Neighbourhood"), "name"),
                       Column(label, "value"), Column(gettext_lazy("Year"), "year"),
                       Column(gettext_lazy("Class"), "class_name")]
            return export_response(export_format=export_format, name=f"map-{municipality}-{indicator}",
                                   columns=columns, rows=data["buurten"])
        if table == "complexes":
            columns = [Column(gettext_lazy("Complex code"), "code"), Column(gettext_lazy("Complex"), "name"),
                       Column(gettext_lazy("Neighbourhood code"), "buurt"), Column(gettext_lazy("Dwellings"),
                                                                                   "dwellings"),
                       Column(gettext_lazy("Vitality score"), "score"),
                       Column(gettext_lazy("Warnings"), "warning_count")]
            return export_response(export_format=export_format, name=f"map-{municipality}-complexes",
                                   columns=columns, rows=data["complexes"])
        raise Http404
    definition = ""
    if indicator == "low_income":
        definition = LOW_INCOME_LABELS.get(data["key"], data["key"])
    buurt_base, complex_base = _url_prefix("monitor_buurt"), _url_prefix("monitor_complex")

    # Translated once per page, not once per complex: the map draws every complex (1,230 in the demo).
    complex_text = _("%(name)s (%(code)s): vitality %(score)s")
    warnings_text: dict[int, str] = {}

    def complex_label(item):
        text = complex_text % {"name": item["name"], "code": item["code"], "score": item["score_text"]}
        count = item["warning_count"]
        if count:
            if count not in warnings_text:
                warnings_text[count] = ngettext("%(n)s warning", "%(n)s warnings", count) % {"n": count}
            text += ", " + warnings_text[count]
        return text

    def buurt_label(item):
        year = f" ({item['year']})" if item["year"] else ""
        return f"{item['name']}: {item['value_text']}{year}, {item['class_name']}"

    svg_buurten, svg_complexes = svg_layers(
        data, buurt_url=lambda code: f"{buurt_base}{code}/", complex_url=lambda pk: f"{complex_base}{pk}/",
        buurt_label=buurt_label, complex_label=complex_label,
    )
    return render(request, "liveability/map.html", _context(
        request, form=form, data=data, legend=legend, label=label, municipality=municipality,
        indicator=indicator, definition=definition, no_value_colour=NO_VALUE_COLOUR,
        municipality_name=dict(municipalities).get(municipality, municipality),
        svg_buurten=mark_safe(svg_buurten), svg_complexes=mark_safe(svg_complexes),  # noqa: S308 - escaped above
        # Every table is paginated on the server (docs/ui.md); the export has all rows.
        complex_page=paginate(request, data["complexes"], per_page=MAP_COMPLEXES_PER_PAGE),
    ))


@require_GET
def monitor_map_data(request):
    """The map's data as JSON (no geometry): buurt values and classes, the legend, our complexes."""
    user, _municipalities, municipality, indicator = _map_request(request)
    if municipality is None:
        raise Http404
    data = selectors.map_data(user, municipality_code=municipality, indicator=indicator, with_paths=False)
    return JsonResponse(data)


# --- focus buurten and buurt trends ------------------------------------------------------------------------------


def focus_columns() -> list[Column]:
    return [
        Column("bu_code", "bu_code"), Column("bu_naam", "bu_naam"), Column("focus", "focus"),
        Column(gettext_lazy("Low-income share (%)"), "low_income_share"),
        Column(gettext_lazy("Year (low incomes)"), "low_income_year"),
        Column(gettext_lazy("Low-income measure"), "low_income_key"),
        Column(gettext_lazy("Leefbaarometer score"), "lbm"), Column(gettext_lazy("Year (Leefbaarometer)"), "lbm_year"),
        Column(gettext_lazy("Weakest dimension"), "weakest_dimension"),
        Column(gettext_lazy("Its value"), "weakest_dimension_value"),
        Column(gettext_lazy("Inhabitants"), "inhabitants"), Column(gettext_lazy("Year (inhabitants)"),
                                                                   "inhabitants_year"),
        Column(gettext_lazy("Rank (low incomes)"), "low_income_rank"),
        Column(gettext_lazy("Rank (Leefbaarometer)"), "lbm_rank"),
    ]


@require_GET
def monitor_focus(request):
    """Focus buurten of a municipality from public data (the same as `buurtbalans focus_neighbourhoods`)."""
    user = request.user
    require(user, Action.VIEW_MONITOR)
    municipalities = selectors.municipality_choices(user)
    municipality = _municipality(request, municipalities)
    year = request.GET.get("year")
    year = int(year) if year and year.isdigit() else None
    rows, low_key = selectors.focus_rows(user, municipality, year) if municipality else ([], "")
    export_format = requested_format(request)
    if export_format:
        return export_response(export_format=export_format, name=f"focus-{municipality}", columns=focus_columns(),
                               rows=rows)
    dimension_labels = {k: INDICATORS[k].label for k in LEEFBAAROMETER_KEYS}
    shown = [{"row": row, "dimension": dimension_labels.get(row.weakest_dimension, "–")} for row in rows]
    return render(request, "liveability/focus.html", _context(
        request, rows=shown, municipality=municipality, municipalities=municipalities, year=year,
        low_key=low_key, definition=LOW_INCOME_LABELS.get(low_key, ""),
        focus_count=sum(1 for r in rows if r.focus),
    ))


BUURT_KEYS = ("lbm", "lbm_won", "lbm_fys", "lbm_vrz", "lbm_soc", "lbm_onv")


@require_GET
def monitor_buurt(request, cbs_code: str):
    """A buurt over the years: its public figures against the municipality, and our complexes there against all."""
    user = request.user
    require(user, Action.VIEW_MONITOR)
    buurt = get_object_or_404(Neighbourhood.objects.select_related("municipality").defer("geometry"),
                              cbs_code=cbs_code.upper())
    municipality = buurt.municipality.cbs_code
    low_key = selectors.low_income_key(municipality)
    key = request.GET.get("indicator") or "lbm"
    keys = (*BUURT_KEYS, low_key)
    if key not in (*keys, "low_income", "vitality"):
        raise Http404
    if key == "low_income":
        key = low_key
    series = _buurt_series(user, buurt, key, low_key)
    export_format = requested_format(request)
    if export_format:
        return _trend_export(export_format, f"trend-{buurt.cbs_code}-{key}", series)
    if request.GET.get("spec"):
        spec = vega_lite_spec(title=f"{buurt.name}: {_buurt_label(key, low_key)}",
                              y_title=str(_buurt_label(key, low_key)), series=series)
        return _spec_response(spec, f"trend-{buurt.cbs_code}-{key}")
    chart = _chart_context(series, key if key in INDICATORS else "score")
    if key == low_key:
        chart["chart"] = line_chart(series, decimals=1)
        chart["chart_table"] = [
            {"year": r["year"], "cells": [format_percent(dict(s.points)[r['year']], 1)
                                          if r["year"] in dict(s.points) else "–" for s in series]}
            for r in chart["chart_table"]
        ]
    choices = [(k, INDICATORS[k].label) for k in BUURT_KEYS] + [
        ("low_income", _("Share of households with a low income")), ("vitality", _("Vitality of our complexes"))]
    return render(request, "liveability/buurt.html", _context(
        request, buurt=buurt, indicator=key if key != low_key else "low_income", indicator_label=_buurt_label(
            key, low_key), choices=choices, definition=LOW_INCOME_LABELS.get(low_key, ""), **chart,
    ))


def _buurt_label(key: str, low_key: str):
    if key == "vitality":
        return _("Vitality of our complexes")
    if key == low_key:
        return _("Share of households with a low income")
    return INDICATORS[key].label


def _buurt_series(user, buurt, key: str, low_key: str) -> list[Series]:
    municipality = buurt.municipality
    if key == "vitality":
        own = selectors.area_vitality_series(user, buurt.cbs_code)
        return [s for s in (
            Series(_("Our complexes in %(name)s") % {"name": buurt.name}, _series_points(own, "score")),
            Series(_("Our complexes in %(name)s") % {"name": municipality.name},
                   _series_points(selectors.area_vitality_series(user, municipality.cbs_code), "score")),
            Series(_("All our complexes"), _series_points(selectors.area_vitality_series(user, ""), "score")),
        ) if s.points]
    found = selectors.buurt_series(municipality.cbs_code, buurt.cbs_code, [key])[key]
    return [s for s in (
        Series(buurt.name, tuple(found["buurt"])),
        Series(_("Mean of the neighbourhoods in %(name)s") % {"name": municipality.name},
               tuple(found["municipality"])),
    ) if s.points]


# --- social management records ----------------------------------------------------------------------------------

RECORD_FORMS = {
    "signal": (SignalForm, gettext_lazy("Record a signal")),
    "support_need": (SupportNeedForm, gettext_lazy("Record a support need")),
    "visit": (VisitForm, gettext_lazy("Record a visit or conversation")),
    "meeting_place": (MeetingPlaceForm, gettext_lazy("Record a meeting place")),
    "activity": (ActivityForm, gettext_lazy("Record an activity")),
}


def record_tables() -> dict[str, list[Column]]:
    return {
        "signals": [
            Column(gettext_lazy("Complex code"), lambda r: r.complex.external_id),
            Column(gettext_lazy("Kind"), lambda r: r.get_kind_display()),
            Column(gettext_lazy("Reported on"), "reported_on"), Column(gettext_lazy("Resolved on"), "resolved_on"),
            Column(gettext_lazy("Note"), "note"), Column(gettext_lazy("Recorded by"), "recorded_by_name"),
            Column(gettext_lazy("Code"), "external_id"),
        ],
        "visits": [
            Column(gettext_lazy("Complex code"), lambda r: r.complex.external_id),
            Column(gettext_lazy("Kind"), lambda r: r.get_kind_display()),
            Column(gettext_lazy("Date"), "visited_on"),
            Column(gettext_lazy("Households reached"), "households_reached"),
            Column(gettext_lazy("Note"), "note"), Column(gettext_lazy("Recorded by"), "recorded_by_name"),
            Column(gettext_lazy("Code"), "external_id"),
        ],
        "activities": [
            Column(gettext_lazy("Date"), "held_on"), Column(gettext_lazy("Title"), "title"),
            Column(gettext_lazy("Kind"), lambda r: r.get_kind_display()),
            Column(gettext_lazy("Complex code"), lambda r: r.complex.external_id if r.complex_id else ""),
            Column(gettext_lazy("Meeting place"), lambda r: r.meeting_place.name if r.meeting_place_id else ""),
            Column(gettext_lazy("Participants"), "participants"), Column(gettext_lazy("Organised by"),
                                                                         "organised_by"),
            Column(gettext_lazy("Code"), "external_id"),
        ],
        "meeting_places": [
            Column(gettext_lazy("Name"), "name"), Column(gettext_lazy("Code"), "external_id"),
            Column(gettext_lazy("Complex code"), lambda r: r.complex.external_id if r.complex_id else ""),
            Column(gettext_lazy("Neighbourhood"), lambda r: r.neighbourhood.name if r.neighbourhood_id else ""),
            Column(gettext_lazy("Opened on"), "opened_on"), Column(gettext_lazy("Closed on"), "closed_on"),
            Column(gettext_lazy("Capacity (persons)"), "capacity"),
            Column(gettext_lazy("Months recorded"), "months"), Column(gettext_lazy("Dayparts open"),
                                                                      "dayparts_total"),
            Column(gettext_lazy("Visitors"), "visitor_total"),
        ],
    }


@require_GET
def social_records(request):
    """Signals, visits, activities and meeting places of the corporation (or one complex), newest first."""
    user = request.user
    require(user, Action.VIEW_SOCIAL_RECORDS)
    complex_ = None
    if request.GET.get("complex"):
        if not request.GET["complex"].isdigit():
            raise Http404
        complex_ = complex_get(user, int(request.GET["complex"]))
    lists = {
        "signals": selectors.signal_list(user, complex_=complex_),
        "visits": selectors.visit_list(user, complex_=complex_),
        "activities": selectors.activity_list(user, complex_=complex_),
        "meeting_places": selectors.meeting_place_list(user, complex_=complex_),
    }
    export_format = requested_format(request)
    if export_format:
        table = request.GET.get("table") or "signals"
        if table not in lists:
            raise Http404
        name = f"{table}-{complex_.external_id}" if complex_ else table
        return export_response(export_format=export_format, name=name, columns=record_tables()[table],
                               rows=lists[table].iterator(chunk_size=500))
    shown = request.GET.get("show") or "signals"
    if shown not in lists:
        raise Http404
    page = paginate(request, lists[shown], per_page=RECORDS_PER_PAGE)
    kinds = [("signals", _("Signals")), ("visits", _("Visits and conversations")), ("activities", _("Activities")),
             ("meeting_places", _("Meeting places"))]
    return render(request, "liveability/records.html", _context(
        request, complex=complex_, shown=shown, page=page, record_kinds=kinds, shown_label=dict(kinds)[shown],
        may_manage=can(user, Action.MANAGE_SOCIAL_RECORDS),
        counts={name: queryset.count() for name, queryset in lists.items()},
    ))


@require_http_methods(["GET", "POST"])
def record_new(request, kind: str):
    """Enter one record on screen (neighbourhood managers)."""
    user = request.user
    membership = require(user, Action.MANAGE_SOCIAL_RECORDS)
    if kind not in RECORD_FORMS:
        raise Http404
    if kind == "support_need":
        # Special-category data: only a role whose purpose covers support needs (not an administrator).
        require(user, Action.MANAGE_SUPPORT_NEEDS)
    form_class, title = RECORD_FORMS[kind]
    complex_ = None
    wanted = request.GET.get("complex") or request.POST.get("complex")
    if wanted and str(wanted).isdigit():
        complex_ = complex_get(user, int(wanted))
    form = form_class(request.POST or None, corporation=membership.corporation, complex_=complex_)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        chosen = data.pop("complex", None)
        try:
            record = _create_record(user, kind, chosen, data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, _("Saved."))
            if kind == "meeting_place":
                return redirect("monitor_meeting_place_use", pk=record.pk)
            if chosen is not None:
                return redirect("monitor_complex", pk=chosen.pk)
            return redirect("monitor_records")
    return render(request, "liveability/record_form.html", _context(
        request, form=form, title=title, kind=kind, complex=complex_,
        is_special=kind == "support_need",
    ))


def _create_record(user, kind: str, complex_, data: dict):
    if kind == "signal":
        return services.signal_create(actor=user, complex_=complex_, **data)
    if kind == "support_need":
        code = data.pop("dwelling") or ""
        dwelling = None
        if code:
            dwelling = Dwelling.objects.visible_to(user).filter(external_id=code).first()
            if dwelling is None:
                raise ValidationError({"dwelling": _("There is no dwelling with this code.")})
        return services.support_need_create(actor=user, complex_=complex_, dwelling=dwelling, **data)
    if kind == "visit":
        return services.visit_create(actor=user, complex_=complex_, **data)
    if kind == "meeting_place":
        return services.meeting_place_create(actor=user, complex_=complex_, **data)
    if kind == "activity":
        return services.activity_create(actor=user, complex_=complex_, **data)
    raise Http404


@require_http_methods(["GET", "POST"])
def meeting_place_use(request, pk: int):
    """A meeting place's use per month: the months recorded, and a form to add or correct one."""
    user = request.user
    place = selectors.meeting_place_get(user, pk)
    form = MeetingPlaceUseForm(request.POST or None)
    if request.method == "POST":
        require(user, Action.MANAGE_SOCIAL_RECORDS)
        if form.is_valid():
            services.meeting_place_use_record(actor=user, meeting_place=place, **form.cleaned_data)
            messages.success(request, _("Saved."))
            return redirect("monitor_meeting_place_use", pk=place.pk)
    uses = list(place.uses.order_by("-month"))
    return render(request, "liveability/meeting_place.html", _context(
        request, place=place, form=form, uses=uses, may_manage=can(user, Action.MANAGE_SOCIAL_RECORDS),
    ))


# --- import -----------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def records_import(request):
    """Upload a file of records; a dry run checks it and the result page shows what would happen."""
    user = request.user
    require(user, Action.MANAGE_SOCIAL_RECORDS)
    form = RecordsUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = services.social_records_check_enqueue(actor=user, file=form.cleaned_data["file"], suffix=form.suffix)
        return redirect("monitor_records_import_result", pk=job.pk)
    recent = list(job_list(user).filter(kind=RECORDS_IMPORT_KIND)[:10])
    return render(request, "liveability/records_import.html", _context(request, form=form, recent=recent))


def _import_job(user, pk: int) -> Job:
    require(user, Action.MANAGE_SOCIAL_RECORDS)
    job = job_get(user, pk)
    if job.kind != RECORDS_IMPORT_KIND:
        raise Http404
    return job


def _is_good_check(job: Job) -> bool:
    """A dry run without errors."""
    return bool(job.status == Job.Status.SUCCEEDED and job.params.get("dry_run") and (job.result or {}).get("is_valid"))


def _import_of(job: Job) -> Job | None:
    """The real import a check led to, unless it stopped with an error (then it may be started again)."""
    return (
        Job.objects.filter(corporation_id=job.corporation_id, kind=RECORDS_IMPORT_KIND, params__dry_run_job=job.pk)
        .exclude(status=Job.Status.FAILED).order_by("pk").first()
    )


# Special-category sheets: whether a row is new or unchanged tells what is stored (read with VIEW_MARKERS only).
SPECIAL_SHEETS = ("support_needs",)


SHEET_LABELS = {
    "signals": gettext_lazy("Signals"),
    "support_needs": gettext_lazy("Support needs"),
    "visits": gettext_lazy("Visits"),
    "meeting_places": gettext_lazy("Meeting places"),
    "meeting_place_use": gettext_lazy("Use of meeting places"),
    "activities": gettext_lazy("Activities"),
    "arrears": gettext_lazy("Rent arrears"),
}


@require_GET
def records_import_result(request, pk: int):
    """The check (or the import) of an uploaded file: counts per sheet and every error with file, row, column."""
    user = request.user
    job = _import_job(user, pk)
    result = job.result or {}
    errors = result.get("errors") or []
    export_format = requested_format(request)
    if export_format:
        columns = [Column(gettext_lazy("File"), "file"), Column(gettext_lazy("Row"), "row"),
                   Column(gettext_lazy("Column"), "column"), Column(gettext_lazy("Problem"), "message")]
        return export_response(export_format=export_format, name=f"import-{job.pk}-errors", columns=columns,
                               rows=errors)
    shows_special = can(user, Action.VIEW_MARKERS)
    counts = []
    for sheet, c in (result.get("counts") or {}).items():
        hidden = "rows" in c or (sheet in SPECIAL_SHEETS and not shows_special)
        shown = {"rows": c.get("rows", sum(c.values()))} if hidden else c
        if hidden and not shown["rows"]:
            continue  # nothing of it was checked (the sheet was refused as a whole: see the errors)
        counts.append((sheet, SHEET_LABELS.get(sheet, sheet), shown, hidden))
    good_check = _is_good_check(job)
    real_import = _import_of(job) if good_check else None
    available = good_check and real_import is None and upload_available(job)
    return render(request, "liveability/records_import_result.html", _context(
        request, job=job, report=result, is_dry_run=bool(job.params.get("dry_run")),
        file_name=job.params.get("file_name", ""),
        error_page=paginate(request, errors, per_page=100) if errors else None,
        counts=counts, can_confirm=available, real_import=real_import,
        upload_gone=good_check and real_import is None and not available,
        # A plain message in the reader's language; a fault's details are in the job's log, not here.
        error_message=job_error_message(job) if job.status == Job.Status.FAILED else "",
    ))


@require_POST
def records_import_confirm(request, pk: int):
    user = request.user
    job = _import_job(user, pk)
    if not _is_good_check(job):
        messages.error(request, _("This file cannot be imported (again). Upload it once more to check it."))
        return redirect("monitor_records_import_result", pk=job.pk)
    # Once, however often "Import now" is sent at the same moment: the upload's row is locked (core.uploads).
    try:
        real, _created = services.social_records_import_enqueue(actor=user, check_job=job)
    except UploadGone:
        messages.error(request, UPLOAD_GONE_MESSAGE)
        return redirect("monitor_records_import_result", pk=job.pk)
    return redirect("monitor_records_import_result", pk=real.pk)


# --- settings and reports ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def monitor_settings(request):
    """Weights, norms and warning levels: everyone with the monitor reads them; analysts and administrators edit."""
    user = request.user
    require(user, Action.VIEW_MONITOR)
    may_manage = can(user, Action.MANAGE_MONITOR_SETTINGS)
    rules, policy = selectors.monitor_rules_get(user)
    form = MonitorSettingsForm(request.POST or None, rules=rules, policy=policy)
    if request.method == "POST":
        if not may_manage:
            raise PermissionDenied
        if form.is_valid():
            policy_values, indicator_values = form.values()
            services.monitor_settings_update(actor=user, policy=policy_values, indicators=indicator_values)
            messages.success(request, _("Saved. The scores of the complexes are computed again with these settings "
                                        "in the background; the list of tasks shows how far that is."))
            return redirect("monitor_settings")
    stored = selectors.monitor_settings_rows(user)
    return render(request, "liveability/settings.html", _context(
        request, form=form, may_manage=may_manage, rules=rules, policy=policy, stored=stored,
        indicator_rows=[(indicator, fields) for indicator, fields in form.rows()],
    ))


def _report_years(today) -> list[int]:
    return list(range(today.year, today.year - 6, -1))


@require_http_methods(["GET", "POST"])
def monitor_report(request):
    """Start the PDF report per municipality (background task; the task page offers the download)."""
    user = request.user
    require(user, Action.VIEW_MONITOR)
    municipalities = selectors.municipality_choices(user)
    today = timezone.localdate()
    form = MunicipalityYearForm(request.POST or None, municipalities=[(c, f"{n} ({c})") for c, n in municipalities],
                                years=_report_years(today), initial={"year": today.year})
    if request.method == "POST" and form.is_valid():
        job = services.liveability_report_enqueue(actor=user, municipality_code=form.cleaned_data["municipality"],
                                                  year=form.cleaned_data["year"])
        return redirect("job_detail", pk=job.pk)
    recent = list(job_list(user).filter(kind=REPORT_KIND)[:10])
    return render(request, "liveability/report.html", _context(request, form=form, recent=recent))


@require_GET
def monitor_report_download(request, pk: int):
    report = selectors.report_file_get(request.user, pk)
    response = HttpResponse(bytes(report.content), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report.file_name}"'
    return response
