"""Vitality of a complex: a transparent composite of indicators, their trends and the early-warning rules.

Pure Python (no Django, no clock): the caller passes the indicator rules (weights and norms, which the corporation
sets), the values and the yearly series. The method is documented in docs/monitor.md; in short:

1. **Sub-score per indicator** (0-100). Each indicator has a norm and a direction (higher or lower is better). A
   value at the norm or on its good side scores 100. On the bad side the score falls in a straight line and reaches
   0 at `norm ± tolerance` (`tolerance` is "how far past the norm counts as entirely bad"); further out it stays 0.
   The rule is a clamped linear function, so a reader can check every sub-score by hand.
2. **Composite score** (0-100): the weighted mean of the sub-scores of the indicators whose value is known. The
   weights are normalised over those indicators, so a missing figure neither counts as good nor as bad, and
   multiplying every weight by the same number changes nothing. With no known (weighted) indicator the score is
   None ("not computable"), never 0.
3. **Trend per indicator**: the least-squares slope through the yearly values, times the span of years: the change
   over the period. It is "better" or "worse" (in the indicator's direction) when that change is larger than
   `stable_share` of the indicator's tolerance, else "stable"; with fewer than two years it is unknown.
4. **Early warning**: a complex is on the list when any of these holds, each giving a reason:
   a. an indicator is past its warning level (on the bad side);
   b. the composite score is below `min_score`;
   c. the composite score fell by at least `score_drop` since the previous measurement;
   d. at least `worsening_count` indicators that count (weight > 0) have a worsening trend (the slide RIGO
      describes before a tipping point).

Source of the approach: the Leefbaarometer's own construction (a weighted sum of standardised indicators around a
national norm) and the tipping-point notion in RIGO's research for the sector; the weights and norms are the
corporation's choice, with documented defaults.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum


class Direction(StrEnum):
    """Which way an indicator is better: a higher value (liveability score) or a lower one (turnover rate)."""

    HIGHER_IS_BETTER = "higher"
    LOWER_IS_BETTER = "lower"


class TrendDirection(StrEnum):
    """An indicator's trend in its own direction; stable within `stable_share` of its tolerance (step 3)."""

    BETTER = "better"
    STABLE = "stable"
    WORSE = "worse"


class WarningKind(StrEnum):
    """The four early-warning rules a, b, c and d of the module docstring (step 4), in that order."""

    PAST_WARNING_LEVEL = "past_warning_level"
    LOW_SCORE = "low_score"
    SCORE_DROP = "score_drop"
    WORSENING_INDICATORS = "worsening_indicators"


@dataclass(frozen=True)
class IndicatorRule:
    """How one indicator counts.

    Attributes:
        key: the indicator's key ("turnover_rate").
        direction: whether a higher value is better or worse.
        weight: its weight in the composite (>= 0; 0 shows it without letting it count).
        norm: the value at which the indicator is still entirely fine.
        tolerance: how far past the norm (on the bad side) the sub-score reaches 0; > 0.
        warning: the value past which (on the bad side) the complex gets a warning; None for none.
    """

    key: str
    direction: Direction
    weight: float
    norm: float
    tolerance: float
    warning: float | None = None

    def __post_init__(self):
        """Refuse a rule that cannot score: a negative weight or a tolerance that is not positive.

        Raises:
            ValueError: naming the indicator.
        """
        if self.weight < 0:
            raise ValueError(f"{self.key}: weight must not be negative")
        if not self.tolerance > 0:
            raise ValueError(f"{self.key}: tolerance must be positive")

    def badness(self, value: float) -> float:
        """How far `value` lies past the norm on the bad side (0 when at or better than the norm)."""
        past = value - self.norm if self.direction is Direction.LOWER_IS_BETTER else self.norm - value
        return max(0.0, past)

    def is_past_warning(self, value: float) -> bool:
        """Whether `value` lies strictly past the warning level on the bad side (rule a); False without a level."""
        if self.warning is None:
            return False
        if self.direction is Direction.LOWER_IS_BETTER:
            return value > self.warning
        return value < self.warning


@dataclass(frozen=True)
class WarningPolicy:
    """The thresholds of the early-warning list (see the module docstring, step 4)."""

    min_score: float = 60.0
    score_drop: float = 10.0
    worsening_count: int = 3
    stable_share: float = 0.25


@dataclass(frozen=True)
class Part:
    """One indicator's share in the composite."""

    key: str
    value: float | None
    sub_score: float | None
    weight_share: float  # the normalised weight (0 when the value is unknown)


@dataclass(frozen=True)
class Composite:
    """The composite score (0-100, step 2; None when no weighted indicator is known) and each indicator's part."""

    score: float | None
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class Trend:
    """An indicator's fitted change from `first_year` to `last_year` and its direction (step 3)."""

    key: str
    change: float | None  # fitted change over the period, in the indicator's unit
    first_year: int | None
    last_year: int | None
    direction: TrendDirection | None  # None: fewer than two years known


