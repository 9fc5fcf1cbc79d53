"""The compliance tables as rows and columns: one description for the screen, the CSV/Excel exports and the PDF."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buurtbalans.core.exports import Column
from buurtbalans.core.formatting import format_percent
from buurtbalans.households.models import AllocationException
from buurtbalans.rules.compliance import ComplianceOutcome
from buurtbalans.rules.labels import FALLBACK_LABELS, TOTAL_LABEL, UNKNOWN_MUNICIPALITY
from buurtbalans.rules.reasons import decision_text


def norm_words(value: bool | None) -> str:
    """A norm's outcome in words: met, not met, or unknown because a parameter is missing."""
    if value is None:
        return _("Unknown: a parameter is missing")
    return _("Met") if value else _("Not met")


def percent_text(value: Decimal | None) -> str:
    """A share as a percentage cut (not rounded) to one decimal, as the norms compare exactly ("93.7%")."""
    if value is None:
        return "–"
    cut = (value * 100).quantize(Decimal("0.1"), rounding=ROUND_FLOOR)
    return format_percent(cut, 1)


def exception_label(code: str) -> str:
    if not code:
        return _("No reason recorded")
    return str(dict(AllocationException.choices).get(code, code))


@dataclass(frozen=True)
class FigureRow:
    """One municipality (or the total) with every figure the screens, exports and PDF show."""

    code: str
    name: str
    is_total: bool
    lettings: int
    low_income_lettings: int | None
    fit: int | None
    fit_share: Decimal | None
    fit_norm_met: bool | None
    daeb_lettings: int
    daeb_target_group_lettings: int | None
    daeb_target_share: Decimal | None
    daeb_norm: Decimal | None
    daeb_norm_met: bool | None
    free_room_used: int | None
    free_room_allowed: int | None
    free_room_left: int | None
    exception_budget_used: int | None
    exception_budget_left: int | None
    agreement: Decimal | None
    missing_parameters: tuple[str, ...]

    @property
    def fit_norm_words(self) -> str:
        return norm_words(self.fit_norm_met)

    @property
    def daeb_norm_words(self) -> str:
        return norm_words(self.daeb_norm_met)

    @property
    def fit_share_text(self) -> str:
        return percent_text(self.fit_share)

    @property
    def daeb_target_share_text(self) -> str:
        return percent_text(self.daeb_target_share)

    @property
    def daeb_norm_text(self) -> str:
        return percent_text(self.daeb_norm)

    @property
    def agreement_text(self) -> str:
        if self.is_total:
            return ""
        return percent_text(self.agreement) if self.agreement is not None else _("No")


def figure_rows(outcome: ComplianceOutcome) -> list[FigureRow]:
    """The municipalities by name (municipality unknown last), then the corporation total."""
    report = outcome.report

    def row(code: str, figures, is_total: bool) -> FigureRow:
        return FigureRow(
            code="" if is_total else code,
            name=str(TOTAL_LABEL) if is_total else outcome.municipality_name(code),
            is_total=is_total,
            lettings=figures.lettings,
            low_income_lettings=figures.low_income_lettings,
            fit=figures.fit,
            fit_share=figures.fit_share,
            fit_norm_met=figures.fit_norm_met,
            daeb_lettings=figures.daeb_lettings,
            daeb_target_group_lettings=figures.daeb_target_group_lettings,
            daeb_target_share=figures.daeb_target_share,
            daeb_norm=figures.daeb_norm,
            daeb_norm_met=figures.daeb_norm_met,
            free_room_used=figures.free_room_used,
            free_room_allowed=figures.free_room_allowed,
            free_room_left=figures.free_room_left,
            exception_budget_used=figures.exception_budget_used,
            exception_budget_left=figures.exception_budget_left,
            agreement=None if is_total else outcome.agreements_applied.get(code),
            missing_parameters=figures.missing_parameters,
        )

    codes = sorted(report.municipalities, key=lambda c: (c == UNKNOWN_MUNICIPALITY, outcome.municipality_name(c)))
    rows = [row(code, report.municipalities[code], False) for code in codes]
    rows.append(row("", report.total, True))
    return rows


