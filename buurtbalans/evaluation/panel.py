"""From the corporation's data to an evaluation panel (`buurtbalans.evaluation/1`), and the evaluation itself.

Reads only (no writes, no audit: aggregates per complex and year). The years of the panel are the years of the
monitor's yearly measurements (`liveability.ComplexVitality`, one row per complex per reference date). The outcome
per complex and year:

- the vitality score, arrears, vacancy duration and the buurt's Leefbaarometer and its dimensions: the monitor's
  measurement (when a complex has two in a year, the later one counts);
- share V (households with a vulnerability marker), share P (households with the lowest incomes), turnover and
  signals per 100 dwellings: counted from the history of the stock and the households (`history.outcomes`: on
  1 January, or in the year), when the history has that figure for the corporation in the panel's years; a
  corporation without history yet gets the monitor's measurement, and the page says which (`BuiltPanel.notes`).
  One source for the whole panel, never mixed per complex or year, so a change of source cannot look like an effect;
- the share of the dwellings the corporation owns: from the history's ownership per year only.

Household shares that stand for fewer than 5 households are left out for a reader under the small-cell rule, as on
the monitor's pages (that year is then a gap for that complex); from the history with the counts behind each share
(`history.outcomes.share_counts_by_year`).

Treated: the complexes with an intervention of the chosen kind that started in the chosen year (or the complex of
one chosen intervention). Controls: the corporation's other complexes without any intervention of that kind that
ran in the years of the panel. Covariates: dwellings, and the buurt's degree of urbanisation (CBS "Mate van
stedelijkheid", 1-5) when every complex has one.
"""

from __future__ import annotations

import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buurtbalans.core.figures import Cell, is_protected
from buurtbalans.core.permissions import Action, require
from buurtbalans.engine import evaluation as engine
from buurtbalans.engine.vitality import Direction
from buurtbalans.evaluation.models import Intervention
from buurtbalans.history import outcomes as history_outcomes
from buurtbalans.history.models import ComplexOwnership
from buurtbalans.liveability.indicators import INDICATORS, VitalityIndicator
from buurtbalans.liveability.models import ComplexVitality
from buurtbalans.liveability.texts import small_cell_keys
from buurtbalans.neighbourhoods.models import PublicIndicator
from buurtbalans.portfolio.models import Complex

# The outcomes an analyst can choose, in the order of the form: the score, then the indicators people ask about.
OUTCOME_KEYS = ("score", "vulnerable_share", "primary_share", "signals_per_100", "turnover_rate", "arrears_share",
                "vacancy_days", "owned_share", "lbm", "lbm_won", "lbm_fys", "lbm_vrz", "lbm_soc", "lbm_onv")
SCORE_LABEL = gettext_lazy("Vitality score")
URBANITY_KEY = "urbanity"
OWNED_SHARE_KEY = "owned_share"
# Not an indicator of the vitality score (no weight or norm there): a figure of the history (issue 16 item 2: sold
# dwellings take away the corporation's means to steer). Described like an indicator so the page's units work.
OWNED_SHARE = VitalityIndicator(
    OWNED_SHARE_KEY, gettext_lazy("Share of dwellings owned by the corporation"), "share", "ownership",
    Direction.HIGHER_IS_BETTER, weight=0, norm=0.5, tolerance=0.5, warning=None,
    explanation=gettext_lazy("Dwellings the corporation owns out of all the complex's dwellings (sold ones "
                             "included), as the history of the ownership says per year."),
)
# The outcomes counted from the history when it has them (see the module), with the history's helper for each.
HISTORY_SOURCES = {
    "vulnerable_share": lambda corporation_id, years: history_outcomes.share_counts_by_year(corporation_id, years, "V"),
    "primary_share": lambda corporation_id, years: history_outcomes.share_counts_by_year(corporation_id, years, "P"),
    "turnover_rate": history_outcomes.turnover_by_year,
    "signals_per_100": history_outcomes.signals_per_100_by_year,
    OWNED_SHARE_KEY: history_outcomes.owned_share_by_year,
}
HISTORY, MONITOR = "history", "monitor"


