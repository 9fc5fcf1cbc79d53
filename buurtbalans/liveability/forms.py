"""Forms of the liveability screens: records entered on screen, the import upload, the monitor settings, filters."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from django import forms
from django.utils.translation import gettext_lazy as _

from buurtbalans.core.forms import UtrechtFormMixin
from buurtbalans.liveability.importing import HEADER_PEEK_BYTES, SHEETS, records_csv_sheet
from buurtbalans.liveability.indicators import INDICATORS, VITALITY_INDICATORS
from buurtbalans.liveability.models import ActivityKind, MeetingPlace, SignalKind, VisitKind
from buurtbalans.liveability.selectors import MAP_INDICATORS, indicator_label
from buurtbalans.portfolio.models import Complex

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
NOTE_HELP = _("Describe the situation, not the person: no names, no medical details.")
MAX_UPLOAD_BYTES = 50 * 1024 * 1024


class ComplexChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.external_id} {obj.name}"


class _RecordForm(UtrechtFormMixin, forms.Form):
    """A record at one of the user's complexes; `complex` is fixed when the form is opened from a complex."""

    def __init__(self, *args, corporation, complex_=None, complex_required=True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["complex"] = ComplexChoiceField(
            label=_("Complex"),
            queryset=Complex.objects.filter(corporation=corporation).only("pk", "external_id", "name"),
            required=complex_required,
            initial=complex_.pk if complex_ else None,
        )
        # The complex first, where a reader expects it.
        self.order_fields(["complex", *[name for name in self.fields if name != "complex"]])

    def clean(self):
        cleaned = super().clean()
        start_field, end_field = getattr(self, "date_pair", (None, None))
        if start_field and cleaned.get(start_field) and cleaned.get(end_field):
            if cleaned[end_field] < cleaned[start_field]:
                self.add_error(end_field, _("This date is before the start date."))
        return cleaned


class SignalForm(_RecordForm):
    date_pair = ("reported_on", "resolved_on")
    kind = forms.ChoiceField(label=_("Kind of signal"), choices=SignalKind.choices)
    reported_on = forms.DateField(label=_("Reported on"), widget=DATE)
    resolved_on = forms.DateField(label=_("Resolved on"), required=False, widget=DATE)
    note = forms.CharField(label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=NOTE_HELP)


class SupportNeedForm(_RecordForm):
    date_pair = ("reported_on", "resolved_on")
    dwelling = forms.CharField(label=_("Dwelling code (optional)"), required=False, max_length=60)
    reported_on = forms.DateField(label=_("Reported on"), widget=DATE)
    resolved_on = forms.DateField(label=_("Resolved on"), required=False, widget=DATE)
    referred_to = forms.CharField(label=_("Referred to"), required=False, max_length=200,
                                  help_text=_("For example the neighbourhood team or a care provider."))
    note = forms.CharField(label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=_("Special-category data: write only what is needed for the support."))


class VisitForm(_RecordForm):
    kind = forms.ChoiceField(label=_("Kind of visit"), choices=VisitKind.choices)
    visited_on = forms.DateField(label=_("Date"), widget=DATE)
    households_reached = forms.IntegerField(label=_("Households reached"), required=False, min_value=0)
    note = forms.CharField(label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=NOTE_HELP)


class MeetingPlaceForm(_RecordForm):
    date_pair = ("opened_on", "closed_on")
    name = forms.CharField(label=_("Name"), max_length=200)
    external_id = forms.CharField(label=_("Code (optional)"), required=False, max_length=60,
                                  help_text=_("Needed to refer to this place in an import file."))
    opened_on = forms.DateField(label=_("Opened on"), required=False, widget=DATE)
    closed_on = forms.DateField(label=_("Closed on"), required=False, widget=DATE)
    capacity = forms.IntegerField(label=_("Capacity (persons)"), required=False, min_value=0)
    note = forms.CharField(label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, complex_required=False, **kwargs)


class ActivityForm(_RecordForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind of activity"), choices=ActivityKind.choices)
    held_on = forms.DateField(label=_("Date"), widget=DATE)
    meeting_place = forms.ModelChoiceField(label=_("Meeting place"), queryset=MeetingPlace.objects.none(),
                                           required=False)
    participants = forms.IntegerField(label=_("Participants"), required=False, min_value=0)
    organised_by = forms.CharField(label=_("Organised by"), required=False, max_length=200)
    note = forms.CharField(label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text=NOTE_HELP)

    def __init__(self, *args, corporation, **kwargs):
        super().__init__(*args, corporation=corporation, complex_required=False, **kwargs)
        self.fields["meeting_place"].queryset = MeetingPlace.objects.filter(corporation=corporation)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("complex") and not cleaned.get("meeting_place"):
            self.add_error("complex", _("Give a complex or a meeting place."))
        return cleaned


class MeetingPlaceUseForm(UtrechtFormMixin, forms.Form):
    month = forms.CharField(label=_("Month"), max_length=7, help_text=_("As yyyy-mm, for example 2025-03."),
                            widget=forms.TextInput(attrs={"inputmode": "numeric", "placeholder": "2025-03"}))
    dayparts_open = forms.IntegerField(label=_("Dayparts open"), min_value=0, max_value=93)
    visitors = forms.IntegerField(label=_("Visitors"), min_value=0)

    def clean_month(self):
        from datetime import date

        text = self.cleaned_data["month"].strip()
        match = re.fullmatch(r"(\d{4})-(\d{1,2})", text)
        if not match or not 1 <= int(match[2]) <= 12:
            raise forms.ValidationError(_("Write the month as yyyy-mm, for example 2025-03."))
        return date(int(match[1]), int(match[2]), 1)


class RecordsUploadForm(UtrechtFormMixin, forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("An Excel file (.xlsx), one CSV file (e.g. signals.csv, or any name with the column names of "
                    "one sheet; separated by ; or ,) or a .zip with CSV files. Nothing is saved before you confirm."),
        widget=forms.FileInput(attrs={"accept": ".xlsx,.csv,.zip"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".xlsx", ".csv", ".zip")):
            raise forms.ValidationError(_("Choose an .xlsx, .csv or .zip file."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is too large (at most 50 MB)."))
        if name.endswith(".csv"):
            # One CSV file is one sheet: its name says which, or else its header does.
            file_name = Path(upload.name).name
            upload.seek(0)
            sheet = records_csv_sheet(file_name, upload.read(HEADER_PEEK_BYTES))
            upload.seek(0)
            if sheet is None:
                raise forms.ValidationError(
                    _("%(file)s: we cannot tell which sheet this is. Name the CSV file after its sheet (%(sheets)s; "
                      "Dutch names work too), or give it the column names of one sheet.")
                    % {"file": file_name, "sheets": ", ".join(f"{s.name}.csv" for s in SHEETS)}
                )
            return upload
        upload.seek(0)
        if not zipfile.is_zipfile(upload):
            raise forms.ValidationError(_("This file cannot be read. Is it really an .xlsx or .zip file?"))
        upload.seek(0)
        return upload

    @property
    def suffix(self) -> str:
        name = self.cleaned_data["file"].name.lower()
        return "." + name.rsplit(".", 1)[-1]


class SupportNeedPurposeForm(forms.Form):
    def __init__(self, *args, purposes, labels, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purpose"] = forms.ChoiceField(
            label=_("Why do you need to see the support needs?"),
            choices=[(p, labels.get(p, p)) for p in purposes],
            widget=forms.RadioSelect,
        )


class MonitorSettingsForm(UtrechtFormMixin, forms.Form):
    """Weight, norm, tolerance and warning level per indicator, and the early-warning thresholds.

    Shares are entered as percentages (15 for 15%); the form converts them.
    """

    min_score = forms.FloatField(label=_("Lowest acceptable vitality score"), min_value=0, max_value=100)
    score_drop = forms.FloatField(label=_("Drop in score in a year that gives a warning"), min_value=0,
                                  max_value=100)
    worsening_count = forms.IntegerField(label=_("Number of worsening indicators that gives a warning"),
                                         min_value=0, max_value=len(VITALITY_INDICATORS))
    stable_share = forms.FloatField(
        label=_("Change still counted as stable (percentage of the tolerance)"), min_value=0, max_value=100,
    )

    def __init__(self, *args, rules=None, policy=None, **kwargs):
        initial = {}
        if policy is not None:
            initial.update(min_score=policy.min_score, score_drop=policy.score_drop,
                           worsening_count=policy.worsening_count, stable_share=round(policy.stable_share * 100, 4))
        for rule in rules or ():
            factor = self.factor(rule.key)
            initial.update({
                f"weight__{rule.key}": rule.weight,
                f"norm__{rule.key}": round(rule.norm * factor, 6),
                f"tolerance__{rule.key}": round(rule.tolerance * factor, 6),
                f"warning__{rule.key}": None if rule.warning is None else round(rule.warning * factor, 6),
            })
        super().__init__(*args, initial=initial, **kwargs)
        for indicator in VITALITY_INDICATORS:
            key, name = indicator.key, indicator.label
            unit = "%" if indicator.unit == "share" else ""
            self.fields[f"weight__{key}"] = forms.FloatField(label=_("Weight of: %(name)s") % {"name": name},
                                                             min_value=0, max_value=100)
            self.fields[f"norm__{key}"] = forms.FloatField(label=_("Norm of: %(name)s") % {"name": name},
                                                           help_text=unit)
            self.fields[f"tolerance__{key}"] = forms.FloatField(
                label=_("Tolerance of: %(name)s") % {"name": name}, help_text=unit,
            )
            self.fields[f"warning__{key}"] = forms.FloatField(
                label=_("Warning level of: %(name)s") % {"name": name}, required=False, help_text=unit,
            )

    @staticmethod
    def factor(key: str) -> float:
        return 100.0 if INDICATORS[key].unit == "share" else 1.0

    def clean(self):
        cleaned = super().clean()
        for indicator in VITALITY_INDICATORS:
            tolerance = cleaned.get(f"tolerance__{indicator.key}")
            if tolerance is not None and tolerance <= 0:
                self.add_error(f"tolerance__{indicator.key}", _("The tolerance must be more than 0."))
        return cleaned

    def values(self) -> tuple[dict, dict]:
        """(policy, indicators) in the units the service stores (shares as fractions)."""
        data = self.cleaned_data
        policy = {"min_score": data["min_score"], "score_drop": data["score_drop"],
                  "worsening_count": data["worsening_count"], "stable_share": data["stable_share"] / 100}
        indicators = {}
        for indicator in VITALITY_INDICATORS:
            key, factor = indicator.key, self.factor(indicator.key)
            warning = data.get(f"warning__{key}")
            indicators[key] = {
                "weight": data[f"weight__{key}"], "norm": data[f"norm__{key}"] / factor,
                "tolerance": data[f"tolerance__{key}"] / factor,
                "warning": None if warning is None else warning / factor,
            }
        return policy, indicators

    def rows(self):
        for indicator in VITALITY_INDICATORS:
            yield indicator, [self[f"{part}__{indicator.key}"] for part in ("weight", "norm", "tolerance", "warning")]


class MapForm(UtrechtFormMixin, forms.Form):
    def __init__(self, *args, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"] = forms.ChoiceField(label=_("Municipality"), choices=municipalities)
        self.fields["indicator"] = forms.ChoiceField(
            label=_("Colour the neighbourhoods by"),
            choices=[(key, indicator_label(key) if key != "low_income" else _("Share of households with a low "
                                                                              "income")) for key in MAP_INDICATORS],
        )


class MunicipalityYearForm(UtrechtFormMixin, forms.Form):
    def __init__(self, *args, municipalities, years, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"] = forms.ChoiceField(label=_("Municipality"), choices=municipalities)
        self.fields["year"] = forms.TypedChoiceField(label=_("Year"), choices=[(y, y) for y in years], coerce=int)
