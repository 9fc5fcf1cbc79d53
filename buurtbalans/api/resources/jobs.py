"""Jobs (imports, rounds, reports, simulations): status and progress, as the job pages show them."""

# No `from __future__ import annotations`: see resources/portfolio.py.
import datetime

from ninja import Query, Router, Schema

from buurtbalans.api.access import needs
from buurtbalans.api.pagination import PageParams, cursor_page
from buurtbalans.api.schemas import ERRORS, ErrorOut, Id, page_of
from buurtbalans.api.selectors import api_job_get, api_job_list
from buurtbalans.core.models import Job

router = Router(auth=needs("jobs"))


class JobOut(Schema):
    id: int
    kind: str
    status: str
    progress_done: int
    progress_total: int
    progress_percent: int
    created: datetime.datetime
    started: datetime.datetime | None = None
    finished: datetime.datetime | None = None


class JobFilters(Schema):
    status: Job.Status | None = None
    kind: str | None = None


JobPage = page_of(JobOut)


@router.get("/jobs", response={200: JobPage, ERRORS: ErrorOut}, operation_id="job_list",
            openapi_extra={"responses": {200: {"links": {"GetJob": {
                "operationId": "job_get", "parameters": {"job_id": "$response.body#/items/0/id"}}}}}})
def job_list(request, filters: Query[JobFilters], page: Query[PageParams]):
    """The jobs the user's role may see, in id order (oldest first). Filters: `status`, `kind`."""
    rows = api_job_list(request.user, status=filters.status, kind=filters.kind)
    items, next_link = cursor_page(request, rows, page)
    return {"items": items, "next": next_link}


@router.get("/jobs/{job_id}", response={200: JobOut, ERRORS: ErrorOut}, operation_id="job_get")
def job_get(request, job_id: Id):
    return api_job_get(request.user, job_id)
