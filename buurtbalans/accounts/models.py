"""Failed-login counters: one row per account name and one per client address (see `throttle.py`)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


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
