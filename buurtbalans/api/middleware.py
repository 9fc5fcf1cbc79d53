"""The safety net of the error shape: an error answered under /api/v1/ before or around the API's own views.

Some answers never reach django-ninja: a NUL byte refused by core.middleware (an HTML 400 page), a host Django does not
serve, a body too large, an error in another middleware (500). Under /api/v1/ such an answer is replaced by the API's
error body with the same status, so a client parses one shape whatever went wrong. Listed first in MIDDLEWARE, so it
sees every answer on its way out.
"""

from __future__ import annotations

from django.utils.translation import gettext as _

from buurtbalans.api.http import json_error

API_PREFIX = "/api/v1/"


def _detail(status: int) -> str:
    if status >= 500:
        return _("Something went wrong on our side. Try again later, or tell your administrator the time of this "
                 "request.")
    if status == 404:
        return _("There is no such address in the API. See /api/v1/docs.")
    return _("The request cannot be handled (HTTP %(status)d).") % {"status": status}


class ApiErrorShapeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (response.status_code >= 400 and request.path_info.startswith(API_PREFIX)
                and not response.get("Content-Type", "").startswith("application/json")):
            kept = {name: response[name] for name in ("Allow", "Retry-After") if name in response}
            return json_error(response.status_code, _detail(response.status_code), kept)
        return response
