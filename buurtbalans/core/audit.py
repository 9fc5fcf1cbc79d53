"""Writing to and searching the audit log (see AuditEvent)."""

from __future__ import annotations

import getpass
from collections.abc import Iterable

from buurtbalans.core.audit_labels import COMMAND_ACTOR_PREFIX
from buurtbalans.core.models import AuditEvent, HousingCorporation


def actor_label(actor, fallback: str | None = None) -> str:
    if actor is not None and getattr(actor, "is_authenticated", False):
        return actor.get_username()
    return fallback or f"{COMMAND_ACTOR_PREFIX}{getpass.getuser()}"


def audit_record(
    *,
    actor,
    event: AuditEvent.Type,
    corporation: HousingCorporation | None,
    subject_type: str,
    purpose: str,
    subject_ids: Iterable[str] = (),
    subject_label: str = "",
    data: dict | None = None,
    actor_name: str | None = None,
) -> AuditEvent:
    """Append one audit event. Call it inside the service's transaction, before it returns.

    Args:
        actor: the user who acted, or None for a command run without a user.
        event: the stable event code.
        corporation: whose data it is.
        subject_type: the kind of record ("household", "portfolio_import", ...).
        purpose: why the data was written or read (e.g. "allocation", "import").
        subject_ids: external ids of the households concerned ("whose data").
        subject_label: a short description for the list view.
        data: details such as old/new values or counts.
        actor_name: who, when there is no user (e.g. "cli:root").
    """
    # An import records every household it wrote (up to a whole register, ~1 MB of JSON for 100k):
    # the auditor must be able to find every event that touched one person's data.
    ids = [str(i) for i in subject_ids]
    return AuditEvent.objects.create(
        actor=actor if actor is not None and getattr(actor, "is_authenticated", False) else None,
        actor_name=actor_name or actor_label(actor),
        corporation=corporation,
        event_type=int(event),
        subject_type=subject_type,
        subject_ids=ids,
        subject_label=subject_label[:300],
        purpose=purpose,
        data=data or {},
    )
