"""Session timeouts (ASVS 3.3): logged out after SESSION_IDLE_SECONDS without a request, and in any case
SESSION_ABSOLUTE_SECONDS after logging in. The times are kept in the session itself."""

from __future__ import annotations

from django.conf import settings
from django.utils import timezone

SESSION_LOGIN_AT = "bb_login_at"
SESSION_SEEN_AT = "bb_seen_at"
SESSION_HAS_APP = "bb_has_app"
# The last-seen time is written at most this often, so a page with many requests writes the session once.
SEEN_WRITE_SECONDS = 60


def session_expiry_reason(session, now: float | None = None) -> str | None:
    """ "idle" or "absolute" when the session is past that timeout, None while it is valid.

    A session without the times (made before this check existed) counts as expired, so it cannot live on forever.
    """
    now = timezone.now().timestamp() if now is None else now
    login_at = session.get(SESSION_LOGIN_AT)
    seen_at = session.get(SESSION_SEEN_AT)
    if login_at is None or now - login_at > settings.SESSION_ABSOLUTE_SECONDS:
        return "absolute"
    if seen_at is None or now - seen_at > settings.SESSION_IDLE_SECONDS:
        return "idle"
    return None


def session_touch(session, now: float | None = None) -> None:
    now = timezone.now().timestamp() if now is None else now
    if now - session.get(SESSION_SEEN_AT, 0) >= SEEN_WRITE_SECONDS:
        session[SESSION_SEEN_AT] = now
