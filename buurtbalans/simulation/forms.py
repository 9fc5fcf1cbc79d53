"""Forms of the simulation screens. Shares are typed as percentages (8 or 8,5) and kept as fractions ("0.085").

The forms check each value on its own (a number, in range); whether the scenario as a whole holds together
(V + P + O = dwellings, inflow adding up to 100, a label every policy needs) is the engine's check
(`parse_scenario`), whose problems the view puts on these forms (`texts.dutch_problem`).
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from buurtbalans.core.figures import SMALL_CELL_TEXT, Cell
from buurtbalans.core.forms import UtrechtFormMixin
from buurtbalans.engine.simulation.scenario import MAX_QUEUE, MAX_WAIT_YEARS, MAX_YEAR, MAX_YEARS, MIN_YEAR
from buurtbalans.simulation.models import MAX_RUNS
from buurtbalans.simulation.texts import KIND_SHORT, LABEL_NAMES, TYPE_SHORT, TYPES

HUNDRED = Decimal(100)


def percent_field(label, *, required=True, help_text="") -> forms.DecimalField:
    return forms.DecimalField(label=label, required=required, help_text=help_text, min_value=0, max_value=100,
                              max_digits=16, decimal_places=10, localize=True,
                              widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 7}))


def to_percent(share) -> Decimal | None:
    """"0.085" -> 8.5 (exact, no trailing zeros)."""
    if share is None or share == "":
        return None
    value = (Decimal(str(share)) * HUNDRED).normalize()
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def to_share(value: Decimal) -> str:
    """8.5 -> "0.085": exact, as the scenario's decimal string."""
    share = (Decimal(value) / HUNDRED).normalize()
    return format(share, "f")


class GeneralForm(UtrechtFormMixin, forms.Form):
    name = forms.CharField(label=_("Name of the study"), max_length=120)
    start_year = forms.IntegerField(label=_("First year"), min_value=MIN_YEAR, max_value=MAX_YEAR)
    years = forms.IntegerField(label=_("Number of years"), min_value=1, max_value=MAX_YEARS)
    runs = forms.IntegerField(label=_("Number of calculations per policy"), min_value=1, max_value=MAX_RUNS,
                              help_text=_("More calculations give a narrower band, but take longer. 200 is enough "
                                          "to compare policies."))
    seed = forms.IntegerField(label=_("Starting number for chance"), min_value=0, max_value=2**63 - 1,
                              help_text=_("The same starting number gives the same result. Change it to see how "
                                          "much chance matters."))


class InflowForm(UtrechtFormMixin, forms.Form):
    """Who moves into a vacancy with this label: the chance of each type (adding up to 100)."""

    V = percent_field(TYPE_SHORT["V"])
    P = percent_field(TYPE_SHORT["P"])
    O = percent_field(TYPE_SHORT["O"])  # noqa: E741 - the scenario's key

    def __init__(self, *args, label: str, **kwargs):
        self.label = label
        kwargs.setdefault("prefix", f"inflow-{label}")
        super().__init__(*args, **kwargs)

    @property
    def title(self):
        return LABEL_NAMES.get(self.label, self.label)

    def shares(self) -> dict:
        return {t: to_share(self.cleaned_data[t]) for t in TYPES}


def _mean_field(label) -> forms.DecimalField:
    return forms.DecimalField(label=label, min_value=0, max_digits=14, decimal_places=4, localize=True,
                              widget=forms.TextInput(attrs={"inputmode": "decimal", "size": 7}))


class ArrivalsForm(UtrechtFormMixin, forms.Form):
    """New home seekers per year, per type (an average)."""

    prefix = "arrivals"
    V = _mean_field(TYPE_SHORT["V"])
    P = _mean_field(TYPE_SHORT["P"])
    O = _mean_field(TYPE_SHORT["O"])  # noqa: E741

    def means(self) -> dict:
        return {t: format(self.cleaned_data[t].normalize(), "f") for t in TYPES}


KIND_CHOICES = [("", "—"), *((k, v) for k, v in KIND_SHORT.items())]


