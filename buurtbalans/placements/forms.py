"""Forms for intake records, contingent targets and placements (labels in English msgids, Dutch on screen)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from buurtbalans.core.forms import UtrechtFormMixin
from buurtbalans.core.periods import half_year_choices, period_display

from .models import (
    FREE_TEXT_MAX,
    ContingentKind,
    ContractKind,
    DwellingWish,
    FollowUpBy,
    SupportKind,
    TemporaryContractGroup,
)
from .text import half_year_label

SPECIAL_DATA_WARNING = _(
    "Do not write down origin, nationality, religion, health, sexual orientation or a criminal record. "
    "A placement does not need it."
)


def _date(label):
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}))


def _short_text(label, max_length=FREE_TEXT_MAX):
    return forms.CharField(label=label, required=False, max_length=max_length, help_text=SPECIAL_DATA_WARNING)


class IntakeForm(UtrechtFormMixin, forms.Form):
    household_code = forms.CharField(label=_("Household code"), max_length=60)
    held_on = _date(_("Date of the conversation"))
    wish_dwelling = forms.ChoiceField(label=_("Kind of home the household wishes"), choices=DwellingWish.choices)
    wish_rooms_min = forms.IntegerField(label=_("At least this many rooms"), required=False, min_value=1, max_value=9)
    wish_area = _short_text(_("Where (places or neighbourhoods)"), 120)
    wish_note = _short_text(_("Housing wish, in a few words"))
    support_kind = forms.ChoiceField(label=_("Support arranged"), choices=SupportKind.choices)
    support_organisation = _short_text(_("Organisation that gives the support"), 120)
    support_note = _short_text(_("Support, in a few words"))
    follow_up_on = _date(_("Follow-up on"))
    follow_up_by = forms.ChoiceField(label=_("Follow-up by"), choices=FollowUpBy.choices)
    follow_up_name = _short_text(_("Name or team"), 120)
    follow_up_note = _short_text(_("Agreement, in a few words"))

    def clean(self):
        cleaned = super().clean()
        held, follow = cleaned.get("held_on"), cleaned.get("follow_up_on")
        if held and follow and follow < held:
            self.add_error("follow_up_on", _("The follow-up is before the conversation."))
        return cleaned

    def values(self) -> dict:
        return {name: value for name, value in self.cleaned_data.items() if name != "household_code"}


class ContingentForm(UtrechtFormMixin, forms.Form):
    municipality = forms.ModelChoiceField(label=_("Municipality"), queryset=None, empty_label=None)
    # A choice of half years in words ("1e helft 2026"); the code ("2026-H1") is what is stored and posted.
    half_year = forms.ChoiceField(label=_("Half year"))
    kind = forms.ChoiceField(label=_("Kind"), choices=ContingentKind.choices)
    target = forms.IntegerField(label=_("Target (number of households)"), min_value=0, max_value=10000)
    note = forms.CharField(
        label=_("Source or agreement"), required=False, max_length=FREE_TEXT_MAX,
        help_text=_("For example: the letter of the municipality about the task for this half year."),
    )  # fmt: skip

    def __init__(self, *args, municipalities, today, known_half_years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities
        # Two years back to next year, and every half year that already has a contingent (to change an old one).
        choices = dict(half_year_choices(today.year - 2, today.year + 1))
        choices.update((code, period_display(code)) for code in known_half_years)
        self.fields["half_year"].choices = sorted(choices.items(), reverse=True)


class PlacementForm(UtrechtFormMixin, forms.Form):
    household_code = forms.CharField(label=_("Household code"), max_length=60)
    contingent = forms.ModelChoiceField(
        label=_("Contingent"), queryset=None, empty_label=None,
        help_text=_("The placement counts against this contingent (same municipality and half year)."),
    )  # fmt: skip
    placed_on = _date(_("Date of the placement"))
    reason = forms.CharField(
        label=_("Reason (needed when the check says so)"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Why this home is still right, when the complex is over its limit or already had its "
                    "placements this year.") + " " + SPECIAL_DATA_WARNING,
    )
    contract_kind = forms.ChoiceField(label=_("Contract"), choices=ContractKind.choices)
    temporary_group = forms.ChoiceField(
        label=_("Group for a temporary contract"),
        required=False,
        choices=[("", _("Not a temporary contract"))] + list(TemporaryContractGroup.choices),
    )
    temporary_months = forms.IntegerField(
        label=_("Term of a temporary contract (months)"), required=False, min_value=1,
        help_text=_("At most 24 months."),
    )  # fmt: skip

    def __init__(self, *args, contingents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contingent"].queryset = contingents
        self.fields["contingent"].label_from_instance = (
            lambda c: f"{half_year_label(c.half_year)} · {c.municipality.name} · {c.get_kind_display()}"
        )
