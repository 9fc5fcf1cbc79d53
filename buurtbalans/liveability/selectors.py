"""Reading the liveability monitor and the social management records for users.

Every selector checks the right and narrows to the user's corporation. The monitor (VIEW_MONITOR) shows aggregates
only: vitality per complex and area, counts of records. Single records with their notes need VIEW_SOCIAL_RECORDS;
support needs (special-category) are read only through `support_needs_for_complex`, which checks the role and the
purpose and writes the audit event before returning anything.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, F, FloatField, Q, QuerySet, Sum
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.http import Http404

from buurtbalans.core.audit import audit_record
from buurtbalans.core.models import AuditEvent, Job
from buurtbalans.core.panels import Panel
from buurtbalans.core.permissions import Action, membership_of, require
from buurtbalans.households.models import Tenancy
from buurtbalans.households.selectors import marker_purposes_for
from buurtbalans.liveability import mapping
from buurtbalans.liveability.focus import focus_neighbourhoods
from buurtbalans.liveability.indicators import INDICATOR_KEYS, INDICATORS, LEEFBAAROMETER_KEYS
from buurtbalans.liveability.models import (
    Activity,
    AreaVitality,
    ComplexVitality,
    IndicatorSetting,
    LiveabilityReportFile,
    MeetingPlace,
    MeetingPlaceUse,
    MonitorSettings,
    Signal,
    SupportNeed,
    Visit,
)
from buurtbalans.neighbourhoods.indicators import indicator_definition
from buurtbalans.neighbourhoods.models import Neighbourhood, PublicIndicator
from buurtbalans.portfolio.models import Complex

# --- vitality ---------------------------------------------------------------------------------------------------

MONITOR_SORTS = {
    "code": ("complex__external_id",),
    "name": ("complex__name",),
    "neighbourhood": ("complex__neighbourhood__name",),
    "dwellings": ("dwelling_count",),
    "score": ("score",),
    "warnings": ("warning_count",),
}
DEFAULT_MONITOR_SORT = "score"


def _latest_complex_rows(user) -> QuerySet:
    return (
        ComplexVitality.objects.visible_to(user, Action.VIEW_MONITOR)
        .filter(is_latest=True)
        .select_related("complex", "complex__neighbourhood")
        .only(
            "id", "corporation_id", "complex_id", "reference_date", "dwelling_count", "household_count", "values",
            "score", "warnings", "warning_count", "trends", "computed",
            "complex__id", "complex__external_id", "complex__name", "complex__neighbourhood_id",
            "complex__neighbourhood__id", "complex__neighbourhood__cbs_code", "complex__neighbourhood__name",
        )
    )


def monitor_complex_list(user, *, sort: str = DEFAULT_MONITOR_SORT, warnings_only: bool = False,
                         municipality_code: str | None = None) -> QuerySet:
    """The latest vitality of the user's complexes, sorted by `sort` (a MONITOR_SORTS or indicator key; "-": desc)."""
    require(user, Action.VIEW_MONITOR)
    rows = _latest_complex_rows(user)
    if warnings_only:
        rows = rows.filter(warning_count__gt=0)
    if municipality_code:
        rows = rows.filter(complex__neighbourhood__municipality__cbs_code=municipality_code)
    descending = sort.startswith("-")
    key = sort.lstrip("-")
    if key in INDICATORS:
        rows = rows.annotate(sort_value=Cast(KT(f"values__{key}"), FloatField()))
        fields = ("sort_value",)
    else:
        fields = MONITOR_SORTS.get(key, MONITOR_SORTS[DEFAULT_MONITOR_SORT])
    order = [F(f).desc(nulls_last=True) if descending else F(f).asc(nulls_last=True) for f in fields]
    return rows.order_by(*order, "complex__external_id", "pk")


def early_warning_list(user, *, municipality_code: str | None = None) -> QuerySet:
    """Complexes with a warning: most reasons first, then the lowest score."""
    return monitor_complex_list(user, warnings_only=True, municipality_code=municipality_code).order_by(
        F("warning_count").desc(), F("score").asc(nulls_last=True), "complex__external_id"
    )


@dataclass(frozen=True)
class MonitorSummary:
    reference_date: date | None
    computed: object
    complex_count: int
    dwelling_count: int
    warning_count: int
    score: float | None
    values: dict


