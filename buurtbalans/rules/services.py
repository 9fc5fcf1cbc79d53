"""Writes of the rules app: legal parameter values, own values, performance agreements, caps on motivation.

The shared legal parameter values come from a screen or a file; a performance agreement (prestatieafspraak) is
recorded per municipality, and the compliance report is queued here too.

Legal parameters are not personal data: who changed what is kept on the value row itself and in the
append-only `ParameterChange` history, with the parameter set's version before and after, and in the audit log.
The shared values are every corporation's: only a platform administrator (role PLATFORM_ADMIN) or a command on
the server changes them, and the screens show every change (old and new) for confirmation before it is saved.
A corporation's own values (`LocalParameterValue`) are its administrator's, and apply to it alone.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buurtbalans.core.audit import actor_label, audit_record
from buurtbalans.core.jobs import job_enqueue
from buurtbalans.core.models import AuditEvent, HousingCorporation, Job, Membership, Role
from buurtbalans.core.permissions import Action, membership_of, require
from buurtbalans.engine.parameters import (
    VALUE_FIELDS,
    ParameterRow,
    ParameterSet,
    ParameterTableError,
    amount_text,
    builtin_parameter_rows,
    effective_parameter_sets,
    parameter_set_problems,
    read_parameter_csv,
)
from buurtbalans.rules.jobs import COMPLIANCE_REPORT_KIND
from buurtbalans.rules.labels import is_share, parameter_label
from buurtbalans.rules.local_parameters import LocalValue, local_value_problems
from buurtbalans.rules.models import (
    LocalParameterValue,
    MotivationCap,
    ParameterChange,
    ParameterState,
    ParameterValue,
    PerformanceAgreement,
)
from buurtbalans.rules.parameters import local_values_changed, parameter_sets, parameter_sets_changed


@dataclass(frozen=True)
class ParameterSaveResult:
    """What a save changed: the rows written, the rows that were already so, and the new versions per date."""

    changed: tuple[ParameterRow, ...]
    unchanged: int
    versions: dict[date, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ParameterDiff:
    """One value a proposed change would change: the row in force before and the row after.

    `old` is None when the date had no value for the key; `new` is None when removing a correction leaves no
    value (a date the built-in table does not have).
    """

    valid_from: date
    key: str
    old: ParameterRow | None
    new: ParameterRow | None

    @property
    def label(self) -> str:
        """The parameter's name for the confirmation screen (`rules.labels`)."""
        return parameter_label(self.key)

    @property
    def is_share(self) -> bool:
        """Whether the value is a share (0.95 = 95%), shown as a percentage, rather than an amount in euros."""
        return is_share(self.key)

    @property
    def source_changed(self) -> bool:
        """Whether the source reference changes too (the confirmation screen marks it)."""
        return (self.old.source if self.old else "") != (self.new.source if self.new else "")

    @property
    def note_changed(self) -> bool:
        """Whether the note changes too (the confirmation screen marks it, or says it is removed)."""
        return (self.old.note if self.old else "") != (self.new.note if self.new else "")

    def as_audit(self) -> dict:
        """The change as the PARAMETERS_CHANGED audit event keeps it: old and new value ("n/f"), source and note."""
        return {
            "valid_from": self.valid_from.isoformat(),
            "key": self.key,
            "old": _row_audit(self.old),
            "new": _row_audit(self.new),
        }


def _row_audit(row: ParameterRow | None) -> dict | None:
    if row is None:
        return None
    return {"value": row.value or "n/f", "source": row.source, "note": row.note}


class ParameterProposalStale(Exception):
    """The values in force changed after the change was shown for confirmation: it must be shown again."""


