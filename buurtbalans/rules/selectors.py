"""Reading legal parameters, performance agreements and compliance for users, checked per right and corporation.

Legal parameters are the same for every corporation; the name of an administrator of another corporation who
changed a value is not shown ("an administrator of another corporation"). Compliance, agreements and own
parameter values are always the user's own corporation's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.http import Http404
from django.utils.translation import gettext as _

from buurtbalans.core.audit_labels import actor_display
from buurtbalans.core.models import Job
from buurtbalans.core.permissions import Action, require
from buurtbalans.engine.parameters import ParameterRow, ParameterSet, builtin_parameter_rows, set_in_force
from buurtbalans.rules.cli import source_references
from buurtbalans.rules.compliance import ComplianceOutcome, compliance_for_corporation
from buurtbalans.rules.labels import PARAMETER_ORDER, is_share, parameter_label, parameter_unit
from buurtbalans.rules.models import (
    ComplianceReportFile,
    LocalParameterValue,
    MotivationCap,
    ParameterChange,
    ParameterValue,
    PerformanceAgreement,
)
from buurtbalans.rules.motivation_caps import CapUse, cap_use_for_year
from buurtbalans.rules.parameters import DEMO_VALUE_MARK, parameter_sets

FIRST_YEAR = 2021


class Origin:
    DATABASE = "database"
    BUILTIN = "builtin"
    NONE = "none"


@dataclass(frozen=True)
class ParameterValueView:
    """One value of a parameter set as the screens show it, with where it came from."""

    key: str
    label: str
    unit: str
    is_share: bool
    value: Decimal | None
    state: str  # "value", "unknown" or "not_applicable"
    origin: str  # Origin.*
    source: str
    # [(key, [url, ...])]: a source key once, with each of its addresses (S28 has two).
    source_links: list[tuple[str, list[str]]]
    note: str
    value_text: str  # as written in a table: "633.25", "n/f", "-", or "" when the date has no row for the key
    changed: datetime | None = None
    changed_by: str = ""
    builtin_text: str = ""  # the built-in table's value for the date, when an administrator replaced it
    is_demo: bool = False  # filled in by the demo ("demo-waarde, niet officieel"), not an official figure
    # The user's corporation's own values of this parameter that apply within this set's period.
    own: tuple = ()


@dataclass(frozen=True)
class ParameterSetView:
    valid_from: date
    version: str
    values: list[ParameterValueView]
    has_builtin: bool

    @property
    def missing(self) -> list[ParameterValueView]:
        return [v for v in self.values if v.state == "unknown"]

    @property
    def from_database(self) -> list[ParameterValueView]:
        return [v for v in self.values if v.origin == Origin.DATABASE]


def _who(user_corporation_id: int | None, name: str, corporation_id: int | None) -> str:
    if corporation_id is None:
        return actor_display(name)  # a command run on the server ("cli:<user>") or the demo
    if corporation_id != user_corporation_id:
        return _("an administrator of another corporation")
    return name


def _grouped(references: list[dict]) -> list[tuple[str, list[str]]]:
    groups: dict[str, list[str]] = {}
    for reference in references:
        urls = groups.setdefault(reference["key"], [])
        if reference["url"]:
            urls.append(reference["url"])
    return list(groups.items())


def _state(row: ParameterRow | None) -> str:
    if row is None or row.is_unknown:
        return "unknown"
    if row.is_not_applicable:
        return "not_applicable"
    return "value"


def _set_view(
    params: ParameterSet,
    builtin: dict,
    stored: dict,
    corporation_id: int | None,
    own: list[LocalParameterValue] = (),
    until: date | None = None,
) -> ParameterSetView:
    """`until`: the last day of the set's period (None: the newest set)."""
    values = []
    for key in PARAMETER_ORDER:
        stored_value = stored.get((params.valid_from, key))
        builtin_row = builtin.get((params.valid_from, key))
        row = stored_value.as_row() if stored_value else builtin_row
        origin = Origin.DATABASE if stored_value else (Origin.BUILTIN if builtin_row else Origin.NONE)
        source = row.source if row else ""
        values.append(
            ParameterValueView(
                key=key,
                label=parameter_label(key),
                unit=parameter_unit(key),
                is_share=is_share(key),
                value=getattr(params, key),
                state=_state(row),
                origin=origin,
                source=source,
                source_links=_grouped(source_references(source)),
                note=row.note if row else "",
                value_text=row.value if row else "",
                changed=stored_value.changed if stored_value else None,
                changed_by=_who(corporation_id, stored_value.changed_by_name, stored_value.changed_by_corporation_id)
                if stored_value
                else "",
                builtin_text=(builtin_row.value or "n/f") if stored_value and builtin_row else "",
                is_demo=row is not None and (DEMO_VALUE_MARK in row.source or DEMO_VALUE_MARK in row.note),
                own=tuple(
                    o
                    for o in own
                    if o.key == key
                    and (until is None or o.valid_from <= until)
                    and (o.valid_until is None or o.valid_until >= params.valid_from)
                ),
            )
        )
    return ParameterSetView(
        valid_from=params.valid_from,
        version=params.version,
        values=values,
        has_builtin=any(d == params.valid_from for d, _key in builtin),
    )


