"""Who may see compliance and change parameters and performance agreements.

TODO: these rights belong in `core.permissions.ROLE_ACTIONS` (the single place where a role gets a right) as
`Action.VIEW_COMPLIANCE`, `Action.MANAGE_AGREEMENTS` and `Action.MANAGE_PARAMETERS`; core is another
engineer's module, so the rules app keeps its own small table until they are moved there.
"""

from __future__ import annotations

from enum import StrEnum

from django.core.exceptions import PermissionDenied

from buurtbalans.core.models import Membership, Role
from buurtbalans.core.permissions import membership_of


class RulesRight(StrEnum):
    # Yearly compliance figures (aggregates) and the non-fitting lettings by letting id.
    VIEW_COMPLIANCE = "view_compliance"
    # The legal parameters in force and where each value came from (public law, no personal data).
    VIEW_PARAMETERS = "view_parameters"
    # Correct or add legal parameters (functional administrators).
    MANAGE_PARAMETERS = "manage_parameters"
    # Record the municipalities' performance agreements (prestatieafspraken) that raise the free room.
    MANAGE_AGREEMENTS = "manage_agreements"


RIGHT_ROLES: dict[RulesRight, frozenset[str]] = {
    RulesRight.VIEW_COMPLIANCE: frozenset({Role.POLICY_ANALYST, Role.ALLOCATION_OFFICER, Role.ADMIN}),
    RulesRight.VIEW_PARAMETERS: frozenset({Role.POLICY_ANALYST, Role.ALLOCATION_OFFICER, Role.ADMIN}),
    RulesRight.MANAGE_PARAMETERS: frozenset({Role.ADMIN}),
    RulesRight.MANAGE_AGREEMENTS: frozenset({Role.ADMIN, Role.POLICY_ANALYST}),
}


def rights_of(user) -> frozenset[RulesRight]:
    membership = membership_of(user)
    if membership is None:
        return frozenset()
    return frozenset(right for right, roles in RIGHT_ROLES.items() if membership.has_role(*roles))


def has_right(user, right: RulesRight) -> bool:
    return right in rights_of(user)


def require_right(user, right: RulesRight) -> Membership:
    """The user's membership if they have `right`; PermissionDenied otherwise."""
    membership = membership_of(user)
    if membership is None or right not in rights_of(user):
        raise PermissionDenied
    return membership
