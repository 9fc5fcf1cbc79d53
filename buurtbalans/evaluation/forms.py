"""Forms of the evaluation screens: an intervention, its end, the import upload, the list's filter, the evaluation."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from buurtbalans.core.forms import UtrechtFormMixin
from buurtbalans.evaluation.models import InterventionKind, InterventionSource
from buurtbalans.evaluation.panel import outcome_choices
from buurtbalans.portfolio.models import Complex

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class ComplexChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.external_id} {obj.name}"


def _complexes(corporation):
    return Complex.objects.filter(corporation=corporation).only("pk", "external_id", "name").order_by("external_id")


class InterventionForm(UtrechtFormMixin, forms.Form):
    complex = ComplexChoiceField(label=_("Complex"), queryset=Complex.objects.none())
    kind = forms.ChoiceField(label=_("Kind of intervention"), choices=InterventionKind.choices)
    started_on = forms.DateField(label=_("Started on"), widget=DATE)
    ended_on = forms.DateField(label=_("Ended on"), required=False, widget=DATE,
                               help_text=_("Leave empty while it is still running."))
    description = forms.CharField(label=_("Description"), required=False, max_length=1000,
                                  widget=forms.Textarea(attrs={"rows": 3}),
                                  help_text=_("What was done, by whom, for whom. No names of residents."))

    def __init__(self, *args, corporation, fixed_complex: Complex | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["complex"].queryset = _complexes(corporation)
        if fixed_complex is not None:
            # Changing an intervention keeps its complex: a different complex is a different intervention.
            del self.fields["complex"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("started_on") and cleaned.get("ended_on") and cleaned["ended_on"] < cleaned["started_on"]:
            self.add_error("ended_on", _("This date is before the start date."))
        return cleaned


class InterventionEndForm(UtrechtFormMixin, forms.Form):
    ended_on = forms.DateField(label=_("Ended on"), widget=DATE)


class InterventionFilterForm(UtrechtFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Kind of intervention"), required=False,
                             choices=[("", _("All kinds")), *InterventionKind.choices])
    complex = ComplexChoiceField(label=_("Complex"), required=False, queryset=Complex.objects.none(),
                                 empty_label=_("All complexes"))
    source = forms.ChoiceField(label=_("Source"), required=False,
                               choices=[("", _("All sources")), *InterventionSource.choices])

    def __init__(self, *args, corporation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["complex"].queryset = _complexes(corporation)


class InterventionImportForm(forms.Form):
    file = forms.FileField(label=_("File with interventions (.csv or .xlsx)"))
    dry_run = forms.BooleanField(label=_("Only check, do not save"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx", ".xlsm")):
            raise forms.ValidationError(_("Choose a .csv or .xlsx file."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB."))
        return upload


class EvaluationForm(UtrechtFormMixin, forms.Form):
    """What to evaluate: a kind of intervention started in a year (all complexes that got it then), and a figure."""

    kind = forms.ChoiceField(label=_("Kind of intervention"), choices=InterventionKind.choices)
    start_year = forms.IntegerField(label=_("Started in"), min_value=1900, max_value=2200,
                                    help_text=_("All complexes where this kind of intervention started in this year."))
    outcome = forms.ChoiceField(label=_("Figure"), choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["outcome"].choices = outcome_choices()
