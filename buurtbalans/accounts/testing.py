"""Test helpers for logging in with two-step verification: real TOTP codes from django-otp's own generator."""

from __future__ import annotations

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from buurtbalans.accounts.mfa import TOTP_DEVICE_NAME
from buurtbalans.accounts.services import _new_recovery_codes


def enrol(user) -> TOTPDevice:
    """A confirmed authenticator app for the user (as after the set-up screen)."""
    return TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=True)


def recovery_codes(user) -> list[str]:
    return _new_recovery_codes(user)


def code_for(device_or_key, steps_ahead: int = 0) -> str:
    """The 6 digits an app shows now (steps_ahead=1: the next 30-second window, accepted as clock drift)."""
    key = device_or_key.bin_key if isinstance(device_or_key, TOTPDevice) else device_or_key
    return f"{totp(key, drift=steps_ahead):06d}"


def login_verified(client, user) -> TOTPDevice:
    """Log the test client in as a user who gave a correct code (enrols them first when needed)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or enrol(user)
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    return device
