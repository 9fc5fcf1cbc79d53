"""Failed-login counters (see `throttle.py`) and the recovery codes of two-step verification (see `recovery.py`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from django_otp.models import Device, ThrottlingMixin, TimestampMixin

from buurtbalans.accounts import recovery


class LoginThrottle(models.Model):
    """How often logins failed for one account name or from one address, and until when it is locked.

    Keyed on the name as typed, whether or not such an account exists: the lock then says nothing about which
    names are real. The row holds counters only, no passwords, user agents or form data.
    """

    class Scope(models.TextChoices):
        ACCOUNT = "account", _("account")
        ADDRESS = "address", _("address")
        # Password reset requests (not failures): so nobody can flood a colleague's mailbox with reset mails.
        RESET_EMAIL = "reset_mail", _("password reset requests for an e-mail address")
        RESET_ADDRESS = "reset_addr", _("password reset requests from an address")

    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    key = models.CharField(_("account name or address"), max_length=150)
    # Failures since the last lock (or since the counter started); set back to 0 when a lock starts.
    failures = models.PositiveIntegerField(_("failed attempts"), default=0)
    # Locks in a row: each one lasts twice as long as the one before (back-off).
    lockouts = models.PositiveIntegerField(_("locks in a row"), default=0)
    locked_until = models.DateTimeField(_("locked until"), null=True, blank=True)
    last_failure = models.DateTimeField(_("last failed attempt"))

    class Meta:
        verbose_name = _("login throttle")
        verbose_name_plural = _("login throttles")
        constraints = [models.UniqueConstraint(fields=["scope", "key"], name="login_throttle_unique_key")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"


class RecoveryCodeDevice(TimestampMixin, ThrottlingMixin, Device):
    """A user's recovery codes as one django-otp device (one per user), in place of django-otp's StaticDevice,
    which keeps its codes in plain text. The codes are `RecoveryCode` rows holding a salted hash each.

    New codes replace the codes of the same device, so a session that was verified with a recovery code stays
    verified (django-otp remembers the device in the session). Like django-otp's own devices it waits a little
    longer after each wrong code; the login throttle counts every wrong code as a failed login too.
    """

    class Meta:
        verbose_name = _("recovery codes of a user")
        verbose_name_plural = _("recovery codes of users")
        constraints = [models.UniqueConstraint(fields=["user"], name="recovery_code_device_one_per_user")]

    def get_throttle_factor(self) -> int:
        return getattr(settings, "OTP_STATIC_THROTTLE_FACTOR", 1)

    def verify_token(self, token) -> bool:
        """Whether the token is one of the codes; a matching code is deleted, so it works once."""
        allowed, _details = self.verify_is_allowed()
        if not allowed:
            return False
        used = False
        with transaction.atomic():
            # Every code is compared (in constant time), also after a match: the time taken tells nothing.
            matches = [code.pk for code in self.codes.all() if recovery.code_matches(str(token), code.code_hash)]
            if matches:
                # Two logins with the same code at once: only the one that deletes the row gets in.
                used = RecoveryCode.objects.filter(pk=matches[0], device=self).delete()[0] == 1
        if used:
            self.throttle_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
            self.save()
        else:
            self.throttle_increment()
        return used


class RecoveryCode(models.Model):
    """One unused recovery code, as `recovery.code_hash` stores it (never the code itself)."""

    device = models.ForeignKey(RecoveryCodeDevice, on_delete=models.CASCADE, related_name="codes")
    code_hash = models.CharField(_("hash of the code"), max_length=128)

    class Meta:
        verbose_name = _("recovery code")
        verbose_name_plural = _("recovery codes")

    def __str__(self) -> str:
        return f"recovery code {self.pk} of device {self.device_id}"  # never the hash: it is not for display
