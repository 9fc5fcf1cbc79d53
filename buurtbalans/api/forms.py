"""Forms of the token screens: a personal token (one of the user's roles) and a service token (administrators)."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from buurtbalans.api.access import READ, SCOPES, WRITE
from buurtbalans.api.services import TOKEN_ROLES
from buurtbalans.core.forms import UtrechtFormMixin
from buurtbalans.core.models import Role

ACCESS_CHOICES = [("", _("No access")), (READ, _("Read")), (WRITE, _("Read and write"))]


class TokenForm(UtrechtFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=60,
                           help_text=_("So you recognise the token later, for example the name of your laptop."))
    role = forms.ChoiceField(label=_("Role"), help_text=_("The token can do what this role may do, nothing more."))
    expires = forms.DateField(label=_("Valid until"), widget=forms.DateInput(attrs={"type": "date"}),
                              help_text=_("At most one year from today."))

    def __init__(self, *args, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [(r, Role(r).label) for r in roles]
        if len(roles) == 1:
            self.fields["role"].initial = roles[0]
        self.fields["expires"].initial = timezone.localdate() + timedelta(days=90)
        for scope, label in SCOPES.items():
            self.fields[f"scope_{scope}"] = forms.ChoiceField(label=label, choices=ACCESS_CHOICES, required=False)
            self.fields[f"scope_{scope}"].widget.attrs["class"] = "utrecht-select utrecht-select--html-select"

    def scope_fields(self):
        return [self[f"scope_{scope}"] for scope in SCOPES]

    def clean_expires(self):
        day = self.cleaned_data["expires"]
        today = timezone.localdate()
        if day <= today:
            raise forms.ValidationError(_("Choose a day after today."))
        if day > today + timedelta(days=settings.API_TOKEN_MAX_DAYS):
            raise forms.ValidationError(_("Choose a day at most one year from today."))
        return day

    def clean(self):
        cleaned = super().clean()
        if not any(cleaned.get(f"scope_{scope}") for scope in SCOPES):
            raise forms.ValidationError(_("Give the token access to at least one part."))
        return cleaned

    @property
    def scopes(self) -> dict:
        return {scope: self.cleaned_data[f"scope_{scope}"] for scope in SCOPES if self.cleaned_data[f"scope_{scope}"]}

    @property
    def expires_at(self) -> datetime:
        """The end of the chosen day, local time."""
        return timezone.make_aware(datetime.combine(self.cleaned_data["expires"], time.max))


class ServiceTokenForm(TokenForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, roles=list(TOKEN_ROLES), **kwargs)
        self.fields["name"].help_text = _("The system that uses it, in lowercase letters, digits and dashes, for "
                                          "example erp-sync or woonnet.")


class RevokeForm(forms.Form):
    token = forms.IntegerField(widget=forms.HiddenInput)
