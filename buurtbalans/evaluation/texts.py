"""The evaluation in words a board understands, through core.formatting (rounded half up, the language's separators).

"De vitaliteitsscore steeg 4 punten meer dan bij vergelijkbare complexen; onzeker tussen 1 en 7."
"""

from __future__ import annotations

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from buurtbalans.core.formatting import format_number
from buurtbalans.engine.evaluation import Evaluation
from buurtbalans.evaluation.panel import outcome_indicator, outcome_label


def _unit(outcome: str) -> tuple[float, int, str]:
    """(factor, decimals, unit words) of a change in this outcome: shares in percentage points."""
    indicator = outcome_indicator(outcome)
    if outcome == "score":
        return 1.0, 0, _("points")
    if indicator.unit == "share":
        return 100.0, 1, _("percentage points")
    if indicator.unit == "days":
        return 1.0, 0, _("days")
    if indicator.unit == "per_100":
        return 1.0, 1, _("per 100 dwellings")
    return 1.0, indicator.decimals, _("points")


def amount_text(outcome: str, value: float) -> str:
    """A change in the outcome's unit, without its sign: "4", "2,5"."""
    factor, decimals, _words = _unit(outcome)
    return format_number(abs(value) * factor, decimals)


def interval_text(outcome: str, value: float) -> str:
    """One end of the interval with its sign when below zero ("−1")."""
    factor, decimals, _words = _unit(outcome)
    text = format_number(abs(value) * factor, decimals)
    rounded_zero = text.strip("0,.") == ""
    return f"−{text}" if value < 0 and not rounded_zero else text


def result_sentence(outcome: str, result: Evaluation) -> str:
    """The estimate and its interval in one sentence."""
    _factor, _decimals, unit = _unit(outcome)
    figure = capfirst(outcome_label(outcome).lower() if outcome == "score" else outcome_label(outcome))
    values = {"figure": figure, "amount": amount_text(outcome, result.estimate), "unit": unit,
              "low": interval_text(outcome, result.ci_low), "high": interval_text(outcome, result.ci_high)}
    if amount_text(outcome, result.estimate).strip("0,.") == "":
        sentence = _("%(figure)s changed as much as at comparable complexes; uncertain between %(low)s and "
                     "%(high)s %(unit)s.") % values
    elif result.estimate > 0:
        sentence = _("%(figure)s rose %(amount)s %(unit)s more than at comparable complexes; uncertain between "
                     "%(low)s and %(high)s.") % values
    else:
        sentence = _("%(figure)s fell %(amount)s %(unit)s more than at comparable complexes; uncertain between "
                     "%(low)s and %(high)s.") % values
    return sentence


def zero_text(result: Evaluation) -> str:
    """Whether the interval holds 0: then the data do not show that the intervention changed anything."""
    if result.ci_low <= 0 <= result.ci_high:
        return _("The range includes 0: these figures do not show that the intervention made a difference.")
    return _("The range does not include 0: the difference is probably not chance.")


def warning_texts(result: Evaluation) -> list[str]:
    """The engine's warnings as sentences for the page."""
    texts = {
        "pre_trend_differs": _("Before the start, these complexes already developed differently from the complexes "
                               "they are compared with. The difference may not come from the intervention."),
        "too_few_treated": _("Fewer than 5 complexes got this intervention: the result is very uncertain."),
        "too_few_controls": _("Fewer than 10 different complexes were found to compare with: the result leans on a "
                              "few complexes."),
        "pre_trend_not_checked": _("There is only one year before the start: whether the complexes developed alike "
                                   "before could not be checked."),
        "controls_excluded": _("Some complexes without this intervention were left out because they miss figures "
                               "for a year."),
    }
    return [texts[code] for code in result.warnings if code in texts]