def parameter_set_list(user) -> list[ParameterSetView]:
    """Every parameter set in force, newest first, value by value with its origin (built-in or administrator)."""
    membership = require(user, Action.VIEW_PARAMETERS)
    builtin = {(r.valid_from, r.key): r for r in builtin_parameter_rows()}
    stored = {(v.valid_from, v.key): v for v in ParameterValue.objects.all()}
    own = list(local_parameter_value_list(user))
    sets = parameter_sets()
    ends = [s.valid_from - timedelta(days=1) for s in sets[1:]] + [None]
    views = [
        _set_view(params, builtin, stored, membership.corporation_id, own, until)
        for params, until in zip(sets, ends, strict=True)
    ]
    return list(reversed(views))


def parameter_set_get(user, valid_from: date) -> ParameterSetView:
    """The parameter set that starts on `valid_from`; 404 when no set starts on that date."""
    for view in parameter_set_list(user):
        if view.valid_from == valid_from:
            return view
    raise Http404


@dataclass(frozen=True)
class ParameterChangeView:
    created: datetime
    who: str
    via: str
    file_name: str
    valid_from: date
    key: str
    label: str
    old_value: str
    new_value: str
    new_source: str
    version_after: str


def parameter_change_list(user, *, valid_from: date | None = None, limit: int = 200) -> list[ParameterChangeView]:
    """The history of administrators' changes, newest first (other corporations' administrators unnamed)."""
    membership = require(user, Action.VIEW_PARAMETERS)
    changes = ParameterChange.objects.all()
    if valid_from is not None:
        changes = changes.filter(valid_from=valid_from)
    return [
        ParameterChangeView(
            created=c.created,
            who=_who(membership.corporation_id, c.actor_name, c.actor_corporation_id),
            via=c.get_via_display(),
            file_name=c.file_name,
            valid_from=c.valid_from,
            key=c.key,
            label=parameter_label(c.key),
            old_value=c.old_value,
            new_value=c.new_value,
            new_source=c.new_source,
            version_after=c.version_after,
        )
        for c in changes.order_by("-created", "-id")[:limit]
    ]


# --- a corporation's own values -----------------------------------------------------------------------------


@dataclass(frozen=True)
class LocalValueView:
    """An own value beside the legal value in force on its first day (and today, when that is later)."""

    row: LocalParameterValue
    label: str
    legal: Decimal | None  # the legal value on the own value's first day
    legal_today: Decimal | None  # the legal value today, when the own value applies today
    applies_today: bool
    # The legal value today is lower: the stricter legal value applies instead (a cap lowered by law later).
    overruled_today: bool


def local_parameter_value_list(user):
    """The user's corporation's own parameter values (the roles that read its compliance and agreements)."""
    return LocalParameterValue.objects.visible_to(user, Action.VIEW_COMPLIANCE).order_by("key", "valid_from")


