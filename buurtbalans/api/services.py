"""Writes of the API app: tokens (create, revoke) and the stock import as the API calls it.

API for views and endpoints:

    api_token_create(*, actor, kind, name, role, scopes, expires, service_role=None) -> (ApiToken, token)
    api_token_revoke(*, actor, token) -> ApiToken
    api_portfolio_import(*, file, user, dry_run) -> (ImportReport, shown counts)
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from buurtbalans.api.access import ACCESS_LEVELS, SCOPES
from buurtbalans.api.errors import ApiError
from buurtbalans.api.models import ApiToken
from buurtbalans.api.tokens import new_token, token_hash
from buurtbalans.core.audit import actor_label, audit_record
from buurtbalans.core.models import AuditEvent, Membership, Role, Upload
from buurtbalans.core.permissions import Action, can, membership_of, require
from buurtbalans.core.uploads import upload_discard, upload_store
from buurtbalans.portfolio.forms import PortfolioUploadForm
from buurtbalans.portfolio.importing.report import ImportReport
from buurtbalans.portfolio.services import SPECIAL_SHEETS, portfolio_import, portfolio_import_previewed

# The roles a token may carry: a corporation's roles. Never the platform administrator's.
TOKEN_ROLES = tuple(role for role in Role.values if role != Role.PLATFORM_ADMIN)
_SERVICE_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")


def _check_token_values(*, name: str, role: str, scopes: dict, expires: datetime) -> None:
    if role not in TOKEN_ROLES:
        raise ValidationError(_("A token cannot have this role."))
    for scope, access in scopes.items():
        if scope not in SCOPES or access not in ACCESS_LEVELS:
            raise ValidationError(_("Unknown scope: %(scope)s") % {"scope": f"{scope}:{access}"})
    if not scopes:
        raise ValidationError(_("Give the token access to at least one part."))
    now = timezone.now()
    if expires <= now:
        raise ValidationError(_("The end date must lie in the future."))
    if expires > now + timedelta(days=settings.API_TOKEN_MAX_DAYS + 1):
        raise ValidationError(_("A token is valid for at most %(days)d days.") % {"days": settings.API_TOKEN_MAX_DAYS})
    if not name.strip():
        raise ValidationError(_("Give the token a name."))


def _service_user(corporation, name: str, role: str, prefix: str):
    """The user a service token acts as: made for this token alone, with no password, one membership, one role.

    Its name says what it is ("api.<corporation>.<service>.<prefix>"), so the audit log names the token that acted.
    """
    username = f"api.{corporation.code}.{name}.{prefix}"[:150]
    user = get_user_model().objects.create_user(username=username, password=None)
    user.set_unusable_password()
    user.save(update_fields=["password"])
    Membership.objects.create(user=user, corporation=corporation, roles=[role])
    return user


@transaction.atomic
def api_token_create(*, actor, kind: str, name: str, role: str, scopes: dict, expires: datetime):
    """Make a token; the caller shows the returned secret once (only its hash is stored).

    Args:
        actor: who makes it. A personal token is the actor's own and carries one of the actor's roles; a service
            token needs an administrator (MANAGE_CORPORATION) and any role but the platform administrator's.
        kind: ApiToken.Kind.PERSONAL or SERVICE.
        name: a label ("erp-sync", "laptop"); for a service token lowercase letters, digits and "-".
        role: the one role the token acts with.
        scopes: {app: "read" | "write"} for the apps in access.SCOPES.
        expires: when it stops working; at most API_TOKEN_MAX_DAYS ahead.

    Returns:
        (ApiToken, the token text "bb_<prefix>_<secret>").

    Raises:
        PermissionDenied: a service token by a non-administrator, or a personal token with a role the actor lacks.
        ValidationError: a bad name, role, scope or end date.
    """
    membership = membership_of(actor)
    if membership is None:
        raise PermissionDenied
    name = name.strip()
    _check_token_values(name=name, role=role, scopes=scopes, expires=expires)
    token_text, prefix = new_token()
    if kind == ApiToken.Kind.SERVICE:
        require(actor, Action.MANAGE_CORPORATION)
        if not _SERVICE_NAME.fullmatch(name):
            raise ValidationError(_("A service name has lowercase letters, digits and dashes only, like erp-sync."))
        user = _service_user(membership.corporation, name, role, prefix)
    elif kind == ApiToken.Kind.PERSONAL:
        if role not in membership.roles:
            raise PermissionDenied
        user = actor
    else:
        raise ValidationError(_("Unknown kind of token."))
    token = ApiToken.objects.create(
        corporation=membership.corporation, kind=kind, user=user, name=name[:60], role=role, scopes=scopes,
        prefix=prefix, secret_hash=token_hash(token_text), created_by_name=actor_label(actor), expires=expires,
    )
    _audit(actor, token, "created")
    return token, token_text


@transaction.atomic
def api_token_revoke(*, actor, token: ApiToken) -> ApiToken:
    """Stop a token at once. Its own user may revoke a personal token; an administrator any of the corporation's.

    A service token's user is switched off with it, so nothing can act as that user any more.

    Raises:
        PermissionDenied: for someone else's token without MANAGE_CORPORATION, or another corporation's token.
    """
    membership = membership_of(actor)
    if membership is None or membership.corporation_id != token.corporation_id:
        raise PermissionDenied
    own = token.kind == ApiToken.Kind.PERSONAL and token.user_id == actor.pk
    if not own and not can(actor, Action.MANAGE_CORPORATION):
        raise PermissionDenied
    token = ApiToken.objects.select_for_update().get(pk=token.pk)
    if token.revoked is not None:
        return token
    token.revoked = timezone.now()
    token.revoked_by_name = actor_label(actor)
    token.save(update_fields=["revoked", "revoked_by_name"])
    if token.kind == ApiToken.Kind.SERVICE:
        get_user_model().objects.filter(pk=token.user_id).update(is_active=False)
    _audit(actor, token, "revoked")
    return token


def _audit(actor, token: ApiToken, what: str) -> None:
    audit_record(
        actor=actor,
        event=AuditEvent.Type.API_TOKEN_REVOKED if what == "revoked" else AuditEvent.Type.API_TOKEN_CREATED,
        corporation=token.corporation,
        subject_type="user",
        subject_label=f"API token {token.prefix} ({token.kind}, {token.name}) {what}",
        purpose="account_security",
        data={"api_token": token.prefix, "kind": token.kind, "name": token.name, "role": token.role,
              "scopes": token.scopes, "expires": token.expires.isoformat(), "action": what,
              "user": token.user.get_username()},
    )


def api_portfolio_import(*, file, user, dry_run: bool) -> tuple[ImportReport, dict]:
    """The stock import for the API: the screen's file check, then `portfolio_import` within the request.

    The file is stored as the screen stores it (core.uploads, private) and removed when the request ends. A dry
    run that read special-category data is audited as the screen's check is.

    Args:
        file: the uploaded file.
        user: the request's user (MANAGE_PORTFOLIO).
        dry_run: only check.

    Returns:
        The report and its counts as the user may see them (markers as {"rows": n} without VIEW_MARKERS).

    Raises:
        PermissionDenied: without MANAGE_PORTFOLIO.
        ApiError: 422 when the file is not one the import reads (the screen's form messages).
    """
    membership = require(user, Action.MANAGE_PORTFOLIO)
    form = PortfolioUploadForm(data={}, files={"file": file})
    if not form.is_valid():
        name = getattr(file, "name", "") or ""
        raise ApiError(422, _("This file cannot be imported."),
                       [((name, None, None), message) for message in form.errors.get("file", [])])
    stored = upload_store(form.cleaned_data["file"], kind=Upload.Kind.PORTFOLIO, corporation=membership.corporation,
                          user=user, suffix=form.suffix)
    try:
        report = portfolio_import(source=stored.path, corporation=membership.corporation, actor=user, dry_run=dry_run,
                                  source_name=stored.file_name or None)
    finally:
        upload_discard(stored)
    shows_special = can(user, Action.VIEW_MARKERS)
    if dry_run:
        portfolio_import_previewed(report, corporation=membership.corporation, actor=user,
                                   counts_shown=shows_special)
    return report, report.shown_counts(() if shows_special else SPECIAL_SHEETS)


# --- allocation -----------------------------------------------------------------------------------------------

def api_bid_import(*, file, user, dry_run: bool) -> ImportReport:
    """The bids import for the API, as the screen `allocation_bid_import` runs it.

    The screen's file check (`BidImportForm`), then `bids_import` within the request (the file stored privately,
    removed when done).

    Raises:
        PermissionDenied: without MANAGE_ALLOCATION.
        ApiError: 422 when the file is not one the import reads (the screen's form message).
    """
    from pathlib import PurePath

    from buurtbalans.allocation.forms import BidImportForm
    from buurtbalans.allocation.importing import bids_import

    membership = require(user, Action.MANAGE_ALLOCATION)
    form = BidImportForm(data={"dry_run": dry_run}, files={"file": file})
    name = PurePath(getattr(file, "name", "") or "").name
    if not form.is_valid():
        raise ApiError(422, _("This file cannot be imported."),
                       [((name, None, None), message) for message in form.errors.get("file", [])])
    upload = form.cleaned_data["file"]
    stored = upload_store(upload, kind=Upload.Kind.BIDS, corporation=membership.corporation, user=user,
                          suffix=PurePath(upload.name).suffix)
    try:
        return bids_import(path=stored.path, corporation=membership.corporation, actor=user, file_name=name,
                           dry_run=dry_run)
    finally:
        upload_discard(stored)


def api_listing_from_vacancy(*, user, dwelling_id: int):
    """List a vacancy with its decided label: the steering screen's `vacancy_listing_create` (DECIDE_LABELS).

    Raises:
        PermissionDenied: without DECIDE_LABELS. Http404: not a dwelling of the user's corporation.
        ApiError: 409 when no label was decided yet, or the steering/allocation service refuses (its messages).
    """
    from buurtbalans.api.selectors import api_decided_vacancy
    from buurtbalans.steering.services import SteeringInputError, vacancy_listing_create

    dwelling, decision = api_decided_vacancy(user, dwelling_id)
    if decision is None:
        raise ApiError(409, _("Decide on the label first."), [(("body", "dwelling"), _("no decided label"))])
    try:
        return vacancy_listing_create(decision=decision, actor=user)
    except SteeringInputError as exc:
        raise ApiError(409, " ".join(str(e) for e in exc.errors),
                       [(("body", "dwelling"), str(e)) for e in exc.errors]) from None