def diff_fingerprint(diffs: Sequence[ParameterDiff]) -> str:
    """What a confirmation page showed, in a few characters: the confirm post must match it."""
    text = "\n".join(
        f"{d.valid_from}|{d.key}|{_row_audit(d.old)}|{_row_audit(d.new)}" for d in diffs
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _state(row: ParameterRow) -> str:
    if row.is_not_applicable:
        return ParameterState.NOT_APPLICABLE
    if row.is_unknown:
        return ParameterState.UNKNOWN
    return ParameterState.VALUE


def _effective_rows(stored: Iterable[ParameterValue]) -> dict[tuple[date, str], ParameterRow]:
    rows = {(r.valid_from, r.key): r for r in builtin_parameter_rows()}
    rows.update({(v.valid_from, v.key): v.as_row() for v in stored})
    return rows


def _versions(sets: tuple[ParameterSet, ...]) -> dict[date, str]:
    return {s.valid_from: s.version for s in sets}


def _same(a: ParameterRow | None, b: ParameterRow) -> bool:
    if a is None:
        return False
    if (a.is_unknown and b.is_unknown) or (a.is_not_applicable and b.is_not_applicable):
        same_value = True
    elif a.amount is not None and b.amount is not None:
        same_value = a.amount == b.amount
    else:
        same_value = False
    return same_value and a.source == b.source and a.note == b.note


def _require_platform_right(actor) -> None:
    """The shared parameters are every corporation's: only a platform administrator (or a command) changes them."""
    if actor is not None and getattr(actor, "is_authenticated", False):
        require(actor, Action.MANAGE_SHARED_PARAMETERS)


@dataclass(frozen=True)
class _Plan:
    """A change worked out against the stored values: what changes, and the versions before and after."""

    stored: dict[tuple[date, str], ParameterValue]
    diffs: tuple[ParameterDiff, ...]
    before_versions: dict[date, str]
    after_versions: dict[date, str]


def _plan_rows(rows: Sequence[ParameterRow], stored: dict[tuple[date, str], ParameterValue]) -> _Plan:
    before_rows = _effective_rows(stored.values())
    before_versions = _versions(effective_parameter_sets(v.as_row() for v in stored.values()))
    changed = [row for row in rows if not _same(before_rows.get((row.valid_from, row.key)), row)]
    diffs = tuple(ParameterDiff(r.valid_from, r.key, before_rows.get((r.valid_from, r.key)), r) for r in changed)
    if not changed:
        return _Plan(stored, (), before_versions, {})
    after_rows = {**{k: v.as_row() for k, v in stored.items()}, **{(r.valid_from, r.key): r for r in changed}}
    after_sets = effective_parameter_sets(after_rows.values())
    dates = {row.valid_from for row in changed}
    problems = [
        f"{s.valid_from.isoformat()}: {problem}"
        for s in after_sets
        if s.valid_from in dates
        for problem in parameter_set_problems(s)
    ]
    if problems:
        raise ParameterTableError(problems)
    return _Plan(stored, diffs, before_versions, _versions(after_sets))


def parameter_changes_preview(*, rows: Sequence[ParameterRow], actor) -> tuple[ParameterDiff, ...]:
    """What storing `rows` would change, value by value (old and new), for the confirmation page; empty: nothing.

    Raises:
        PermissionDenied: for a user who is not a platform administrator.
        ParameterTableError: when the resulting set of a date breaks the order of its limits.
    """
    _require_platform_right(actor)
    stored = {(v.valid_from, v.key): v for v in ParameterValue.objects.all()}
    return _plan_rows(rows, stored).diffs


@transaction.atomic
def parameter_values_save(
    *,
    rows: Sequence[ParameterRow],
    actor,
    via: str = ParameterChange.Via.FORM,
    file_name: str = "",
    actor_name: str | None = None,
    confirmed: str | None = None,
) -> ParameterSaveResult:
    """Store checked parameter rows as corrections of (or additions to) the built-in table; all or nothing.

    A row equal to the value in force (value, source and note) is not stored again. Every stored value records
    who changed it and when, and the set's new version; the history gets one `ParameterChange` per value, and
    the audit log one PARAMETERS_CHANGED event with every old and new value.

    Args:
        rows: rows checked by `engine.parameters.parse_parameter_rows` (numbers with a source).
        actor: the platform administrator (a user), or None for a command.
        via: how the values came in (screen, file or the demo).
        file_name: the uploaded file's name, for the history.
        actor_name: who, when there is no user (default "cli:<login>"; the demo says "seed_demo").
        confirmed: the `diff_fingerprint` of the change the user confirmed; when given, the change must still
            be exactly that one.

    Returns:
        The rows that changed something, how many were unchanged, and the versions of the changed dates.

    Raises:
        PermissionDenied: for a user who is not a platform administrator.
        ParameterTableError: when the resulting set of a date breaks the order of its limits (every problem
            listed); nothing is stored then.
        ParameterProposalStale: when `confirmed` no longer matches the change (someone changed values since).
    """
    _require_platform_right(actor)
    stored = {(v.valid_from, v.key): v for v in ParameterValue.objects.select_for_update()}
    plan = _plan_rows(rows, stored)
    if confirmed is not None and diff_fingerprint(plan.diffs) != confirmed:
        raise ParameterProposalStale
    if not plan.diffs:
        return ParameterSaveResult((), len(rows))
    changed = [d.new for d in plan.diffs]
    after_versions = plan.after_versions
    dates = {row.valid_from for row in changed}

    now = timezone.now()
    membership = membership_of(actor)
    who = {
        "changed": now,
        "changed_by": actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        "changed_by_name": actor_label(actor, actor_name),
        "changed_by_corporation": membership.corporation if membership else None,
    }
    for diff in plan.diffs:
        row, old = diff.new, diff.old
        ParameterValue.objects.update_or_create(
            valid_from=row.valid_from,
            key=row.key,
            defaults={
                "state": _state(row),
                "value": row.amount,
                "source": row.source,
                "note": row.note,
                "version": after_versions[row.valid_from],
                **who,
            },
        )
        ParameterChange.objects.create(
            actor=who["changed_by"],
            actor_name=who["changed_by_name"],
            actor_corporation=who["changed_by_corporation"],
            via=via,
            file_name=file_name[:200],
            valid_from=row.valid_from,
            key=row.key,
            old_value=old.value if old else "",
            new_value=row.value or "n/f",
            old_source=old.source if old else "",
            new_source=row.source,
            version_before=plan.before_versions.get(row.valid_from, ""),
            version_after=after_versions[row.valid_from],
        )
    # Values of a changed date that were stored earlier carry that date's version too.
    for valid_from in dates:
        ParameterValue.objects.filter(valid_from=valid_from).update(version=after_versions[valid_from])
    _audit_parameters_changed(
        actor=actor,
        membership=membership,
        diffs=plan.diffs,
        versions={d.isoformat(): after_versions[d] for d in dates},
        via=via,
        actor_name=who["changed_by_name"],
        file_name=file_name,
    )
    parameter_sets_changed()
    return ParameterSaveResult(tuple(changed), len(rows) - len(changed), {d: after_versions[d] for d in dates})


def parameter_file_rows(*, text: str, file_name: str) -> tuple[ParameterRow, ...]:
    """Check an uploaded long-format parameter table: every row, and every parameter of every date it names.

    Unlike the built-in table, an uploaded file says everything explicitly: an empty value cell is an error
    (write n/f when a value is not known, - when it does not exist in that year), and so is a date that does not
    list every parameter (a missing row would otherwise silently make a value unknown).

    Raises:
        ParameterTableError: with every bad row ("<file> row N, column: message") and every missing key.
    """
    rows = read_parameter_csv(text, file_name, require_source=True)
    errors = [
        f"{file_name} row {number}, value: empty; write n/f when the value is not known, "
        f"or - when it does not exist in that year"
        for number, row in enumerate(rows, start=2)
        if not row.value
    ]
    keys_by_date: dict[date, set[str]] = {}
    for row in rows:
        keys_by_date.setdefault(row.valid_from, set()).add(row.key)
    for valid_from, keys in sorted(keys_by_date.items()):
        missing = [key for key in VALUE_FIELDS if key not in keys]
        if missing:
            errors.append(
                f"{file_name}: {valid_from.isoformat()} lacks a row for: {', '.join(missing)} "
                f"(every parameter of a date must be in the file; n/f when not known, - when it does not exist)"
            )
    if errors:
        raise ParameterTableError(errors)
    return rows


def _removal_plan(stored: dict[tuple[date, str], ParameterValue], valid_from: date, key: str):
    """(the value, the diff, versions before and after, the set after) of removing one stored value; None: none."""
    value = stored.get((valid_from, key))
    if value is None:
        return None
    rest = [v.as_row() for k, v in stored.items() if k != (valid_from, key)]
    before_versions = _versions(effective_parameter_sets(v.as_row() for v in stored.values()))
    after = {s.valid_from: s for s in effective_parameter_sets(rest)}
    builtin = {(r.valid_from, r.key): r for r in builtin_parameter_rows()}.get((valid_from, key))
    diff = ParameterDiff(valid_from, key, value.as_row(), builtin)
    return value, diff, before_versions, after


def parameter_removal_preview(*, valid_from: date, key: str, actor) -> ParameterDiff | None:
    """What removing the stored value would change (back to the built-in value, or none); None: nothing stored.

    Raises:
        PermissionDenied: for a user who is not a platform administrator.
    """
    _require_platform_right(actor)
    stored = {(v.valid_from, v.key): v for v in ParameterValue.objects.all()}
    plan = _removal_plan(stored, valid_from, key)
    if plan is None:
        return None
    _removal_problems(valid_from, plan[3])
    return plan[1]


def _removal_problems(valid_from: date, after: dict[date, ParameterSet]) -> None:
    if valid_from in after:
        problems = [f"{valid_from.isoformat()}: {p}" for p in parameter_set_problems(after[valid_from])]
        if problems:
            raise ParameterTableError(problems)


@transaction.atomic
def parameter_value_remove(*, valid_from: date, key: str, actor, confirmed: str | None = None) -> bool:
    """Remove a stored value, so the built-in table's value (or none) is in force again.

    Returns:
        False when there was no stored value for the date and key.

    Raises:
        PermissionDenied: for a user who is not a platform administrator.
        ParameterTableError: when the set in force afterwards breaks the order of its limits.
        ParameterProposalStale: when `confirmed` no longer matches the change.
    """
    _require_platform_right(actor)
    stored = {(v.valid_from, v.key): v for v in ParameterValue.objects.select_for_update()}
    plan = _removal_plan(stored, valid_from, key)
    if plan is None:
        if confirmed is not None:
            raise ParameterProposalStale
        return False
    value, diff, before_versions, after = plan
    if confirmed is not None and diff_fingerprint([diff]) != confirmed:
        raise ParameterProposalStale
    _removal_problems(valid_from, after)
    membership = membership_of(actor)
    value.delete()
    version_after = after[valid_from].version if valid_from in after else ""
    ParameterValue.objects.filter(valid_from=valid_from).update(version=version_after)
    builtin = diff.new
    ParameterChange.objects.create(
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        actor_name=actor_label(actor),
        actor_corporation=membership.corporation if membership else None,
        via=ParameterChange.Via.REMOVED,
        valid_from=valid_from,
        key=key,
        old_value=value.value_text,
        new_value=(builtin.value or "n/f") if builtin else "",
        old_source=value.source,
        new_source=builtin.source if builtin else "",
        version_before=before_versions.get(valid_from, ""),
        version_after=version_after,
    )
    _audit_parameters_changed(
        actor=actor,
        membership=membership,
        diffs=(diff,),
        versions={valid_from.isoformat(): version_after},
        via=ParameterChange.Via.REMOVED,
    )
    parameter_sets_changed()
    return True


def _audit_parameters_changed(
    *,
    actor,
    membership,
    diffs: Sequence[ParameterDiff],
    versions: dict,
    via: str,
    actor_name: str | None = None,
    file_name: str = "",
) -> None:
    """Write PARAMETERS_CHANGED for these changes.

    Legal parameters hold no personal data, but who changed the rules every decision is tested against, and from
    what to what, belongs in the audit log next to the parameter history.
    """
    data = {"changes": [d.as_audit() for d in diffs], "versions": versions, "via": str(via)}
    if file_name:
        data["file"] = file_name[:200]
    audit_record(
        actor=actor,
        event=AuditEvent.Type.PARAMETERS_CHANGED,
        corporation=membership.corporation if membership else None,
        subject_type="legal_parameters",
        subject_label=", ".join(sorted({d.valid_from.isoformat() for d in diffs})),
        purpose="parameter_maintenance",
        data=data,
        actor_name=actor_name,
    )


# --- a corporation's own values -----------------------------------------------------------------------------


class LocalParameterRefused(ValueError):
    """An own value that may not be saved; `problems` are plain sentences for the user."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _local_values(corporation_id: int, *, exclude_pk: int | None = None) -> list[LocalValue]:
    rows = LocalParameterValue.objects.filter(corporation_id=corporation_id).exclude(pk=exclude_pk)
    return [LocalValue(v.key, v.valid_from, v.valid_until, v.value, v.source, v.note) for v in rows]


def _local_audit(value: LocalParameterValue | None) -> dict | None:
    if value is None:
        return None
    return {
        "valid_from": value.valid_from.isoformat(),
        "valid_until": value.valid_until.isoformat() if value.valid_until else None,
        "value": amount_text(value.value),
        "source": value.source,
        "note": value.note,
    }


@transaction.atomic
def local_parameter_value_save(
    *,
    actor,
    corporation,
    key: str,
    valid_from: date,
    valid_until: date | None,
    value: Decimal,
    source: str,
    note: str = "",
    instance: LocalParameterValue | None = None,
) -> LocalParameterValue:
    """Record (or correct) `corporation`'s own value of a legal parameter; it applies to that corporation only.

    Raises:
        PermissionDenied: for a user who may not manage the corporation's own values, or another corporation's.
        LocalParameterRefused: when the value would be less strict than the law in any year it covers, overlap
            another own value of the same parameter, or break the order of the caps (plain sentences).
    """
    membership = require(actor, Action.MANAGE_LOCAL_PARAMETERS) if actor is not None else None
    if membership is not None and membership.corporation_id != corporation.pk:
        raise PermissionDenied
    if instance is not None and instance.corporation_id != corporation.pk:
        raise PermissionDenied
    # One writer at a time per corporation: the overlap check below reads the other rows.
    rows = {v.pk: v for v in LocalParameterValue.objects.select_for_update().filter(corporation=corporation)}
    # As stored: a ModelForm has already copied the new values onto `instance`.
    before = _local_audit(rows.get(instance.pk)) if instance is not None else None
    candidate = LocalValue(key, valid_from, valid_until, value, source, note)
    problems = local_value_problems(
        candidate, parameter_sets(), _local_values(corporation.pk, exclude_pk=instance.pk if instance else None)
    )
    if problems:
        raise LocalParameterRefused(problems)
    row = instance or LocalParameterValue(corporation=corporation)
    row.key, row.valid_from, row.valid_until, row.value = key, valid_from, valid_until, value
    row.source, row.note = source, note
    row.changed = timezone.now()
    row.changed_by = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    row.changed_by_name = actor_label(actor)
    row.save()
    _audit_local(actor, corporation, key, before, _local_audit(row))
    local_values_changed()
    return row


@transaction.atomic
def local_parameter_value_remove(*, actor, value: LocalParameterValue) -> None:
    """Remove an own value: from then on the legal value applies to the corporation again."""
    membership = require(actor, Action.MANAGE_LOCAL_PARAMETERS) if actor is not None else None
    if membership is not None and membership.corporation_id != value.corporation_id:
        raise PermissionDenied
    before = _local_audit(value)
    corporation, key = value.corporation, value.key
    value.delete()
    _audit_local(actor, corporation, key, before, None)
    local_values_changed()


def _audit_local(actor, corporation, key: str, old: dict | None, new: dict | None) -> None:
    audit_record(
        actor=actor,
        event=AuditEvent.Type.LOCAL_PARAMETERS_CHANGED,
        corporation=corporation,
        subject_type="local_parameters",
        subject_label=key,
        purpose="parameter_maintenance",
        data={"key": key, "old": old, "new": new},
    )


# --- the platform administrator ------------------------------------------------------------------------------


class PlatformAdminError(ValueError):
    """The platform role cannot be granted or revoked as asked (a one-line reason for the command)."""


@transaction.atomic
def platform_admin_set(*, username: str, grant: bool, corporation_code: str | None = None, actor_name: str = ""):
    """Grant or revoke the role PLATFORM_ADMIN (the right to change the shared legal parameters); audited.

    Only `buurtbalans platform_admin` calls this: no screen grants the role (core.models.PLATFORM_ROLES).

    Args:
        username: the user.
        grant: True to grant, False to revoke.
        corporation_code: for a user without a membership, the corporation to make one in (with only this role).
        actor_name: who ran the command (default "cli:<login>").

    Returns:
        The membership's roles before and after, as lists; equal when nothing changed.

    Raises:
        PlatformAdminError: no such user; a user without a membership and no (known) corporation to grant in.
    """
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise PlatformAdminError(f"no user {username!r}")
    membership = Membership.objects.select_for_update().filter(user=user).first()
    role = str(Role.PLATFORM_ADMIN)
    if membership is None:
        if not grant:
            return [], []
        if not corporation_code:
            raise PlatformAdminError(
                f"user {username!r} belongs to no corporation: give --corporation CODE for the membership"
            )
        corporation = HousingCorporation.objects.filter(code=corporation_code).first()
        if corporation is None:
            raise PlatformAdminError(f"no corporation with code {corporation_code!r}")
        membership = Membership(user=user, corporation=corporation, roles=[])
    old = list(membership.roles)
    new = [*old, role] if grant and role not in old else [r for r in old if grant or r != role]
    if new == old and membership.pk is not None:
        return old, new
    membership.roles = new
    membership.save()
    audit_record(
        actor=None,
        event=AuditEvent.Type.MEMBERSHIP_CHANGED,
        corporation=membership.corporation,
        subject_type="membership",
        subject_label=username,
        purpose="platform_administration",
        data={"user": username, "old_roles": old, "new_roles": new, "platform_role": "granted" if grant else "revoked"},
        actor_name=actor_name or None,
    )
    return old, new


def platform_admin_list() -> list[tuple[str, str]]:
    """(username, corporation name) of every platform administrator."""
    return sorted(
        (m.user.get_username(), m.corporation.name)
        for m in Membership.objects.select_related("user", "corporation")
        if Role.PLATFORM_ADMIN in m.roles
    )


# --- performance agreements ---------------------------------------------------------------------------------


@transaction.atomic
def performance_agreement_save(
    *,
    actor,
    corporation,
    municipality,
    valid_from: date,
    valid_until: date | None,
    free_allocation_share: Decimal,
    note: str = "",
    agreement: PerformanceAgreement | None = None,
) -> PerformanceAgreement:
    """Record (or correct) a performance agreement of `corporation` with `municipality`."""
    if agreement is not None and agreement.corporation_id != corporation.pk:
        raise ValueError("an agreement of another corporation")
    agreement = agreement or PerformanceAgreement(corporation=corporation)
    agreement.municipality = municipality
    agreement.valid_from = valid_from
    agreement.valid_until = valid_until
    agreement.free_allocation_share = free_allocation_share
    agreement.note = note
    agreement.recorded_by = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    agreement.recorded_by_name = actor_label(actor)
    agreement.save()
    return agreement


@transaction.atomic
def performance_agreement_delete(*, agreement: PerformanceAgreement) -> None:
    """Remove a performance agreement (prestatieafspraak).

    The compliance report then applies the legal free allocation share in that municipality again
    (`rules.compliance.agreements_for_year`). The caller has fetched the agreement through the selector, so it is one
    of the user's corporation.
    """
    agreement.delete()


# --- caps on selection on motivation -------------------------------------------------------------------------


class MotivationCapRefused(ValueError):
    """The cap cannot be saved as asked; `problems` are sentences for the user."""

    def __init__(self, *problems: str):
        super().__init__("; ".join(problems))
        self.problems = list(problems)


def _cap_audit(cap: MotivationCap) -> dict:
    return {"municipality": cap.municipality.cbs_code, "year": cap.year,
            "max_share": None if cap.max_share is None else str(cap.max_share),
            "max_number": cap.max_number, "source": cap.source, "note": cap.note}


def _audit_cap(actor, corporation, label: str, old: dict | None, new: dict | None) -> None:
    audit_record(
        actor=actor,
        event=AuditEvent.Type.MOTIVATION_CAP_CHANGED,
        corporation=corporation,
        subject_type="motivation_cap",
        subject_label=label,
        purpose="allocation_policy",
        data={"old": old, "new": new},
    )


@transaction.atomic
def motivation_cap_save(
    *,
    actor,
    corporation,
    municipality,
    year: int,
    max_share: Decimal | None,
    max_number: int | None,
    source: str = "",
    note: str = "",
    cap: MotivationCap | None = None,
) -> MotivationCap:
    """Record (or correct) the yearly cap on selection on motivation in a municipality; audited with old and new.

    Args:
        actor: a user with MANAGE_AGREEMENTS (of `corporation`), or None for a command.
        corporation: whose lettings the cap limits.
        municipality: the municipality that sets it.
        year: the calendar year it is for.
        max_share: the highest share of the year's lettings, as a fraction (0.25), or None.
        max_number: the highest number of lettings on motivation in the year, or None.
        source: where it is laid down (the ordinance or the performance agreement).
        note: free text.
        cap: the cap to correct; None records a new one.

    Raises:
        MotivationCapRefused: neither limit given, a share outside (0, 1], or another cap for the same
            municipality and year.
        PermissionDenied: the actor may not manage agreements of this corporation.
    """
    membership = require(actor, Action.MANAGE_AGREEMENTS) if actor is not None else None
    if membership is not None and membership.corporation_id != corporation.pk:
        raise PermissionDenied
    if cap is not None and cap.corporation_id != corporation.pk:
        raise PermissionDenied
    problems = []
    if max_share is None and max_number is None:
        problems.append(_("Give a highest share, a highest number, or both."))
    if max_share is not None and not Decimal(0) < max_share <= 1:
        problems.append(_("The share is a percentage above 0 and at most 100."))
    if max_number is not None and max_number < 0:
        problems.append(_("The number cannot be negative."))
    others = MotivationCap.objects.filter(corporation=corporation, municipality=municipality, year=year)
    if cap is not None:
        others = others.exclude(pk=cap.pk)
    if others.exists():
        problems.append(_("There is already a cap for %(municipality)s in %(year)d: change that one.")
                        % {"municipality": municipality.name, "year": year})
    if problems:
        raise MotivationCapRefused(*problems)
    old = _cap_audit(cap) if cap is not None else None
    cap = cap or MotivationCap(corporation=corporation)
    cap.municipality = municipality
    cap.year = year
    cap.max_share = max_share
    cap.max_number = max_number
    cap.source = source
    cap.note = note
    cap.recorded_by = actor if actor is not None and getattr(actor, "is_authenticated", False) else None
    cap.recorded_by_name = actor_label(actor)
    cap.save()
    _audit_cap(actor, corporation, f"motivation cap {municipality.cbs_code} {year}", old, _cap_audit(cap))
    return cap


@transaction.atomic
def motivation_cap_delete(*, actor, cap: MotivationCap) -> None:
    """Remove a cap: from then on the product sets no limit on selection on motivation there in that year."""
    membership = require(actor, Action.MANAGE_AGREEMENTS) if actor is not None else None
    if membership is not None and membership.corporation_id != cap.corporation_id:
        raise PermissionDenied
    old = _cap_audit(cap)
    corporation, label = cap.corporation, f"motivation cap {cap.municipality.cbs_code} {cap.year}"
    cap.delete()
    _audit_cap(actor, corporation, label, old, None)


# --- compliance report --------------------------------------------------------------------------------------


def compliance_report_enqueue(*, actor, year: int, municipality: str | None) -> Job:
    """Queue the PDF of a year's compliance for the actor's corporation (`jobs.ComplianceReportJob`).

    The report reads every letting of the year and draws a PDF for the regulator: too long for a request.

    Args:
        actor: a user with VIEW_COMPLIANCE; the report covers their corporation.
        year: the calendar year reported on.
        municipality: a municipality's CBS code, `labels.UNKNOWN_MUNICIPALITY` for lettings whose municipality is
            unknown, or None (or "") for every municipality.

    Returns:
        The queued job; its page offers the download.
    """
    membership = require(actor, Action.VIEW_COMPLIANCE)
    return job_enqueue(kind=COMPLIANCE_REPORT_KIND, corporation=membership.corporation, user=actor,
                       params={"year": year, "municipality": municipality or None})
