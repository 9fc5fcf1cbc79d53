"""Reads for the account screens, always within the administrator's own corporation."""

from __future__ import annotations

from django.http import Http404
from django_otp.plugins.otp_totp.models import TOTPDevice

from buurtbalans.core.models import Membership, Role


def corporation_user_list(membership: Membership) -> list[Membership]:
    """The corporation's users with their roles, whether they set up an app, newest login first."""
    members = list(
        Membership.objects.filter(corporation_id=membership.corporation_id)
        .select_related("user")
        .order_by("user__username")
    )
    enrolled = set(
        TOTPDevice.objects.filter(user_id__in=[m.user_id for m in members], confirmed=True).values_list(
            "user_id", flat=True
        )
    )
    for m in members:
        m.has_app = m.user_id in enrolled
        m.role_labels = role_labels(m.roles)
    return members


def role_labels(roles) -> list[str]:
    return [str(Role(r).label) for r in roles if r in Role.values]


def corporation_user_get(membership: Membership, user_id: int) -> Membership:
    """Another user's membership; another corporation's user is "not found" (404), as for every object."""
    target = Membership.objects.select_related("user", "corporation").filter(user_id=user_id).first()
    if target is None or target.corporation_id != membership.corporation_id:
        raise Http404
    target.has_app = TOTPDevice.objects.filter(user_id=target.user_id, confirmed=True).exists()
    return target