def monitor_summary(user) -> MonitorSummary | None:
    """The corporation's latest vitality as a whole; None when it has never been computed."""
    require(user, Action.VIEW_MONITOR)
    area = AreaVitality.objects.visible_to(user, Action.VIEW_MONITOR).filter(area_code="", is_latest=True).first()
    if area is None:
        return None
    computed = (
        ComplexVitality.objects.visible_to(user, Action.VIEW_MONITOR).filter(is_latest=True)
        .values_list("computed", flat=True).first()
    )
    return MonitorSummary(area.reference_date, computed, area.complex_count, area.dwelling_count, area.warning_count,
                          area.score, area.values)


def complex_vitality_get(user, complex_: Complex) -> ComplexVitality | None:
    """The complex's latest vitality, or None when not computed (or the user may not see the monitor)."""
    if Action.VIEW_MONITOR not in _rights(user):
        return None
    return (
        ComplexVitality.objects.visible_to(user, Action.VIEW_MONITOR)
        .filter(complex=complex_, is_latest=True).first()
    )


def complex_panel(user, complex_: Complex, *, reference_date: date) -> Panel | None:
    """The complex page's liveability section: score, reasons and the figures that count; None without the right
    to see the monitor. The score is the latest counted one, whatever `reference_date` (the panels' one shape)."""
    from buurtbalans.core.figures import is_protected
    from buurtbalans.liveability.texts import indicator_rows, small_cell_keys, warning_lines

    if Action.VIEW_MONITOR not in _rights(user):
        return None
    vitality = complex_vitality_get(user, complex_)
    hidden = small_cell_keys(vitality, is_protected(user))  # the small-cell rule, as on the monitor's complex page
    rows = []
    if vitality is not None:
        rules, _policy = monitor_rules_get(user)
        rows = [row for row in indicator_rows(rules, vitality, hidden) if row.weight > 0]
    return Panel("liveability/complex_vitality.html", {"liveability": {
        "vitality": vitality, "reasons": warning_lines(vitality.warnings, hidden) if vitality else [], "rows": rows,
    }})


def complex_vitality_series(user, complex_: Complex) -> list[ComplexVitality]:
    require(user, Action.VIEW_MONITOR)
    return list(
        ComplexVitality.objects.visible_to(user, Action.VIEW_MONITOR).filter(complex=complex_)
        .order_by("reference_date")
        .only("reference_date", "values", "score", "warning_count", "dwelling_count", "complex_id", "corporation_id",
              "history")
    )


def area_vitality_series(user, area_code: str) -> list[AreaVitality]:
    """The corporation's complexes in an area ("" = all) over the measurements, oldest first."""
    return area_vitality_series_many(user, [area_code])[area_code]


def area_vitality_series_many(user, area_codes) -> dict[str, list[AreaVitality]]:
    """`area_vitality_series` of several areas in one query."""
    require(user, Action.VIEW_MONITOR)
    series: dict[str, list[AreaVitality]] = {code: [] for code in area_codes}
    for row in (
        AreaVitality.objects.visible_to(user, Action.VIEW_MONITOR).filter(area_code__in=list(area_codes))
        .order_by("area_code", "reference_date")
    ):
        series[row.area_code].append(row)
    return series


def _rights(user):
    from buurtbalans.core.permissions import actions_of

    return actions_of(user)


def monitor_rules_get(user):
    """The rules (weights and norms) and warning policy in force for the user's corporation."""
    from buurtbalans.liveability.services import monitor_rules

    membership = require(user, Action.VIEW_MONITOR)
    return monitor_rules(membership.corporation_id)


def monitor_settings_rows(user) -> dict:
    """Who last changed the settings, for the settings screen."""
    membership = require(user, Action.VIEW_MONITOR)
    return {
        "indicators": {s.key: s for s in IndicatorSetting.objects.filter(corporation_id=membership.corporation_id)},
        "policy": MonitorSettings.objects.filter(corporation_id=membership.corporation_id).first(),
    }


def municipality_choices(user) -> list[tuple[str, str]]:
    """The municipalities where the corporation has complexes: [(GM code, name)]."""
    membership = require(user, Action.VIEW_MONITOR)
    rows = (
        Complex.objects.filter(corporation_id=membership.corporation_id, neighbourhood__isnull=False)
        .values_list("neighbourhood__municipality__cbs_code", "neighbourhood__municipality__name")
        .distinct().order_by("neighbourhood__municipality__name")
    )
    return list(rows)


