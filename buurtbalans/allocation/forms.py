"""Forms of the allocation screens. They parse input; the services decide whether the change is allowed."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from buurtbalans.allocation.models import ApplicantGroup, DeclineReason, SelectionKey


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DateTimeInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class ListingForm(forms.Form):
    """The labels of a listing; a new listing also picks the dwelling (and perhaps its round).

    A listing that selects on motivation publishes its criteria (one per line) and may set a lowest score.
    """

    field_order = ["dwelling", "allocation_round", "selection", "criteria", "motivation_min_score"]

    dwelling = forms.ModelChoiceField(label=_("Dwelling"), queryset=None, required=False)
    allocation_round = forms.ModelChoiceField(
        label=_("Round"), queryset=None, required=False, empty_label=_("No round yet"),
        help_text=_("A round that has not been run yet. You can also add the listing to a round later."),
    )
    selection = forms.ChoiceField(label=_("How candidates are ordered"), choices=SelectionKey.choices,
                                  initial=SelectionKey.REGISTRATION)
    urgency_first = forms.BooleanField(label=_("Applicants with an urgency go first"), required=False)
    household_size_min = forms.IntegerField(label=_("Household size from"), min_value=1, max_value=30,
                                            required=False)
    household_size_max = forms.IntegerField(label=_("Household size up to"), min_value=1, max_value=30,
                                            required=False)
    income_min = forms.DecimalField(label=_("Income from (per year, €)"), min_value=0, max_digits=10,
                                    decimal_places=2, required=False)
    income_max = forms.DecimalField(label=_("Income up to (per year, €)"), min_value=0, max_digits=10,
                                    decimal_places=2, required=False)
    allowed_groups = forms.MultipleChoiceField(
        label=_("Only for these groups"), choices=ApplicantGroup.choices, required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("Leave empty when the home is open to every group."),
    )
    excluded_groups = forms.MultipleChoiceField(
        label=_("Not for these groups"), choices=ApplicantGroup.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    base_rent = forms.DecimalField(label=_("Base rent (per month, €)"), min_value=0, max_digits=8,
                                   decimal_places=2, required=False,
                                   help_text=_("Empty: the dwelling's current base rent."))
    affordability_exception = forms.BooleanField(
        label=_("Exception to passend toewijzen"), required=False,
        help_text=_("Only for a documented exception: the rent is then not tested against the income."),
    )
    note = forms.CharField(label=_("Note"), max_length=300, required=False)
    criteria = forms.CharField(
        label=_("Selection criteria (one per line)"), required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Only for selection on motivation, and then required: what the assessors score, as applicants "
                    "read it on the listing and in their letter. For example: Wants to help with the residents' "
                    "committee or the shared garden."),
    )
    motivation_min_score = forms.DecimalField(
        label=_("Lowest motivation score"), required=False, min_value=0, max_value=4, max_digits=2,
        decimal_places=1,
        help_text=_("Only for selection on motivation: a score from 0 to 4. An applicant with a lower score does not "
                    "get the home. Empty: no lowest score."),
    )

    def __init__(self, *args, dwellings=None, rounds=None, **kwargs):
        super().__init__(*args, **kwargs)
        if dwellings is None:
            del self.fields["dwelling"]
        else:
            self.fields["dwelling"].queryset = dwellings
            self.fields["dwelling"].required = True
            self.fields["dwelling"].label_from_instance = lambda d: f"{d.address} ({d.external_id})"
        if rounds is None:
            del self.fields["allocation_round"]
        else:
            self.fields["allocation_round"].queryset = rounds

    def clean_criteria(self) -> list[str]:
        """One criterion per line; blank lines and spaces around a line do not count."""
        return [" ".join(line.split()) for line in self.cleaned_data["criteria"].splitlines() if line.strip()]

    def clean(self):
        cleaned = super().clean()
        is_motivation = cleaned.get("selection") == SelectionKey.MOTIVATION
        if is_motivation and not cleaned.get("criteria") and "criteria" not in self.errors:
            self.add_error("criteria", _("A listing that selects on motivation needs published selection criteria: "
                                         "write at least one, one per line."))
        if cleaned.get("selection") and not is_motivation:
            if cleaned.get("criteria"):
                self.add_error("criteria", _("Only a listing that selects on motivation has selection criteria. "
                                             "Choose motivation, or leave this empty."))
            if cleaned.get("motivation_min_score") is not None:
                self.add_error("motivation_min_score", _("Only a listing that selects on motivation has a lowest "
                                                         "score. Choose motivation, or leave this empty."))
        return cleaned

    def labels(self) -> dict:
        """The cleaned labels as `services.listing_create_for_dwelling` takes them."""
        data = self.cleaned_data
        names = ("selection", "urgency_first", "household_size_min", "household_size_max", "income_min",
                 "income_max", "allowed_groups", "excluded_groups", "affordability_exception", "note", "criteria",
                 "motivation_min_score")
        labels = {name: data.get(name) for name in names}
        labels["note"] = labels["note"] or ""
        labels["criteria"] = labels["criteria"] or []
        if data.get("base_rent") is not None:
            labels["base_rent"] = data["base_rent"]
        return labels


class BidForm(forms.Form):
    applicant = forms.CharField(label=_("Registration number"), max_length=60)
    preference = forms.IntegerField(label=_("Preference (1 = most wanted)"), min_value=1, max_value=1_000_000)
    submitted_at = forms.DateTimeField(label=_("Reacted on"), required=False, widget=DateTimeInput(),
                                       help_text=_("Empty: now."))


class MotivationScoreForm(forms.Form):
    """The one score of a motivation listing from before issue 13 (no published criteria; round/1)."""

    applicant = forms.CharField(label=_("Registration number"), max_length=60)
    score = forms.DecimalField(label=_("Score"), min_value=0, max_value=999, max_digits=5, decimal_places=2)


class BidImportForm(forms.Form):
    file = forms.FileField(label=_("File with bids (.csv or .xlsx)"))
    dry_run = forms.BooleanField(label=_("Only check, do not save"), required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx", ".xlsm")):
            raise forms.ValidationError(_("Choose a .csv or .xlsx file."))
        return upload


class RoundForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100, help_text=_("For example: week 23, 2025."))
    reference_date = forms.DateField(label=_("Reference date"), widget=DateInput(),
                                     help_text=_("The date on which the rules and urgencies are applied."))
    lottery_seed = forms.CharField(
        label=_("Lottery seed"), max_length=100, required=False,
        help_text=_("Empty: a random seed. It is published with the round, so anyone can check the lottery."),
    )
    listings = forms.ModelMultipleChoiceField(label=_("Listings in this round"), queryset=None, required=False,
                                              widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, listings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["listings"].queryset = listings
        self.fields["listings"].label_from_instance = lambda x: f"{x.reference}: {x.dwelling.address}"


class AddListingsForm(forms.Form):
    listings = forms.ModelMultipleChoiceField(label=_("Listings without a round"), queryset=None,
                                              widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args, listings=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["listings"].queryset = listings
        self.fields["listings"].label_from_instance = lambda x: f"{x.reference}: {x.dwelling.address}"


class AcceptForm(forms.Form):
    start_date = forms.DateField(label=_("Start of the rental contract"), widget=DateInput())


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason"), choices=DeclineReason.choices, widget=forms.RadioSelect)


class ApplicantProfileForm(forms.Form):
    groups = forms.MultipleChoiceField(label=_("Target groups"), choices=ApplicantGroup.choices, required=False,
                                       widget=forms.CheckboxSelectMultiple)
    is_urgent = forms.BooleanField(label=_("Has an urgency (urgentieverklaring)"), required=False)
    urgency_valid_until = forms.DateField(label=_("Urgency valid until"), required=False, widget=DateInput())
