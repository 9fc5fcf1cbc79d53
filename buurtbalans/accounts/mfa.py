"""Who needs two-step verification (TOTP), and the pieces of setting it up: keys, QR codes, recovery codes.

The rule is derived from the role table (`core.permissions.ROLE_ACTIONS`), not written per role, so a role added
later is covered the day it is added: a role needs two-step verification when it holds an action that reads
special-category data, an administrative action, or an action nobody has classified here yet (safe by default;
`tests/test_mfa_policy.py` names the action so a developer classifies it).
"""

from __future__ import annotations

from collections.abc import Mapping

import segno
from django.conf import settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from buurtbalans.accounts.models import RecoveryCode
from buurtbalans.core.models import Role
from buurtbalans.core.permissions import ROLE_ACTIONS, membership_of

# Action codes (`core.permissions.Action` values) as strings, so this table survives an action being renamed.
# Reading or changing vulnerability markers, support needs, social-management notes, or everything about a household
# (AVG art. 9 data, or close to it).
SPECIAL_CATEGORY_ACTIONS = frozenset(
    {
        "view_markers",
        "view_social_records",
        "manage_social_records",
        "manage_support_needs",
        "export_subject_data",
        "erase_household",
        # Intake conversations and placements: that a household is placed from a shelter or as a status holder
        # says as much as a marker does (issue 13).
        "manage_placements",
    }
)
# Loading whole registers (markers included), the corporation's settings, jobs' raw logs, the legal parameters that
# every round uses.
ADMINISTRATIVE_ACTIONS = frozenset(
    {
        "manage_portfolio",
        "manage_corporation",
        "manage_marker_kinds",
        "view_job_log",
        "manage_parameters",
        "manage_shared_parameters",
        "manage_local_parameters",
    }
)
# Reviewed: none of these reads special-category data or administers the system.
REVIEWED_ORDINARY_ACTIONS = frozenset(
    {
        "view_stock",
        "view_aggregates",
        "view_households",
        "view_jobs",
        "view_audit",
        "view_compliance",
        "view_parameters",
        "manage_agreements",
        "view_allocation",
        "manage_allocation",
        "view_monitor",
        "manage_monitor_settings",
        "view_cooperatives",
        "manage_cooperatives",
        "review_cooperatives",
        "record_co_optation",
        "cooperative_portal",
        "manage_profiles",
        "plan_labels",
        "decide_labels",
        "record_steering_roles",
        # Issue 13: blind scores on motivation texts, objections to a letting, voluntary follow-ups (no markers).
        "assess_motivation",
        "manage_objections",
        "record_follow_ups",
        # Issues 15 and 16: policy simulations and the interventions register work on aggregates per complex only.
        "simulate_policies",
        "view_interventions",
        "manage_interventions",
        "evaluate_interventions",
    }
)

RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "authenticator app"
RECOVERY_DEVICE_NAME = "recovery codes"


def unclassified_actions(role_actions: Mapping[str, frozenset] | None = None) -> frozenset:
    """Actions some role holds that this module has not classified (each makes its roles need MFA)."""
    table = ROLE_ACTIONS if role_actions is None else role_actions
    known = SPECIAL_CATEGORY_ACTIONS | ADMINISTRATIVE_ACTIONS | REVIEWED_ORDINARY_ACTIONS
    return frozenset(action for actions in table.values() for action in actions if action not in known)


def roles_requiring_mfa(role_actions: Mapping[str, frozenset] | None = None) -> frozenset[str]:
    """The roles whose users must log in with a second step.

    Args:
        role_actions: the role table; `core.permissions.ROLE_ACTIONS` when not given.

    Returns:
        ADMIN, and every role holding a special-category, administrative or unclassified action.
    """
    table = ROLE_ACTIONS if role_actions is None else role_actions
    strict = SPECIAL_CATEGORY_ACTIONS | ADMINISTRATIVE_ACTIONS
    unknown = unclassified_actions(table)
    required = {str(Role.ADMIN)}
    for role, actions in table.items():
        if actions & strict or actions & unknown:
            required.add(str(role))
    return frozenset(required)


def role_requires_mfa(roles) -> bool:
    return bool(set(map(str, roles)) & roles_requiring_mfa())


def user_requires_mfa(user) -> bool:
    """Whether the user's roles oblige them to use two-step verification (setting MFA_REQUIRED on)."""
    if not settings.MFA_REQUIRED:
        return False
    membership = membership_of(user)
    return membership is not None and role_requires_mfa(membership.roles)


def is_enrolled(user) -> bool:
    """The user has a confirmed authenticator app."""
    return TOTPDevice.objects.filter(user_id=user.pk, confirmed=True).exists()


def recovery_codes_left(user) -> int:
    return RecoveryCode.objects.filter(device__user_id=user.pk, device__confirmed=True).count()


def qr_svg(device: TOTPDevice) -> str:
    """The device's otpauth:// address as an inline SVG QR code (no image request, nothing sent elsewhere)."""
    return segno.make(device.config_url, error="m").svg_inline(scale=5, border=4, light="#fff", dark="#000")


def key_text(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    from base64 import b32encode

    key = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(key[i : i + 4] for i in range(0, len(key), 4))
