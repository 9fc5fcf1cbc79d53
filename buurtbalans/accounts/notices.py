"""An e-mail to the user after their password or two-step verification changed (ASVS 2.2.3, 2.5.3).

If someone else did it, the user learns of it and can call their administrator. The mail names what changed and
when, never a password, code or link.
"""

from __future__ import annotations

import logging

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)

PASSWORD_CHANGED = "password_changed"
APP_SET_UP = "app_set_up"
APP_RESET = "app_reset"


def security_notice_send(user, change: str) -> None:
    """Mail the user that `change` happened to their account; a mail server that is down does not stop the change."""
    if not user.email:
        return
    context = {"user": user, "change": change, "when": timezone.localtime()}
    body = render_to_string("accounts/email/security_notice.txt", context)
    try:
        send_mail(_("Buurtbalans: your account was changed"), body, None, [user.email])
    except OSError:
        # Logged with the user's id only: application logs carry no personal values.
        log.warning("security notice %s for user %s could not be sent", change, user.pk)
