"""One shape for every error the API answers: `{"detail": str, "errors": [{"loc": [...], "msg": str}]}`.

`install_error_handlers(api)` replaces django-ninja's handlers (their bodies differ per error, and the one for an
unexpected exception shows a traceback when DEBUG is on). Raise `ApiError` from an endpoint for any other refusal.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError, Throttled
from ninja.errors import ValidationError as NinjaValidationError

logger = logging.getLogger(__name__)

ERROR_STATUSES = (400, 401, 403, 404, 409, 422, 429)


class ApiError(Exception):
    """A refusal with its status, a sentence for the reader and, per problem, where it is (`loc`) and what (`msg`)."""

    def __init__(self, status: int, detail: str, errors: Iterable[tuple[Sequence, str]] = (),
                 headers: dict[str, str] | None = None):
        super().__init__(detail)
        self.status = status
        self.detail = str(detail)
        self.errors = [{"loc": list(loc), "msg": str(msg)} for loc, msg in errors]
        self.headers = headers or {}


def error_body(detail: str, errors: list | None = None) -> dict:
    return {"detail": str(detail), "errors": errors or []}


def _respond(api, request, status: int, detail: str, errors=None, headers=None) -> HttpResponse:
    response = api.create_response(request, error_body(detail, errors), status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response


def unauthorized_detail() -> str:
    return _("Give a valid API token in the header Authorization: Bearer <token>.")


def install_error_handlers(api) -> None:
    def validation(request, exc: NinjaValidationError):
        errors = [{"loc": list(e.get("loc") or []), "msg": str(e.get("msg", ""))} for e in exc.errors]
        return _respond(api, request, 422, _("The request is not valid: see errors."), errors)

    def api_error(request, exc: ApiError):
        return _respond(api, request, exc.status, exc.detail, exc.errors, exc.headers)

    def unauthenticated(request, exc: AuthenticationError):
        return _respond(api, request, 401, unauthorized_detail(), headers={"WWW-Authenticate": "Bearer"})

    def throttled(request, exc: Throttled):
        return _respond(api, request, 429, _("Too many requests. Try again later."))

    def http_error(request, exc: HttpError):
        detail = _("The request body is not valid JSON.") if exc.status_code == 400 else str(exc)
        return _respond(api, request, exc.status_code, detail)

    def not_found(request, exc):
        return _respond(api, request, 404, _("Not found."))

    def forbidden(request, exc):
        return _respond(api, request, 403, _("Your token's role or scopes do not allow this."))

    def invalid(request, exc: DjangoValidationError):
        return _respond(api, request, 400, "; ".join(exc.messages))

    def unexpected(request, exc: Exception):
        # The server log gets the traceback; the answer never does (it may quote data or show the code).
        logger.exception("API error %s %s", request.method, request.path)
        return _respond(api, request, 500, _("Something went wrong on our side. Try again later, or "
                                             "tell your administrator the time of this request."))

    api.add_exception_handler(NinjaValidationError, validation)
    api.add_exception_handler(ApiError, api_error)
    api.add_exception_handler(AuthenticationError, unauthenticated)
    api.add_exception_handler(Throttled, throttled)
    api.add_exception_handler(HttpError, http_error)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(PermissionDenied, forbidden)
    api.add_exception_handler(DjangoValidationError, invalid)
    api.add_exception_handler(Exception, unexpected)
