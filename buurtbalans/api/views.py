"""The token screens: my personal tokens, the corporation's service tokens (administrators), make and revoke.

A new token's text is shown once, on the answer to the form that made it, and never again (only its hash is kept).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from buurtbalans.api import services
from buurtbalans.api.access import SCOPES
from buurtbalans.api.forms import RevokeForm, ServiceTokenForm, TokenForm
from buurtbalans.api.selectors import api_token_for_revoke, personal_token_list, service_token_list
from buurtbalans.core.models import PLATFORM_ROLES
from buurtbalans.core.permissions import Action, can, membership_of


def _roles_for_personal(user) -> list[str]:
    membership = membership_of(user)
    return [r for r in (membership.roles if membership else []) if r not in PLATFORM_ROLES]


@require_http_methods(["GET", "POST"])
def token_list(request):
    """My tokens and, for an administrator, the service tokens; POST revokes one."""
    user = request.user
    if membership_of(user) is None:
        raise PermissionDenied
    if request.method == "POST":
        form = RevokeForm(request.POST)
        if not form.is_valid():
            raise Http404
        token = api_token_for_revoke(user, form.cleaned_data["token"])
        services.api_token_revoke(actor=user, token=token)
        messages.success(request, _("The token %(prefix)s no longer works.") % {"prefix": token.prefix})
        return redirect("api_tokens")
    is_admin = can(user, Action.MANAGE_CORPORATION)
    context = {
        "nav": "api_tokens",
        "personal": personal_token_list(user),
        "service": service_token_list(user) if is_admin else None,
        "is_admin": is_admin,
        "may_make_personal": bool(_roles_for_personal(user)),
        "scope_labels": SCOPES,
    }
    return render(request, "api/token_list.html", context)


def _new(request, form, kind: str, template_title: str):
    if request.method == "POST" and form.is_valid():
        try:
            token, text = services.api_token_create(
                actor=request.user, kind=kind, name=form.cleaned_data["name"], role=form.cleaned_data["role"],
                scopes=form.scopes, expires=form.expires_at,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            # Shown once: this answer is the only place the token's text appears (no-store, see privacy.middleware).
            return render(request, "api/token_created.html", {"nav": "api_tokens", "token": token, "text": text,
                                                              "scope_labels": SCOPES})
    return render(request, "api/token_new.html", {"nav": "api_tokens", "form": form, "title": template_title,
                                                  "kind": kind})


@require_http_methods(["GET", "POST"])
def token_new(request):
    roles = _roles_for_personal(request.user)
    if not roles:
        raise PermissionDenied
    form = TokenForm(request.POST or None, roles=roles)
    return _new(request, form, "personal", _("New personal API token"))


@require_http_methods(["GET", "POST"])
def service_token_new(request):
    if not can(request.user, Action.MANAGE_CORPORATION):
        raise PermissionDenied
    form = ServiceTokenForm(request.POST or None)
    return _new(request, form, "service", _("New service token"))
