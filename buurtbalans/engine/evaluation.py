"""Did an intervention work? Difference-in-differences against matched comparison complexes (issue 16, part A).

The file contract `buurtbalans.evaluation/1` (a panel) and `buurtbalans.evaluation-result/1` (the estimate), in
docs/evaluation.md. `parse_panel(document)` checks a parsed JSON document and returns a frozen `Panel`, or raises
`EvaluationError` naming every problem; `evaluate(panel, k=3, bootstrap=999, seed=0)` returns an `Evaluation`;
`result_document(evaluation)` is the result as the contract's JSON object. Pure Python and numpy.

The method, step by step (after Abadie & Imbens 2006 for matching with replacement, and Heckman, Ichimura & Todd
1997 for difference-in-differences matching; the bootstrap as in Efron & Tibshirani 1993, ch. 13):

1. Years. The pre-period is every year before `start_year` in which every treated unit has a value, the
   post-period every year from `start_year` on in which every treated unit has a value. A control is eligible only
   with a value in each of those years; a control with a gap is left out (`excluded_controls`), never filled in.
2. Features per unit: the pre-period mean, the pre-period OLS slope (only with 2 or more pre years) and each
   covariate. Each feature is standardised by its standard deviation over the treated and eligible controls (a
   feature that does not vary is left out).
3. Matching: for each treated unit the `k` eligible controls nearest in Euclidean distance over the standardised
   features, with replacement (a control may serve several treated units); ties go to the lower id.
4. Estimate: per treated unit d = (post mean - pre mean) - mean over its matched controls of (post mean - pre mean);
   the estimate is the mean of d over the treated units.
5. Interval: the 90 % percentile bootstrap, resampling treated units (each with its matched controls) `bootstrap`
   times from a numpy Generator seeded with `seed`, so the same panel and seed give the same numbers.
6. Pre-trend check: per treated unit the pre-period slope minus the mean slope of its matched controls, averaged,
   with an interval from the same bootstrap samples; `pre_trend_warning` when that interval excludes 0.
7. Warnings: fewer than 5 treated units or fewer than 10 distinct matched controls (`too_few_matches_warning`).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np

from buurtbalans.engine.jsonfields import Fields

PANEL_FORMAT = "buurtbalans.evaluation/1"
RESULT_FORMAT = "buurtbalans.evaluation-result/1"
TOP_KEYS = ("format", "outcome", "start_year", "units")
TOP_OPTIONAL = ("description",)
UNIT_KEYS = ("id", "treated", "covariates", "values")
UNIT_OPTIONAL = ("name",)
DEFAULT_K = 3
DEFAULT_BOOTSTRAP = 999
LEVEL = 0.9
MIN_TREATED = 5
MIN_DISTINCT_CONTROLS = 10
MIN_YEAR, MAX_YEAR = 1900, 2200
MAX_UNITS = 200_000
MAX_BOOTSTRAP = 100_000
MAX_K = 50
MAX_SEED = 2**63 - 1
MAX_ABS_VALUE = 1e12
YEAR_TEXT = re.compile(r"^\d{4}$")
# Decimals kept in the result: far below any outcome's meaning, and the same text on every platform.
DECIMALS = 6

# Warning codes in the result's `warnings` (docs/evaluation.md says what each means for a reader).
WARNING_TOO_FEW_TREATED = "too_few_treated"
WARNING_TOO_FEW_CONTROLS = "too_few_controls"
WARNING_PRE_TREND = "pre_trend_differs"
WARNING_PRE_TREND_UNCHECKED = "pre_trend_not_checked"  # only one pre year: no slope
WARNING_CONTROLS_EXCLUDED = "controls_excluded"  # controls with a gap in the years used


class EvaluationError(ValueError):
    """The panel is refused; `problems` lists every problem as "path: message"."""

    def __init__(self, problems: list[str] | tuple[str, ...]):
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)


@dataclass(frozen=True)
class Unit:
    """One complex (or any unit) of the panel: treated or not, its covariates and its outcome per year."""

    unit_id: str
    treated: bool
    covariates: Mapping[str, float]
    values: Mapping[int, float]
    name: str | None = None


@dataclass(frozen=True)
class Panel:
    """A panel: the outcome's name, the year every treated unit starts, and the units."""

    outcome: str
    start_year: int
    units: tuple[Unit, ...]
    description: str | None = None