# --- social management records ----------------------------------------------------------------------------------


def _window(queryset: QuerySet, field: str, start: date | None, end: date | None) -> QuerySet:
    if start:
        queryset = queryset.filter(**{f"{field}__gte": start})
    if end:
        queryset = queryset.filter(**{f"{field}__lte": end})
    return queryset


def social_summary(user, *, start: date | None = None, end: date | None = None, complex_: Complex | None = None,
                   municipality_code: str | None = None) -> dict:
    """Counts of the social management done (aggregates: allowed with VIEW_MONITOR); see `social_counts`."""
    membership = require(user, Action.VIEW_MONITOR)
    return social_counts(membership.corporation_id, start=start, end=end,
                         complex_id=complex_.pk if complex_ is not None else None,
                         municipality_code=municipality_code)


def social_counts(corporation_id: int, *, start: date | None = None, end: date | None = None,
                  complex_id: int | None = None, municipality_code: str | None = None) -> dict:
    """Counts of a corporation's social management records in a period (no content: for the monitor and reports).

    Returns {"signals": {kind: n}, "signal_total", "support_needs", "visits": {kind: n}, "visit_total",
    "households_reached", "activities": {kind: n}, "activity_total", "participants", "meeting_places", "visitors",
    "dayparts_open"}.
    """

    def scoped(model, complex_field="complex"):
        queryset = model.objects.filter(corporation_id=corporation_id)
        if complex_id is not None:
            queryset = queryset.filter(**{f"{complex_field}_id": complex_id})
        if municipality_code:
            queryset = queryset.filter(**{f"{complex_field}__neighbourhood__municipality__cbs_code":
                                          municipality_code})
        return queryset

    def by_kind(queryset, total_field=None):
        """{kind: count} and the sum of `total_field`, in one grouped query."""
        extra = {"total": Sum(total_field)} if total_field else {}
        counts, total = {}, 0
        for row in queryset.order_by().values("kind").annotate(n=Count("pk"), **extra):
            counts[row["kind"]] = row["n"]
            total += row.get("total") or 0
        return counts, total

    signal_kinds, _total = by_kind(_window(scoped(Signal), "reported_on", start, end))
    needs = _window(scoped(SupportNeed), "reported_on", start, end)
    visit_kinds, reached = by_kind(_window(scoped(Visit), "visited_on", start, end), "households_reached")
    activity_kinds, participants = by_kind(_window(scoped(Activity), "held_on", start, end), "participants")
    places = scoped(MeetingPlace)
    if municipality_code and complex_id is None:
        # A meeting place may lie in a buurt without being in one of our complexes.
        places = MeetingPlace.objects.filter(corporation_id=corporation_id).filter(
            Q(complex__neighbourhood__municipality__cbs_code=municipality_code)
            | Q(neighbourhood__municipality__cbs_code=municipality_code)
        )
    uses = _window(MeetingPlaceUse.objects.filter(corporation_id=corporation_id, meeting_place__in=places),
                   "month", start.replace(day=1) if start else None, end)
    use_totals = uses.aggregate(visitors=Sum("visitors"), dayparts=Sum("dayparts_open"),
                                places=Count("meeting_place", distinct=True))
    return {
        "signals": signal_kinds,
        "signal_total": sum(signal_kinds.values()),
        "support_needs": needs.count(),
        "visits": visit_kinds,
        "visit_total": sum(visit_kinds.values()),
        "households_reached": reached,
        "activities": activity_kinds,
        "activity_total": sum(activity_kinds.values()),
        "participants": participants,
        "meeting_places": places.count(),
        "meeting_places_used": use_totals["places"] or 0,
        "visitors": use_totals["visitors"] or 0,
        "dayparts_open": use_totals["dayparts"] or 0,
    }


def signal_list(user, *, complex_: Complex | None = None) -> QuerySet:
    require(user, Action.VIEW_SOCIAL_RECORDS)
    queryset = Signal.objects.visible_to(user).select_related("complex")
    return queryset.filter(complex=complex_) if complex_ is not None else queryset


def visit_list(user, *, complex_: Complex | None = None) -> QuerySet:
    require(user, Action.VIEW_SOCIAL_RECORDS)
    queryset = Visit.objects.visible_to(user).select_related("complex")
    return queryset.filter(complex=complex_) if complex_ is not None else queryset


