"""What every allocation service shares: the error the screens show, the audit helper and the row locks.

Owns `AllocationError` (a write the state of the data does not allow, with messages for the user), the audit
purpose of the app's events, and the helpers the other service modules use to lock a round and check amounts and
target groups the same way.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from buurtbalans.allocation.models import (
    AllocationRound,
    ApplicantGroup,
)
from buurtbalans.core.audit import actor_label, audit_record

PURPOSE = "allocation"


class AllocationError(Exception):
    """A write the state of the data does not allow; `messages` are for the user (translated)."""

    def __init__(self, *messages: str):
        """Keep every problem apart, so a screen can list them and a job join them into one line.

        Args:
            *messages: the problems, each a translated sentence (lazy strings are made text here).
        """
        super().__init__("; ".join(str(m) for m in messages))
        self.messages = [str(m) for m in messages]


def _name(actor) -> str:
    return actor_label(actor)


def _record(*, actor, event, corporation, subject_type: str, subject_ids: Iterable[str] = (), label: str = "",
            data: dict | None = None) -> None:
    audit_record(actor=actor, event=event, corporation=corporation, subject_type=subject_type, purpose=PURPOSE,
                 subject_ids=subject_ids, subject_label=label, data=data)


def _group_codes(values, field: str, problems: list[str]) -> list[str]:
    codes = sorted({str(v) for v in (values or [])})
    unknown = [c for c in codes if c not in ApplicantGroup.values]
    if unknown:
        problems.append(_("%(field)s: unknown target group %(codes)s (known: %(known)s)") % {
            "field": field, "codes": ", ".join(unknown), "known": ", ".join(ApplicantGroup.values)})
    return codes


def _amount(value, field: str, problems: list[str]) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        problems.append(_("%(field)s: %(value)s is not an amount") % {"field": field, "value": value})
        return None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        problems.append(_("%(field)s: %(value)s is not an amount in euros with at most two decimals")
                        % {"field": field, "value": value})
        return None
    return amount


def _lock_round(allocation_round: AllocationRound) -> AllocationRound:
    return AllocationRound.objects.select_for_update().get(pk=allocation_round.pk)