class PolicyForm(UtrechtFormMixin, forms.Form):
    name = forms.CharField(label=_("Name"), max_length=80, required=False,
                           widget=forms.TextInput(attrs={"size": 24, "class": "bb-input-name"}))
    kind = forms.ChoiceField(label=_("Kind"), choices=KIND_CHOICES, required=False)
    reserved_share = percent_field(_("Reserved for vulnerable households (quota)"), required=False)
    min_vulnerable_placements = forms.IntegerField(
        label=_("At least this many vulnerable households per year (room check, plan)"), min_value=0,
        required=False)

    def clean(self):
        data = super().clean()
        if not data.get("name") and not data.get("kind"):
            return data  # an empty row: skipped
        if not data.get("name"):
            self.add_error("name", _("Give the policy a name."))
        if not data.get("kind"):
            self.add_error("kind", _("Choose a kind."))
        kind = data.get("kind")
        if kind == "quota" and data.get("reserved_share") is None:
            self.add_error("reserved_share", _("A quota needs the share that is reserved."))
        if kind in ("room_check", "plan") and data.get("min_vulnerable_placements") is None:
            self.add_error("min_vulnerable_placements", _("Fill in the minimum (0 is allowed)."))
        return data

    def policy(self) -> dict | None:
        data = self.cleaned_data
        if not data or not data.get("name") or data.get("DELETE"):
            return None
        policy = {"name": data["name"].strip(), "kind": data["kind"]}
        if data["kind"] == "quota":
            policy["reserved_share"] = to_share(data["reserved_share"])
        if data["kind"] in ("room_check", "plan"):
            policy["min_vulnerable_placements"] = data["min_vulnerable_placements"]
        return policy

    @staticmethod
    def initial_of(policy: dict) -> dict:
        return {"name": policy.get("name"), "kind": policy.get("kind"),
                "reserved_share": to_percent(policy.get("reserved_share")),
                "min_vulnerable_placements": policy.get("min_vulnerable_placements")}


PolicyFormSet = formset_factory(PolicyForm, extra=1, can_delete=True, max_num=12, validate_max=True)


class ComplexForm(UtrechtFormMixin, forms.Form):
    """One complex of the scenario. A count the analyst may not see (small-cell rule) starts empty: left empty it
    keeps the value from the data, typed it replaces it."""

    id = forms.CharField(widget=forms.HiddenInput)
    dwellings = forms.IntegerField(label=_("Dwellings"), min_value=1,
                                   widget=forms.NumberInput(attrs={"size": 5}))
    V = forms.IntegerField(label=TYPE_SHORT["V"], min_value=0, required=False,
                           widget=forms.NumberInput(attrs={"size": 5}))
    P = forms.IntegerField(label=TYPE_SHORT["P"], min_value=0, required=False,
                           widget=forms.NumberInput(attrs={"size": 5}))
    O = forms.IntegerField(label=TYPE_SHORT["O"], min_value=0, required=False,  # noqa: E741
                           widget=forms.NumberInput(attrs={"size": 5}))
    turnover = percent_field(_("Turnover per year (%)"))
    target_V_max_share = percent_field(_("Limit vulnerable (%)"))  # noqa: N815 - the scenario's key
    target_P_max_share = percent_field(_("Limit lowest incomes (%)"))  # noqa: N815

    def __init__(self, *args, hidden: frozenset = frozenset(), **kwargs):
        super().__init__(*args, **kwargs)
        self.hidden = hidden
        for t in TYPES:
            if t in hidden:
                self.fields[t].widget.attrs["placeholder"] = SMALL_CELL_TEXT
                self.fields[t].widget.attrs["title"] = str(
                    _("Fewer than 5: empty keeps the value from the data."))

    def clean(self):
        data = super().clean()
        for t in TYPES:
            if data.get(t) is None and t not in self.hidden and t not in self.errors:
                self.add_error(t, _("Fill in a number."))
        return data

    @staticmethod
    def initial_of(entry: dict, protected: bool) -> tuple[dict, frozenset]:
        dwellings = int(entry.get("dwellings") or 0)
        hidden = frozenset(t for t in TYPES
                           if Cell(int(entry.get(t) or 0), dwellings, protected).is_suppressed)
        initial = {"id": entry.get("id"), "dwellings": entry.get("dwellings"),
                   **{t: None if t in hidden else entry.get(t) for t in TYPES},
                   **{k: to_percent(entry.get(k)) for k in ("turnover", "target_V_max_share", "target_P_max_share")}}
        return initial, hidden

    def entry(self, stored: dict) -> dict:
        data = self.cleaned_data
        return {
            "id": stored["id"],
            "dwellings": data["dwellings"],
            **{t: stored.get(t) if data.get(t) is None else data[t] for t in TYPES},
            **{k: to_share(data[k]) for k in ("turnover", "target_V_max_share", "target_P_max_share")},
        }


class BaseComplexFormSet(forms.BaseFormSet):
    def __init__(self, *args, hidden: list[frozenset] = (), **kwargs):
        self.hidden = list(hidden)
        super().__init__(*args, **kwargs)

    def get_form_kwargs(self, index):
        kwargs = super().get_form_kwargs(index)
        kwargs["hidden"] = self.hidden[index] if index is not None and index < len(self.hidden) else frozenset()
        return kwargs


ComplexFormSet = formset_factory(ComplexForm, formset=BaseComplexFormSet, extra=0)


# The waiting list table shows at least this many waiting years, and two more than the longest wait, so a longer
# wait can be typed in without a row to add.
QUEUE_MIN_ROWS = 10
QUEUE_EXTRA_ROWS = 2


