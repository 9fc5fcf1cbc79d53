"""Cooperatives and their activity log: read as the registry and the portal show them, written as the portal does.

A COOPERATIVE_BOARD token sees and writes only its own cooperative (another one answers 404); the corporation's
staff with VIEW_COOPERATIVES read all of its cooperatives but do not write a board's log (403), as on screen.
"""

# No `from __future__ import annotations`: see resources/portfolio.py.
import datetime

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from buurtbalans.api.access import WRITE, needs
from buurtbalans.api.errors import ApiError
from buurtbalans.api.idempotency import idempotent
from buurtbalans.api.pagination import PageParams, cursor_page
from buurtbalans.api.schemas import ERRORS, ErrorOut, Id, page_of
from buurtbalans.api.selectors_cooperatives import (
    ActivityRefused,
    api_activity_delete,
    api_activity_get,
    api_activity_list,
    api_activity_record,
    api_activity_update,
    api_cooperative_get,
    api_cooperative_list,
    commitment_of,
)

router = Router(auth=needs("cooperatives"))


class CooperativeOut(Schema):
    id: int
    name: str
    cooperative_type: str
    kvk_number: str
    founded_on: datetime.date | None = None
    members: int | None = None
    households: int | None = None


class ActivityOut(Schema):
    id: int
    cooperative_id: int
    commitment_id: int
    day: datetime.date
    description: str
    participants: int
    buurt_participants: int
    has_file: bool
    recorded: datetime.datetime
    recorded_by_name: str

    @staticmethod
    def resolve_has_file(obj) -> bool:
        return bool(obj.file_path)


class ActivityIn(Schema):
    commitment: Id
    day: datetime.date
    description: str = Field(min_length=1, max_length=10_000)
    participants: int = Field(0, ge=0, le=2_147_483_647)
    buurt_participants: int = Field(0, ge=0, le=2_147_483_647)


class ActivityPatch(Schema):
    commitment: Id | None = None
    day: datetime.date | None = None
    description: str | None = Field(None, min_length=1, max_length=10_000)
    participants: int | None = Field(None, ge=0, le=2_147_483_647)
    buurt_participants: int | None = Field(None, ge=0, le=2_147_483_647)


class ActivityFilters(Schema):
    year: int | None = Field(None, ge=1900, le=2200, description="The log of one year; left out: every year.")


CooperativePage = page_of(CooperativeOut)
ActivityPage = page_of(ActivityOut)


def _refusal(exc: ActivityRefused) -> ApiError:
    if exc.closed:
        return ApiError(409, _("This period of the log is closed: it cannot be changed."),
                        [(("body",), message) for message in exc.messages])
    return ApiError(422, _("The activity is not valid: see errors."), [(("body",), m) for m in exc.messages])


def _data(cooperative, body) -> dict:
    data = body.dict(exclude_none=True)
    if "commitment" in data:
        commitment = commitment_of(cooperative, data["commitment"])
        if commitment is None:
            raise ApiError(422, _("The activity is not valid: see errors."),
                           [(("body", "commitment"), _("not a commitment of this cooperative"))])
        data["commitment"] = commitment
    if "description" in data:
        data["description"] = data["description"].replace("\x00", "")
    return data


@router.get("/cooperatives", response={200: CooperativePage, ERRORS: ErrorOut}, operation_id="cooperative_list",
            openapi_extra={"responses": {200: {"links": {"GetCooperative": {
                "operationId": "cooperative_get", "parameters": {"cooperative_id": "$response.body#/items/0/id"}}}}}})
def cooperative_list(request, page: Query[PageParams]):
    """The cooperatives you may see: a board its own, the corporation's staff all of the corporation's."""
    items, next_link = cursor_page(request, api_cooperative_list(request.user), page)
    return {"items": items, "next": next_link}


@router.get("/cooperatives/{cooperative_id}", response={200: CooperativeOut, ERRORS: ErrorOut},
            operation_id="cooperative_get")
def cooperative_get(request, cooperative_id: Id):
    return api_cooperative_get(request.user, cooperative_id)


@router.get("/cooperatives/{cooperative_id}/activities", response={200: ActivityPage, ERRORS: ErrorOut},
            operation_id="cooperative_activity_list")
def cooperative_activity_list(request, cooperative_id: Id, filters: Query[ActivityFilters], page: Query[PageParams]):
    """The cooperative's activity log, in id order. Filter: `year`."""
    rows = api_activity_list(request.user, cooperative_id, year=filters.year)
    items, next_link = cursor_page(request, rows, page)
    return {"items": items, "next": next_link}


@router.post("/cooperatives/{cooperative_id}/activities", auth=needs("cooperatives", WRITE),
             response={201: ActivityOut, ERRORS: ErrorOut}, operation_id="cooperative_activity_create")
@idempotent
def cooperative_activity_create(request, cooperative_id: Id, body: ActivityIn):
    """Log an activity (the cooperative's board only). 409 when its period is closed (reviewed, or the yearly
    account handed in), 422 for a date in the future, outside the commitment, or more buurt participants than
    participants."""
    cooperative = api_cooperative_get(request.user, cooperative_id)
    try:
        activity = api_activity_record(actor=request.user, cooperative_pk=cooperative.pk,
                                       data=_data(cooperative, body))
    except ActivityRefused as exc:
        raise _refusal(exc) from None
    return Status(201, ActivityOut.from_orm(activity))


@router.get("/cooperative-activities/{activity_id}", response={200: ActivityOut, ERRORS: ErrorOut},
            operation_id="cooperative_activity_get")
def cooperative_activity_get(request, activity_id: Id):
    return api_activity_get(request.user, activity_id)


@router.patch("/cooperative-activities/{activity_id}", auth=needs("cooperatives", WRITE),
              response={200: ActivityOut, ERRORS: ErrorOut}, operation_id="cooperative_activity_update")
@idempotent
def cooperative_activity_update(request, activity_id: Id, body: ActivityPatch):
    """Change an entry of the log (its board only); the fields left out stay. 409 when the old or the new date lies
    in a closed period."""
    activity = api_activity_get(request.user, activity_id)
    data = _data(activity.cooperative, body)
    try:
        activity = api_activity_update(actor=request.user, activity=activity, data=data)
    except ActivityRefused as exc:
        raise _refusal(exc) from None
    return ActivityOut.from_orm(activity)


@router.delete("/cooperative-activities/{activity_id}", auth=needs("cooperatives", WRITE),
               response={204: None, ERRORS: ErrorOut}, operation_id="cooperative_activity_delete")
def cooperative_activity_delete(request, activity_id: Id):
    """Remove an entry of the log (its board only). 409 when it lies in a closed period."""
    activity = api_activity_get(request.user, activity_id)
    try:
        api_activity_delete(actor=request.user, activity=activity)
    except ActivityRefused as exc:
        raise _refusal(exc) from None
    return Status(204, None)
