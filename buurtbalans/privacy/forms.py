"""Forms of the privacy screens: finding a household by its code."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from buurtbalans.core.forms import UtrechtFormMixin


class HouseholdCodeForm(UtrechtFormMixin, forms.Form):
    code = forms.CharField(label=_("Household code"), max_length=60,
                           help_text=_("The whole code, as the household knows it from us."))