def norm_columns() -> list[Column]:
    return [
        Column(gettext_lazy("Municipality"), "name"),
        Column(gettext_lazy("CBS code"), "code"),
        Column(gettext_lazy("Lettings"), "lettings"),
        Column(gettext_lazy("Lettings to low incomes"), "low_income_lettings"),
        Column(gettext_lazy("Of those: fitting"), "fit"),
        Column(gettext_lazy("Share fitting"), "fit_share_text"),
        Column(gettext_lazy("Passend toewijzen norm"), "fit_norm_words"),
        Column(gettext_lazy("DAEB lettings"), "daeb_lettings"),
        Column(gettext_lazy("Of those: to the target group"), "daeb_target_group_lettings"),
        Column(gettext_lazy("Share to the target group"), "daeb_target_share_text"),
        Column(gettext_lazy("DAEB norm applied"), "daeb_norm_text"),
        Column(gettext_lazy("DAEB norm"), "daeb_norm_words"),
    ]


def room_columns() -> list[Column]:
    return [
        Column(gettext_lazy("Municipality"), "name"),
        Column(gettext_lazy("CBS code"), "code"),
        Column(gettext_lazy("Performance agreement: free share"), "agreement_text"),
        Column(gettext_lazy("Free room used"), "free_room_used"),
        Column(gettext_lazy("Free room allowed"), "free_room_allowed"),
        Column(gettext_lazy("Free room left"), "free_room_left"),
        Column(gettext_lazy("Non-fitting lettings"), "exception_budget_used"),
        Column(gettext_lazy("Exception budget left"), "exception_budget_left"),
    ]


def motivation_cap_words(use) -> str:
    """Whether a municipality's use of selection on motivation stays within its cap, in words."""
    if not use.has_cap:
        return _("No cap recorded")
    return _("Over the cap") if use.is_over else _("Within the cap")


def motivation_columns() -> list[Column]:
    """Selection on motivation per municipality against its yearly cap (`rules.motivation_caps.CapUse`)."""
    return [
        Column(gettext_lazy("Municipality"), "municipality_name"),
        Column(gettext_lazy("CBS code"), "municipality_code"),
        Column(gettext_lazy("Lettings"), "lettings"),
        Column(gettext_lazy("Of those: on motivation"), "on_motivation"),
        Column(gettext_lazy("Share on motivation"), lambda u: percent_text(u.share)),
        Column(gettext_lazy("Highest share"), lambda u: percent_text(u.max_share)),
        Column(gettext_lazy("Highest number"), lambda u: "–" if u.max_number is None else u.max_number),
        Column(gettext_lazy("Cap"), motivation_cap_words),
    ]


@dataclass(frozen=True)
class NonFittingRow:
    letting_id: str
    municipality: str
    exception_reason: str
    household_pk: int | None = None
    household_code: str = ""
    explanation: str = ""


def non_fitting_rows(outcome: ComplianceOutcome, *, with_households: bool) -> list[NonFittingRow]:
    """The year's non-fitting lettings: letting id and recorded reason; the municipality, the household and the
    engine's explanation (which names the income) only for roles that may see single households."""
    rows = []
    for item in outcome.report.total.non_fitting:
        household = outcome.facts.households.get(item.letting_id) if with_households else None
        rows.append(
            NonFittingRow(
                letting_id=item.letting_id,
                municipality=outcome.municipality_name(item.municipality) if with_households else "",
                exception_reason=exception_label(item.exception_reason),
                household_pk=household[0] if household else None,
                household_code=household[1] if household else "",
                explanation=(decision_text(item) or item.reason) if with_households else "",
            )
        )
    return rows


def non_fitting_columns(*, with_households: bool) -> list[Column]:
    # Analysts see the letting and the recorded reason only (docs/rules/compliance-report.md).
    columns = [
        Column(gettext_lazy("Letting (contract code)"), "letting_id"),
        Column(gettext_lazy("Exception reason"), "exception_reason"),
    ]
    if with_households:
        columns += [
            Column(gettext_lazy("Municipality"), "municipality"),
            Column(gettext_lazy("Household code"), "household_code"),
            Column(gettext_lazy("Why it did not fit"), "explanation"),
        ]
    return columns


def fallback_lines(outcome: ComplianceOutcome) -> list[tuple[str, int]]:
    """(what was filled in, how many lettings) for each fact at start that fell back to a current value."""
    return [(str(FALLBACK_LABELS[name]), count) for name, count in outcome.facts.fallbacks.items() if count]