def outcome_indicator(key: str) -> VitalityIndicator | None:
    """The indicator that says an outcome's unit and decimals; None for the score."""
    return OWNED_SHARE if key == OWNED_SHARE_KEY else INDICATORS.get(key)


def outcome_label(key: str) -> str:
    return str(SCORE_LABEL if key == "score" else outcome_indicator(key).label)


def outcome_choices() -> list[tuple[str, str]]:
    return [(key, outcome_label(key)) for key in OUTCOME_KEYS]


@dataclass(frozen=True)
class BuiltPanel:
    """A panel from the database, with what the page shows beside the engine's result.

    Attributes:
        panel: the engine's panel (unit ids are complex codes, names the complex names).
        complex_pks: per unit id the complex's primary key (for links).
        kind, start_year, outcome: what was asked.
        intervention: the one intervention evaluated, or None for a kind over all complexes that got it that year.
        notes: sentences for the page (where the figures come from, what was left out).
        source: where the outcome's figures come from: "monitor" or "history".
    """

    panel: engine.Panel
    complex_pks: dict[str, int]
    kind: str
    start_year: int
    outcome: str
    intervention: Intervention | None = None
    notes: list[str] = field(default_factory=list)
    source: str = MONITOR


class PanelError(ValueError):
    """Nothing to evaluate; `problems` says why in the reader's language."""

    def __init__(self, problems: list[str]):
        super().__init__("; ".join(problems))
        self.problems = problems


def _monitor_values(user, corporation_id: int, outcome: str) -> dict[int, dict[int, float]]:
    """Per complex id, per year the monitor's value of the outcome (the last measurement of the year)."""
    protected = is_protected(user)
    rows = (ComplexVitality.objects.visible_to(user, Action.VIEW_MONITOR).filter(corporation_id=corporation_id)
            .order_by("complex_id", "reference_date")
            .only("complex_id", "reference_date", "score", "values", "household_count"))
    values: dict[int, dict[int, float]] = defaultdict(dict)
    for row in rows.iterator(chunk_size=2000):
        value = row.score if outcome == "score" else (row.values or {}).get(outcome)
        if value is None or outcome in small_cell_keys(row, protected):
            values[row.complex_id].pop(row.reference_date.year, None)  # a later, unknown measurement of the year
            continue
        values[row.complex_id][row.reference_date.year] = float(value)
    return values


def _panel_years(user, corporation_id: int, outcome: str) -> list[int]:
    """The years of the monitor's measurements; for the owned share also the years of the ownership history."""
    years = set(ComplexVitality.objects.visible_to(user, Action.VIEW_MONITOR).filter(corporation_id=corporation_id)
                .order_by().values_list("reference_date__year", flat=True).distinct())
    if outcome == OWNED_SHARE_KEY:
        years |= set(ComplexOwnership.objects.filter(corporation_id=corporation_id).values_list("year", flat=True))
    return sorted(years)


def _history_values(user, outcome: str, found: dict) -> dict[int, dict[int, float]]:
    """Per complex id, per year the history's value of the outcome (`found`: what its helper returned); a share of
    fewer than 5 households left out for a reader under the small-cell rule (as the monitor's `small_cell_keys`)."""
    if outcome not in ("vulnerable_share", "primary_share"):
        return {cid: {year: float(v) for year, v in per.items()} for cid, per in found.items() if per}
    protected = is_protected(user)
    values: dict[int, dict[int, float]] = {}
    for complex_id, per in found.items():
        shown = {year: count / households for year, (count, households) in per.items()
                 if not Cell(count, households, protected).is_suppressed}
        if shown:
            values[complex_id] = shown
    return values


