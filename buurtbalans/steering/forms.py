"""Forms of the steering screens. Shares are typed as percentages (35 or 35,5) and stored as fractions (0.355)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from buurtbalans.core.forms import UtrechtFormMixin
from buurtbalans.steering.mix import LETTING_CHOICES
from buurtbalans.steering.models import CategoryRule, Label, SteeringRoleSource

HUNDRED = Decimal(100)


def percent_field(label, *, help_text="", required=True) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        help_text=help_text,
        required=required,
        min_value=0,
        max_value=100,
        max_digits=6,
        decimal_places=2,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 6}),
    )


def to_percent(share) -> Decimal:
    return (Decimal(share) * HUNDRED).quantize(Decimal("0.01")).normalize()


def to_share(value: Decimal) -> Decimal:
    return (Decimal(value) / HUNDRED).quantize(Decimal("0.0001"))


class ConcentrationFilterForm(UtrechtFormMixin, forms.Form):
    level = forms.ChoiceField(
        label=_("Show per"),
        required=False,
        choices=[("complex", _("Complex")), ("neighbourhood", _("Neighbourhood"))],
    )
    lettings = forms.TypedChoiceField(
        label=_("Inflow: the last lettings per complex"),
        required=False,
        coerce=int,
        choices=[(n, str(n)) for n in LETTING_CHOICES],
    )


# --- categories and profiles ---------------------------------------------------------------------------------


class CategoryForm(UtrechtFormMixin, forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40)
    label = forms.CharField(label=_("Name"), max_length=100)
    # The empty choice keeps a blank extra row blank (unchanged), so it is skipped instead of refused.
    rule = forms.ChoiceField(label=_("Who belongs here"), choices=[("", "—"), *CategoryRule.choices])
    default_share = percent_field(_("Default target (%)"))


class BaseCategoryFormSet(forms.BaseFormSet):
    def rows(self) -> list[dict]:
        rows = []
        for position, form in enumerate(self.forms, start=1):
            data = getattr(form, "cleaned_data", None)
            if not data or self.can_delete and data.get("DELETE"):
                continue
            rows.append(
                {
                    "code": data["code"],
                    "label": data["label"],
                    "rule": data["rule"],
                    "position": position,
                    "default_share": to_share(data["default_share"]),
                }
            )
        return rows


CategoryFormSet = formset_factory(CategoryForm, formset=BaseCategoryFormSet, extra=1, can_delete=True, max_num=10)


class ProfileForm(UtrechtFormMixin, forms.Form):
    """A profile decision: the target share per category, the two limits, when it was decided and why."""

    max_vulnerable_share = percent_field(
        _("Maximum share of households with a vulnerability marker (%)"),
        help_text=_("The labelling plan steers each complex to stay at or below this."),
    )
    max_primary_share = percent_field(
        _("Maximum share of the lowest incomes (%)"),
        help_text=_("Households with an income up to the limit of passend toewijzen (primary target group)."),
    )
    decided_on = forms.DateField(label=_("Decided on"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(
        label=_("Reason or source of the decision"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, categories=(), profile=None, today: date | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.categories = categories
        mix_fields = {}
        for category in categories:
            share = profile.target_mix.get(category.code, Decimal(0)) if profile else category.default_share
            mix_fields[f"mix__{category.code}"] = percent_field(_("Target: %(name)s (%%)") % {"name": category.label})
            mix_fields[f"mix__{category.code}"].initial = to_percent(share)
        # The target mix first, then the limits.
        self.fields = {**mix_fields, **self.fields}
        # Added after the mixin styled the declared fields: style these too.
        for name in mix_fields:
            self.fields[name].widget.attrs["class"] = "utrecht-textbox utrecht-textbox--html-input"
        if profile is not None:
            self.fields["max_vulnerable_share"].initial = to_percent(profile.max_vulnerable_share)
            self.fields["max_primary_share"].initial = to_percent(profile.max_primary_share)
        self.fields["decided_on"].initial = today

    def mix_fields(self):
        return [self[f"mix__{c.code}"] for c in self.categories]

    def limit_fields(self):
        return [self["max_vulnerable_share"], self["max_primary_share"], self["decided_on"], self["note"]]

    def clean(self):
        cleaned = super().clean()
        values = [cleaned.get(f"mix__{c.code}") for c in self.categories]
        if all(v is not None for v in values) and sum(values) != HUNDRED:
            raise forms.ValidationError(
                _("The target shares add up to %(total)s%%; they must add up to 100%%.") % {"total": sum(values)}
            )
        return cleaned

    def target_mix(self) -> dict[str, Decimal]:
        return {c.code: to_share(self.cleaned_data[f"mix__{c.code}"]) for c in self.categories}


# --- plans ---------------------------------------------------------------------------------------------------


def quarter_of(day: date) -> tuple[int, int]:
    return day.year, (day.month - 1) // 3 + 1


def quarter_period(year: int, quarter: int) -> tuple[date, date]:
    start = date(year, 3 * (quarter - 1) + 1, 1)
    following = date(year + 1, 1, 1) if quarter == 4 else date(year, 3 * quarter + 1, 1)
    return start, following - timedelta(days=1)


def quarter_choices(today: date) -> list[tuple[str, str]]:
    """This quarter and the three after it."""
    year, quarter = quarter_of(today)
    choices = []
    for _i in range(4):
        start, end = quarter_period(year, quarter)
        choices.append(
            (
                f"{year}-{quarter}",
                _("Q%(q)s %(year)s (%(start)s to %(end)s)")
                % {"q": quarter, "year": year, "start": start.isoformat(), "end": end.isoformat()},
            )
        )
        year, quarter = (year + 1, 1) if quarter == 4 else (year, quarter + 1)
    return choices


PROBABILITY_LABELS = {
    "p_open": _("Vulnerable households among those who move into an open dwelling (%)"),
    "p_above": _("Vulnerable households among those who move into a dwelling above the rent cap (%)"),
    "q_open": _("Lowest incomes among those who move into an open dwelling (%)"),
    "q_reserved": _("Lowest incomes among vulnerable households who move into a reserved dwelling (%)"),
    "q_above": _("Lowest incomes among those who move into a dwelling above the rent cap (%)"),
    "p_no_vulnerable": _(
        "Vulnerable households among those who move in through the regular route on a dwelling with no placement or "
        "urgency route (%)"
    ),
}


class PlanPolicyForm(UtrechtFormMixin, forms.Form):
    """The analyst's policy for one plan; the inflow probabilities start at their estimates."""

    quarter = forms.ChoiceField(label=_("Plan the vacancies of"))
    min_vulnerable_placements = forms.IntegerField(
        label=_("At least this many dwellings reserved for vulnerable households"),
        min_value=0,
        initial=0,
        help_text=_("For example the agreements with the municipality (status holders, outflow from shelter)."),
    )
    min_affordable_share = percent_field(
        _("At least this share of the vacancies at or below the rent cap (%)"),
        help_text=_("Each dwelling let above the cap is one fewer for the lowest incomes."),
    )

    def __init__(self, *args, today: date, estimates: dict[str, Decimal] | None = None, **kwargs):
        """`estimates` are where the probabilities start (`InflowEstimate.form_values`); a value the analyst
        changes from its start is reported by `overridden`."""
        super().__init__(*args, **kwargs)
        choices = quarter_choices(today)
        self.fields["quarter"].choices = choices
        self.fields["quarter"].initial = choices[1][0]
        self.fields["min_affordable_share"].initial = Decimal(90)
        self.estimates = estimates or {}
        for name, label in PROBABILITY_LABELS.items():
            field = percent_field(label)
            if name in self.estimates:
                field.initial = to_percent(self.estimates[name])
            field.widget.attrs["class"] = "utrecht-textbox utrecht-textbox--html-input"
            self.fields[name] = field

    def period(self) -> tuple[date, date]:
        year, quarter = (int(part) for part in self.cleaned_data["quarter"].split("-"))
        return quarter_period(year, quarter)

    def policy(self) -> dict:
        data = self.cleaned_data
        return {
            "min_vulnerable_placements": data["min_vulnerable_placements"],
            "min_affordable_share": str(to_share(data["min_affordable_share"])),
            **{name: str(to_share(data[name])) for name in PROBABILITY_LABELS},
        }

    def overridden(self) -> list[str]:
        """The probabilities the analyst changed from their estimate."""
        return [
            name
            for name in PROBABILITY_LABELS
            if name in self.estimates and to_share(self.cleaned_data[name]) != Decimal(self.estimates[name])
        ]


