"""Pages of a listing by cursor: `?limit=` (default 100, at most 1000) and an opaque `next` link.

The order is the primary key, ascending: stable while rows are added (a new row comes on a later page) and cheap
(an index range scan, whatever the page). The cursor is signed (`django.core.signing`) with the last id and a hash
of the request's filters, so a client cannot forge one or reuse it with other filters (400).
"""

from __future__ import annotations

import hashlib
from urllib.parse import urlencode

from django.core import signing
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from ninja import Field, Schema

from buurtbalans.api.errors import ApiError

DEFAULT_LIMIT = 100
MAX_LIMIT = 1000
_SALT = "buurtbalans.api.cursor"


class PageParams(Schema):
    """The query parameters every listing takes (add them with `page: Query[PageParams]`)."""

    limit: int = Field(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Rows per page (1 to 1000).")
    cursor: str | None = Field(None, description="The `cursor` of the `next` link of the page before.")


def _filters_key(request) -> str:
    """What the rows were selected by: every query parameter but the page's own."""
    pairs = sorted((k, v) for k in request.GET for v in request.GET.getlist(k) if k not in ("cursor", "limit"))
    return hashlib.sha256(repr((request.path, pairs)).encode()).hexdigest()[:16]


def _after(request, cursor: str | None) -> int:
    if not cursor:
        return 0
    try:
        data = signing.loads(cursor, salt=_SALT)
    except signing.BadSignature:
        raise ApiError(400, _("This cursor is not valid. Start again without a cursor."),
                       [(("query", "cursor"), _("not a cursor of this listing"))]) from None
    if not isinstance(data, dict) or data.get("f") != _filters_key(request) or not isinstance(data.get("a"), int):
        raise ApiError(400, _("This cursor belongs to other filters. Start again without a cursor."),
                       [(("query", "cursor"), _("not a cursor of this listing"))])
    return data["a"]


def cursor_page(request, queryset: QuerySet, page: PageParams) -> tuple[list, str | None]:
    """One page of `queryset` in id order, and the link to the next page (None on the last page).

    Raises:
        ApiError: 400 for a limit outside 1..1000 or a cursor that is not one of this listing.
    """
    if not 1 <= page.limit <= MAX_LIMIT:
        raise ApiError(400, _("The limit must be between 1 and %(max)d.") % {"max": MAX_LIMIT},
                       [(("query", "limit"), _("between 1 and %(max)d") % {"max": MAX_LIMIT})])
    after = _after(request, page.cursor)
    rows = list(queryset.filter(pk__gt=after).order_by("pk")[: page.limit + 1])
    if len(rows) <= page.limit:
        return rows, None
    rows = rows[: page.limit]
    cursor = signing.dumps({"a": rows[-1].pk, "f": _filters_key(request)}, salt=_SALT, compress=True)
    query = request.GET.copy()
    query["cursor"] = cursor
    query["limit"] = str(page.limit)
    return rows, request.build_absolute_uri(f"{request.path}?{urlencode(sorted(query.lists()), doseq=True)}")
