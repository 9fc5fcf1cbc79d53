"""API tokens, the per-token rate-limit window and stored answers to idempotent writes.

A token is bound to one corporation and one role (never PLATFORM_ADMIN) and narrowed further by scopes per app.
Only a SHA-256 hash of the secret is stored; the short `prefix` finds the row (see `buurtbalans.api.tokens`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buurtbalans.core.models import HousingCorporation, Role


class ApiToken(models.Model):
    """A personal token (acts as its user) or a service token (acts as a user made for it alone)."""

    class Kind(models.TextChoices):
        PERSONAL = "personal", _("Personal")
        SERVICE = "service", _("Service")

    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    # Whose rights the token carries: the person, or for a service token its own user (see tokens.py).
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=60)  # "erp-sync", "my laptop"
    role = models.CharField(_("role"), max_length=40)
    # {"portfolio": "write", "households": "read"}: an app left out cannot be used with this token.
    scopes = models.JSONField(_("scopes"), default=dict)
    # Public, shown on screen and in the token itself ("bb_<prefix>_<secret>"): finds the row without the secret.
    prefix = models.CharField(_("prefix"), max_length=12, unique=True)
    secret_hash = models.CharField(max_length=64)  # sha256 hex of the whole token
    created = models.DateTimeField(_("created"), auto_now_add=True)
    created_by_name = models.CharField(_("created by"), max_length=150)
    expires = models.DateTimeField(_("expires"))
    last_used = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked = models.DateTimeField(_("revoked"), null=True, blank=True)
    revoked_by_name = models.CharField(_("revoked by"), max_length=150, blank=True)
    # Rate limit (fixed window per minute), updated with the row locked on every request.
    window_start = models.DateTimeField(null=True, blank=True)
    window_count = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} token {self.prefix} ({self.name})"

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label) if self.role in Role.values else self.role

    @property
    def is_expired(self) -> bool:
        return self.expires <= timezone.now()

    @property
    def access_lines(self) -> list[str]:
        """"Stock …: read" per scope, in the reader's language, for the token screens."""
        from buurtbalans.api.access import SCOPES

        words = {"read": _("read"), "write": _("read and write")}
        return [f"{SCOPES.get(scope, scope)}: {words.get(access, access)}" for scope, access in self.scopes.items()]


class IdempotentRequest(models.Model):
    """A write sent with an `Idempotency-Key`: what was asked (a hash) and what was answered, kept 24 hours.

    `status` is null while the first request is still running.
    """

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=200)
    fingerprint = models.CharField(max_length=64)  # sha256 of method, path, query and body
    created = models.DateTimeField(auto_now_add=True, db_index=True)
    status = models.PositiveSmallIntegerField(null=True, blank=True)
    body = models.BinaryField(default=bytes)
    content_type = models.CharField(max_length=100, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["token", "key"], name="api_idempotency_unique_key")]

    def __str__(self) -> str:
        return f"idempotency key {self.key} of token #{self.token_id}"
