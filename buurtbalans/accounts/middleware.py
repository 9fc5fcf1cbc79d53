"""Request checks of the accounts app: session timeouts, the second login step, and extra security headers."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django_otp import DEVICE_ID_SESSION_KEY

from buurtbalans.accounts.mfa import is_enrolled, user_requires_mfa
from buurtbalans.accounts.sessions import SESSION_HAS_APP, session_expiry_reason, session_touch

# A page polling a job's progress is not the user doing something: it must not keep an idle session alive.
POLLING_SUFFIXES = ("/status.json",)


class SecurityHeadersMiddleware:
    """Permissions-Policy, which Django has no setting for (no-store for private pages: privacy.middleware)."""

    PERMISSIONS_POLICY = (
        "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), payment=(), "
        "usb=(), interest-cohort=()"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.PERMISSIONS_POLICY)
        return response


class SessionTimeoutMiddleware:
    """Logs out a session that was idle too long or is older than the absolute limit (settings SESSION_*_SECONDS)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            reason = session_expiry_reason(request.session)
            if reason is not None:
                logout(request)
                if reason == "idle":
                    text = _("You were logged out because you did nothing for %(minutes)d minutes.") % {
                        "minutes": settings.SESSION_IDLE_SECONDS // 60
                    }
                else:
                    text = _("You were logged out because you logged in %(hours)d hours ago. Log in again.") % {
                        "hours": settings.SESSION_ABSOLUTE_SECONDS // 3600
                    }
                messages.info(request, text)
            elif not request.path_info.endswith(POLLING_SUFFIXES):
                session_touch(request.session)
        return self.get_response(request)


def second_step_needed(request) -> bool:
    """A logged-in user who still has to give a code (or set up an app) before using the product."""
    user = request.user
    if not user.is_authenticated:
        return False
    if request.session.get(DEVICE_ID_SESSION_KEY) and user.is_verified():
        return False
    has_app = request.session.get(SESSION_HAS_APP)
    if has_app is None:
        has_app = request.session[SESSION_HAS_APP] = is_enrolled(user)
    return has_app or user_requires_mfa(user)


class SecondStepMiddleware:
    """Until the second step is done, only the login, code, set-up, logout and public pages open.

    Public pages are those marked `login_not_required` (the public account, the language switch, password reset);
    the accounts views a half-logged-in user needs are marked `second_step_exempt`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "login_required", True) or getattr(view_func, "second_step_exempt", False):
            return None
        if not second_step_needed(request):
            return None
        target = "accounts_mfa_verify" if request.session.get(SESSION_HAS_APP) else "accounts_mfa_setup"
        response = redirect(target)
        response["Location"] += "?" + urlencode({"next": request.get_full_path()})
        return response