@dataclass(frozen=True)
class Warning:
    """One reason a complex is on the early-warning list; `value` and `threshold` are what the rule compared."""

    kind: WarningKind
    key: str | None = None  # the indicator, for PAST_WARNING_LEVEL
    value: float | None = None
    threshold: float | None = None
    keys: tuple[str, ...] = ()  # the worsening indicators, for WORSENING_INDICATORS


@dataclass(frozen=True)
class Assessment:
    """Everything `assess` says about one complex: composite score, trend per indicator key, warnings."""

    composite: Composite
    trends: dict[str, Trend] = field(default_factory=dict)
    warnings: tuple[Warning, ...] = ()

def sub_score(rule: IndicatorRule, value: float | None) -> float | None:
    """100 at or better than the norm, falling linearly to 0 at `tolerance` past it; None when unknown."""
    if value is None:
        return None
    return max(0.0, 100.0 * (1.0 - rule.badness(value) / rule.tolerance))


def composite_score(rules: Sequence[IndicatorRule], values: Mapping[str, float | None]) -> Composite:
    """The weighted mean of the known indicators' sub-scores (weights normalised over the known ones)."""
    known_weight = sum(rule.weight for rule in rules if values.get(rule.key) is not None)
    parts = []
    total = 0.0
    for rule in rules:
        value = values.get(rule.key)
        score = sub_score(rule, value)
        share = rule.weight / known_weight if score is not None and known_weight > 0 else 0.0
        if score is not None:
            total += share * score
        parts.append(Part(rule.key, value, score, share))
    return Composite(round(total, 6) if known_weight > 0 else None, tuple(parts))


def trend(rule: IndicatorRule, points: Sequence[tuple[int, float]], policy: WarningPolicy = WarningPolicy()) -> Trend:
    """The fitted change of an indicator over its yearly values (least squares), and whether it is better or worse.

    Args:
        rule: the indicator's rule (direction and tolerance decide "better", "worse" or "stable").
        points: (year, value) pairs; years need not be consecutive (the Leefbaarometer has 2014, 2018, 2020).
        policy: `stable_share` of the tolerance is the change that still counts as stable.
    """
    known = sorted((year, value) for year, value in points if value is not None)
    if len({year for year, _ in known}) < 2:
        return Trend(rule.key, None, known[0][0] if known else None, known[-1][0] if known else None, None)
    n = len(known)
    mean_year = sum(year for year, _ in known) / n
    mean_value = sum(value for _, value in known) / n
    sxx = sum((year - mean_year) ** 2 for year, _ in known)
    sxy = sum((year - mean_year) * (value - mean_value) for year, value in known)
    first, last = known[0][0], known[-1][0]
    change = sxy / sxx * (last - first)
    better = change > 0 if rule.direction is Direction.HIGHER_IS_BETTER else change < 0
    if abs(change) <= policy.stable_share * rule.tolerance:
        direction = TrendDirection.STABLE
    else:
        direction = TrendDirection.BETTER if better else TrendDirection.WORSE
    return Trend(rule.key, change, first, last, direction)


def assess(
    rules: Sequence[IndicatorRule],
    values: Mapping[str, float | None],
    history: Mapping[str, Sequence[tuple[int, float]]] | None = None,
    *,
    previous_score: float | None = None,
    policy: WarningPolicy = WarningPolicy(),
) -> Assessment:
    """Composite score, trends and warnings of one complex.

    Args:
        rules: the indicator rules (weights, norms, warning levels).
        values: the current value per indicator key (None or absent: unknown).
        history: per indicator key the yearly (year, value) series, the current value included.
        previous_score: the composite score of the previous measurement (a year earlier), for the drop rule.
        policy: the early-warning thresholds.

    Returns:
        The Assessment; its warnings are ordered: indicators past their level (in rule order), low score, drop,
        worsening indicators.
    """
    history = history or {}
    composite = composite_score(rules, values)
    trends = {rule.key: trend(rule, history.get(rule.key, ()), policy) for rule in rules}
    warnings: list[Warning] = []
    for rule in rules:
        value = values.get(rule.key)
        if value is not None and rule.is_past_warning(value):
            warnings.append(Warning(WarningKind.PAST_WARNING_LEVEL, rule.key, value, rule.warning))
    if composite.score is not None and composite.score < policy.min_score:
        warnings.append(Warning(WarningKind.LOW_SCORE, value=composite.score, threshold=policy.min_score))
    if composite.score is not None and previous_score is not None:
        drop = previous_score - composite.score
        if drop >= policy.score_drop:
            warnings.append(Warning(WarningKind.SCORE_DROP, value=drop, threshold=policy.score_drop))
    # Only indicators that count: the Leefbaarometer's dimensions (weight 0 by default) move with its score and
    # would otherwise make one buurt's decline look like several warnings.
    weighted = {rule.key for rule in rules if rule.weight > 0}
    worsening = tuple(
        key for key, t in trends.items() if t.direction is TrendDirection.WORSE and key in weighted
    )
    if policy.worsening_count > 0 and len(worsening) >= policy.worsening_count:
        warnings.append(
            Warning(WarningKind.WORSENING_INDICATORS, value=len(worsening), threshold=policy.worsening_count,
                    keys=worsening)
        )
    return Assessment(composite, trends, tuple(warnings))
