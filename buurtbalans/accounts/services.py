"""Changes to accounts: users of a corporation, their roles, two-step verification. Each one is audited.

Administrators manage the users of their own corporation only; the views pass the administrator's membership
and these functions refuse anyone else's user (`user_of_corporation`).
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from buurtbalans.accounts import recovery
from buurtbalans.accounts.mfa import RECOVERY_CODE_COUNT, RECOVERY_DEVICE_NAME, TOTP_DEVICE_NAME
from buurtbalans.accounts.models import RecoveryCode, RecoveryCodeDevice
from buurtbalans.accounts.notices import APP_RESET, APP_SET_UP, PASSWORD_CHANGED, security_notice_send
from buurtbalans.core.audit import audit_record
from buurtbalans.core.models import PLATFORM_ROLES, AuditEvent, Membership, Role

User = get_user_model()


def _account_audit(*, actor, event, membership: Membership, user, data: dict) -> None:
    audit_record(
        actor=actor,
        event=event,
        corporation=membership.corporation,
        subject_type="user",
        subject_label=f"user {user.get_username()}",
        purpose="account_management",
        data={"user": user.get_username(), **data},
    )


def password_link_send(*, admin, membership: Membership, target: Membership, request) -> None:
    """E-mail a user a one-time link to choose a password (Django's reset token, valid PASSWORD_RESET_TIMEOUT).

    Unlike the "forgot password" form, this also reaches a new account that has no password yet.
    """
    user = target.user
    if not user.is_active or not user.email:
        raise ValidationError(_("This account is switched off or has no e-mail address."))
    context = {
        "email": user.email,
        "domain": request.get_host(),
        "site_name": "Buurtbalans",
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": "https" if request.is_secure() else "http",
        "is_new_account": not user.has_usable_password(),
    }
    PasswordResetForm().send_mail(
        "registration/password_reset_subject.txt",
        "registration/password_reset_email.txt",
        context,
        from_email=None,
        to_email=user.email,
    )
    _account_audit(
        actor=admin,
        event=AuditEvent.Type.USER_ACCOUNT_CHANGED,
        membership=membership,
        user=user,
        data={"change": "password_link_sent"},
    )


@transaction.atomic
def user_create(
    *,
    admin,
    membership: Membership,
    username: str,
    email: str,
    roles: list[str],
    first_name: str = "",
    last_name: str = "",
):
    """A new user in the administrator's corporation, without a password: they choose one through the e-mail link."""
    user = User.objects.create_user(username=username, email=email, first_name=first_name, last_name=last_name)
    user.set_unusable_password()
    user.save()
    Membership.objects.create(user=user, corporation=membership.corporation, roles=list(roles))
    _account_audit(
        actor=admin,
        event=AuditEvent.Type.USER_ACCOUNT_CHANGED,
        membership=membership,
        user=user,
        data={"change": "created", "email": email, "roles": list(roles)},
    )
    _account_audit(
        actor=admin,
        event=AuditEvent.Type.MEMBERSHIP_CHANGED,
        membership=membership,
        user=user,
        data={"old_roles": [], "new_roles": list(roles)},
    )
    return user


def _admins_left(corporation_id: int, *, without_user_id: int) -> int:
    return sum(
        1
        for m in Membership.objects.filter(corporation_id=corporation_id, user__is_active=True).exclude(
            user_id=without_user_id
        )
        if Role.ADMIN in m.roles
    )


@transaction.atomic
def user_roles_set(*, admin, membership: Membership, target: Membership, roles: list[str]) -> None:
    """Give a user of the corporation other roles.

    Raises:
        ValidationError: when an administrator would take away their own administrator role while no other
            active administrator is left (the corporation would lock itself out).
    """
    target = Membership.objects.select_for_update().get(pk=target.pk)
    old = list(target.roles)
    # Platform roles are granted on the server only (`buurtbalans platform_admin`): a corporation's screen neither
    # gives nor takes them, so they are kept whatever the form sends.
    roles = [r for r in roles if r not in PLATFORM_ROLES] + [r for r in old if r in PLATFORM_ROLES]
    if old == list(roles):
        return
    if (
        target.user_id == admin.pk
        and Role.ADMIN in old
        and Role.ADMIN not in roles
        and _admins_left(target.corporation_id, without_user_id=admin.pk) == 0
    ):
        raise ValidationError(_("You are the only administrator. Give another colleague that role first."))
    target.roles = list(roles)
    target.save(update_fields=["roles"])
    _account_audit(
        actor=admin,
        event=AuditEvent.Type.MEMBERSHIP_CHANGED,
        membership=membership,
        user=target.user,
        data={"old_roles": old, "new_roles": list(roles)},
    )


@transaction.atomic
def user_active_set(*, admin, membership: Membership, target: Membership, is_active: bool) -> None:
    """Switch an account off (it can no longer log in; its audit trail stays) or on again."""
    user = target.user
    if user.is_active == is_active:
        return
    if not is_active and user.pk == admin.pk:
        raise ValidationError(_("You cannot switch off your own account."))
    user.is_active = is_active
    user.save(update_fields=["is_active"])
    _account_audit(
        actor=admin,
        event=AuditEvent.Type.USER_ACCOUNT_CHANGED,
        membership=membership,
        user=user,
        data={"change": "reactivated" if is_active else "deactivated"},
    )


@transaction.atomic
def mfa_reset(*, admin, membership: Membership, target: Membership) -> int:
    """Remove a user's authenticator app and recovery codes (a lost phone); they set it up again at next login."""
    user = target.user
    apps, codes = TOTPDevice.objects.filter(user=user), RecoveryCodeDevice.objects.filter(user=user)
    removed = apps.count() + codes.count()
    apps.delete()
    codes.delete()
    _account_audit(
        actor=admin,
        event=AuditEvent.Type.MFA_CHANGED,
        membership=membership,
        user=user,
        data={"change": "reset_by_administrator", "removed_devices": removed},
    )
    transaction.on_commit(lambda: security_notice_send(user, APP_RESET))
    return removed


def mfa_unconfirmed_device(user) -> TOTPDevice:
    """The app being set up: a new secret the first time, the same one while the user has not confirmed it."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()
    return device or TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)


@transaction.atomic
def mfa_enrol_confirm(*, user, device: TOTPDevice, membership: Membership | None) -> list[str]:
    """The user typed a correct code: the app counts from now on, and they get fresh recovery codes.

    Returns:
        The recovery codes, to show once: only their hashes are kept (`recovery.py`), and each works once.
    """
    TOTPDevice.objects.filter(user=user).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(user)
    _own_mfa_audit(user, membership, "app_set_up")
    transaction.on_commit(lambda: security_notice_send(user, APP_SET_UP))
    return codes


@transaction.atomic
def mfa_recovery_codes_renew(*, user, membership: Membership | None) -> list[str]:
    """The user asked for new recovery codes: the old ones stop working; audited as MFA_CHANGED.

    Args:
        user: the signed-in user, renewing their own codes.
        membership: their membership, for the audit event's corporation; None when they have none.

    Returns:
        The new codes, to show once: only their hashes are kept (`recovery.py`), and each works once.
    """
    codes = _new_recovery_codes(user)
    _own_mfa_audit(user, membership, "recovery_codes_renewed")
    return codes


def password_changed(*, user, membership: Membership | None) -> None:
    """A user changed their own password: tell them by e-mail (it may not have been them) and audit it.

    Args:
        user: who changed their password (Django has saved it).
        membership: their membership, for the corporation of the audit event (None for a platform administrator).
    """
    security_notice_send(user, PASSWORD_CHANGED)
    audit_record(
        actor=user,
        event=AuditEvent.Type.USER_ACCOUNT_CHANGED,
        corporation=membership.corporation if membership else None,
        subject_type="user",
        subject_label=f"user {user.get_username()}",
        purpose="account_security",
        data={"user": user.get_username(), "change": "password_changed"},
    )


def _own_mfa_audit(user, membership: Membership | None, change: str) -> None:
    """A user changed their own two-step verification (an administrator's reset is audited in `mfa_reset`)."""
    audit_record(
        actor=user,
        event=AuditEvent.Type.MFA_CHANGED,
        corporation=membership.corporation if membership else None,
        subject_type="user",
        subject_label=f"user {user.get_username()}",
        purpose="account_security",
        data={"user": user.get_username(), "change": change},
    )


@transaction.atomic
def _new_recovery_codes(user) -> list[str]:
    """Ten new codes in place of the user's old ones; returns them in plain text, the only time they exist so.

    The device itself stays (made the first time), so a session verified with one of the old codes stays verified.
    """
    device, _ = RecoveryCodeDevice.objects.select_for_update().get_or_create(
        user=user, defaults={"name": RECOVERY_DEVICE_NAME, "confirmed": True}
    )
    device.codes.all().delete()
    codes = [recovery.code_new() for _ in range(RECOVERY_CODE_COUNT)]
    RecoveryCode.objects.bulk_create([RecoveryCode(device=device, code_hash=recovery.code_hash(c)) for c in codes])
    return codes
