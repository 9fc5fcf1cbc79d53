"""Forms of the accountability screens: an objection, its decision, a follow-up, and the register's filter."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from buurtbalans.accountability import selectors
from buurtbalans.accountability.models import ObjectionKind, ObjectionOutcome
from buurtbalans.core.forms import UtrechtFormMixin

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Free text about people: the same warning wherever a form asks for it.
NO_SPECIAL_DATA = _("Do not write about health, origin, religion, sexual orientation or other special personal data.")


class ObjectionForm(UtrechtFormMixin, forms.Form):
    """Register an objection: against which listing, by whom, received when, about what."""

    listing = forms.CharField(label=_("Listing code"), max_length=80,
                              help_text=_("The code of the home the objection is about, such as A-V71/1."))
    kind = forms.ChoiceField(label=_("Kind"), choices=ObjectionKind.choices, initial=ObjectionKind.OBJECTION)
    applicant = forms.CharField(label=_("Registration number of the candidate"), max_length=60, required=False,
                                help_text=_("When a candidate for this home objects."))
    objector_reference = forms.CharField(
        label=_("Other reference"), max_length=200, required=False,
        help_text=_("When someone else objects, or the number of their letter. Fill in this field or the one "
                    "above."))
    received_on = forms.DateField(label=_("Received on"), widget=DATE,
                                  help_text=_("We decide within six weeks of this date."))
    summary = forms.CharField(label=_("What is the objection about?"), max_length=2000,
                              widget=forms.Textarea(attrs={"rows": 4}), help_text=NO_SPECIAL_DATA)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_listing(self):
        listing = selectors.listing_by_reference(self.user, self.cleaned_data["listing"])
        if listing is None:
            raise forms.ValidationError(_("There is no listing with this code."))
        return listing

    def clean_applicant(self):
        code = self.cleaned_data["applicant"].strip()
        if not code:
            return None
        applicant = selectors.applicant_by_code(self.user, code)
        if applicant is None:
            raise forms.ValidationError(_("There is no applicant with this registration number."))
        return applicant


class DecisionForm(UtrechtFormMixin, forms.Form):
    decided_on = forms.DateField(label=_("Decided on"), widget=DATE)
    outcome = forms.ChoiceField(label=_("Outcome"), choices=[("", "–"), *ObjectionOutcome.choices])
    decision = forms.CharField(label=_("Decision"), max_length=4000, required=False,
                               widget=forms.Textarea(attrs={"rows": 5}),
                               help_text=_("What we decided and why. May stay empty only when the objection was "
                                           "withdrawn."))


class FollowUpForm(UtrechtFormMixin, forms.Form):
    held_on = forms.DateField(label=_("Date"), widget=DATE)
    took_part = forms.TypedChoiceField(
        label=_("Did the tenant want to talk?"), coerce=lambda value: value == "yes", empty_value=None,
        choices=[("yes", _("Yes, we talked")), ("no", _("No, the tenant did not want to talk"))],
        help_text=_("Taking part is voluntary. A “no” has no consequences at all."))
    contribution = forms.CharField(label=_("What did they do for the neighbourhood?"), max_length=2000,
                                   required=False, widget=forms.Textarea(attrs={"rows": 4}),
                                   help_text=_("In their own words. Leave empty when the tenant did not want to "
                                               "talk."))
    note = forms.CharField(label=_("Note"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=NO_SPECIAL_DATA)