# --- label decisions and carrying roles ----------------------------------------------------------------------


class LabelDecisionForm(UtrechtFormMixin, forms.Form):
    """Accept or change a vacancy's label; with ABOVE_CAP the officer chooses the base rent within its limits.

    `above_cap` is the dwelling's `steering.rents.AboveCapRange` (None: ABOVE_CAP not allowed). The rent field
    starts at the highest rent allowed, as the plan proposes; it counts only with ABOVE_CAP.
    """

    label = forms.ChoiceField(label=_("Label"), choices=Label.choices, widget=forms.RadioSelect)
    # No decimal_places here: `rents.rent_problem` refuses more than two decimals with the limits in its message.
    base_rent = forms.DecimalField(
        label=_("Base rent above the rent cap (per month)"),
        required=False,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 10, "aria-describedby": "above-cap-rent-reason"}),
    )
    reason = forms.CharField(
        label=_("Why do you change the label?"),
        required=False,
        max_length=500,
        help_text=_("Needed when you choose another label than the proposal."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, proposal=None, above_cap=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.proposal = proposal
        self.above_cap = above_cap
        if proposal is not None:
            self.fields["label"].initial = proposal.label
        if above_cap is not None:
            self.fields["base_rent"].initial = above_cap.highest

    def clean(self):
        from buurtbalans.steering.rents import rent_problem

        cleaned = super().clean()
        label = cleaned.get("label")
        if (
            self.proposal is not None
            and label
            and label != self.proposal.label
            and not cleaned.get("reason", "").strip()
        ):
            self.add_error("reason", _("Say why you change the proposed label."))
        if label != Label.ABOVE_CAP:
            # The rent field belongs to ABOVE_CAP only; other labels keep the plan's affordable rent.
            cleaned["base_rent"] = None
        elif self.proposal is not None and self.above_cap is None:
            self.add_error(
                "label",
                _("This dwelling cannot be let above the rent cap: its lawful maximum rent is not above the cap."),
            )
        elif self.above_cap is not None and "base_rent" not in self.errors:
            rent = cleaned.get("base_rent")
            if rent is None:
                rent = cleaned["base_rent"] = self.above_cap.highest
            problem = rent_problem(rent, self.above_cap)
            if problem:
                self.add_error("base_rent", problem)
        return cleaned


class SteeringRoleForm(UtrechtFormMixin, forms.Form):
    tenancy_code = forms.CharField(label=_("Contract code of the tenancy"), max_length=60)
    source = forms.ChoiceField(label=_("Why a carrying resident"), choices=SteeringRoleSource.choices)
    valid_from = forms.DateField(label=_("From"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("Note"), required=False, max_length=300)