@dataclass(frozen=True)
class Evaluation:
    """The result of `evaluate`.

    Attributes:
        estimate, ci_low, ci_high: the difference-in-differences and its percentile interval at `level`.
        pre_trend_difference, pre_trend_low, pre_trend_high: mean pre-period slope of the treated minus that of
            their matched controls, with its interval; None with a single pre year.
        treated: the treated unit ids, in panel order.
        matched_controls: per treated id its k control ids, nearest first.
        series: per year (pre and post years) the mean of the treated and of their matched controls (each treated
            unit's controls averaged first, so a control counts as often as it is matched).
    """

    outcome: str
    start_year: int
    estimate: float
    ci_low: float
    ci_high: float
    level: float
    pre_trend_warning: bool
    too_few_matches_warning: bool
    warnings: tuple[str, ...]
    treated: tuple[str, ...]
    matched_controls: Mapping[str, tuple[str, ...]]
    distances: Mapping[str, tuple[float, ...]]
    pre_years: tuple[int, ...]
    post_years: tuple[int, ...]
    pre_trend_difference: float | None
    pre_trend_low: float | None
    pre_trend_high: float | None
    excluded_controls: tuple[str, ...]
    series_years: tuple[int, ...]
    series_treated: tuple[float, ...]
    series_controls: tuple[float, ...]
    k: int
    bootstrap: int
    seed: int
    features: tuple[str, ...] = field(default=())


# --- readers: each returns the value or raises ValueError with the message ---------------------------------------


def _shown(value: Any) -> str:
    return json.dumps(value, default=str)[:40]


