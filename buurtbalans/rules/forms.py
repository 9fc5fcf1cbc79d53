"""Forms of the rules screens: a parameter set and its confirmation, a parameter file, a corporation's own value,
a performance agreement, a cap on selection on motivation, the compliance filter."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django import forms
from django.utils.translation import gettext_lazy as _

from buurtbalans.core import safeinput
from buurtbalans.core.forms import UtrechtFormMixin
from buurtbalans.engine.parameters import ParameterRow, amount_text
from buurtbalans.neighbourhoods.models import Municipality
from buurtbalans.rules.labels import PARAMETER_ORDER, is_share, parameter_label, parameter_unit
from buurtbalans.rules.local_parameters import LOCAL_PARAMETER_KEYS
from buurtbalans.rules.models import (
    NOT_APPLICABLE_TEXT,
    UNKNOWN_TEXT,
    LocalParameterValue,
    MotivationCap,
    ParameterState,
    PerformanceAgreement,
)
from buurtbalans.rules.parameters import parameters_for

MAX_PARAMETER_FILE_BYTES = 1024 * 1024


def parse_amount_text(text: str, *, share: bool) -> Decimal:
    """An amount typed on screen: "713.57", "713,57", "1.234,56"; a share also as "95%".

    Raises:
        ValueError: when the text is not such a number.
    """
    text = text.strip().replace("€", "").replace("\u00a0", "").replace(" ", "")
    percent = share and text.endswith("%")
    text = text.removesuffix("%")
    if "," in text:
        # Dutch notation: dots group thousands, the comma separates the decimals.
        text = text.replace(".", "").replace(",", ".")
    if not re.fullmatch(r"\d+(\.\d+)?", text):
        raise ValueError(text)
    try:
        value = Decimal(text)
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    return value / 100 if percent else value


# The state every parameter must be given explicitly on the form (a missing or empty choice is an error).
STATE_CHOICES = [("", _("Choose…")), *ParameterState.choices]
# Fields added after the form's __init__ miss UtrechtFormMixin's classes: they get them here.
SELECT_CLASS = "utrecht-select utrecht-select--html-select"
TEXTBOX_CLASS = "utrecht-textbox utrecht-textbox--html-input"


class ParameterSetForm(UtrechtFormMixin, forms.Form):
    """Every value of one `valid_from` date: its state (known, unknown, does not exist), value, source and note.

    Every field of every parameter must be in the post: a missing field is an error, never "unknown" (issue 11:
    a post with only its CSRF token once made all values of a year unknown). Unknown and "does not exist this
    year" are chosen explicitly per parameter. `rows()` gives the values as table rows; the service stores only
    those that differ from the values in force, after the user confirmed the change.
    """

    def __init__(self, *args, set_view=None, with_date: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.with_date = with_date
        if with_date:
            self.fields["valid_from"] = forms.DateField(
                label=_("Valid from"),
                widget=forms.DateInput(attrs={"type": "date", "class": TEXTBOX_CLASS}),
                help_text=_("Usually 1 January. A date in the middle of a year is possible (e.g. 1 July)."),
            )
        values = {v.key: v for v in set_view.values} if set_view else {}
        for key in PARAMETER_ORDER:
            current = values.get(key)
            self.fields[f"state__{key}"] = forms.ChoiceField(
                label=_("State of: %(name)s") % {"name": parameter_label(key)},
                choices=STATE_CHOICES,
                widget=forms.Select(attrs={"class": SELECT_CLASS}),
                initial=current.state if current else "",
                error_messages={"required": _("Choose: known, unknown, or does not exist in this year.")},
            )
            self.fields[f"value__{key}"] = forms.CharField(
                label=parameter_label(key),
                required=False,
                max_length=40,
                widget=forms.TextInput(attrs={"class": TEXTBOX_CLASS}),
                initial=current.value_text if current and current.state == ParameterState.VALUE else "",
                help_text=parameter_unit(key),
            )
            self.fields[f"source__{key}"] = forms.CharField(
                label=_("Source of: %(name)s") % {"name": parameter_label(key)},
                required=False,
                max_length=300,
                widget=forms.TextInput(attrs={"class": TEXTBOX_CLASS}),
                initial=current.source if current else "",
            )
            self.fields[f"note__{key}"] = forms.CharField(
                label=_("Note on: %(name)s") % {"name": parameter_label(key)},
                required=False,
                max_length=500,
                widget=forms.TextInput(attrs={"class": TEXTBOX_CLASS}),
                initial=current.note if current else "",
            )

    def field_rows(self):
        """(label, state field, value field, source field, note field) per parameter, for the template's table."""
        return [
            (
                parameter_label(key),
                self[f"state__{key}"],
                self[f"value__{key}"],
                self[f"source__{key}"],
                self[f"note__{key}"],
            )
            for key in PARAMETER_ORDER
        ]

    def clean(self):
        cleaned = super().clean()
        self._amounts: dict[str, str] = {}
        # An empty field is posted as "": a name that is not posted at all is a broken or forged form.
        for name in self.fields:
            if name != "valid_from" and name not in self.data and name not in self.errors:
                self.add_error(name, _("This field is missing from the form. Reload the page and try again."))
        for key in PARAMETER_ORDER:
            state = cleaned.get(f"state__{key}")
            raw = (cleaned.get(f"value__{key}") or "").strip()
            source = (cleaned.get(f"source__{key}") or "").strip()
            if not state or self.has_error(f"value__{key}") or self.has_error(f"source__{key}"):
                continue
            if state != ParameterState.VALUE:
                if raw:
                    self.add_error(
                        f"value__{key}",
                        _("You chose “%(state)s”: leave the value empty, or choose “Known”.")
                        % {"state": ParameterState(state).label},
                    )
                    continue
                self._amounts[key] = UNKNOWN_TEXT if state == ParameterState.UNKNOWN else NOT_APPLICABLE_TEXT
                continue
            if not raw:
                self.add_error(f"value__{key}", _("Type the value, or choose “Unknown”."))
                continue
            try:
                value = parse_amount_text(raw, share=is_share(key))
            except ValueError:
                self.add_error(f"value__{key}", _("Type a number, such as 713.57 or 713,57."))
                continue
            if is_share(key) and value > 1:
                self.add_error(f"value__{key}", _("A share is at most 1 (= 100%). Type 0.95 for 95%."))
                continue
            if not source:
                self.add_error(
                    f"source__{key}", _("Say where this value comes from (a source key such as S28, or a web address).")
                )
                continue
            self._amounts[key] = amount_text(value)
        return cleaned

    def rows(self, valid_from: date | None = None) -> list[ParameterRow]:
        """The form's values as table rows for `valid_from` (or the form's own date)."""
        day = valid_from or self.cleaned_data["valid_from"]
        return [
            ParameterRow(
                day,
                key,
                self._amounts[key],
                (self.cleaned_data.get(f"source__{key}") or "").strip(),
                (self.cleaned_data.get(f"note__{key}") or "").strip(),
            )
            for key in PARAMETER_ORDER
        ]


