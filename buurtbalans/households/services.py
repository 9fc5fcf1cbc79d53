"""Writing households' configuration: the corporation's own kinds of vulnerability marker.

The default kinds (corporation null, households migration 0002) are the same for every corporation and read-only
here; a corporation adds its own, renames them, switches them off, sets whether they count for the concentration
measures (with the reason) or deletes one that no marker ever used. Every
change is one transaction with its audit event (MARKER_KIND_CHANGED, old and new values in its details). The
kinds are configuration, not personal data: no event here names a household.
"""

from __future__ import annotations

import re

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from buurtbalans.core.audit import audit_record
from buurtbalans.core.models import AuditEvent, HousingCorporation, Membership
from buurtbalans.core.permissions import Action, require
from buurtbalans.households.models import VulnerabilityKind, VulnerabilityMarker
from buurtbalans.households.selectors import marker_kinds_of
from buurtbalans.portfolio.importing.values import normalize_word

# A code as import files write it: lower-case letters and digits, words joined by "_" or "-" ("debt_support").
CODE_PATTERN = re.compile(r"^[a-z0-9]+(?:[_-][a-z0-9]+)*$")
CODE_MAX_LENGTH = VulnerabilityKind._meta.get_field("code").max_length
LABEL_MAX_LENGTH = VulnerabilityKind._meta.get_field("label").max_length
REASON_MAX_LENGTH = VulnerabilityKind._meta.get_field("concentration_reason").max_length
PURPOSE = "marker_kind_management"


def _own_kind(actor, kind: VulnerabilityKind) -> Membership:
    """The actor's membership, if the kind is one of its corporation's own; defaults and others' kinds are refused.

    Raises:
        PermissionDenied: without MANAGE_MARKER_KINDS, or for another corporation's kind.
        ValidationError: for a default kind, which no corporation changes.
    """
    membership = require(actor, Action.MANAGE_MARKER_KINDS)
    if kind.corporation_id is None:
        raise ValidationError(_("This is a default kind: it is the same for every corporation and cannot be changed."))
    if kind.corporation_id != membership.corporation_id:
        raise PermissionDenied
    return membership


def _check_unique(corporation_id: int, values: dict[str, str], kind_pk: int | None = None) -> None:
    """Refuse a code or label that an import could not tell apart from another kind of the corporation.

    The import finds a marker's kind by its code or its label, compared as `normalize_word` does ("Schuldhulp" =
    "schuld-hulp"), among the defaults and the corporation's own kinds; two kinds with the same word would make a
    file's row mean either.
    """
    taken: dict[str, VulnerabilityKind] = {}
    for other in marker_kinds_of(corporation_id).exclude(pk=kind_pk):
        taken.setdefault(normalize_word(other.code), other)
        taken.setdefault(normalize_word(other.label), other)
    errors = {}
    for field, value in values.items():
        other = taken.get(normalize_word(value))
        if other is not None:
            errors[field] = _(
                'Kind "%(other)s" (code %(code)s) already uses this. An import could not tell the two apart: '
                "choose another."
            ) % {"other": other.label, "code": other.code}
    if errors:
        raise ValidationError(errors)


def _check_label(label: str) -> str:
    label = " ".join(label.split())
    if not normalize_word(label):
        raise ValidationError({"label": _("Give the kind a name with at least one letter or digit.")})
    if len(label) > LABEL_MAX_LENGTH:
        raise ValidationError({"label": _("A name has at most %(max)d characters.") % {"max": LABEL_MAX_LENGTH}})
    return label


def _kind_values(kind: VulnerabilityKind) -> dict:
    return {"code": kind.code, "label": kind.label, "is_active": kind.is_active,
            "counts_for_concentration": kind.counts_for_concentration,
            "concentration_reason": kind.concentration_reason}


def _record(actor, membership: Membership, kind: VulnerabilityKind, change: str, old: dict | None,
            new: dict | None) -> None:
    audit_record(
        actor=actor,
        event=AuditEvent.Type.MARKER_KIND_CHANGED,
        corporation=membership.corporation,
        subject_type="marker_kind",
        subject_label=f"kind of marker {kind.code}: {change}",
        purpose=PURPOSE,
        data={"change": change, "kind": kind.code, "old": old, "new": new},
    )


@transaction.atomic
def marker_kind_create(*, actor, code: str, label: str) -> VulnerabilityKind:
    """Add a kind of marker of the actor's own corporation, in use at once.

    Args:
        actor: an administrator (MANAGE_MARKER_KINDS); the kind belongs to their corporation.
        code: what import files write, e.g. "debt_support"; it cannot be changed later.
        label: the name on screens, e.g. "Schuldhulpverlening".

    Returns:
        The new kind.

    Raises:
        PermissionDenied: without MANAGE_MARKER_KINDS.
        ValidationError: per field, for a code that is not a slug or a code or label another kind already uses.
    """
    membership = require(actor, Action.MANAGE_MARKER_KINDS)
    code = code.strip().lower()
    if not CODE_PATTERN.match(code) or len(code) > CODE_MAX_LENGTH:
        raise ValidationError({"code": _(
            "Use only lower-case letters (a to z) and digits, with _ or - between words, at most %(max)d "
            "characters. For example: debt_support."
        ) % {"max": CODE_MAX_LENGTH}})
    label = _check_label(label)
    # Serialise additions per corporation: two administrators adding the same code at once get one kind.
    HousingCorporation.objects.select_for_update().filter(pk=membership.corporation_id).first()
    _check_unique(membership.corporation_id, {"code": code, "label": label})
    kind = VulnerabilityKind.objects.create(corporation=membership.corporation, code=code, label=label)
    _record(actor, membership, kind, "created", None, _kind_values(kind))
    return kind


