"""Reading households for users: scoped per corporation and role, and audited where the law asks for it.

Special-category data (vulnerability markers) is read in exactly one place, `markers_for_household`,
which checks the right, checks the purpose and writes the audit record before anything is returned.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Case, CharField, Count, Exists, F, OuterRef, Q, Value, When
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from buurtbalans.core.audit import audit_record
from buurtbalans.core.figures import Cell, is_protected
from buurtbalans.core.legal_parameters import parameters_in_force
from buurtbalans.core.models import AuditEvent
from buurtbalans.core.permissions import MARKER_PURPOSES, Action, membership_of, require
from buurtbalans.engine.parameters import ParameterSet
from buurtbalans.engine.rules import HouseholdFacts, income_band
from buurtbalans.engine.rules.income import HOUSEHOLD_TYPES, income_band_ranges
from buurtbalans.households.models import Household, Tenancy, VulnerabilityKind, VulnerabilityMarker

# Income bands in the order they are shown. "primary" is the primaire doelgroep (at or below the
# inkomensgrens passend toewijzen), "secondary" up to the DAEB income limit, "middle" up to the
# middle-income limit, "high" above it; "unknown" when the income or a limit it needs is missing.
INCOME_BANDS: tuple[str, ...] = ("primary", "secondary", "middle", "high", "unknown")
INCOME_BAND_LABELS = {
    "primary": _("Lowest incomes (primary target group)"),
    "secondary": _("Low incomes (secondary target group)"),
    "middle": _("Middle incomes"),
    "high": _("High incomes"),
    "unknown": _("Income band unknown"),
}
INCOME_BAND_SHORT_LABELS = {
    "primary": _("Lowest"),
    "secondary": _("Low"),
    "middle": _("Middle"),
    "high": _("High"),
    "unknown": _("Unknown"),
}

MARKER_PURPOSE_LABELS = {
    "allocation": _("Allocation: finding a suitable home for this household"),
    "social_management": _("Social management: support for this household in the neighbourhood"),
}


@dataclass(frozen=True)
class IncomeBandLimits:
    """The parameter set used for the bands and the limits it lacks (shown to the user, never guessed)."""

    reference_date: date
    parameters: ParameterSet | None
    missing: tuple[str, ...]


def income_band_limits(reference_date: date) -> IncomeBandLimits:
    try:
        params = parameters_in_force(reference_date)
    except LookupError:
        return IncomeBandLimits(reference_date, None, ("all",))
    names = (
        "allowance_income_limit_single",
        "allowance_income_limit_multi",
        "allowance_income_limit_single_pension",
        "allowance_income_limit_multi_pension",
        "daeb_income_limit_single",
        "daeb_income_limit_multi",
        "middle_income_limit_single",
        "middle_income_limit_multi",
    )
    return IncomeBandLimits(reference_date, params, tuple(n for n in names if getattr(params, n) is None))


def income_band_conditions(params: ParameterSet | None, prefix: str = "") -> dict[str, Q | None]:
    """One condition per known income band, for conditional aggregation in the database.

    Generated from the engine's one definition of the bands (`engine.rules.income_band_ranges`, per household
    type), so a household counted in a band here is the household `income_band` puts in it. A household falls
    in a band only when the limits that bound it are known for its type; everything else is counted as
    "unknown" by the caller, so a missing parameter shows as unknown rather than as a wrong band.

    Args:
        params: the parameter set for the reference date, or None when none is known.
        prefix: the lookup path from the queried model to Household, e.g. "current__household__".
    """
    # None: no household can be placed in the band (its limits are missing). Not an empty `pk__in`: Django
    # turns an aggregate over an impossible filter into a constant that poisons arithmetic on it.
    conditions: dict[str, Q | None] = {band: None for band in INCOME_BANDS[:-1]}
    if params is None:
        return conditions
    income = f"{prefix}assessed_income"
    for household_type in HOUSEHOLD_TYPES:
        type_q = Q(**{f"{prefix}size__gte": household_type.min_size})
        if household_type.max_size is not None:
            type_q &= Q(**{f"{prefix}size__lte": household_type.max_size})
        type_q &= Q(**{f"{prefix}is_pension_age_household": household_type.is_pension_age_household})
        type_q &= Q(**{f"{income}__isnull": False})
        for band_range in income_band_ranges(params, household_type.min_size, household_type.is_pension_age_household):
            q = type_q
            if band_range.above is not None:
                q &= Q(**{f"{income}__gt": band_range.above})
            if band_range.up_to is not None:
                q &= Q(**{f"{income}__lte": band_range.up_to})
            band = str(band_range.band)
            conditions[band] = q if conditions[band] is None else conditions[band] | q
    return conditions


def income_band_case(params: ParameterSet | None, prefix: str = ""):
    """The income band of the household at `prefix` as one CASE column: "primary" … "high", else "unknown".

    The same bands as `income_band_conditions`, from the same `income_band_ranges`, nested by household type:
    the type is tested once, then the income against the type's rising limits, in order. A range whose floor is
    the ceiling of what the WHENs before it took needs no floor test (incomes below the lowest range, whose own
    limit is missing, are "unknown" first). About a third of the conditions of OR-ing the bands' filters, which
    Django compiles for every query and the database evaluates for every row (issue 12 item 7: the complex page).
    """
    unknown = Value(INCOME_BANDS[-1], output_field=CharField())
    if params is None:
        return unknown
    income = f"{prefix}assessed_income"
    by_type = []
    for household_type in HOUSEHOLD_TYPES:
        # `covered`: every income at or below it is taken by a WHEN before (None: none yet). A range whose floor
        # is exactly that needs no floor test; one with a gap below it keeps it and covers nothing new below.
        whens, covered = [], None
        ranges = income_band_ranges(params, household_type.min_size, household_type.is_pension_age_household)
        if ranges and ranges[0].above is not None:  # below the lowest known band (its own limit is missing)
            whens.append(When(Q(**{f"{income}__lte": ranges[0].above}), then=unknown))
            covered = ranges[0].above
        for band_range in ranges:
            contiguous = band_range.above == covered
            q = Q()
            if not contiguous:
                q &= Q(**{f"{income}__gt": band_range.above})
            if band_range.up_to is not None:
                q &= Q(**{f"{income}__lte": band_range.up_to})
            whens.append(When(q, then=Value(str(band_range.band))) if q else None)
            if contiguous and band_range.up_to is not None and (covered is None or band_range.up_to > covered):
                covered = band_range.up_to
        if not whens:
            continue
        type_q = Q(**{f"{prefix}size__gte": household_type.min_size})
        if household_type.max_size is not None:
            type_q &= Q(**{f"{prefix}size__lte": household_type.max_size})
        type_q &= Q(**{f"{prefix}is_pension_age_household": household_type.is_pension_age_household})
        type_q &= Q(**{f"{income}__isnull": False})
        # A last range open above with no floor test takes every income left: the CASE's default.
        inner = [w for w in whens if w is not None]
        default = Value(str(band_range.band)) if whens[-1] is None else unknown
        by_type.append(When(type_q, then=Case(*inner, default=default, output_field=CharField()) if inner
                            else default))
    if not by_type:
        return unknown
    return Case(*by_type, default=unknown, output_field=CharField())


def markers_valid_on(date_ref):
    """Markers valid on `date_ref`: a date, or an expression such as OuterRef("start_date").

    The one definition of "valid on a day" (from `valid_from` up to and including `valid_until`) for every
    aggregate; single households' markers go through `markers_for_household`.
    """
    return VulnerabilityMarker.objects.filter(valid_from__lte=date_ref).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=date_ref)
    )


def counting_markers_valid_on(date_ref):
    """Markers valid on `date_ref` of a kind that counts for the concentration measures.

    The concentration measures (the composition per complex, the mix and inflow, the liveability measures, the
    labelling plan's input and estimates) count only these: whether a kind counts is its
    `counts_for_concentration` setting, with a recorded reason (the default `status_holder` does not count).
    """
    return markers_valid_on(date_ref).filter(kind__counts_for_concentration=True)


def active_marker_q(household_ref: str, reference_date: date) -> Q:
    """Whether the household (a field path of the outer query) has a marker of a counting kind valid on the date.

    An uncorrelated `IN (markers)` rather than a correlated EXISTS: markers are few, so PostgreSQL hashes them once
    instead of probing the marker index for each of 100k households (the overview's totals went from 166 to ~90 ms).
    For a date that differs per row (the day of each letting) use `marker_exists_on`.
    """
    return Q(**{f"{household_ref}__in": counting_markers_valid_on(reference_date).values("household_id")})


def marker_exists_on(date_ref, household_ref: str = "household_id") -> Exists:
    """Whether the outer row's household had a marker of a counting kind valid on `date_ref` (may differ per row)."""
    return Exists(counting_markers_valid_on(date_ref).filter(household_id=OuterRef(household_ref)))


def current_tenancy_q(reference_date: date, prefix: str = "") -> Q:
    """A tenancy that runs on the reference date (started, and not ended before it)."""
    return Q(**{f"{prefix}start_date__lte": reference_date}) & (
        Q(**{f"{prefix}end_date__isnull": True}) | Q(**{f"{prefix}end_date__gte": reference_date})
    )


def household_band(household: Household, params: ParameterSet | None) -> str:
    """The income band of one household, decided by the rules engine (the same bounds as the aggregates)."""
    if params is None or household.assessed_income is None:
        return "unknown"
    facts = HouseholdFacts(
        household_size=household.size,
        assessed_income=Decimal(household.assessed_income),
        is_pension_age_household=household.is_pension_age_household,
    )
    decision = income_band(facts, params)
    return "unknown" if decision.band is None else str(decision.band)


def household_get(user, pk: int, *, purpose: str | None = "household_page") -> Household:
    """One household of the user's corporation, for roles that may see single households.

    The row carries the household's income, so fetching it for display writes a HOUSEHOLD_READ audit event
    with `purpose`; pass `purpose=None` when the caller shows no income (e.g. the marker purpose question).

    Raises:
        PermissionDenied: for roles without VIEW_HOUSEHOLDS (analysts see aggregates only).
        Http404: when the household does not exist in the user's corporation.
    """
    require(user, Action.VIEW_HOUSEHOLDS)
    household = Household.objects.visible_to(user).filter(pk=pk).first()
    if household is None:
        raise Http404
    if purpose is not None:
        household_income_read_record(
            user=user, households=[household], purpose=purpose, what=f"household {household.external_id}"
        )
    return household


def household_income_read_record(*, user, households, purpose: str, what: str) -> None:
    """Log that single households' incomes were shown (STYLE: selectors returning income write a read event)."""
    ids = [h.external_id if hasattr(h, "external_id") else str(h) for h in households]
    if not ids:
        return
    membership = membership_of(user)
    audit_record(
        actor=user,
        event=AuditEvent.Type.HOUSEHOLD_READ,
        corporation=membership.corporation if membership else None,
        subject_type="household",
        subject_ids=ids,
        subject_label=what,
        purpose=purpose,
    )


def tenancy_list_for_household(user, household: Household):
    """The household's tenancies, newest first, with their dwelling and complex."""
    return (
        Tenancy.objects.visible_to(user)
        .filter(household=household)
        .select_related("dwelling", "dwelling__complex")
        .order_by("-start_date", "-pk")
    )


def marker_purposes_for(user) -> list[str]:
    """The purposes for which this user may read markers: one per role that has one."""
    membership = membership_of(user)
    if membership is None:
        return []
    purposes = [MARKER_PURPOSES[role] for role in membership.roles if role in MARKER_PURPOSES]
    return list(dict.fromkeys(purposes))


@transaction.atomic
def markers_for_household(*, user, household: Household, purpose: str) -> list[VulnerabilityMarker]:
    """The household's vulnerability markers, for a user with a purpose; every call is logged.

    The audit record (who, whose data, what, why) is written in the same transaction before the markers
    are returned, so no read goes unrecorded.

    Raises:
        PermissionDenied: for users without VIEW_MARKERS (POLICY_ANALYST, ADMIN, AUDITOR), for a household
            of another corporation, or for a purpose the user's roles do not have.
    """
    membership = require(user, Action.VIEW_MARKERS)
    if household.corporation_id != membership.corporation_id:
        raise PermissionDenied
    if purpose not in marker_purposes_for(user):
        raise PermissionDenied
    markers = list(
        VulnerabilityMarker.objects.visible_to(user)
        .filter(household=household)
        .select_related("kind")
        .order_by("-valid_from", "pk")
    )
    audit_record(
        actor=user,
        event=AuditEvent.Type.MARKERS_READ,
        corporation=membership.corporation,
        subject_type="household",
        subject_ids=[household.external_id],
        subject_label=f"vulnerability markers of household {household.external_id}",
        purpose=purpose,
        data={"marker_ids": [m.pk for m in markers], "count": len(markers)},
    )
    return markers


@dataclass(frozen=True)
class MarkerKindRow:
    """One kind of marker on the administrator's list: the kind and how many households have it now, never who.

    `households` follows the small-cell rule (`core.figures.Cell`): an administrator may not read markers, so
    fewer than 5 shows as "< 5". `has_markers` (also past ones) decides whether the kind can still be deleted.
    """

    kind: VulnerabilityKind
    households: Cell
    has_markers: bool

    @property
    def is_default(self) -> bool:
        return self.kind.corporation_id is None


def marker_kinds_of(corporation_id: int):
    """The kinds a corporation's markers may have: the defaults (corporation null) and its own."""
    return VulnerabilityKind.objects.filter(Q(corporation_id=corporation_id) | Q(corporation__isnull=True))


def marker_kind_list(user, *, reference_date: date) -> list[MarkerKindRow]:
    """The defaults and the corporation's own kinds, each with the households that have a marker of it today.

    Counts only: which households have a marker is read through `markers_for_household`, with a purpose.

    Raises:
        PermissionDenied: for roles without MANAGE_MARKER_KINDS.
    """
    membership = require(user, Action.MANAGE_MARKER_KINDS)
    corporation_id = membership.corporation_id
    current = dict(
        markers_valid_on(reference_date)
        .filter(corporation_id=corporation_id)
        .order_by()
        .values("kind_id")
        .annotate(households=Count("household_id", distinct=True))
        .values_list("kind_id", "households")
    )
    used = set(
        VulnerabilityMarker.objects.filter(corporation_id=corporation_id)
        .order_by()
        .values_list("kind_id", flat=True)
        .distinct()
    )
    protected = is_protected(user)
    kinds = marker_kinds_of(corporation_id).order_by(F("corporation_id").asc(nulls_first=True), "code")
    return [
        MarkerKindRow(kind, Cell(current.get(kind.pk, 0), current.get(kind.pk, 0), protected), kind.pk in used)
        for kind in kinds
    ]


def marker_kind_get(user, pk: int) -> VulnerabilityKind:
    """One kind the user's corporation may use (a default or its own); another corporation's kind is a 404.

    Raises:
        PermissionDenied: for roles without MANAGE_MARKER_KINDS.
        Http404: for a kind of another corporation, or none.
    """
    membership = require(user, Action.MANAGE_MARKER_KINDS)
    kind = marker_kinds_of(membership.corporation_id).filter(pk=pk).first()
    if kind is None:
        raise Http404
    return kind
