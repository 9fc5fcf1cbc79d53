"""Login throttling per account name and per client address, with a lock that doubles each time (ASVS 2.2.1).

An account name gets `LOGIN_FAILURES_PER_ACCOUNT` tries, an address `LOGIN_FAILURES_PER_ADDRESS` (over all names,
so guessing one password for many accounts is slowed down too). Then it is locked for `LOGIN_LOCK_SECONDS`, the
next lock twice as long, up to `LOGIN_LOCK_MAX_SECONDS`. With the defaults (5 tries; 1, 2, 4, ... minutes) one
account allows at most about 30 wrong passwords an hour, well under ASVS's 100. A try while locked is refused
before the password is checked and does not lengthen the lock, so the screen can say when it ends. After
`LOGIN_LOCK_RESET_SECONDS` without a failure, or after a successful login, an account starts again from nothing.
Wrong codes of the second step count as failed logins of the account too.

We keep our own ~100 lines instead of django-axes: axes 8.3 has one limit for account and address together, no
back-off in a released version, and stores user agents and form data of every try.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from buurtbalans.accounts.models import LoginThrottle
from buurtbalans.core.audit import audit_record
from buurtbalans.core.models import AuditEvent, Membership


@dataclass(frozen=True)
class Lock:
    until: datetime
    scope: str


def account_key(username: str | None) -> str:
    return (username or "").strip().lower()[:150]


def client_address(request) -> str:
    """The client's IP address; behind `TRUSTED_PROXY_COUNT` reverse proxies, the one they saw."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies][:150]
    return (request.META.get("REMOTE_ADDR") or "unknown")[:150]


def current_lock(username: str | None, address: str) -> Lock | None:
    """The lock that refuses this login, the one lasting longest when both name and address are locked."""
    now = timezone.now()
    rows = LoginThrottle.objects.filter(locked_until__gt=now).filter(
        scope=LoginThrottle.Scope.ACCOUNT, key=account_key(username)
    ) | LoginThrottle.objects.filter(locked_until__gt=now, scope=LoginThrottle.Scope.ADDRESS, key=address)
    row = rows.order_by("-locked_until").first()
    return Lock(until=row.locked_until, scope=row.scope) if row else None


def _limit(scope: str) -> int:
    if scope == LoginThrottle.Scope.ACCOUNT:
        return settings.LOGIN_FAILURES_PER_ACCOUNT
    return settings.LOGIN_FAILURES_PER_ADDRESS


def _count_failure(scope: str, key: str, now: datetime) -> LoginThrottle | None:
    """Add one failure; returns the row when this failure started a lock."""
    row, _ = LoginThrottle.objects.select_for_update().get_or_create(
        scope=scope, key=key, defaults={"last_failure": now}
    )
    if row.last_failure < now - timedelta(seconds=settings.LOGIN_LOCK_RESET_SECONDS):
        row.failures, row.lockouts = 0, 0
    row.failures += 1
    row.last_failure = now
    started = None
    if row.failures >= _limit(scope):
        seconds = min(settings.LOGIN_LOCK_SECONDS * 2**row.lockouts, settings.LOGIN_LOCK_MAX_SECONDS)
        row.locked_until = now + timedelta(seconds=seconds)
        row.lockouts += 1
        row.failures = 0
        started = row
    row.save()
    return started


@transaction.atomic
def login_failure_record(*, username: str | None, address: str) -> Lock | None:
    """Count a failed login (wrong password or code) for the name and the address.

    Returns:
        The lock that this failure started, if it started one (audited as LOGIN_LOCKED), else None.
    """
    now = timezone.now()
    key = account_key(username)
    started = [
        row
        for row in (
            _count_failure(LoginThrottle.Scope.ACCOUNT, key, now) if key else None,
            _count_failure(LoginThrottle.Scope.ADDRESS, address, now),
        )
        if row is not None
    ]
    if not started:
        return None
    user = get_user_model().objects.filter(username__iexact=key).first() if key else None
    membership = Membership.objects.filter(user_id=user.pk).select_related("corporation").first() if user else None
    for row in started:
        audit_record(
            actor=None,
            actor_name=f"login:{key or '?'}"[:150],
            event=AuditEvent.Type.LOGIN_LOCKED,
            corporation=membership.corporation if membership else None,
            subject_type=f"login_{row.scope}",
            subject_label=f"{row.scope} {row.key}",
            purpose="security",
            data={
                "scope": row.scope,
                "account": key,
                "address": address,
                "locks_in_a_row": row.lockouts,
                "locked_until": row.locked_until.isoformat(),
            },
        )
    longest = max(started, key=lambda r: r.locked_until)
    return Lock(until=longest.locked_until, scope=longest.scope)


def login_success_record(*, username: str) -> None:
    """A correct login: the account starts again from nothing (the address keeps counting)."""
    LoginThrottle.objects.filter(scope=LoginThrottle.Scope.ACCOUNT, key=account_key(username)).delete()


@transaction.atomic
def password_reset_request_allowed(*, email: str, address: str) -> bool:
    """Count a "forgot my password" request; False when the e-mail address or the client asked too often.

    At most `PASSWORD_RESET_REQUESTS_PER_EMAIL` mails to one address and `PASSWORD_RESET_REQUESTS_PER_ADDRESS`
    requests from one client per hour. The screen answers the same either way (no enumeration, ASVS 2.5); only
    the mail is not sent, so the reset form cannot be used to flood someone's mailbox.
    """
    now = timezone.now()
    allowed = True
    for scope, key, limit in (
        (LoginThrottle.Scope.RESET_EMAIL, email.strip().lower()[:150], settings.PASSWORD_RESET_REQUESTS_PER_EMAIL),
        (LoginThrottle.Scope.RESET_ADDRESS, address, settings.PASSWORD_RESET_REQUESTS_PER_ADDRESS),
    ):
        row, _ = LoginThrottle.objects.select_for_update().get_or_create(
            scope=scope, key=key, defaults={"last_failure": now}
        )
        if row.last_failure < now - timedelta(hours=1):  # a new hour: count again from the first request
            row.failures, row.last_failure = 0, now
        row.failures += 1
        row.save(update_fields=["failures", "last_failure"])
        allowed = allowed and row.failures <= limit
    return allowed