def activity_list(user, *, complex_: Complex | None = None) -> QuerySet:
    require(user, Action.VIEW_SOCIAL_RECORDS)
    queryset = Activity.objects.visible_to(user).select_related("complex", "meeting_place")
    return queryset.filter(Q(complex=complex_) | Q(meeting_place__complex=complex_)) if complex_ is not None \
        else queryset


def meeting_place_list(user, *, complex_: Complex | None = None) -> QuerySet:
    """Meeting places with their visitors and dayparts over all recorded months."""
    require(user, Action.VIEW_SOCIAL_RECORDS)
    queryset = (
        MeetingPlace.objects.visible_to(user).select_related("complex", "neighbourhood")
        .annotate(visitor_total=Sum("uses__visitors"), dayparts_total=Sum("uses__dayparts_open"),
                  months=Count("uses"))
        .order_by("name", "pk")  # a grouped query drops Meta.ordering
    )
    return queryset.filter(complex=complex_) if complex_ is not None else queryset


def meeting_place_get(user, pk: int) -> MeetingPlace:
    require(user, Action.VIEW_SOCIAL_RECORDS)
    place = MeetingPlace.objects.visible_to(user).filter(pk=pk).first()
    if place is None:
        raise Http404
    return place


def support_need_count(user, complex_: Complex) -> int:
    """How many support needs a complex has (an aggregate: no content, no read event)."""
    membership = require(user, Action.VIEW_MONITOR)
    return SupportNeed.objects.filter(corporation_id=membership.corporation_id, complex=complex_).count()


def support_need_household_codes(needs) -> list[str]:
    """Whose data support needs are: the households renting each need's dwelling on the day it was reported.

    For the audit log's "whose data" (`subject_ids`). A need recorded for a complex without a dwelling names nobody.
    """
    wanted = [(need.dwelling_id, need.reported_on) for need in needs if need.dwelling_id is not None]
    if not wanted:
        return []
    codes: set[str] = set()
    tenancies = Tenancy.objects.filter(dwelling_id__in={dwelling for dwelling, _day in wanted}).values_list(
        "dwelling_id", "start_date", "end_date", "household__external_id")
    by_dwelling = defaultdict(list)
    for dwelling_id, start, end, code in tenancies:
        by_dwelling[dwelling_id].append((start, end, code))
    for dwelling_id, day in wanted:
        codes.update(code for start, end, code in by_dwelling[dwelling_id]
                     if start <= day and (end is None or end >= day))
    return sorted(codes)


@transaction.atomic
def support_needs_for_complex(*, user, complex_: Complex, purpose: str) -> list[SupportNeed]:
    """The complex's support needs, for a user with a purpose; every call is logged before anything is returned.

    Raises:
        PermissionDenied: without VIEW_MARKERS (analysts, administrators, auditors), for another corporation's
            complex, or for a purpose the user's roles do not have.
    """
    membership = require(user, Action.VIEW_MARKERS)
    if complex_.corporation_id != membership.corporation_id:
        raise PermissionDenied
    if purpose not in marker_purposes_for(user):
        raise PermissionDenied
    needs = list(
        SupportNeed.objects.visible_to(user).filter(complex=complex_).select_related("dwelling")
        .order_by("-reported_on", "-pk")
    )
    audit_record(
        actor=user,
        event=AuditEvent.Type.SUPPORT_NEEDS_READ,
        corporation=membership.corporation,
        subject_type="support_need",
        subject_ids=support_need_household_codes(needs),
        subject_label=f"support needs of complex {complex_.external_id}",
        purpose=purpose,
        data={"complex": complex_.external_id, "ids": [n.pk for n in needs], "count": len(needs)},
    )
    return needs


# --- map and public context -------------------------------------------------------------------------------------

MAP_INDICATORS = ("lbm", "lbm_won", "lbm_fys", "lbm_vrz", "lbm_soc", "lbm_onv", "low_income", "vitality")
_PROJECTED: dict[tuple[str, int, int], dict] = {}


