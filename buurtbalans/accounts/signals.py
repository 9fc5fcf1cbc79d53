"""At login, note when the session started (for the absolute and idle timeouts) and whether an app is set up."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone

from buurtbalans.accounts.mfa import is_enrolled
from buurtbalans.accounts.sessions import SESSION_HAS_APP, SESSION_LOGIN_AT, SESSION_SEEN_AT


@receiver(user_logged_in, dispatch_uid="buurtbalans.accounts.session_started")
def session_started(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    now = timezone.now().timestamp()
    request.session[SESSION_LOGIN_AT] = now
    request.session[SESSION_SEEN_AT] = now
    # Read once per session, so users without an app pay no query per request for the second-step check.
    request.session[SESSION_HAS_APP] = is_enrolled(user)
