"""Writes of the rules app: legal parameter values (screen or file) and performance agreements.

Legal parameters are not personal data: who changed what is kept on the value row itself and in the
append-only `ParameterChange` history, with the parameter set's version before and after.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from buurtbalans.core.audit import actor_label, audit_record
from buurtbalans.core.models import AuditEvent
from buurtbalans.core.permissions import membership_of
from buurtbalans.engine.parameters import (
    ParameterRow,
    ParameterSet,
    ParameterTableError,
    builtin_parameter_rows,
    effective_parameter_sets,
    parameter_set_problems,
    read_parameter_csv,
)
from buurtbalans.rules.models import ParameterChange, ParameterState, ParameterValue, PerformanceAgreement
from buurtbalans.rules.parameters import parameter_sets_changed


@dataclass(frozen=True)
class ParameterSaveResult:
    """What a save changed: the rows written, the rows that were already so, and the new versions per date."""

    changed: tuple[ParameterRow, ...]
    unchanged: int
    versions: dict[date, str] = field(default_factory=dict)


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


@transaction.atomic
def parameter_values_save(
    *,
    rows: Sequence[ParameterRow],
    actor,
    via: str = ParameterChange.Via.FORM,
    file_name: str = "",
    actor_name: str | None = None,
) -> ParameterSaveResult:
    """Store checked parameter rows as corrections of (or additions to) the built-in table; all or nothing.

    A row equal to the value in force (value, source and note) is not stored again. Every stored value records
    who changed it and when, and the set's new version; the history gets one `ParameterChange` per value.

    Args:
        rows: rows checked by `engine.parameters.parse_parameter_rows` (numbers with a source).
        actor: the administrator (a user), or None for a command.
        via: how the values came in (screen, file or the demo).
        file_name: the uploaded file's name, for the history.
        actor_name: who, when there is no user (default "cli:<login>"; the demo says "seed_demo").

    Returns:
        The rows that changed something, how many were unchanged, and the versions of the changed dates.

    Raises:
        ParameterTableError: when the resulting set of a date breaks the order of its limits (every problem
            listed); nothing is stored then.
    """
    stored = {(v.valid_from, v.key): v for v in ParameterValue.objects.select_for_update()}
    before_rows = _effective_rows(stored.values())
    before_versions = _versions(effective_parameter_sets(v.as_row() for v in stored.values()))
    changed = [row for row in rows if not _same(before_rows.get((row.valid_from, row.key)), row)]
    if not changed:
        return ParameterSaveResult((), len(rows))

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
    after_versions = _versions(after_sets)

    now = timezone.now()
    membership = membership_of(actor)
    who = {
        "changed": now,
        "changed_by": actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        "changed_by_name": actor_label(actor, actor_name),
        "changed_by_corporation": membership.corporation if membership else None,
    }
    for row in changed:
        old = before_rows.get((row.valid_from, row.key))
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
            version_before=before_versions.get(row.valid_from, ""),
            version_after=after_versions[row.valid_from],
        )
    # Values of a changed date that were stored earlier carry that date's version too.
    for valid_from in dates:
        ParameterValue.objects.filter(valid_from=valid_from).update(version=after_versions[valid_from])
    _audit_parameters_changed(
        actor=actor,
        membership=membership,
        changes=[
            {"valid_from": r.valid_from.isoformat(), "key": r.key, "value": r.value or "n/f"} for r in changed
        ],
        versions={d.isoformat(): after_versions[d] for d in dates},
        via=via,
        actor_name=who["changed_by_name"],
    )
    parameter_sets_changed()
    return ParameterSaveResult(tuple(changed), len(rows) - len(changed), {d: after_versions[d] for d in dates})


def parameter_file_import(*, text: str, file_name: str, actor) -> ParameterSaveResult:
    """Check an uploaded long-format parameter table and store it; nothing is stored when any row is bad.

    Raises:
        ParameterTableError: with every bad row ("<file> row N, column: message").
    """
    rows = read_parameter_csv(text, file_name, require_source=True)
    return parameter_values_save(rows=rows, actor=actor, via=ParameterChange.Via.FILE, file_name=file_name)


@transaction.atomic
def parameter_value_remove(*, valid_from: date, key: str, actor) -> bool:
    """Remove an administrator's value, so the built-in table's value (or none) is in force again.

    Returns:
        False when there was no stored value for the date and key.

    Raises:
        ParameterTableError: when the set in force afterwards breaks the order of its limits.
    """
    stored = {(v.valid_from, v.key): v for v in ParameterValue.objects.select_for_update()}
    value = stored.pop((valid_from, key), None)
    if value is None:
        return False
    before_versions = _versions(effective_parameter_sets([*(v.as_row() for v in stored.values()), value.as_row()]))
    after_sets = effective_parameter_sets(v.as_row() for v in stored.values())
    after = {s.valid_from: s for s in after_sets}
    if valid_from in after:
        problems = [f"{valid_from.isoformat()}: {p}" for p in parameter_set_problems(after[valid_from])]
        if problems:
            raise ParameterTableError(problems)
    builtin = {(r.valid_from, r.key): r for r in builtin_parameter_rows()}.get((valid_from, key))
    membership = membership_of(actor)
    value.delete()
    version_after = after[valid_from].version if valid_from in after else ""
    ParameterValue.objects.filter(valid_from=valid_from).update(version=version_after)
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
        changes=[{"valid_from": valid_from.isoformat(), "key": key, "value": None}],
        versions={valid_from.isoformat(): version_after},
        via=ParameterChange.Via.REMOVED,
    )
    parameter_sets_changed()
    return True


def _audit_parameters_changed(
    *, actor, membership, changes: list[dict], versions: dict, via: str, actor_name: str | None = None
) -> None:
    """Legal parameters hold no personal data, but who changed the rules every decision is tested against
    belongs in the audit log next to the parameter history."""
    audit_record(
        actor=actor,
        event=AuditEvent.Type.PARAMETERS_CHANGED,
        corporation=membership.corporation if membership else None,
        subject_type="legal_parameters",
        subject_label=", ".join(sorted({c["valid_from"] for c in changes})),
        purpose="parameter_maintenance",
        data={"changes": changes, "versions": versions, "via": str(via)},
        actor_name=actor_name,
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
    agreement.delete()