def _yearly_values(user, corporation_id: int, outcome: str) -> tuple[dict[int, dict[int, float]], str]:
    """Per complex id, per year the outcome's value, and where it comes from ("history" or "monitor")."""
    if outcome in HISTORY_SOURCES:
        years = _panel_years(user, corporation_id, outcome)
        found = HISTORY_SOURCES[outcome](corporation_id, years) if years else {}
        if found or outcome == OWNED_SHARE_KEY:
            return _history_values(user, outcome, found), HISTORY
    return _monitor_values(user, corporation_id, outcome), MONITOR


def _source_note(outcome: str, source: str) -> str | None:
    if outcome not in HISTORY_SOURCES:
        return None
    if source == HISTORY:
        return _("This figure is counted from the history of the dwellings and households, per year.")
    return _("There is no history of the dwellings and households for these years yet: this figure is the "
             "monitor's yearly measurement.")


def _sold_note(corporation_id: int, complexes: list[Complex], years: list[int]) -> str | None:
    """A note naming the panel's complexes whose owned share fell in the panel's years (other households after)."""
    if not years:
        return None
    owned = history_outcomes.owned_share_by_year(corporation_id, years)
    sold = [c.name or c.external_id for c in complexes
            if len(per := owned.get(c.pk, {})) > 1 and min(per.values()) < per[min(per)] - 1e-9]
    if not sold:
        return None
    return _("Dwellings were sold in these years in %(count)s of these complexes (%(names)s): after a sale other "
             "households are counted. Check whether they should be compared.") % {
        "count": len(sold), "names": ", ".join(sold[:5]) + (", …" if len(sold) > 5 else "")}


def _covariates(complexes: list[Complex], dwellings: dict[int, int]) -> tuple[dict[int, dict[str, float]], list[str]]:
    """Per complex its covariates; the urbanity only when every complex's buurt has one."""
    codes = {c.pk: c.neighbourhood.cbs_code for c in complexes if c.neighbourhood_id}
    urbanity: dict[str, float] = {}
    for area, value in (PublicIndicator.objects.filter(key=URBANITY_KEY, area_code__in=set(codes.values()))
                        .order_by("area_code", "year").values_list("area_code", "value")):
        urbanity[area] = value  # the latest year wins
    with_urbanity = bool(complexes) and all(codes.get(c.pk) in urbanity for c in complexes)
    notes = [] if with_urbanity else [_("The degree of urbanisation of the buurt is not known for every complex; "
                                        "complexes are compared without it.")]
    covariates = {}
    for c in complexes:
        row = {"dwellings": float(dwellings.get(c.pk, 0))}
        if with_urbanity:
            row[URBANITY_KEY] = urbanity[codes[c.pk]]
        covariates[c.pk] = row
    return covariates, notes


