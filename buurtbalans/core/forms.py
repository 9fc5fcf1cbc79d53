"""Forms of the core screens: searching the audit log."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from buurtbalans.core.models import AuditEvent


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