def _projected_buurten(municipality_code: str) -> dict:
    """The buurten's SVG paths and marker points, computed once per process and boundary import.

    The key holds the buurt count and the latest open-data import event, so a new import redraws the map.
    """
    version = (
        AuditEvent.objects.filter(event_type=AuditEvent.Type.OPEN_DATA_IMPORTED).order_by("-pk")
        .values_list("pk", flat=True).first() or 0
    )
    count = Neighbourhood.objects.filter(municipality__cbs_code=municipality_code, geometry__isnull=False).count()
    key = (municipality_code, count, version)
    cached = _PROJECTED.get(key)
    if cached is not None:
        return cached
    buurten = list(
        Neighbourhood.objects.filter(municipality__cbs_code=municipality_code, geometry__isnull=False)
        .select_related("district").order_by("cbs_code")
        .only("cbs_code", "name", "geometry", "centroid_lon", "centroid_lat", "district__cbs_code")
    )
    projection = mapping.projection_for([b.geometry for b in buurten])
    result = {"width": mapping.WIDTH, "height": projection.height if projection else 0, "buurten": {}}
    for buurt in buurten:
        point = (
            projection.point(buurt.centroid_lon, buurt.centroid_lat)
            if projection and buurt.centroid_lon is not None else None
        )
        result["buurten"][buurt.cbs_code] = {
            "code": buurt.cbs_code, "name": buurt.name, "path": mapping.svg_path(buurt.geometry, projection),
            "point": point,
        }
    for old in [k for k in _PROJECTED if k[0] == municipality_code]:
        del _PROJECTED[old]
    _PROJECTED[key] = result
    return result


def _latest_public(municipality_code: str, key: str) -> dict[str, tuple[int, float]]:
    latest: dict[str, tuple[int, float]] = {}
    for code, year, value in PublicIndicator.objects.filter(
        key=key, area_code__startswith=f"BU{municipality_code[2:]}"
    ).values_list("area_code", "year", "value"):
        if code not in latest or year > latest[code][0]:
            latest[code] = (year, value)
    return latest


def low_income_key(municipality_code: str) -> str:
    """The low-income measure the focus ranking uses for this municipality."""
    from buurtbalans.liveability.focus import LOW_INCOME_KEYS

    counts = dict(
        PublicIndicator.objects.filter(area_code__startswith=f"BU{municipality_code[2:]}", key__in=LOW_INCOME_KEYS)
        .order_by().values_list("key").annotate(n=Count("area_code", distinct=True)).values_list("key", "n")
    )
    return max(LOW_INCOME_KEYS, key=lambda k: (counts.get(k, 0), -LOW_INCOME_KEYS.index(k)))


def map_data(user, *, municipality_code: str, indicator: str, with_paths: bool = True) -> dict:
    """What the map shows: each buurt's value and class, the legend, and the corporation's complexes as markers.

    Args:
        municipality_code: GMxxxx.
        indicator: one of MAP_INDICATORS ("low_income" is the focus ranking's low-income measure; "vitality" the
            dwelling-weighted score of the corporation's complexes in the buurt).
        with_paths: include the SVG paths (for the page; the JSON endpoint leaves them out).
    """
    membership = require(user, Action.VIEW_MONITOR)
    if indicator not in MAP_INDICATORS:
        raise Http404("unknown indicator")
    projected = _projected_buurten(municipality_code)
    if indicator == "vitality":
        values = {
            code: (area.reference_date.year, area.score)
            for code, area in (
                (a.area_code, a) for a in AreaVitality.objects.filter(
                    corporation_id=membership.corporation_id, is_latest=True,
                    area_code__startswith=f"BU{municipality_code[2:]}",
                ).only("area_code", "reference_date", "score")
            ) if area.score is not None
        }
        higher_is_better, key = True, "vitality"
        bounds = list(mapping.SCORE_BOUNDS)
    else:
        key = low_income_key(municipality_code) if indicator == "low_income" else indicator
        values = _latest_public(municipality_code, key)
        higher_is_better = indicator != "low_income"
        bounds = mapping.quantile_bounds([v for c, (_y, v) in values.items() if c in projected["buurten"]],
                                         higher_is_better)
    buurten = []
    for code, buurt in projected["buurten"].items():
        year, value = values.get(code, (None, None))
        klass = mapping.class_of(value, bounds, higher_is_better)
        row = {"code": code, "name": buurt["name"], "value": value, "year": year, "class": klass}
        if with_paths:
            row["path"] = buurt["path"]
        buurten.append(row)
    complexes = []
    by_buurt: dict[str, list] = defaultdict(list)
    for row in (
        ComplexVitality.objects.filter(corporation_id=membership.corporation_id, is_latest=True,
                                       complex__neighbourhood__municipality__cbs_code=municipality_code)
        .order_by("complex__external_id")
        .values_list("complex_id", "complex__external_id", "complex__name", "complex__neighbourhood__cbs_code",
                     "score", "warning_count", "dwelling_count")
    ):
        by_buurt[row[3]].append(row)
    for code, rows in by_buurt.items():
        centre = projected["buurten"].get(code, {}).get("point")
        if centre is None:
            continue
        for (pk, external_id, name, _buurt, score, warnings, dwellings), point in zip(
            rows, mapping.spread(centre, len(rows)), strict=True
        ):
            complexes.append({"id": pk, "code": external_id, "name": name, "buurt": code, "score": score,
                              "warning_count": warnings, "dwellings": dwellings, "x": point[0], "y": point[1]})
    legend = []
    for index, bound in enumerate(bounds):
        upper = bounds[index + 1] if index + 1 < len(bounds) else None
        legend.append({"class": index, "colour": mapping.CLASS_COLOURS[index], "from": bound, "to": upper})
    return {
        "municipality": municipality_code,
        "indicator": indicator,
        "key": key,
        "higher_is_better": higher_is_better,
        "width": projected["width"],
        "height": projected["height"],
        "buurten": buurten,
        "complexes": complexes,
        "legend": legend,
    }


