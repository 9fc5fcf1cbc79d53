"""The vitality indicators of a complex: key, label, unit, direction and the default weight and norms.

The corporation can change every weight, norm, tolerance and warning level (`IndicatorSetting`, screen
"Monitor settings"); these are the defaults until it does. docs/monitor.md explains each one and where its default
comes from. Changing a default here changes it for every corporation that has not set its own value.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from buurtbalans.engine.vitality import Direction, IndicatorRule, WarningPolicy

LOWER, HIGHER = Direction.LOWER_IS_BETTER, Direction.HIGHER_IS_BETTER

# The Leefbaarometer 3.0 national average (lbm - afw in every 3.0 row): the natural norm for the score.
LBM_NATIONAL_AVERAGE = 4.1023


@dataclass(frozen=True)
class VitalityIndicator:
    """One indicator of the vitality composite.

    Attributes:
        key: stable key, used in settings, snapshots and exports.
        label: English label (gettext msgid).
        unit: "share" (a fraction shown as %), "per_100", "days" or "score".
        group: "composition", "social", "tenancy" or "public" (for grouping on screen).
        direction: whether higher values are better or worse.
        weight, norm, tolerance, warning: the defaults (see engine.vitality.IndicatorRule).
        explanation: one sentence for the screen: what it measures and over which period.
    """

    key: str
    label: Promise | str
    unit: str
    group: str
    direction: Direction
    weight: float
    norm: float
    tolerance: float
    warning: float | None
    explanation: Promise | str
    decimals: int = 0

    def default_rule(self) -> IndicatorRule:
        return IndicatorRule(self.key, self.direction, self.weight, self.norm, self.tolerance, self.warning)


VITALITY_INDICATORS: tuple[VitalityIndicator, ...] = (
    # Composition against the complex profile: where a profile was decided (steering app, issue 5), its maximum
    # shares are the norms of these two (services._complex_rules); otherwise the norms set here apply.
    VitalityIndicator(
        "vulnerable_share", _("Households with a vulnerability marker"), "share", "composition", LOWER,
        weight=2, norm=0.15, tolerance=0.15, warning=0.25,
        explanation=_("Share of the current households with an active vulnerability marker, against the profile's "
                      "share of households that need some extra attention."),
    ),
    VitalityIndicator(
        "primary_share", _("Households with the lowest incomes"), "share", "composition", LOWER,
        weight=1, norm=0.70, tolerance=0.20, warning=0.85,
        explanation=_("Share of the current households in the primary target group (income at or below the "
                      "income limit for passend toewijzen)."),
    ),
    VitalityIndicator(
        "signals_per_100", _("Signals per 100 dwellings"), "per_100", "social", LOWER,
        weight=2, norm=5, tolerance=15, warning=15, decimals=1,
        explanation=_("Signals of nuisance, neglect, pollution, loneliness and support needs reported in the last "
                      "12 months, per 100 dwellings."),
    ),
    VitalityIndicator(
        "turnover_rate", _("Turnover"), "share", "tenancy", LOWER,
        weight=1, norm=0.08, tolerance=0.10, warning=0.15, decimals=1,
        explanation=_("Tenancies that ended in the last 12 months, as a share of the dwellings (mutatiegraad)."),
    ),
    VitalityIndicator(
        "arrears_share", _("Households in rent arrears"), "share", "tenancy", LOWER,
        weight=1, norm=0.05, tolerance=0.10, warning=0.10, decimals=1,
        explanation=_("Share of the households in rent arrears on the latest arrears date of the last 12 months."),
    ),
    VitalityIndicator(
        "vacancy_days", _("Vacancy duration"), "days", "tenancy", LOWER,
        weight=1, norm=30, tolerance=90, warning=90,
        explanation=_("Average number of days a dwelling stood empty before it was let again, over the lettings "
                      "of the last 12 months."),
    ),
    VitalityIndicator(
        "lbm", _("Leefbaarometer score of the neighbourhood"), "score", "public", HIGHER,
        weight=2, norm=LBM_NATIONAL_AVERAGE, tolerance=0.25, warning=3.95, decimals=3,
        explanation=_("The buurt's Leefbaarometer 3.0 score (latest measurement); the norm is the Dutch average."),
    ),
    # The five dimensions add up to the score's deviation from the average, so by default they carry no weight of
    # their own (that would count the score twice); they are shown, trended and warned on.
    VitalityIndicator(
        "lbm_won", _("Leefbaarometer: dwellings"), "score", "public", HIGHER,
        weight=0, norm=0, tolerance=0.15, warning=-0.15, decimals=3,
        explanation=_("Deviation from the Dutch average for the homes themselves: size, type and age."),
    ),
    VitalityIndicator(
        "lbm_fys", _("Leefbaarometer: physical environment"), "score", "public", HIGHER,
        weight=0, norm=0, tolerance=0.15, warning=-0.15, decimals=3,
        explanation=_("Deviation from the Dutch average for green, water, noise and air."),
    ),
    VitalityIndicator(
        "lbm_vrz", _("Leefbaarometer: amenities"), "score", "public", HIGHER,
        weight=0, norm=0, tolerance=0.15, warning=-0.15, decimals=3,
        explanation=_("Deviation from the Dutch average for shops, schools, doctors and transport nearby."),
    ),
    VitalityIndicator(
        "lbm_soc", _("Leefbaarometer: social cohesion"), "score", "public", HIGHER,
        weight=0, norm=0, tolerance=0.15, warning=-0.15, decimals=3,
        explanation=_("Deviation from the Dutch average for how people live together and how often they move."),
    ),
    VitalityIndicator(
        "lbm_onv", _("Leefbaarometer: nuisance and insecurity"), "score", "public", HIGHER,
        weight=0, norm=0, tolerance=0.15, warning=-0.15, decimals=3,
        explanation=_("Deviation from the Dutch average for crime, nuisance and feeling safe."),
    ),
)
INDICATORS: dict[str, VitalityIndicator] = {indicator.key: indicator for indicator in VITALITY_INDICATORS}
INDICATOR_KEYS: tuple[str, ...] = tuple(INDICATORS)
LEEFBAAROMETER_KEYS: tuple[str, ...] = ("lbm", "lbm_won", "lbm_fys", "lbm_vrz", "lbm_soc", "lbm_onv")

GROUP_LABELS = {
    "composition": _("Composition"),
    "social": _("Social management"),
    "tenancy": _("Tenancies"),
    "public": _("Leefbaarometer"),
}

DEFAULT_POLICY = WarningPolicy()

TREND_LABELS = {
    "better": _("better"),
    "stable": _("stable"),
    "worse": _("worse"),
    None: _("unknown"),
}


def format_value(key: str, value: float | None) -> str:
    """An indicator value for a sentence or a table cell, in the unit the indicator is shown in (rounded half up
    once, `core.formatting`)."""
    from buurtbalans.core.formatting import format_number, format_share

    if value is None:
        return "–"
    indicator = INDICATORS.get(key)
    unit = indicator.unit if indicator else "score"
    decimals = indicator.decimals if indicator else 2
    if unit == "share":
        return format_share(value, decimals)
    if unit == "days":
        return format_number(value, 0)
    return format_number(value, decimals)
