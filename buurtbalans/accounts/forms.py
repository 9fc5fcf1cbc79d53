"""Forms of logging in, the second step, passwords and the administrator's user screen."""

from __future__ import annotations

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.core.exceptions import ValidationError
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _

from buurtbalans.accounts import throttle
from buurtbalans.core.forms import UtrechtFormMixin
from buurtbalans.core.models import Role

# The roles an administrator can give in their own corporation. Roles that act for every corporation (a platform
# role) are never in this list; the privacy officer is, once the role exists.
CORPORATION_ROLE_CODES = (
    "ALLOCATION_OFFICER",
    "NEIGHBOURHOOD_MANAGER",
    "POLICY_ANALYST",
    "COOPERATIVE_BOARD",
    "AUDITOR",
    "ADMIN",
    "PRIVACY_OFFICER",
    "MOTIVATION_ASSESSOR",
)


def corporation_role_choices() -> list[tuple[str, str]]:
    return [(role.value, role.label) for role in Role if role.value in CORPORATION_ROLE_CODES]


def lock_message(lock: throttle.Lock) -> str:
    local = timezone.localtime(lock.until)
    when = formats.time_format(local, "H:i")
    if local.date() != timezone.localdate():
        when = f"{formats.date_format(local, 'j F')} {when}"
    return str(
        _(
            "A wrong password or code was typed too often. For your safety, you cannot log in for a while. "
            "You can try again at %(time)s."
        )
        % {"time": when}
    )


class LoginForm(AuthenticationForm):
    """Django's login form with the throttle in front of the password check."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Your user name and password do not match. Try again."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.lock: throttle.Lock | None = None

    def clean(self):
        username = self.cleaned_data.get("username")
        address = throttle.client_address(self.request)
        self.lock = throttle.current_lock(username, address)
        if self.lock is not None:
            raise ValidationError(lock_message(self.lock), code="locked")
        try:
            cleaned = super().clean()
        except ValidationError:
            if username and self.cleaned_data.get("password"):
                self.lock = throttle.login_failure_record(username=username, address=address)
                if self.lock is not None:
                    raise ValidationError(lock_message(self.lock), code="locked") from None
            raise
        throttle.login_success_record(username=username)
        return cleaned


class CodeForm(UtrechtFormMixin, forms.Form):
    """Six digits from the app, or one recovery code."""

    code = forms.CharField(
        label=_("Code"),
        max_length=32,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false", "autofocus": True}
        ),
    )

    def clean_code(self):
        return "".join(self.cleaned_data["code"].split()).lower()


class EnrolForm(UtrechtFormMixin, forms.Form):
    code = forms.CharField(
        label=_("The 6-digit code your app shows now"),
        max_length=6,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*", "autofocus": True}
        ),
    )

    def clean_code(self):
        code = "".join(self.cleaned_data["code"].split())
        if not code.isdigit() or len(code) != 6:
            raise ValidationError(_("Type the 6 digits your app shows."))
        return code


class RolesField(forms.MultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def __init__(self, **kwargs):
        super().__init__(choices=corporation_role_choices, label=_("Roles"), **kwargs)


class UserCreateForm(UtrechtFormMixin, forms.Form):
    username = forms.CharField(label=_("User name"), max_length=150, help_text=_("Letters, digits and @ . + - _ only."))
    email = forms.EmailField(
        label=_("E-mail address"), help_text=_("The new colleague gets an e-mail to choose a password.")
    )
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    roles = RolesField()

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        get_user_model().username_validator(username)
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise ValidationError(_("This user name is taken. Choose another one."))
        return username

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if get_user_model().objects.filter(email__iexact=email).exists():
            raise ValidationError(_("Another account already uses this e-mail address."))
        return email


class UserRolesForm(forms.Form):
    roles = RolesField()


class ResetRequestForm(UtrechtFormMixin, PasswordResetForm):
    """Django's reset form: it sends a link only to an active account with this address, and says nothing else."""


class PasswordChangeForm(UtrechtFormMixin, auth_forms.PasswordChangeForm):
    pass


class SetPasswordForm(UtrechtFormMixin, auth_forms.SetPasswordForm):
    pass


def mfa_role_labels() -> list[str]:
    from buurtbalans.accounts.mfa import roles_requiring_mfa

    required = roles_requiring_mfa()
    return [str(label) for value, label in corporation_role_choices() if value in required]