def _number(value: Any) -> float:
    """A finite number (int, float or Decimal as JSON gives it); a string or a boolean is refused."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError(f"must be a number, not {_shown(value)}")
    number = float(value)
    if not math.isfinite(number) or abs(number) > MAX_ABS_VALUE:
        raise ValueError(f"must be a finite number of at most {MAX_ABS_VALUE:g} in size, not {_shown(value)}")
    return number


def _year(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not MIN_YEAR <= value <= MAX_YEAR:
        raise ValueError(f"must be a year between {MIN_YEAR} and {MAX_YEAR}, not {_shown(value)}")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"must be a non-empty string, not {_shown(value)}")
    return value


def _bool(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, not {_shown(value)}")
    return value


def _year_key(key: Any) -> int | None:
    """A year of `values`: "2021" as JSON writes it, or 2021 from a Python caller."""
    if isinstance(key, int) and not isinstance(key, bool):
        year = key
    elif isinstance(key, str) and YEAR_TEXT.match(key):
        year = int(key)
    else:
        return None
    return year if MIN_YEAR <= year <= MAX_YEAR else None


# --- the document ------------------------------------------------------------------------------------------------


def parse_panel(document: Any) -> Panel:
    """Check a parsed `buurtbalans.evaluation/1` document and build the `Panel`.

    Checks (all of them, every problem listed): the format; outcome; start_year; each unit's id (non-empty, unique),
    treated (true/false), covariates (an object of numbers, the same names on every unit), values (an object of
    year -> number; null is a year without a value); at least one treated and one control unit; every treated unit
    with a value before start_year and one from start_year on.

    Raises:
        EvaluationError: with every problem, when there is any.
    """
    problems: list[str] = []
    top = Fields("", document, TOP_KEYS, problems, optional=TOP_OPTIONAL, document="panel")
    if not top.readable:
        raise EvaluationError(problems)
    fmt = top.value.get("format")
    if "format" in top.value and fmt != PANEL_FORMAT:
        problems.append(f'format: must be "{PANEL_FORMAT}", not {_shown(fmt)}')
    outcome = top.get("outcome", _text)
    start_year = top.get("start_year", _year)
    description = top.get("description", _text)
    units = _units(problems, top.value.get("units"), start_year) if "units" in top.value else []
    if problems:
        raise EvaluationError(problems)
    return Panel(outcome=outcome, start_year=start_year, units=tuple(units), description=description)


def _units(problems: list[str], value: Any, start_year: int | None) -> list[Unit]:
    if not isinstance(value, list):
        problems.append("units: must be a list [...]")
        return []
    if len(value) > MAX_UNITS:
        problems.append(f"units: at most {MAX_UNITS:,} units, not {len(value):,}")
        return []
    units: list[Unit] = []
    seen: dict[str, int] = {}
    first_covariates: tuple[int, tuple[str, ...]] | None = None  # (index, names) of the first unit with covariates
    for i, raw in enumerate(value):
        where = f"units[{i}]"
        fields = Fields(where, raw, UNIT_KEYS, problems, optional=UNIT_OPTIONAL)
        if not fields.readable:
            continue
        unit_id = fields.get("id", _text)
        if unit_id is not None:
            if unit_id in seen:
                problems.append(f'{where}.id: "{unit_id}" also at units[{seen[unit_id]}]')
            seen.setdefault(unit_id, i)
        treated = fields.get("treated", _bool)
        name = fields.get("name", _text)
        covariates = _covariates(problems, f"{where}.covariates", fields.value.get("covariates"))
        if covariates is not None:
            first_covariates = first_covariates or (i, tuple(sorted(covariates)))
            _same_covariates(problems, where, covariates, first_covariates)
        values = _values(problems, f"{where}.values", fields.value.get("values")) if "values" in fields.value else None
        if treated and values is not None and start_year is not None:
            _treated_years(problems, f"{where}.values", values, start_year)
        if unit_id is not None and treated is not None and covariates is not None and values is not None:
            units.append(Unit(unit_id, treated, covariates, values, name))
    _whole_panel(problems, value, units, start_year)
    return units


def _whole_panel(problems: list[str], value: list, units: list[Unit], start_year: int | None) -> None:
    """Problems of the panel as a whole: a treated and a control unit, and a start year inside the treated data."""
    readable = [raw for raw in value if isinstance(raw, dict)]
    if not any(raw.get("treated") is True for raw in readable):
        problems.append("units: no treated unit (a unit with \"treated\": true)")
    if not any(raw.get("treated") is False for raw in readable):
        problems.append("units: no control unit (a unit with \"treated\": false)")
    years = {year for unit in units if unit.treated for year in unit.values}
    if start_year is not None and years and start_year <= min(years):
        problems.append(f"start_year: {start_year} leaves no pre-period (the first year of the treated units is "
                        f"{min(years)})")
    if start_year is not None and years and start_year > max(years):
        problems.append(f"start_year: {start_year} is after the last year of the treated units ({max(years)})")


def _same_covariates(problems: list[str], where: str, covariates: dict[str, float],
                     first: tuple[int, tuple[str, ...]]) -> None:
    """Every unit has the covariates of the first unit that has any: matching compares them."""
    index, names = first
    missing = sorted(set(names) - set(covariates))
    more = sorted(set(covariates) - set(names))
    said = [f"missing {', '.join(missing)}"] if missing else []
    said += [f"{', '.join(more)} not on units[{index}]"] if more else []
    if said:
        problems.append(f"{where}.covariates: every unit needs the same covariates ({'; '.join(said)})")


def _treated_years(problems: list[str], where: str, values: dict[int, float], start_year: int) -> None:
    if not any(year < start_year for year in values):
        problems.append(f"{where}: a treated unit needs a value before start_year {start_year}")
    if not any(year >= start_year for year in values):
        problems.append(f"{where}: a treated unit needs a value in or after start_year {start_year}")


def _covariates(problems: list[str], where: str, value: Any) -> dict[str, float] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        problems.append(f"{where}: must be an object {{name: number}}")
        return None
    covariates, good = {}, True
    for name, raw in value.items():
        try:
            covariates[str(name)] = _number(raw)
        except ValueError as exc:
            problems.append(f"{where}.{name}: {exc}")
            good = False
    return covariates if good else None


def _values(problems: list[str], where: str, value: Any) -> dict[int, float] | None:
    if not isinstance(value, dict):
        problems.append(f"{where}: must be an object {{year: number}}")
        return None
    values, good = {}, True
    for key, raw in value.items():
        year = _year_key(key)
        if year is None:
            problems.append(f"{where}: {_shown(key)} is not a year between {MIN_YEAR} and {MAX_YEAR}")
            good = False
            continue
        if raw is None:  # no value that year: a gap
            continue
        try:
            values[year] = _number(raw)
        except ValueError as exc:
            problems.append(f"{where}.{key}: {exc}")
            good = False
    return dict(sorted(values.items())) if good else None


# --- the estimate ------------------------------------------------------------------------------------------------


def _slopes(matrix: np.ndarray, years: np.ndarray) -> np.ndarray:
    """The OLS slope of each row of `matrix` (units x years) on `years`."""
    centred = years - years.mean()
    return (matrix - matrix.mean(axis=1, keepdims=True)) @ centred / float(centred @ centred)


def _percentiles(samples: np.ndarray, level: float) -> tuple[float, float]:
    tail = (1 - level) / 2
    low, high = np.quantile(samples, [tail, 1 - tail])
    return float(low), float(high)


def _control_weights(rng: np.random.Generator, nearest: np.ndarray, n_controls: int, bootstrap: int) -> np.ndarray:
    """Per bootstrap sample a Bayesian-bootstrap weight (exponential, mean 1) of each control (B x controls).

    Only controls that are matched get a weight drawn (the rest are never read), so a pool of 10,000 controls with
    60 matched costs B x 60 draws.
    """
    weights = np.ones((bootstrap, n_controls))
    matched = np.unique(nearest)
    weights[:, matched] = rng.exponential(size=(bootstrap, matched.size))
    return weights


def _resampled(treated: np.ndarray, controls: np.ndarray, nearest: np.ndarray, samples: np.ndarray,
               weights: np.ndarray) -> np.ndarray:
    """The mean difference of each bootstrap sample.

    Treated units are drawn with their matched controls, whose mean is weighted by the sample's control weights (so
    a control matched to many treated units moves them all at once).
    """
    matched = nearest[samples]  # B x n x k control indices
    w = np.take_along_axis(weights[:, None, :], matched, axis=2)  # B x n x k
    counterfactual = (w * controls[matched]).sum(axis=2) / w.sum(axis=2)
    return (treated[samples] - counterfactual).mean(axis=1)


def option_problems(*, k: int, bootstrap: int, seed: int, level: float = LEVEL) -> list[str]:
    """What is wrong with the options of `evaluate` (the command reports them with the panel's problems)."""
    problems = []
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:
        problems.append(f"k: must be a whole number between 1 and {MAX_K}, not {k}")
    if isinstance(bootstrap, bool) or not isinstance(bootstrap, int) or not 1 <= bootstrap <= MAX_BOOTSTRAP:
        problems.append(f"bootstrap: must be a whole number between 1 and {MAX_BOOTSTRAP:,}, not {bootstrap}")
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed <= MAX_SEED:
        problems.append(f"seed: must be a whole number of 0 or more, not {seed}")
    if not 0 < level < 1:
        problems.append(f"level: must lie between 0 and 1, not {level}")
    return problems


def _standardised_features(units: list[Unit], pre: np.ndarray, slope: np.ndarray | None
                           ) -> tuple[np.ndarray, tuple[str, ...]]:
    """The matching features (pre mean, pre slope, covariates by name) divided by their standard deviation.

    The deviation is taken over `units`; a feature that does not vary is left out. Returns the matrix (units x
    features) and the names of the features used.
    """
    names = ["pre_mean"] + (["pre_slope"] if slope is not None else [])
    columns = [pre.mean(axis=1)] + ([slope] if slope is not None else [])
    for name in sorted(units[0].covariates):
        names.append(name)
        columns.append(np.array([u.covariates[name] for u in units], dtype=float))
    features = np.column_stack(columns)
    spread = features.std(axis=0)
    varies = spread > 1e-12 * np.maximum(1.0, np.abs(features).max(axis=0))
    standard = (features[:, varies] - features[:, varies].mean(axis=0)) / spread[varies]
    return standard, tuple(n for n, v in zip(names, varies, strict=True) if v)


def _nearest(standard: np.ndarray, n_treated: int, control_ids: list[str], k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per treated unit (the first n_treated rows) the indices of its k nearest controls and all distances."""
    n_controls = len(control_ids)
    if standard.shape[1]:
        diff = standard[:n_treated, None, :] - standard[None, n_treated:, :]
        distance = np.sqrt((diff**2).sum(axis=2))
    else:
        distance = np.zeros((n_treated, n_controls))
    # Ties go to the lower id: sort the controls by id once, then a stable sort on distance keeps that order.
    by_id = np.argsort(np.array(control_ids, dtype=object), kind="stable")
    nearest = by_id[np.argsort(distance[:, by_id], axis=1, kind="stable")[:, :k]]
    return nearest, distance


def evaluate(panel: Panel, *, k: int = DEFAULT_K, bootstrap: int = DEFAULT_BOOTSTRAP, seed: int = 0,
             level: float = LEVEL) -> Evaluation:
    """The difference-in-differences of the treated units against their matched controls (steps in the module doc).

    Args:
        panel: a checked panel (parse_panel).
        k: matched controls per treated unit (with replacement); fewer when fewer controls are eligible.
        bootstrap: bootstrap samples of the treated units.
        seed: the seed of the numpy Generator that draws the bootstrap samples.
        level: the interval's coverage (0.9 in the contract).

    Returns:
        The Evaluation.

    Raises:
        EvaluationError: no year all treated units share before or from start_year, or no control with a value in
            every year used; or k, bootstrap, seed or level out of range.
    """
    problems = option_problems(k=k, bootstrap=bootstrap, seed=seed, level=level)
    treated = [u for u in panel.units if u.treated]
    controls = [u for u in panel.units if not u.treated]
    shared = set.intersection(*(set(u.values) for u in treated)) if treated else set()
    pre_years = tuple(sorted(y for y in shared if y < panel.start_year))
    post_years = tuple(sorted(y for y in shared if y >= panel.start_year))
    if not pre_years:
        problems.append(f"units: no year before start_year {panel.start_year} in which every treated unit has a value")
    if not post_years:
        problems.append(f"units: no year from start_year {panel.start_year} on in which every treated unit has a value")
    years = pre_years + post_years
    eligible = [u for u in controls if all(y in u.values for y in years)]
    kept = {u.unit_id for u in eligible}
    excluded = tuple(u.unit_id for u in controls if u.unit_id not in kept)
    if pre_years and post_years and not eligible:
        problems.append(f"units: no control unit has a value in every year used ({', '.join(map(str, years))})")
    if problems:
        raise EvaluationError(problems)

    n_pre = len(pre_years)
    units = treated + eligible
    matrix = np.array([[u.values[y] for y in years] for u in units], dtype=float)
    pre, post = matrix[:, :n_pre], matrix[:, n_pre:]
    change = post.mean(axis=1) - pre.mean(axis=1)
    slope = _slopes(pre, np.array(pre_years, dtype=float)) if n_pre >= 2 else None

    standard, used_features = _standardised_features(units, pre, slope)
    n_treated, n_controls = len(treated), len(eligible)
    kk = min(k, n_controls)
    nearest, distance = _nearest(standard, n_treated, [u.unit_id for u in eligible], kk)

    control_change = change[n_treated:]
    per_treated = change[:n_treated] - control_change[nearest].mean(axis=1)
    estimate = float(per_treated.mean())
    rng = np.random.default_rng(seed)
    samples = rng.integers(0, n_treated, size=(bootstrap, n_treated))
    weights = _control_weights(rng, nearest, n_controls, bootstrap)
    ci_low, ci_high = _percentiles(_resampled(change[:n_treated], control_change, nearest, samples, weights), level)

    trend = trend_low = trend_high = None
    pre_trend_warning = False
    if slope is not None:
        per_trend = slope[:n_treated] - slope[n_treated:][nearest].mean(axis=1)
        trend = float(per_trend.mean())
        trend_low, trend_high = _percentiles(
            _resampled(slope[:n_treated], slope[n_treated:], nearest, samples, weights), level
        )
        # A tolerance for rounding: identical slopes give an interval of exactly 0 that may land at +-1e-16.
        tolerance = 1e-9 * max(1.0, float(np.abs(slope).max()))
        pre_trend_warning = trend_low > tolerance or trend_high < -tolerance

    distinct = len(set(nearest.ravel().tolist()))
    warnings = [
        code for code, applies in (
            (WARNING_TOO_FEW_TREATED, n_treated < MIN_TREATED),
            (WARNING_TOO_FEW_CONTROLS, distinct < MIN_DISTINCT_CONTROLS),
            (WARNING_PRE_TREND, pre_trend_warning),
            (WARNING_PRE_TREND_UNCHECKED, slope is None),
            (WARNING_CONTROLS_EXCLUDED, bool(excluded)),
        ) if applies
    ]

    series_treated = matrix[:n_treated].mean(axis=0)
    series_controls = matrix[n_treated:][nearest].mean(axis=1).mean(axis=0)
    return Evaluation(
        outcome=panel.outcome,
        start_year=panel.start_year,
        estimate=estimate,
        ci_low=ci_low,
        ci_high=ci_high,
        level=level,
        pre_trend_warning=pre_trend_warning,
        too_few_matches_warning=n_treated < MIN_TREATED or distinct < MIN_DISTINCT_CONTROLS,
        warnings=tuple(warnings),
        treated=tuple(u.unit_id for u in treated),
        matched_controls={
            u.unit_id: tuple(eligible[j].unit_id for j in row) for u, row in zip(treated, nearest, strict=True)
        },
        distances={
            u.unit_id: tuple(float(distance[i, j]) for j in row)
            for i, (u, row) in enumerate(zip(treated, nearest, strict=True))
        },
        pre_years=pre_years,
        post_years=post_years,
        pre_trend_difference=trend,
        pre_trend_low=trend_low,
        pre_trend_high=trend_high,
        excluded_controls=excluded,
        series_years=years,
        series_treated=tuple(float(v) for v in series_treated),
        series_controls=tuple(float(v) for v in series_controls),
        k=kk,
        bootstrap=bootstrap,
        seed=seed,
        features=used_features,
    )


# --- the result document -----------------------------------------------------------------------------------------


def _rounded(value: float | None) -> float | None:
    if value is None:
        return None
    number = round(value, DECIMALS)
    return 0.0 if number == 0 else number  # no "-0.0" in the file


def result_document(evaluation: Evaluation) -> dict[str, Any]:
    """The `buurtbalans.evaluation-result/1` object: the contract's keys first, then the extra keys."""
    return {
        "format": RESULT_FORMAT,
        "estimate": _rounded(evaluation.estimate),
        "ci_low": _rounded(evaluation.ci_low),
        "ci_high": _rounded(evaluation.ci_high),
        "level": evaluation.level,
        "pre_trend_warning": evaluation.pre_trend_warning,
        "treated": list(evaluation.treated),
        "matched_controls": {t: list(c) for t, c in evaluation.matched_controls.items()},
        # Extra keys (the contract allows them): docs/evaluation.md.
        "outcome": evaluation.outcome,
        "start_year": evaluation.start_year,
        "too_few_matches_warning": evaluation.too_few_matches_warning,
        "warnings": list(evaluation.warnings),
        "pre_years": list(evaluation.pre_years),
        "post_years": list(evaluation.post_years),
        "pre_trend": {
            "difference": _rounded(evaluation.pre_trend_difference),
            "ci_low": _rounded(evaluation.pre_trend_low),
            "ci_high": _rounded(evaluation.pre_trend_high),
        },
        "match_distances": {t: [_rounded(d) for d in ds] for t, ds in evaluation.distances.items()},
        "matched_on": list(evaluation.features),
        "excluded_controls": list(evaluation.excluded_controls),
        "series": [
            {"year": year, "treated": _rounded(t), "controls": _rounded(c)}
            for year, t, c in zip(
                evaluation.series_years, evaluation.series_treated, evaluation.series_controls, strict=True
            )
        ],
        "k": evaluation.k,
        "bootstrap": evaluation.bootstrap,
        "seed": evaluation.seed,
    }


def panel_document(panel: Panel) -> dict[str, Any]:
    """The panel as a `buurtbalans.evaluation/1` object (what the evaluation page offers for download)."""
    document: dict[str, Any] = {"format": PANEL_FORMAT, "outcome": panel.outcome, "start_year": panel.start_year}
    if panel.description:
        document["description"] = panel.description
    units = []
    for unit in panel.units:
        row: dict[str, Any] = {"id": unit.unit_id}
        if unit.name:
            row["name"] = unit.name
        row |= {
            "treated": unit.treated,
            "covariates": dict(unit.covariates),
            "values": {str(year): value for year, value in sorted(unit.values.items())},
        }
        units.append(row)
    document["units"] = units
    return document


def dump(document: dict[str, Any]) -> str:
    """The document as text: indented JSON, keys in contract order, ending in a newline."""
    return json.dumps(document, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
