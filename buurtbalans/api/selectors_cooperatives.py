"""The API's reads and writes of cooperatives and their activity log: the cooperatives app's selectors and services,
as the portal and the staff screens call them.

A board member (COOPERATIVE_PORTAL) sees only the cooperative their board link names; another cooperative is not
found (404). Staff with VIEW_COOPERATIVES read every cooperative of their corporation. Only a board writes its log,
and the service refuses a change in a closed period (reviewed, or the yearly account handed in).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from buurtbalans.cooperatives import selectors, services
from buurtbalans.cooperatives.models import Activity, Commitment, HousingCooperative


class ActivityRefused(Exception):
    """The service refused the write: `closed` when the period is closed (a lock), else the input is not valid."""

    def __init__(self, messages: list[str], *, closed: bool):
        super().__init__("; ".join(messages))
        self.messages = messages
        self.closed = closed


def api_cooperative_list(user) -> QuerySet:
    return selectors.cooperative_list(user)


def api_cooperative_get(user, pk: int) -> HousingCooperative:
    return selectors.cooperative_get(user, pk)


def api_activity_list(user, cooperative_pk: int, *, year: int | None = None) -> QuerySet:
    return selectors.activity_list(user, selectors.cooperative_get(user, cooperative_pk), year=year)


def api_activity_get(user, pk: int) -> Activity:
    return selectors.activity_get(user, pk)


def commitment_of(cooperative: HousingCooperative, pk: int) -> Commitment | None:
    """One of the cooperative's commitments (the form's choices), or None."""
    return Commitment.objects.filter(agreement__cooperative=cooperative, pk=pk).select_related("agreement").first()


def _refused(exc: ValidationError, cooperative, commitment_ids: set[int], days: set) -> ActivityRefused:
    closed = {services.period_closed_reason(cooperative, c, d) for c in commitment_ids for d in days} - {None}
    return ActivityRefused(list(exc.messages), closed=bool(closed & set(exc.messages)))


def api_activity_record(*, actor, cooperative_pk: int, data: dict) -> Activity:
    """Log an activity as the portal's form does (the board of that cooperative only).

    Raises:
        Http404: not one of the user's cooperatives, or a commitment of another cooperative.
        ActivityRefused: the service's refusal.
    """
    cooperative = selectors.cooperative_get(actor, cooperative_pk)
    services.require_board(actor, cooperative)
    try:
        return services.activity_record(actor=actor, cooperative=cooperative, data=data,
                                        today=timezone.localdate())
    except ValidationError as exc:
        raise _refused(exc, cooperative, {data["commitment"].pk}, {data["day"]}) from None


def api_activity_update(*, actor, activity: Activity, data: dict) -> Activity:
    cooperative = activity.cooperative
    services.require_board(actor, cooperative)
    commitments = {activity.commitment_id, *([data["commitment"].pk] if "commitment" in data else [])}
    days = {activity.day, *([data["day"]] if "day" in data else [])}
    try:
        return services.activity_update(actor=actor, activity=activity, data=data, today=timezone.localdate())
    except ValidationError as exc:
        raise _refused(exc, cooperative, commitments, days) from None


def api_activity_delete(*, actor, activity: Activity) -> None:
    try:
        services.activity_delete(actor=actor, activity=activity)
    except ValidationError as exc:
        raise _refused(exc, activity.cooperative, {activity.commitment_id}, {activity.day}) from None


def require_commitment(cooperative, pk: int) -> Commitment:
    commitment = commitment_of(cooperative, pk)
    if commitment is None:
        raise Http404
    return commitment