def indicator_label(key: str):
    if key == "vitality":
        from django.utils.translation import gettext_lazy as _

        return _("Vitality of our complexes")
    if key in INDICATORS:
        return INDICATORS[key].label
    return indicator_definition(key).label


def buurt_series(municipality_code: str, code: str, keys) -> dict[str, dict]:
    """Public figures of one buurt over the years, with the municipality's mean of its buurten for comparison.

    The municipality's figure is the mean of its buurten weighted by inhabitants (where known; otherwise
    unweighted), because the open data has no municipality rows for the Leefbaarometer.
    Returns {key: {"buurt": [(year, value)], "municipality": [(year, value)]}}.
    """
    prefix = f"BU{municipality_code[2:]}"
    rows = list(
        PublicIndicator.objects.filter(area_code__startswith=prefix, key__in=[*keys, "inwoners", "inhabitants"])
        .values_list("area_code", "key", "year", "value")
    )
    inhabitants = {(c, y): v for c, k, y, v in rows if k in ("inwoners", "inhabitants")}
    result: dict[str, dict] = {}
    for key in keys:
        own = sorted((y, v) for c, k, y, v in rows if k == key and c == code)
        sums: dict[int, list[float]] = defaultdict(lambda: [0.0, 0.0])
        for c, k, y, v in rows:
            if k != key:
                continue
            weight = inhabitants.get((c, y)) or 1.0
            sums[y][0] += v * weight
            sums[y][1] += weight
        result[key] = {"buurt": own, "municipality": sorted((y, s / w) for y, (s, w) in sums.items() if w)}
    return result


def focus_rows(user, municipality_code: str, year: int | None = None):
    require(user, Action.VIEW_MONITOR)
    return focus_neighbourhoods(municipality_code, year=year)


def report_file_get(user, job_pk: int) -> LiveabilityReportFile:
    """The PDF of a finished liveability report job of the user's corporation; 404 otherwise.

    A report made without the small-cell rule (for a user who reads markers) holds exact counts of a few
    households: only for users who may read markers too (steering.reasons.is_protected).
    """
    from buurtbalans.core.figures import is_protected
    from buurtbalans.liveability.jobs import report_small_cells

    membership = require(user, Action.VIEW_MONITOR)
    report = (
        LiveabilityReportFile.objects.filter(job_id=job_pk, corporation_id=membership.corporation_id,
                                             job__status=Job.Status.SUCCEEDED)
        .select_related("job")
        .only("file_name", "content", "corporation_id", "job_id", "job__params", "job__user").first()
    )
    if report is None or (is_protected(user) and not report_small_cells(report.job)):
        raise Http404
    return report


__all__ = [
    "INDICATOR_KEYS", "LEEFBAAROMETER_KEYS", "MAP_INDICATORS", "area_vitality_series", "buurt_series",
    "complex_vitality_get", "complex_vitality_series", "early_warning_list", "map_data", "membership_of",
    "monitor_complex_list", "monitor_summary", "social_summary", "support_needs_for_complex",
]
