"""Reading a bearer token: find it by its prefix, compare its hash in constant time, count it against the rate limit.

A token reads `bb_<prefix>_<secret>`: the prefix (8 characters) is public and finds the row, the secret
(`secrets.token_urlsafe(32)`, 256 bits) is never stored; the row keeps the SHA-256 hash of the whole token. No
slow password hash is needed: the secret is random and long, so a leaked hash cannot be guessed back.

The request then acts as the token's user with one role only: `core.permissions.membership_of` caches the
membership on the user object, and `acting_as` puts a copy there whose roles are the token's role. Every selector and
service asks `membership_of`, so they see the same corporation and rights as the screens do for that role: there is
no second rights model.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from buurtbalans.api.models import ApiToken
from buurtbalans.core.models import Membership

TOKEN_START = "bb_"
PREFIX_LENGTH = 8
TOKEN_FORMAT = re.compile(r"bb_([A-Za-z0-9]{8})_([A-Za-z0-9_-]{43})")
_PREFIX_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/l/I


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def new_token() -> tuple[str, str]:
    """A fresh (token, prefix). The caller stores `token_hash(token)` and shows the token once."""
    prefix = "".join(secrets.choice(_PREFIX_ALPHABET) for _ in range(PREFIX_LENGTH))
    return f"{TOKEN_START}{prefix}_{secrets.token_urlsafe(32)}", prefix


@dataclass(frozen=True)
class TokenCheck:
    """The outcome of `token_check`: the token, or why not (None), and the rate limit's state."""

    token: ApiToken | None
    over_limit: bool = False
    retry_after: int = 0
    limit: int = 0
    remaining: int = 0


def membership_for(token: ApiToken) -> Membership | None:
    """The user's membership as the token may use it: same corporation, and the token's role still held."""
    membership = Membership.objects.select_related("corporation").filter(user_id=token.user_id).first()
    if membership is None or membership.corporation_id != token.corporation_id or token.role not in membership.roles:
        return None
    return membership


def acting_as(token: ApiToken, membership: Membership):
    """The token's user, whose membership (as `core.permissions.membership_of` reads it) has the token's role only."""
    user = token.user
    narrowed = Membership(pk=membership.pk, user=user, corporation=membership.corporation, roles=[token.role])
    user._buurtbalans_membership = narrowed
    return user


def token_check(raw: str, *, now=None) -> TokenCheck:
    """Find the token, check it is valid now, and count this request in its minute.

    One SELECT ... FOR UPDATE and one UPDATE in a short transaction: the window's count is the same for every web
    worker (a per-process cache would let each of gunicorn's workers allow the full rate).
    """
    match = TOKEN_FORMAT.fullmatch(raw.strip())
    if match is None:
        return TokenCheck(None)
    now = now or timezone.now()
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().select_related("user").filter(prefix=match.group(1)).first()
        if token is None or not hmac.compare_digest(token.secret_hash, token_hash(raw.strip())):
            return TokenCheck(None)
        if token.revoked is not None or token.expires <= now or not token.user.is_active:
            return TokenCheck(None)
        limit = settings.API_RATE_LIMIT_PER_MINUTE
        window = now.replace(second=0, microsecond=0)
        count = token.window_count + 1 if token.window_start == window else 1
        ApiToken.objects.filter(pk=token.pk).update(window_start=window, window_count=count, last_used=now)
    retry_after = max(1, int((window + timedelta(minutes=1) - now).total_seconds() + 0.999))
    if count > limit:
        return TokenCheck(token, over_limit=True, retry_after=retry_after, limit=limit)
    return TokenCheck(token, limit=limit, remaining=limit - count, retry_after=retry_after)
