"""Forms of the household screens: the purpose asked before vulnerability markers are shown, and the kinds of marker."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from buurtbalans.core.forms import UtrechtFormMixin
from buurtbalans.households.selectors import MARKER_PURPOSE_LABELS, marker_purposes_for


class MarkerPurposeForm(forms.Form):
    """Why the user reads the markers; the choices are the purposes of the user's roles."""

    purpose = forms.ChoiceField(
        label=_("Why do you need to see this?"),
        help_text=_("Your answer is saved in the audit log, with your name and the time."),
        widget=forms.RadioSelect,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        purposes = marker_purposes_for(user)
        self.fields["purpose"].choices = [(p, MARKER_PURPOSE_LABELS.get(p, p)) for p in purposes]
        if len(purposes) == 1:
            self.fields["purpose"].initial = purposes[0]


class MarkerKindCreateForm(UtrechtFormMixin, forms.Form):
    """A new kind of marker of the corporation itself: the code import files use, and its name."""

    code = forms.CharField(
        label=_("Code"),
        max_length=40,
        help_text=_("What import files write in the column “kind”. Lower-case letters and digits, with _ or - "
                    "between words, for example debt_support. You cannot change the code later."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    label = forms.CharField(
        label=_("Name"),
        max_length=200,
        help_text=_("The name people see, for example Schuldhulpverlening. Import files may use it too."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class MarkerKindLabelForm(UtrechtFormMixin, forms.Form):
    """A new name for one of the corporation's own kinds."""

    label = forms.CharField(
        label=_("Name"),
        max_length=200,
        help_text=_("The code stays the same, so import files keep working."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )


class MarkerKindConcentrationForm(UtrechtFormMixin, forms.Form):
    """Whether markers of one of the corporation's own kinds count for the concentration measures, and why."""

    counts_for_concentration = forms.BooleanField(
        label=_("Counts for the concentration measures"),
        required=False,
        help_text=_("The share of vulnerable households per complex, the inflow and the labelling plan count only "
                    "markers of kinds that count. It never decides who may react to a home."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=500,
        help_text=_("Why this kind counts or not. Needed when it does not count."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
