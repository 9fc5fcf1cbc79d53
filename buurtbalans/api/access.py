"""Who may call an operation: the token (`TokenAuth`), its scope per app, the rate limit and the purpose header.

    router = Router(auth=needs("portfolio"))                     # every operation: a valid token, scope portfolio:read
    @router.post("/imports", auth=needs("portfolio", WRITE))      # this one: portfolio:write

Rights are not decided here: the endpoint calls the same `core.permissions.require` and selectors as the screen, as
the token's user with the token's role only (see `tokens.acting_as`). A scope can only narrow what the role may.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja.security import HttpBearer

from buurtbalans.api.errors import ApiError
from buurtbalans.api.tokens import acting_as, membership_for, token_check
from buurtbalans.core.audit_labels import PURPOSE_LABELS

READ = "read"
WRITE = "write"
ACCESS_LEVELS = (READ, WRITE)

# The apps a token can be given access to, as the token screens name them. A new resource of another app adds its
# app here (the scope key is the app's label) and uses `needs("<app>")` on its router.
SCOPES = {
    "portfolio": gettext_lazy("Stock: complexes, dwellings and the stock import"),
    "households": gettext_lazy("Households, tenancies and vulnerability markers"),
    "jobs": gettext_lazy("Tasks: status and progress"),
    "allocation": gettext_lazy("Letting homes: listings, bids, rounds, offers and letters"),
    "rules": gettext_lazy("Compliance per year and municipality"),
    "steering": gettext_lazy("Steering: label plans and the labels of vacancies"),
    "monitor": gettext_lazy("Monitor: vitality per complex and buurt, focus buurten"),
    "cooperatives": gettext_lazy("Cooperatives and their activity log"),
}


# What a level of access lets a token do, in words for the error a refused call gets.
ACCESS_WORDS = {READ: gettext_lazy("read"), WRITE: gettext_lazy("change")}


def scope_allows(scopes: dict, scope: str, access: str) -> bool:
    granted = scopes.get(scope)
    return granted == WRITE or (granted == READ and access == READ)


class TokenAuth(HttpBearer):
    """`Authorization: Bearer bb_…`: a valid token with `scope` at `access` (write includes read).

    On success `request.auth` is the ApiToken and `request.user` the token's user acting with the token's role.
    Returns None (401) for a missing, unknown, expired or revoked token, or one whose user lost the role; raises
    ApiError 429 (with Retry-After) past the rate limit and 403 for a scope the token lacks.
    """

    def __init__(self, scope: str, access: str = READ):
        if scope not in SCOPES or access not in ACCESS_LEVELS:
            raise ValueError(f"unknown scope {scope}:{access}")
        self.scope, self.access = scope, access
        super().__init__()

    def authenticate(self, request, token: str):
        check = token_check(token)
        if check.token is None:
            return None
        request.api_rate = check
        if check.over_limit:
            raise ApiError(429, _("Too many requests with this token: at most %(limit)d per minute. Try again in "
                                  "%(seconds)d seconds.") % {"limit": check.limit, "seconds": check.retry_after},
                           headers={"Retry-After": str(check.retry_after)})
        membership = membership_for(check.token)
        if membership is None:
            return None
        if not scope_allows(check.token.scopes, self.scope, self.access):
            raise ApiError(403, _("This token may not %(access)s here: %(scope)s (scope %(code)s:%(level)s).")
                           % {"access": ACCESS_WORDS[self.access], "scope": SCOPES[self.scope], "code": self.scope,
                              "level": self.access})
        request.user = acting_as(check.token, membership)
        return check.token


def needs(scope: str, access: str = READ) -> TokenAuth:
    """The `auth=` of a router or operation: a token with this scope (see TokenAuth)."""
    return TokenAuth(scope, access)


def purpose_of(request, purpose: str | None, *, allowed=None) -> str:
    """The purpose the client gave in `X-Purpose` for reading personal data; it goes into the audit record.

    Args:
        purpose: the header's value (declare it on the operation as `x_purpose: PurposeHeader = None`).
        allowed: the purposes the user may read this data for (e.g. `marker_purposes_for(user)`); None for any.

    Raises:
        ApiError: 400 when the header is missing or no purpose code; 403 for a purpose the role does not have.
    """
    if not purpose:
        raise ApiError(400, _("This answer holds personal data. Say why you read it in the header X-Purpose, "
                              "for example X-Purpose: allocation."),
                       [(("header", "X-Purpose"), _("required: one of %(codes)s")
                         % {"codes": ", ".join(sorted(PURPOSE_LABELS))})])
    codes = ", ".join(sorted(PURPOSE_LABELS))
    if purpose not in PURPOSE_LABELS:
        raise ApiError(400, _("X-Purpose is not a purpose code."),
                       [(("header", "X-Purpose"), _("one of %(codes)s") % {"codes": codes})])
    if allowed is not None and purpose not in allowed:
        raise ApiError(403, _("Your role may not read this for the purpose %(purpose)s.") % {"purpose": purpose},
                       [(("header", "X-Purpose"), _("one of %(codes)s") % {"codes": ", ".join(sorted(allowed))})])
    return purpose
