"""Password rules beyond Django's own validators (ASVS 2.1)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


class MaximumLengthValidator:
    """At most `max_length` characters (ASVS 2.1.2: at least 64 allowed, more than 128 refused).

    Long passphrases are welcome; the upper bound only keeps a megabyte "password" from tying up the hasher.
    """

    def __init__(self, max_length: int = 128):
        self.max_length = max_length

    def validate(self, password, user=None):
        if len(password) > self.max_length:
            raise ValidationError(
                ngettext(
                    "This password is too long. Use at most %(max_length)d character.",
                    "This password is too long. Use at most %(max_length)d characters.",
                    self.max_length,
                )
                % {"max_length": self.max_length},
                code="password_too_long",
                params={"max_length": self.max_length},
            )

    def get_help_text(self):
        return _("Your password can be up to %(max_length)d characters long.") % {"max_length": self.max_length}
