"""Forms of the cooperative screens. They parse and check input; the services decide and write."""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from buurtbalans.cooperatives import files
from buurtbalans.cooperatives.measure import Verdict
from buurtbalans.cooperatives.models import (
    Activity,
    Arrangement,
    Commitment,
    CooperativeAgreement,
    CooperativeContact,
    CooperativeDocument,
    Escalation,
    HousingCooperative,
    YearlyAccount,
    kvk_number_validator,
)
from buurtbalans.core.forms import UtrechtFormMixin
from buurtbalans.core.models import Membership, Role
from buurtbalans.households.models import Tenancy
from buurtbalans.portfolio.models import Complex, Dwelling

DATE = {"widget": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}


def _date_widgets(*names: str) -> dict:
    return {name: forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d") for name in names}


class FileField(forms.FileField):
    """An optional upload checked for size, kind and content (see cooperatives.files)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("PDF, photo (JPG, PNG), Word, Excel, OpenDocument or text; at most 10 MB."))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if upload:
            files.upload_check(upload)
        return upload


class CooperativeForm(UtrechtFormMixin, forms.ModelForm):
    # Longer than the 8 digits it becomes: people copy the number with spaces or dots ("1234 5678").
    kvk_number = forms.CharField(
        label=_("KvK number"), max_length=12, help_text=_("The 8 digits of the Chamber of Commerce registration.")
    )

    class Meta:
        model = HousingCooperative
        fields = ["name", "cooperative_type", "kvk_number", "founded_on", "members", "households", "note"]
        widgets = {**_date_widgets("founded_on"), "note": forms.Textarea(attrs={"rows": 3})}

    def clean_kvk_number(self):
        number = re.sub(r"[\s.]", "", self.cleaned_data["kvk_number"])
        kvk_number_validator(number)
        return number

    def _post_clean(self):
        # The corporation is set by the service; the unique check on (corporation, KvK) runs there.
        if self.instance.corporation_id is None:
            self._validate_unique = False
        super()._post_clean()

    def validate_unique(self):
        if self.instance.corporation_id is not None:
            super().validate_unique()


class ComplexLinkForm(UtrechtFormMixin, forms.Form):
    complex_code = forms.CharField(label=_("Complex code"), max_length=60)
    dwelling_codes = forms.CharField(
        label=_("Only these dwellings (codes, separated by commas)"),
        required=False,
        help_text=_("Leave empty when the cooperative holds the whole complex."),
    )
    arrangement = forms.ChoiceField(label=_("Arrangement"), choices=Arrangement.choices)
    valid_from = forms.DateField(label=_("From"), **DATE)
    valid_until = forms.DateField(label=_("Until"), required=False, **DATE)

    def __init__(self, *args, corporation, **kwargs):
        super().__init__(*args, **kwargs)
        self.corporation = corporation

    def clean_complex_code(self):
        code = self.cleaned_data["complex_code"].strip()
        complex_ = Complex.objects.filter(corporation=self.corporation, external_id=code).first()
        if complex_ is None:
            raise forms.ValidationError(_("There is no complex with this code."))
        return complex_

    def clean(self):
        cleaned = super().clean()
        complex_ = cleaned.get("complex_code")
        codes = [c.strip() for c in (cleaned.get("dwelling_codes") or "").split(",") if c.strip()]
        if complex_ is not None and codes:
            dwellings = list(
                Dwelling.objects.filter(corporation=self.corporation, complex=complex_, external_id__in=codes)
            )
            unknown = sorted(set(codes) - {d.external_id for d in dwellings})
            if unknown:
                self.add_error(
                    "dwelling_codes",
                    _("Not dwellings of this complex: %(codes)s") % {"codes": ", ".join(unknown)},
                )
            cleaned["dwellings"] = dwellings
        else:
            cleaned["dwellings"] = []
        start, end = cleaned.get("valid_from"), cleaned.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("The end date is before the start date."))
        return cleaned


class ContactForm(UtrechtFormMixin, forms.ModelForm):
    class Meta:
        model = CooperativeContact
        fields = ["name", "role", "email", "phone"]


class DocumentForm(UtrechtFormMixin, forms.ModelForm):
    file = FileField(label=_("File"))

    class Meta:
        model = CooperativeDocument
        fields = ["kind", "title", "signed_on", "valid_from", "valid_until", "note"]
        widgets = {**_date_widgets("signed_on", "valid_from", "valid_until"), "note": forms.Textarea(attrs={"rows": 3})}

    def data_for_service(self) -> dict:
        return {k: self.cleaned_data[k] for k in self.Meta.fields}


class AgreementForm(UtrechtFormMixin, forms.ModelForm):
    class Meta:
        model = CooperativeAgreement
        fields = ["title", "document", "valid_from", "valid_until"]
        widgets = _date_widgets("valid_from", "valid_until")

    def __init__(self, *args, cooperative, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["document"].queryset = CooperativeDocument.objects.filter(cooperative=cooperative)
        self.fields["document"].required = False

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("valid_from"), cleaned.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("The end date is before the start date."))
        return cleaned


class CommitmentForm(UtrechtFormMixin, forms.ModelForm):
    class Meta:
        model = Commitment
        fields = [
            "theme",
            "description",
            "target_kind",
            "target_per_year",
            "valid_from",
            "valid_until",
            "review_rhythm",
        ]
        widgets = _date_widgets("valid_from", "valid_until")
        help_texts = {
            "target_per_year": _("For example 10 activities, 200 participants, or 40 weeks with an opening."),
        }

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("valid_from"), cleaned.get("valid_until")
        if start and end and end < start:
            self.add_error("valid_until", _("The end date is before the start date."))
        return cleaned

    def _post_clean(self):
        # The agreement is set by the service, which also checks the period against it.
        pass

    def data_for_service(self) -> dict:
        return {k: self.cleaned_data[k] for k in self.Meta.fields}


class BoardMemberForm(UtrechtFormMixin, forms.Form):
    username = forms.CharField(
        label=_("User name"),
        max_length=150,
        help_text=_("A user of your corporation with the role 'cooperative board'."),
    )

    def __init__(self, *args, corporation, **kwargs):
        super().__init__(*args, **kwargs)
        self.corporation = corporation

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        membership = (
            Membership.objects.filter(user__username=username, corporation=self.corporation)
            .select_related("user")
            .first()
        )
        # The same message for an unknown user and one of another corporation: nothing about others is revealed.
        if membership is None or not membership.has_role(Role.COOPERATIVE_BOARD):
            raise forms.ValidationError(_("There is no cooperative board user with this name in your corporation."))
        return membership.user


class ActivityForm(UtrechtFormMixin, forms.ModelForm):
    file = FileField(label=_("Photo or file"))
    remove_file = forms.BooleanField(label=_("Remove the file"), required=False)

    class Meta:
        model = Activity
        fields = ["commitment", "day", "description", "participants", "buurt_participants"]
        widgets = {**_date_widgets("day"), "description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {
            "buurt_participants": _("Participants who do not live in the cooperative's homes."),
        }

    def __init__(self, *args, cooperative, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commitment"].queryset = Commitment.objects.filter(agreement__cooperative=cooperative).order_by(
            "theme", "pk"
        )
        if not (self.instance.pk and self.instance.file_path):
            del self.fields["remove_file"]

    def clean(self):
        cleaned = super().clean()
        participants, buurt = cleaned.get("participants"), cleaned.get("buurt_participants")
        if participants is not None and buurt is not None and buurt > participants:
            self.add_error(
                "buurt_participants", _("There cannot be more participants from the buurt than participants.")
            )
        return cleaned

    def _post_clean(self):
        # The cooperative and who recorded it are set by the service.
        pass

    def data_for_service(self) -> dict:
        return {k: self.cleaned_data[k] for k in self.Meta.fields}


class AccountForm(UtrechtFormMixin, forms.ModelForm):
    file = FileField(label=_("Financial statement or annual report (optional)"))

    class Meta:
        model = YearlyAccount
        fields = ["summary", "members_at_year_end", "households_at_year_end"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 6})}

    def _post_clean(self):
        pass

    def data_for_service(self) -> dict:
        return {k: self.cleaned_data[k] for k in self.Meta.fields}


class ReviewForm(UtrechtFormMixin, forms.Form):
    commitment = forms.IntegerField(widget=forms.HiddenInput)
    period = forms.CharField(widget=forms.HiddenInput, max_length=7)
    verdict = forms.ChoiceField(
        label=_("Verdict"),
        choices=[
            (Verdict.MET.value, _("Met")),
            (Verdict.PARTLY.value, _("Partly met")),
            (Verdict.NOT_MET.value, _("Not met")),
        ],
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2}))
    follow_up = forms.CharField(label=_("Follow-up"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class EscalationForm(UtrechtFormMixin, forms.ModelForm):
    class Meta:
        model = Escalation
        fields = ["commitment", "step", "decided_on", "notes", "deadline"]
        widgets = {**_date_widgets("decided_on", "deadline"), "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, cooperative, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commitment"].queryset = Commitment.objects.filter(agreement__cooperative=cooperative)
        self.fields["commitment"].required = False
        self.fields["commitment"].empty_label = _("The cooperative as a whole")

    def _post_clean(self):
        pass

    def data_for_service(self) -> dict:
        return {k: self.cleaned_data[k] for k in self.Meta.fields}


class CoOptationForm(UtrechtFormMixin, forms.Form):
    contract_code = forms.CharField(label=_("Letting (contract code)"), max_length=60)
    decided_on = forms.DateField(label=_("Date of the cooperative's choice"), **DATE)
    note = forms.CharField(label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, corporation, **kwargs):
        super().__init__(*args, **kwargs)
        self.corporation = corporation

    def clean_contract_code(self):
        code = self.cleaned_data["contract_code"].strip()
        tenancy = Tenancy.objects.filter(corporation=self.corporation, external_id=code).first()
        if tenancy is None:
            raise forms.ValidationError(_("There is no letting with this contract code."))
        return tenancy


class CandidateCheckForm(UtrechtFormMixin, forms.Form):
    """A candidate the cooperative proposes, checked before the letting; nothing is stored."""

    dwelling_code = forms.CharField(label=_("Dwelling code"), max_length=60)
    letting_date = forms.DateField(label=_("Letting date"), **DATE)
    household_size = forms.IntegerField(label=_("Household size"), min_value=1, max_value=30)
    assessed_income = forms.DecimalField(
        label=_("Assessed income per year"),
        min_value=0,
        max_digits=10,
        decimal_places=2,
        help_text=_("Without the income of children."),
    )
    is_pension_age = forms.BooleanField(
        label=_("Someone in the household has reached the state pension age"), required=False
    )

    def __init__(self, *args, cooperative, **kwargs):
        super().__init__(*args, **kwargs)
        self.cooperative = cooperative

    def clean(self):
        from buurtbalans.cooperatives.services import cooperative_of_dwelling

        cleaned = super().clean()
        code, day = cleaned.get("dwelling_code"), cleaned.get("letting_date")
        if code and day:
            dwelling = Dwelling.objects.filter(
                corporation_id=self.cooperative.corporation_id, external_id=code.strip()
            ).first()
            if dwelling is None or cooperative_of_dwelling(dwelling, day) != self.cooperative:
                self.add_error("dwelling_code", _("On that date this dwelling does not belong to this cooperative."))
            else:
                cleaned["dwelling"] = dwelling
        return cleaned


def user_model():
    return get_user_model()
