"""Forms of the household screens: the purpose asked before vulnerability markers are shown."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

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
