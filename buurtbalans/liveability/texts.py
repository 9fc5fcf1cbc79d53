"""Words for the monitor's figures: indicator rows with value, norm and trend, and the reasons of a warning."""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buurtbalans.core.figures import SMALL_CELL_TEXT, Cell
from buurtbalans.core.formatting import format_number, format_score, round_half_up
from buurtbalans.engine.vitality import IndicatorRule
from buurtbalans.liveability.indicators import GROUP_LABELS, INDICATORS, TREND_LABELS, format_value

# Indicators that are a share of a complex's households. Under the small-cell rule of the steering pages
# (`steering.reasons.Cell`: for users who may not read markers) a share standing for fewer than 5 households is
# shown as "< 5", and its trend, sub-score and exact value in warnings are left out.
HOUSEHOLD_SHARE_KEYS = ("vulnerable_share", "primary_share", "arrears_share")


def small_cell_keys(row, protected: bool) -> frozenset[str]:
    """The household-share indicators of a vitality row (one complex, one date) that stand for fewer than 5
    households, for a user under the small-cell rule; none for a user who may read markers."""
    if not protected or row is None:
        return frozenset()
    households = getattr(row, "household_count", 0) or 0
    values = getattr(row, "values", None) or {}
    return frozenset(
        key for key in HOUSEHOLD_SHARE_KEYS
        if values.get(key) is not None and Cell(round(values[key] * households), households, True).is_suppressed
    )


def direction_text(key: str) -> str:
    indicator = INDICATORS[key]
    return str(_("higher is better") if indicator.direction == "higher" else _("lower is better"))


def change_text(key: str, change: float | None) -> str:
    if change is None:
        return "–"
    text = format_value(key, abs(change))
    return f"+{text}" if change >= 0 else f"−{text}"


def _below_text(value, threshold) -> str:
    """A score that warns for being below `threshold`, as the rounding rule writes it ("58"); with the decimals
    that keep it below when the whole number would be the threshold itself (59.7 is "59,7", not "60, below 60")."""
    if value is None or threshold is None or value >= threshold:
        return format_score(value)
    for decimals in range(0, 4):
        if round_half_up(value, decimals) < round_half_up(threshold, decimals):
            return format_number(value, decimals)
    return format_number(value, 3)


def warning_line(warning: dict, hidden: frozenset[str] = frozenset()) -> str:
    """One reason of a warning, as a sentence; without the value for an indicator in `hidden` (small cells)."""
    kind = warning.get("kind")
    if kind == "past_warning_level":
        key = warning["key"]
        indicator = INDICATORS.get(key)
        label = indicator.label if indicator else key
        if key in hidden:
            return _("%(indicator)s is past the warning level of %(threshold)s.") % {
                "indicator": label, "threshold": format_value(key, warning["threshold"])}
        return _("%(indicator)s is %(value)s, past the warning level of %(threshold)s.") % {
            "indicator": label, "value": format_value(key, warning["value"]),
            "threshold": format_value(key, warning["threshold"]),
        }
    if kind == "low_score":
        return _("The vitality score is %(score)s, below %(threshold)s.") % {
            "score": _below_text(warning["value"], warning["threshold"]),
            "threshold": format_score(warning["threshold"])}
    if kind == "score_drop":
        return _("The vitality score fell by %(drop)s points in a year (warning at %(threshold)s).") % {
            "drop": format_score(warning["value"]), "threshold": format_score(warning["threshold"])}
    if kind == "worsening_indicators":
        labels = ", ".join(str(INDICATORS[k].label).lower() for k in warning.get("keys", []) if k in INDICATORS)
        return _("%(count)s indicators are getting worse: %(labels)s.") % {
            "count": format_number(warning["value"]), "labels": labels}
    return str(kind)


def warning_lines(warnings: list[dict], hidden: frozenset[str] = frozenset()) -> list[str]:
    return [warning_line(w, hidden) for w in warnings or []]


@dataclass(frozen=True)
class IndicatorRow:
    key: str
    label: str
    group: str
    explanation: str
    value: float | None
    value_text: str
    norm_text: str
    warning_text: str
    direction: str
    sub_score: float | None
    weight_share: float
    weight: float
    trend: str
    trend_key: str | None
    change_text: str
    trend_years: str
    is_past_warning: bool
    norm_note: str = ""


def indicator_rows(rules: tuple[IndicatorRule, ...], row, hidden: frozenset[str] = frozenset()) -> list[IndicatorRow]:
    """One row per indicator of a ComplexVitality (or an object with `values`, `parts`, `trends`).

    Indicators in `hidden` (`small_cell_keys`) show "< 5" and no value, sub-score or change; whether they are past
    their warning level still shows.
    """
    rows = []
    parts = getattr(row, "parts", {}) or {}
    trends = getattr(row, "trends", {}) or {}
    for rule in rules:
        indicator = INDICATORS[rule.key]
        value = (row.values or {}).get(rule.key)
        part = parts.get(rule.key, {})
        # The norms that applied when the row was scored (a complex profile may set the composition norms).
        if "norm" in part:
            rule = IndicatorRule(rule.key, rule.direction, rule.weight, part["norm"], rule.tolerance, part["warning"])
        profile = part.get("profile")
        norm_note = ""
        if profile:
            norm_note = (_("from the complex profile") if profile["source"] == "complex"
                         else _("from the corporation's default profile"))
        trend = trends.get(rule.key, {})
        years = ""
        if trend.get("first_year") and trend.get("last_year") and trend["first_year"] != trend["last_year"]:
            years = f"{trend['first_year']}–{trend['last_year']}"
        rows.append(IndicatorRow(
            key=rule.key, label=str(indicator.label), group=str(GROUP_LABELS[indicator.group]),
            explanation=str(indicator.explanation), value=value, value_text=format_value(rule.key, value),
            norm_text=format_value(rule.key, rule.norm),
            warning_text=format_value(rule.key, rule.warning) if rule.warning is not None else "–",
            direction=direction_text(rule.key), sub_score=part.get("sub_score"),
            weight_share=part.get("weight_share") or 0.0, weight=rule.weight,
            trend=str(TREND_LABELS.get(trend.get("direction"), TREND_LABELS[None])), trend_key=trend.get("direction"),
            change_text=change_text(rule.key, trend.get("change")), trend_years=years,
            is_past_warning=value is not None and rule.is_past_warning(value), norm_note=str(norm_note),
        ))
        if rule.key in hidden:
            rows[-1] = replace(rows[-1], value=None, value_text=SMALL_CELL_TEXT, sub_score=None, change_text="–")
    return rows


# The low-income measures of the focus ranking (liveability.focus.LOW_INCOME_KEYS) in the reader's language; the
# command line writes focus.LOW_INCOME_DEFINITIONS (English) with the key.
LOW_INCOME_LABELS = {
    "low_income_households_share": gettext_lazy("CBS: share of households with a low income"),
    "social_minimum_households_share": gettext_lazy("CBS: share of households up to 105% of the social minimum"),
    "pct_hh_onder_105_sociaal_minimum": gettext_lazy(
        "municipal table: share of households below 105% of the social minimum"),
}