def local_parameter_value_views(user, today: date) -> list[LocalValueView]:
    """The own values, each with the legal value beside it (`rules.local_parameters`)."""
    sets = parameter_sets()
    views = []
    for row in local_parameter_value_list(user):
        legal = _legal_value(sets, row.valid_from, row.key)
        applies_today = row.covers(today)
        legal_today = _legal_value(sets, today, row.key) if applies_today else None
        views.append(
            LocalValueView(
                row=row,
                label=parameter_label(row.key),
                legal=legal,
                legal_today=legal_today,
                applies_today=applies_today,
                overruled_today=legal_today is not None and legal_today < row.value,
            )
        )
    return views


def _legal_value(sets, day: date, key: str) -> Decimal | None:
    try:
        return getattr(set_in_force(sets, day), key)
    except LookupError:
        return None


def local_parameter_value_get(user, pk: int) -> LocalParameterValue:
    """One own value of the user's corporation, for its administrators; 404 for another corporation's."""
    require(user, Action.MANAGE_LOCAL_PARAMETERS)
    value = LocalParameterValue.objects.visible_to(user, Action.MANAGE_LOCAL_PARAMETERS).filter(pk=pk).first()
    if value is None:
        raise Http404
    return value


# --- performance agreements ---------------------------------------------------------------------------------


def performance_agreement_list(user):
    """The user's corporation's performance agreements (analysts, officers and administrators may read them)."""
    return (
        PerformanceAgreement.objects.visible_to(user, Action.VIEW_COMPLIANCE)
        .select_related("municipality")
        .order_by("municipality__name", "-valid_from", "pk")
    )


def performance_agreement_get(user, pk: int) -> PerformanceAgreement:
    """One agreement of the user's corporation, for those who may manage them; 404 for another corporation's."""
    require(user, Action.MANAGE_AGREEMENTS)
    agreement = PerformanceAgreement.objects.visible_to(user, Action.MANAGE_AGREEMENTS).filter(pk=pk).first()
    if agreement is None:
        raise Http404
    return agreement


# --- caps on selection on motivation -------------------------------------------------------------------------


def motivation_cap_list(user):
    """The user's corporation's caps on selection on motivation, newest year first (readers of compliance)."""
    return (
        MotivationCap.objects.visible_to(user, Action.VIEW_COMPLIANCE)
        .select_related("municipality")
        .order_by("-year", "municipality__name", "pk")
    )


def motivation_cap_get(user, pk: int) -> MotivationCap:
    """One cap of the user's corporation, for those who may manage them; 404 for another corporation's."""
    require(user, Action.MANAGE_AGREEMENTS)
    cap = MotivationCap.objects.visible_to(user, Action.MANAGE_AGREEMENTS).select_related("municipality").filter(
        pk=pk).first()
    if cap is None:
        raise Http404
    return cap


def motivation_cap_use(user, *, year: int, municipality: str | None = None) -> list[CapUse]:
    """Per municipality the year's lettings on motivation against its cap (aggregates; compliance readers)."""
    membership = require(user, Action.VIEW_COMPLIANCE)
    return cap_use_for_year(membership.corporation_id, year, municipality)


# --- compliance ---------------------------------------------------------------------------------------------


def compliance_years(today: date) -> list[int]:
    """The years a report can be asked for: from the first parameter set's year to this year, newest first."""
    first = min(s.valid_from.year for s in parameter_sets())
    return list(range(today.year, max(first, FIRST_YEAR) - 1, -1))


def compliance_get(user, *, year: int, municipality: str | None = None) -> ComplianceOutcome:
    """The yearly compliance of the user's corporation (aggregates; single households only through links).

    Raises:
        PermissionDenied: for roles without the compliance right.
        LookupError: when no parameter set covers the year.
    """
    membership = require(user, Action.VIEW_COMPLIANCE)
    return compliance_for_corporation(membership.corporation, year, municipality)


def compliance_report_file_get(user, job_pk: int) -> ComplianceReportFile:
    """The PDF of a compliance report job of the user's corporation; 404 for another corporation's or none."""
    membership = require(user, Action.VIEW_COMPLIANCE)
    report = (
        ComplianceReportFile.objects.filter(
            job_id=job_pk, corporation_id=membership.corporation_id, job__status=Job.Status.SUCCEEDED
        )
        .only("file_name", "content", "corporation_id", "job_id")
        .first()
    )
    if report is None:
        raise Http404
    return report