def panel_build(user, *, kind: str, start_year: int, outcome: str,
                intervention: Intervention | None = None) -> BuiltPanel:
    """The panel of one kind of intervention started in `start_year` (or of one intervention) for one outcome.

    Raises:
        PermissionDenied: the user may not evaluate interventions.
        PanelError: no treated complex, no measurement, or no complex to compare with.
    """
    membership = require(user, Action.EVALUATE_INTERVENTIONS)
    corporation_id = membership.corporation_id
    if outcome not in OUTCOME_KEYS:
        raise PanelError([_("Choose a figure to evaluate.")])
    values, source = _yearly_values(user, corporation_id, outcome)
    years = sorted({year for per in values.values() for year in per})
    interventions = Intervention.objects.filter(corporation_id=corporation_id, kind=kind)
    if intervention is not None:
        treated_ids = {intervention.complex_id}
        kind, start_year = intervention.kind, intervention.started_on.year
    else:
        treated_ids = set(interventions.filter(started_on__year=start_year).values_list("complex_id", flat=True))
    if not treated_ids:
        raise PanelError([_("No complex got this intervention in %(year)s.") % {"year": start_year}])
    if not years and outcome == OWNED_SHARE_KEY:
        raise PanelError([_("There is no history of the ownership of the complexes yet.")])
    if not years:
        raise PanelError([_("The monitor has no yearly figures yet. Count the vitality first.")])
    first, last = date(years[0], 1, 1), date(years[-1], 12, 31)
    # Any intervention of this kind that ran in the panel's years makes a complex no comparison.
    touched = set(interventions.filter(started_on__lte=last).exclude(ended_on__lt=first)
                  .values_list("complex_id", flat=True))
    complexes = list(Complex.objects.visible_to(user).filter(corporation_id=corporation_id)
                     .select_related("neighbourhood").order_by("external_id"))
    kept = [c for c in complexes if c.pk in treated_ids or (c.pk not in touched and values.get(c.pk))]
    dwellings = dict(ComplexVitality.objects.filter(corporation_id=corporation_id, is_latest=True)
                     .values_list("complex_id", "dwelling_count"))
    covariates, notes = _covariates(kept, dwellings)
    notes += [note for note in (_source_note(outcome, source), _sold_note(corporation_id, kept, years)) if note]
    units = [
        engine.Unit(unit_id=c.external_id, treated=c.pk in treated_ids, covariates=covariates[c.pk],
                    values=dict(sorted(values.get(c.pk, {}).items())), name=c.name)
        for c in kept
    ]
    if not any(not u.treated for u in units):
        raise PanelError([_("There is no complex without this intervention to compare with.")])
    panel = engine.Panel(outcome=outcome, start_year=start_year, units=tuple(units))
    return BuiltPanel(panel=panel, complex_pks={c.external_id: c.pk for c in kept}, kind=kind, start_year=start_year,
                      outcome=outcome, intervention=intervention, notes=notes, source=source)


@dataclass(frozen=True)
class EvaluationRun:
    built: BuiltPanel
    result: engine.Evaluation
    seconds: float


def evaluation_run(built: BuiltPanel, *, seed: int = 0, bootstrap: int = engine.DEFAULT_BOOTSTRAP) -> EvaluationRun:
    """Check the built panel as the file contract would (so the download reproduces it) and evaluate it.

    Raises:
        PanelError: the engine's problems (a treated complex without a figure before the start, ...), in words.
    """
    started = time.perf_counter()
    document = engine.panel_document(built.panel)
    try:
        panel = engine.parse_panel(document)
        result = engine.evaluate(panel, seed=seed, bootstrap=bootstrap)
    except engine.EvaluationError as exc:
        raise PanelError([problem_text(p, built) for p in exc.problems]) from None
    return EvaluationRun(built=built, result=result, seconds=time.perf_counter() - started)


def problem_text(problem: str, built: BuiltPanel) -> str:
    """An engine problem in the reader's words where we know it; else as the engine says it."""
    names = {u.unit_id: u.name for u in built.panel.units}
    if "a treated unit needs a value before start_year" in problem:
        index = int(problem.split("[", 1)[1].split("]", 1)[0])
        unit = built.panel.units[index]
        return _("%(name)s has no figure before %(year)s: the years before the start are needed to compare.") % {
            "name": names[unit.unit_id], "year": built.start_year}
    if "a treated unit needs a value in or after start_year" in problem:
        index = int(problem.split("[", 1)[1].split("]", 1)[0])
        unit = built.panel.units[index]
        return _("%(name)s has no figure from %(year)s on: there is nothing to see yet.") % {
            "name": names[unit.unit_id], "year": built.start_year}
    if problem.startswith("start_year:"):
        return _("The monitor has no figures from before and after %(year)s.") % {"year": built.start_year}
    if "no control unit has a value in every year used" in problem:
        return _("No complex without this intervention has a figure in every year that is needed.")
    if "no year before start_year" in problem or "no year from start_year" in problem:
        return _("The complexes with this intervention have no year with figures in common before and after the "
                 "start.")
    return problem