class ParameterConfirmForm(forms.Form):
    """The confirm post of a shown change: the signed proposal (the same values) and what the page showed."""

    proposal = forms.CharField(widget=forms.HiddenInput, max_length=2_000_000)
    shown = forms.CharField(widget=forms.HiddenInput, max_length=16)


class ParameterUploadForm(UtrechtFormMixin, forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_("A CSV file in the format of the built-in table (see the example above)."),
        widget=forms.FileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_PARAMETER_FILE_BYTES:
            raise forms.ValidationError(_("The file is too large (at most 1 MB)."))
        try:
            # UTF-8, UTF-16/32 with a byte order mark (Excel's "Unicode text") or Windows-1252; no NUL bytes.
            self.text = safeinput.decode_text(upload.read(), Path(upload.name).name[:200])
        except safeinput.InputError as exc:
            raise forms.ValidationError(str(exc)) from None
        return upload


class LocalParameterValueForm(UtrechtFormMixin, forms.ModelForm):
    """A corporation's own value: which parameter, from when (until when), the amount, and where it is agreed."""

    # Text, not a DecimalField: "650,00" and "650.00" both mean 650 (as on the parameter form).
    amount = forms.CharField(label=_("Own value"), max_length=40, help_text=_("euros per month"))

    field_order = ["key", "valid_from", "valid_until", "amount", "source", "note"]

    class Meta:
        model = LocalParameterValue
        fields = ["key", "valid_from", "valid_until", "source", "note"]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_until": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["key"] = forms.ChoiceField(
            label=_("Parameter"),
            choices=[(k, parameter_label(k)) for k in LOCAL_PARAMETER_KEYS],
            widget=forms.Select(attrs={"class": SELECT_CLASS}),
        )
        self.fields["valid_until"].help_text = _("Empty: until further notice.")
        self.fields["source"].help_text = _(
            "Where your corporation decided this: e.g. the performance agreements 2026 or a board decision."
        )
        if self.instance.pk:
            self.initial["amount"] = amount_text(self.instance.value)

    def clean_amount(self) -> Decimal:
        try:
            value = parse_amount_text(self.cleaned_data["amount"], share=False)
        except ValueError as exc:
            raise forms.ValidationError(_("Type an amount, such as 650 or 650,00.")) from exc
        if value <= 0:
            raise forms.ValidationError(_("Type an amount above 0."))
        return value

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("valid_from"), cleaned.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("The end date is before the start date."))
        return cleaned

    def validate_unique(self):
        # The corporation is not a form field: the service checks overlaps (and so the same start date).
        pass


