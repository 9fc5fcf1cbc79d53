"""`Idempotency-Key` on writes: the same key with the same request answers the stored response; another request
with the same key is refused (409). Keys are kept per token for API_IDEMPOTENCY_HOURS (24 h).

    @router.post("/imports", auth=needs("portfolio", WRITE), response={200: ImportOut, ERRORS: ErrorOut})
    @idempotent
    def import_create(request, ...) -> ImportOut:     # return a Schema instance, not a dict
        ...

The first request claims the key (a row with no answer yet); a second one arriving while it runs gets 409. An
answer of 5xx is not kept (the client may retry with the same key); every other answer is, byte for byte.
"""

from __future__ import annotations

import functools
import hashlib
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Status
from pydantic import BaseModel

from buurtbalans.api.errors import ApiError
from buurtbalans.api.models import IdempotentRequest

MAX_KEY_LENGTH = 200
# A claim without an answer this old belongs to a request whose process died: the key may be used again.
ABANDONED_AFTER = timedelta(minutes=15)
REPLAYED_HEADER = "Idempotent-Replayed"


def request_fingerprint(request) -> str:
    """A hash of what was asked: method, path, query and body (a multipart body by its fields and files' bytes)."""
    digest = hashlib.sha256()
    digest.update(f"{request.method} {request.path}?{request.META.get('QUERY_STRING', '')}\n".encode())
    if request.content_type == "multipart/form-data":
        for key in sorted(request.POST):
            digest.update(repr((key, request.POST.getlist(key))).encode())
        for key in sorted(request.FILES):
            for upload in request.FILES.getlist(key):
                digest.update(repr((key, upload.name, upload.size)).encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        digest.update(request.body)
    return digest.hexdigest()


def _claim(request, key: str) -> IdempotentRequest | None:
    """The stored answer for this key, or None after claiming the key for this request.

    Raises:
        ApiError: 409 for the key used with another request, or while the first request still runs.
    """
    token = request.auth
    fingerprint = request_fingerprint(request)
    cutoff = timezone.now() - timedelta(hours=settings.API_IDEMPOTENCY_HOURS)
    IdempotentRequest.objects.filter(token=token, created__lt=cutoff).delete()
    try:
        with transaction.atomic():
            IdempotentRequest.objects.create(token=token, key=key, fingerprint=fingerprint)
        return None
    except IntegrityError:
        stored = IdempotentRequest.objects.filter(token=token, key=key).first()
    if stored is None:  # the other request failed (5xx) and let go of the key in between
        return _claim(request, key)
    if stored.status is None and stored.created < timezone.now() - ABANDONED_AFTER:
        IdempotentRequest.objects.filter(pk=stored.pk, status__isnull=True).delete()
        return _claim(request, key)
    if stored.status is None:
        raise ApiError(409, _("The first request with this Idempotency-Key is still running. Try again shortly."),
                       [(("header", "Idempotency-Key"), _("in use"))], headers={"Retry-After": "5"})
    if stored.fingerprint != fingerprint:
        raise ApiError(409, _("This Idempotency-Key was used for another request. Use a new key for a new request."),
                       [(("header", "Idempotency-Key"), _("used before with another request"))])
    return stored


def _render(request, result) -> HttpResponse:
    from buurtbalans.api.main import api  # the API renders as it renders every answer

    status = 200
    if isinstance(result, Status):
        status, result = result.status_code, result.value
    if not isinstance(result, BaseModel):
        # A dict would skip the operation's response schema here but not without a key: the bodies would differ.
        raise TypeError("an @idempotent endpoint returns a Schema instance (or Status(code, instance))")
    return api.create_response(request, result.model_dump(mode="json"), status=status)


def idempotent(view):
    """Make a write endpoint honour `Idempotency-Key` (see the module's docstring)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key:
            return view(request, *args, **kwargs)
        if len(key) > MAX_KEY_LENGTH:
            raise ApiError(400, _("The Idempotency-Key is longer than %(n)d characters.") % {"n": MAX_KEY_LENGTH},
                           [(("header", "Idempotency-Key"), _("too long"))])
        stored = _claim(request, key)
        if stored is not None:
            response = HttpResponse(bytes(stored.body), status=stored.status, content_type=stored.content_type)
            response[REPLAYED_HEADER] = "true"
            return response
        try:
            try:
                response = _render(request, view(request, *args, **kwargs))
            except ApiError as error:
                from buurtbalans.api.main import api

                response = api.on_exception(request, error)
        except BaseException:
            IdempotentRequest.objects.filter(token=request.auth, key=key).delete()
            raise
        if response.status_code >= 500:
            IdempotentRequest.objects.filter(token=request.auth, key=key).delete()
        else:
            IdempotentRequest.objects.filter(token=request.auth, key=key).update(
                status=response.status_code, body=response.content, content_type=response["Content-Type"])
        return response

    return wrapper