@transaction.atomic
def marker_kind_label_set(*, actor, kind: VulnerabilityKind, label: str) -> VulnerabilityKind:
    """Rename one of the corporation's own kinds; its code, and so every import file, stays the same.

    Raises:
        PermissionDenied: without MANAGE_MARKER_KINDS, or for another corporation's kind.
        ValidationError: for a default kind, or a label another kind already uses.
    """
    membership = _own_kind(actor, kind)
    kind = VulnerabilityKind.objects.select_for_update().get(pk=kind.pk)
    label = _check_label(label)
    if label == kind.label:
        return kind
    _check_unique(membership.corporation_id, {"label": label}, kind_pk=kind.pk)
    old = _kind_values(kind)
    kind.label = label
    kind.save(update_fields=["label"])
    _record(actor, membership, kind, "renamed", old, _kind_values(kind))
    return kind


@transaction.atomic
def marker_kind_active_set(*, actor, kind: VulnerabilityKind, is_active: bool) -> VulnerabilityKind:
    """Switch one of the corporation's own kinds on or off.

    Off keeps the markers that have it (they still count and can be read), but an import refuses a new marker of
    it (`portfolio.importing.plan`).

    Raises:
        PermissionDenied: without MANAGE_MARKER_KINDS, or for another corporation's kind.
        ValidationError: for a default kind.
    """
    membership = _own_kind(actor, kind)
    kind = VulnerabilityKind.objects.select_for_update().get(pk=kind.pk)
    if kind.is_active == is_active:
        return kind
    old = _kind_values(kind)
    kind.is_active = is_active
    kind.save(update_fields=["is_active"])
    _record(actor, membership, kind, "switched_on" if is_active else "switched_off", old, _kind_values(kind))
    return kind


@transaction.atomic
def marker_kind_concentration_set(*, actor, kind: VulnerabilityKind, counts_for_concentration: bool,
                                  reason: str) -> VulnerabilityKind:
    """Set whether markers of one of the corporation's own kinds count for the concentration measures, and why.

    The concentration measures (the mix per complex, the inflow, the liveability measures, the labelling plan)
    count only markers of counting kinds; the overview's cached totals follow at once (the kinds table has the
    stock change triggers, portfolio migration 0004). Whether a kind counts never decides who may bid on a home.

    Args:
        actor: an administrator (MANAGE_MARKER_KINDS) of the kind's corporation.
        kind: one of the corporation's own kinds (the defaults are the same for everyone and read-only).
        counts_for_concentration: whether its markers count.
        reason: why; required when the kind does not count, at most 500 characters.

    Returns:
        The kind as saved.

    Raises:
        PermissionDenied: without MANAGE_MARKER_KINDS, or for another corporation's kind.
        ValidationError: for a default kind, or (field `reason`) a missing or too long reason.
    """
    membership = _own_kind(actor, kind)
    reason = " ".join(reason.split())
    if not counts_for_concentration and not reason:
        raise ValidationError({"reason": _("Say why markers of this kind do not count for the concentration.")})
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError({"reason": _("A reason has at most %(max)d characters.") % {"max": REASON_MAX_LENGTH}})
    kind = VulnerabilityKind.objects.select_for_update().get(pk=kind.pk)
    if (kind.counts_for_concentration, kind.concentration_reason) == (counts_for_concentration, reason):
        return kind
    old = _kind_values(kind)
    kind.counts_for_concentration = counts_for_concentration
    kind.concentration_reason = reason
    kind.save(update_fields=["counts_for_concentration", "concentration_reason"])
    _record(actor, membership, kind, "concentration_set", old, _kind_values(kind))
    return kind


@transaction.atomic
def marker_kind_delete(*, actor, kind: VulnerabilityKind) -> None:
    """Delete one of the corporation's own kinds that no marker has, or ever had (a mistake, say).

    Raises:
        PermissionDenied: without MANAGE_MARKER_KINDS, or for another corporation's kind.
        ValidationError: for a default kind, or a kind with markers (switch it off instead).
    """
    membership = _own_kind(actor, kind)
    kind = VulnerabilityKind.objects.select_for_update().get(pk=kind.pk)
    in_use = ValidationError(_(
        "Households have (or had) a marker of this kind, so it cannot be deleted. Switch it off instead: the markers "
        "stay, and imports no longer accept new ones."
    ))
    if VulnerabilityMarker.objects.filter(kind=kind).exists():
        raise in_use
    old = _kind_values(kind)
    try:
        # An import may have added a marker since the check; PROTECT refuses the delete then.
        with transaction.atomic():
            kind.delete()
    except ProtectedError as error:
        raise in_use from error
    _record(actor, membership, kind, "deleted", old, None)
