"""The legal rules' reasons in the reader's language: a sentence per reason code, amounts as the reader writes them.

The engine (engine/rules/affordability.py, engine/rules/income.py) gives each decision a `reason_code` and its
figures next to its English `reason` (which stays for logs, files and the command line). Screens say the reason with
`reason_text` (issue 14 item 5: "base rent €719.31 is above the low cap …" was English on a Dutch screen). Amounts
are written by core.formatting ("€ 719,31" in Dutch).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from django.utils.translation import gettext_lazy

from buurtbalans.core.formatting import format_euro
from buurtbalans.rules.labels import parameter_label

RENT_WORDS = {"base_rent": gettext_lazy("The base rent"), "allowance_rent": gettext_lazy("The allowance rent")}
CAP_WORDS = {"low": gettext_lazy("the low cap (aftoppingsgrens laag)"),
             "high": gettext_lazy("the high cap (aftoppingsgrens hoog)")}

# Per code the sentence; %(...)s are filled in by `reason_text` from the decision's figures.
SENTENCES = {
    "parameter_missing": gettext_lazy("A legal value is missing: %(name)s."),
    "income_above_allowance_limit": gettext_lazy(
        "The income of %(income)s is above the income limit for passend toewijzen of %(limit)s."),
    "rent_at_or_below_cap": gettext_lazy("%(rent_word)s of %(rent)s is not above %(cap_word)s of %(cap)s."),
    "pension_assets_exception": gettext_lazy(
        "A household at pension age with assets of %(assets)s, more than %(assets_limit)s: passend toewijzen does "
        "not apply (%(rent_word_lower)s of %(rent)s is above %(cap_word)s of %(cap)s)."),
    "rent_above_cap": gettext_lazy(
        "%(rent_word)s of %(rent)s is above %(cap_word)s of %(cap)s, for a household of %(household_size)s with an "
        "income of %(income)s, not above %(limit)s."),
    "income_at_or_below_allowance_limit": gettext_lazy(
        "The income of %(income)s is not above the income limit for passend toewijzen of %(limit)s."),
    "income_above_middle_limit": gettext_lazy("The income of %(income)s is above the middle income limit of "
                                              "%(limit)s."),
    "income_between_limits": gettext_lazy("The income of %(income)s is above %(lower)s and not above %(upper)s "
                                          "(%(upper_name)s)."),
    "daeb_income_at_or_below_limit": gettext_lazy(
        "The income of %(income)s is not above the DAEB income limit of %(limit)s."),
    "daeb_income_above_limit_free_room": gettext_lazy(
        "The income of %(income)s is above the DAEB income limit of %(limit)s: the letting uses the free "
        "allocation room."),
    "daeb_income_in_extended_band": gettext_lazy(
        "The income of %(income)s is above the DAEB income limit of %(limit)s and not above the upper limit of "
        "%(extended)s (the 10%% band of 2021)."),
    "daeb_income_above_extended_free_room": gettext_lazy(
        "The income of %(income)s is above the upper limit of %(extended)s: the letting uses the free allocation "
        "room."),
}
AMOUNTS = ("income", "limit", "rent", "cap", "assets", "assets_limit", "lower", "upper", "extended")


def reason_text(code: str, figures: Mapping | Iterable[tuple[str, object]] | None) -> str:
    """The reason of a rule's decision as a sentence in the active language; "" for an unknown code.

    Args:
        code: the decision's `reason_code` ("" for decisions stored before reasons had codes).
        figures: the decision's `reason_figures` (pairs, or a dict as stored in JSON).
    """
    sentence = SENTENCES.get(code or "")
    if sentence is None:
        return ""
    values = dict(figures or {})
    filled: dict[str, str] = {}
    for key, value in values.items():
        if key in AMOUNTS:
            filled[key] = format_euro(value, 2)
        elif key == "name":
            filled[key] = ", ".join(parameter_label(name.strip()) for name in str(value).split(","))
        elif key == "upper_name":
            filled[key] = parameter_label(str(value))
        else:
            filled[key] = str(value)
    rent_word = str(RENT_WORDS.get(values.get("rent_basis"), RENT_WORDS["base_rent"]))
    filled["rent_word"] = rent_word
    filled["rent_word_lower"] = rent_word[:1].lower() + rent_word[1:]
    filled["cap_word"] = str(CAP_WORDS.get(values.get("cap_kind"), CAP_WORDS["low"]))
    try:
        return str(sentence) % filled
    except (KeyError, ValueError):  # figures of another shape (an older stored check): no sentence, not a wrong one
        return ""


def figures_for_json(figures: Iterable[tuple[str, object]]) -> dict[str, str]:
    """A decision's figures as JSON can store them (amounts as decimal strings)."""
    return {key: str(value) for key, value in figures}


def decision_text(decision) -> str:
    """`reason_text` of an engine decision (or a NonFittingLetting)."""
    return reason_text(getattr(decision, "reason_code", ""), getattr(decision, "reason_figures", ()))

