"""The REST API /api/v1/ (issue 17) and its tokens. docs/api.md is the client's guide; this is the developer's.

How to add a resource (listings, bids, rounds, offers, letters, label plans, monitor aggregates, ...)
-----------------------------------------------------------------------------------------------------
1. A router per app in `resources/<app>.py` (no `from __future__ import annotations` there: ninja reads the
   endpoint's annotations through decorators). Register it in `main._register()` with a tag.
2. Scope: add the app to `access.SCOPES` (its label, shown on the token screens), then
   `router = Router(auth=needs("<app>"))` for reads and `auth=needs("<app>", WRITE)` on each write. `needs` checks the
   token, its scope and the rate limit, and makes `request.user` the token's user acting with the token's role only.
3. Rights: call what the screen calls, as the screen calls it: `require(request.user, Action.X)`, the app's selectors
   (`<app>/selectors.py`, or `api/selectors.py` for a thin `visible_to` queryset with filters) and services. Never a
   rights check of the API's own: a role gets a right only in `core.permissions.ROLE_ACTIONS`.
4. Schemas: `class ThingOut(Schema)` in the router's module; `response={200: ThingOut, ERRORS: ErrorOut}` on every
   operation, so the OpenAPI schema names every status the operation can answer (schemathesis checks it). Ids are
   `schemas.Id` (path and filters). Give each operation an `operation_id` ("<thing>_list", "<thing>_get", ...).
5. Listings: `def thing_list(request, filters: Query[ThingFilters], page: Query[PageParams])`, then
   `items, next_link = cursor_page(request, queryset, page)` and `return {"items": items, "next": next_link}` with
   `response={200: page_of(ThingOut), ...}`. Add the link list -> one row in `openapi_extra` (see
   resources/portfolio.py) so the stateful run follows it.
6. ETag/304, the error shape, no caching, rate-limit headers and refusing unknown query parameters: nothing to do,
   `http.api_view` and the error handlers do it for every operation.
7. Personal data: declare `x_purpose: PurposeCode = purpose_header()`, call `purpose_of(request, x_purpose,
   allowed=...)` after the rights check, and record the read as the screen does (the app's audited selector, e.g.
   `household_income_read_record`, `markers_for_household`).
8. Writes: through the app's service; decorate with `@idempotent` (below the route decorator) and return a Schema
   instance; refuse with `raise ApiError(status, detail, [(loc, msg), ...])`. A long write queues a job
   (`core.jobs`) and answers 202 with the job's id; clients poll `/api/v1/jobs/{id}`.
9. Tests: add the operation to `tests/test_access_walk.py` OPERATIONS with the right it needs (the walk fails until you
   do); the schemathesis test covers it by itself. Its own behaviour goes in `tests/test_<app>.py` here.
"""
