"""What every API answer gets, around django-ninja's views: no login page, one error shape, ETags and no caching.

`api_view(view)` wraps each URL pattern of the API:

* the site's LoginRequiredMiddleware and second-step check leave it alone (the token is the login);
* a method the path does not have (405) and a path that does not exist (404) answer in the error shape;
* a query parameter the operation does not have is refused (422): a misspelt filter must not return every row;
* a successful GET gets an ETag (a hash of the body) and answers 304 to a matching If-None-Match;
* rate-limit headers (X-RateLimit-Limit, X-RateLimit-Remaining) on every answer to a valid token.
"""

from __future__ import annotations

import functools
import hashlib
import re

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, HttpResponseNotModified
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _

from buurtbalans.api.errors import error_body


def json_error(status: int, detail: str, headers: dict | None = None, errors: list | None = None) -> HttpResponse:
    from buurtbalans.api.main import api

    response = HttpResponse(api.renderer.render(None, error_body(detail, errors), response_status=status),
                            status=status, content_type=api.get_content_type())
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def _etag(content: bytes) -> str:
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def _matches(if_none_match: str, etag: str) -> bool:
    candidates = [tag.strip().removeprefix("W/") for tag in if_none_match.split(",")]
    return "*" in candidates or etag in candidates


@functools.cache
def _query_parameters() -> list[tuple[str, re.Pattern, frozenset[str]]]:
    """(method, path pattern, query parameter names) of every operation, from the API's own OpenAPI schema."""
    from buurtbalans.api.main import api

    table = []
    for path, methods in api.get_openapi_schema()["paths"].items():
        pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$")
        for method, operation in methods.items():
            names = frozenset(p["name"] for p in operation.get("parameters", []) if p["in"] == "query")
            table.append((method.upper(), pattern, names))
    return table


def unknown_query_parameters(request) -> list[str]:
    for method, pattern, names in _query_parameters():
        if method == request.method and pattern.match(request.path):
            return sorted(set(request.GET) - names)
    return []


def api_view(view):
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        unknown = unknown_query_parameters(request)
        if unknown:
            errors = [{"loc": ["query", name], "msg": _("unknown parameter")} for name in unknown]
            return json_error(422, _("The request is not valid: see errors."), errors=errors)
        response = view(request, *args, **kwargs)
        if response.status_code == 405 and not response.get("Content-Type", "").startswith("application/json"):
            allowed = response.get("Allow", "")
            response = json_error(405, _("This method is not allowed here. Allowed: %(methods)s.")
                                  % {"methods": allowed}, {"Allow": allowed})
        rate = getattr(request, "api_rate", None)
        if rate is not None:
            response["X-RateLimit-Limit"] = str(rate.limit)
            response["X-RateLimit-Remaining"] = str(rate.remaining)
        if request.method in ("GET", "HEAD") and response.status_code == 200 and not response.streaming:
            etag = _etag(response.content)
            response["ETag"] = etag
            patch_vary_headers(response, ["Authorization", "X-Purpose"])
            if _matches(request.headers.get("If-None-Match", ""), etag):
                not_modified = HttpResponseNotModified()
                for name in ("ETag", "Vary", "X-RateLimit-Limit", "X-RateLimit-Remaining"):
                    if name in response:
                        not_modified[name] = response[name]
                return not_modified
        return response

    return login_not_required(wrapper)


@login_not_required
def not_found(request, rest: str = ""):
    return json_error(404, _("There is no such address in the API. See /api/v1/docs."))
