"""Forms of the core screens: searching the audit log, the corporation's contact details."""

from __future__ import annotations

from django import forms
from django.db import models
from django.utils.translation import gettext_lazy as _

from buurtbalans.core.models import AuditEvent, CorporationContactDetails


class UtrechtFormMixin:
    """Gives each widget the NL Design System (Utrecht) class for its kind of input."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.RadioSelect, forms.CheckboxInput, forms.CheckboxSelectMultiple)):
                continue
            if isinstance(widget, forms.Select):
                css = "utrecht-select utrecht-select--html-select"
            elif isinstance(widget, forms.Textarea):
                css = "utrecht-textarea utrecht-textarea--html-textarea"
            else:
                css = "utrecht-textbox utrecht-textbox--html-input"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class AuditSearchForm(UtrechtFormMixin, forms.Form):
    """The auditor's filters; every field is optional and an empty form shows the newest events."""

    subject_id = forms.CharField(
        label=_("Household code"),
        required=False,
        max_length=60,
        help_text=_("Shows every event about this household's data."),
    )
    actor = forms.CharField(label=_("Who (user name)"), required=False, max_length=150)
    event_type = forms.TypedChoiceField(
        label=_("What"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("All events"))] + list(AuditEvent.Type.choices),
    )
    date_from = forms.DateField(label=_("From (date)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(label=_("Until (date)"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and end < start:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned


def _https_by_default(field, **kwargs):
    """Form fields for the model's fields; a web address typed without https:// gets it (www.example.nl)."""
    if isinstance(field, models.URLField):
        return field.formfield(assume_scheme="https", **kwargs)
    return field.formfield(**kwargs)


class CorporationContactForm(UtrechtFormMixin, forms.ModelForm):
    """The administrator's form for the corporation's contact details and objection route.

    The model's validators check every value (postal code, phone, e-mail, web addresses, 1-52 weeks); the service
    stores the normal forms ("8011 AB").
    """

    class Meta:
        model = CorporationContactDetails
        formfield_callback = _https_by_default
        fields = [
            "street_address", "postal_code", "city", "phone", "email", "website",
            "objection_term_weeks", "objection_handler", "complaint_url",
        ]
        help_texts = {
            "street_address": _("Where applicants send a letter, such as Stationsweg 10 or Postbus 1234."),
            "postal_code": _("Four digits and two letters, such as 8011 AB."),
            "phone": _("Such as 038-123 45 67."),
            "website": _("Such as https://www.example.nl"),
            "objection_term_weeks": _("How many weeks an applicant has to object. Usually 6."),
            "objection_handler": _("Leave empty for “onze klachtencommissie” (our complaints committee)."),
            "complaint_url": _("You may leave this empty. Such as https://www.example.nl/klacht"),
        }
        widgets = {
            "email": forms.EmailInput(attrs={"autocomplete": "email"}),
            "phone": forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "street_address": forms.TextInput(attrs={"autocomplete": "street-address"}),
            "objection_term_weeks": forms.NumberInput(attrs={"min": 1, "max": 52}),
        }
        error_messages = {
            "email": {"invalid": _("Enter an e-mail address, such as info@example.nl.")},
            "website": {"invalid": _("Enter a web address, such as https://www.example.nl.")},
            "complaint_url": {"invalid": _("Enter a web address, such as https://www.example.nl/klacht.")},
            "objection_term_weeks": {
                "min_value": _("The term is at least 1 week."),
                "max_value": _("The term is at most 52 weeks."),
                "invalid": _("Enter a whole number of weeks."),
                "required": _("Enter the number of weeks (usually 6)."),
            },
        }