def queue_counts(queue: dict) -> dict[str, dict[int, int]]:
    """{"V": [3, 3, 0]} -> {"V": {3: 2, 0: 1}}: per type the number of seekers per whole waiting year."""
    counts: dict[str, dict[int, int]] = {t: {} for t in TYPES}
    for t in TYPES:
        for wait in queue.get(t) or []:
            counts[t][int(wait)] = counts[t].get(int(wait), 0) + 1
    return counts


def queue_lists(counts: dict[str, dict[int, int]]) -> dict[str, list[int]]:
    """The inverse of `queue_counts`: per type the waiting years of each seeker, longest first (as the builder
    writes them)."""
    return {t: [year for year in sorted(counts[t], reverse=True) for _n in range(counts[t][year])] for t in TYPES}


class QueueForm(UtrechtFormMixin, forms.Form):
    """The waiting list at the start: per whole waiting year (0 to the longest and a few more) the number of
    seekers of each group. A count the analyst may not see (fewer than 5, small-cell rule) starts empty: left empty
    it keeps the value from the data, typed it replaces it."""

    prefix = "queue"

    def __init__(self, *args, queue: dict, protected: bool, **kwargs):
        self.counts = queue_counts(queue)
        longest = max((year for t in TYPES for year in self.counts[t]), default=-1)
        self.years = list(range(min(MAX_WAIT_YEARS, max(longest + QUEUE_EXTRA_ROWS, QUEUE_MIN_ROWS - 1)) + 1))
        self.hidden = {(year, t) for year in self.years for t in TYPES
                       if Cell(self.counts[t].get(year, 0), 0, protected).is_suppressed}
        initial = {self.field_name(year, t): None if (year, t) in self.hidden else self.counts[t].get(year, 0)
                   for year in self.years for t in TYPES}
        super().__init__(*args, initial=initial, **kwargs)
        for year in self.years:
            for t in TYPES:
                field = forms.IntegerField(
                    label=TYPE_SHORT[t], min_value=0, max_value=MAX_QUEUE, required=False,
                    error_messages={"invalid": _("Fill in a whole number."),
                                    "min_value": _("Fill in 0 or more."),
                                    "max_value": _("That is more seekers than a waiting list can hold.")},
                    widget=forms.NumberInput(attrs={"size": 6}))
                if (year, t) in self.hidden:
                    field.widget.attrs["placeholder"] = SMALL_CELL_TEXT
                    field.widget.attrs["title"] = str(_("Fewer than 5: empty keeps the value from the data."))
                self.fields[self.field_name(year, t)] = field
                # Made after UtrechtFormMixin.__init__ ran: the NL Design System class by hand.
                field.widget.attrs["class"] = "utrecht-textbox utrecht-textbox--html-input"

    @staticmethod
    def field_name(year: int, t: str) -> str:
        return f"{year}-{t}"

    @property
    def rows(self):
        """Per waiting year: the year and the bound field of each group."""
        return [(year, [self[self.field_name(year, t)] for t in TYPES]) for year in self.years]

    def clean(self):
        data = super().clean()
        for year in self.years:
            for t in TYPES:
                name = self.field_name(year, t)
                if data.get(name) is None and (year, t) not in self.hidden and name not in self.errors:
                    self.add_error(name, _("Fill in a number."))
        return data

    def queue(self) -> dict[str, list[int]]:
        counts = {t: {} for t in TYPES}
        for t in TYPES:
            # Waits beyond the table's rows cannot occur (the table reaches past the longest), but keep them.
            counts[t] = {year: n for year, n in self.counts[t].items() if year not in self.years}
            for year in self.years:
                value = self.cleaned_data.get(self.field_name(year, t))
                n = self.counts[t].get(year, 0) if value is None else value
                if n:
                    counts[t][year] = n
        return queue_lists(counts)


class NewStudyForm(UtrechtFormMixin, forms.Form):
    name = forms.CharField(label=_("Name of the study"), max_length=120)
    years = forms.IntegerField(label=_("Number of years"), min_value=1, max_value=MAX_YEARS, initial=10)


class UploadForm(UtrechtFormMixin, forms.Form):
    file = forms.FileField(label=_("The edited file of complexes (CSV)"))


class CompareForm(UtrechtFormMixin, forms.Form):
    a = forms.TypedChoiceField(label=_("First study"), coerce=int)
    b = forms.TypedChoiceField(label=_("Second study"), coerce=int)

    def __init__(self, *args, studies=(), **kwargs):
        super().__init__(*args, **kwargs)
        choices = [(s.pk, f"{s.name} ({s.created:%d-%m-%Y})") for s in studies]
        self.fields["a"].choices = choices
        self.fields["b"].choices = choices