class PerformanceAgreementForm(UtrechtFormMixin, forms.ModelForm):
    """An agreement as the user types it; the share in percent (15 = 15%)."""

    # Text, not a DecimalField: "12,5" and "12.5" both mean 12.5 (a localized DecimalField reads "12.5" as 125).
    share_percent = forms.CharField(
        label=_("Agreed free allocation share (%)"),
        max_length=10,
        help_text=_("The law allows at most 15% (from 2022), instead of the standard 7.5%."),
    )

    field_order = ["municipality", "valid_from", "valid_until", "share_percent", "note"]

    class Meta:
        model = PerformanceAgreement
        fields = ["municipality", "valid_from", "valid_until", "note"]
        widgets = {
            "valid_from": forms.DateInput(attrs={"type": "date"}),
            "valid_until": forms.DateInput(attrs={"type": "date"}),
            "note": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, municipalities=None, **kwargs):
        super().__init__(*args, **kwargs)
        queryset = municipalities if municipalities is not None else Municipality.objects.all()
        self.fields["municipality"].queryset = queryset.order_by("name")
        self.fields["valid_until"].help_text = _("Empty: until further notice.")
        if self.instance.pk and self.instance.free_allocation_share is not None:
            self.initial["share_percent"] = f"{(self.instance.free_allocation_share * 100).normalize():f}"

    def clean_share_percent(self) -> Decimal:
        try:
            value = parse_amount_text(self.cleaned_data["share_percent"], share=False)
        except ValueError as exc:
            raise forms.ValidationError(_("Type a percentage, such as 15 or 12,5.")) from exc
        if not Decimal(0) < value <= 100:
            raise forms.ValidationError(_("Type a percentage above 0 and at most 100."))
        return value

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("valid_from"), cleaned.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("The end date is before the start date."))
        percent = cleaned.get("share_percent")
        if start and percent is not None:
            try:
                maximum = parameters_for(start).free_allocation_share_max
            except LookupError:
                maximum = None
            if maximum is not None and percent / 100 > maximum:
                self.add_error(
                    "share_percent",
                    _("By law the free share is at most %(max)s%% in %(year)s.")
                    % {"max": f"{(maximum * 100).normalize():f}", "year": start.year},
                )
        return cleaned

    @property
    def free_allocation_share(self) -> Decimal:
        return self.cleaned_data["share_percent"] / 100


class MotivationCapForm(UtrechtFormMixin, forms.ModelForm):
    """A municipality's yearly cap on selection on motivation as the user types it; the share in percent (25 = 25%)."""

    # Text, not a DecimalField, as for the agreements: "12,5" and "12.5" both mean 12.5.
    share_percent = forms.CharField(
        label=_("Highest share of the lettings (%)"),
        max_length=10,
        required=False,
        help_text=_("For example 25. Empty: no highest share."),
    )

    field_order = ["municipality", "year", "share_percent", "max_number", "source", "note"]

    class Meta:
        model = MotivationCap
        fields = ["municipality", "year", "max_number", "source", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, municipalities=None, **kwargs):
        super().__init__(*args, **kwargs)
        queryset = municipalities if municipalities is not None else Municipality.objects.all()
        self.fields["municipality"].queryset = queryset.order_by("name")
        self.fields["year"].widget = forms.NumberInput(attrs={"min": 2000, "max": 2100})
        self.fields["year"].min_value = 2000
        self.fields["max_number"].label = _("Highest number of lettings on motivation in the year")
        self.fields["max_number"].help_text = _("For example 20. Empty: no highest number.")
        self.fields["source"].help_text = _("Where the cap is laid down, such as the housing ordinance "
                                            "(huisvestingsverordening) or the performance agreements.")
        if self.instance.pk and self.instance.max_share is not None:
            self.initial["share_percent"] = f"{(self.instance.max_share * 100).normalize():f}"

    def clean_year(self) -> int:
        year = self.cleaned_data["year"]
        if not 2000 <= year <= 2100:
            raise forms.ValidationError(_("Type a year such as 2026."))
        return year

    def clean_share_percent(self) -> Decimal | None:
        text = self.cleaned_data["share_percent"].strip()
        if not text:
            return None
        try:
            value = parse_amount_text(text, share=False)
        except ValueError as exc:
            raise forms.ValidationError(_("Type a percentage, such as 25 or 12,5.")) from exc
        if not Decimal(0) < value <= 100:
            raise forms.ValidationError(_("Type a percentage above 0 and at most 100."))
        return value

    def clean(self):
        cleaned = super().clean()
        if not self.errors and cleaned.get("share_percent") is None and cleaned.get("max_number") is None:
            raise forms.ValidationError(_("Give a highest share, a highest number, or both."))
        return cleaned

    def validate_unique(self):
        # The service says it in words ("there is already a cap for ... in ...").
        pass

    @property
    def max_share(self) -> Decimal | None:
        percent = self.cleaned_data["share_percent"]
        return None if percent is None else percent / 100


class ComplianceFilterForm(UtrechtFormMixin, forms.Form):
    year = forms.TypedChoiceField(label=_("Year"), coerce=int)
    municipality = forms.ChoiceField(label=_("Municipality"), required=False)

    def __init__(self, *args, years: list[int], municipalities: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, str(y)) for y in years]
        self.fields["municipality"].choices = [("", _("All municipalities")), *municipalities]
