"""What the simulation screens say: the names of types, labels, policy kinds and measures, and the scenario's
problems (the engine names them in English with the file's keys) as Dutch sentences tied to a place on the form.

The engine's checks (`engine.simulation.parse_scenario`) are the one validation of a scenario; this module only
reads their messages. A message it does not know is still shown, with its place, in plain words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buurtbalans.core.formatting import format_number
from buurtbalans.steering.models import Label

TYPES = ("V", "P", "O")
TYPE_NAMES = {
    "V": gettext_lazy("vulnerable households"),
    "P": gettext_lazy("households with the lowest incomes"),
    "O": gettext_lazy("other households"),
}
# Short column headers.
TYPE_SHORT = {
    "V": gettext_lazy("Vulnerable"),
    "P": gettext_lazy("Lowest incomes"),
    "O": gettext_lazy("Others"),
}
LABEL_NAMES = dict(Label.choices)
KIND_NAMES = {
    "open": gettext_lazy("Open letting: every vacancy open to all"),
    "quota": gettext_lazy("Quota: a share of the vacancies reserved for vulnerable households"),
    "room_check": gettext_lazy("Room check: no vulnerable household where the complex is at its limit"),
    "plan": gettext_lazy("Labelling plan each year"),
}
KIND_SHORT = {
    "open": gettext_lazy("Open letting"),
    "quota": gettext_lazy("Quota"),
    "room_check": gettext_lazy("Room check"),
    "plan": gettext_lazy("Labelling plan"),
}


@dataclass(frozen=True)
class Measure:
    key: str
    title: object  # lazy text
    kind: str  # "count", "share", "years", "index"
    decimals: int


MEASURES = (
    Measure("complexes_over_V_target", gettext_lazy("Complexes over the limit for vulnerable households"),
            "count", 1),
    Measure("mean_V_share", gettext_lazy("Share of vulnerable households per complex (average)"), "share", 1),
    Measure("dissimilarity_V", gettext_lazy("How unevenly vulnerable households are spread (0 = evenly)"),
            "share", 1),
    Measure("median_wait_V", gettext_lazy("Waiting time (median, years) for vulnerable households"), "years", 1),
    Measure("median_wait_P", gettext_lazy("Waiting time (median, years) for households with the lowest incomes"),
            "years", 1),
    Measure("median_wait_O", gettext_lazy("Waiting time (median, years) for other households"), "years", 1),
    Measure("lettings_V", gettext_lazy("Lettings to vulnerable households per year"), "count", 0),
    Measure("lettings_P", gettext_lazy("Lettings to households with the lowest incomes per year"), "count", 0),
    Measure("lettings_O", gettext_lazy("Lettings to other households per year"), "count", 0),
    Measure("queue_V", gettext_lazy("Vulnerable households still waiting at the end of the year"), "count", 0),
    Measure("queue_P", gettext_lazy("Households with the lowest incomes still waiting at the end of the year"),
            "count", 0),
    Measure("queue_O", gettext_lazy("Other households still waiting at the end of the year"), "count", 0),
)
MEASURE_BY_KEY = {m.key: m for m in MEASURES}
# The measures of the board's report and the comparison of two studies.
KEY_MEASURES = ("complexes_over_V_target", "mean_V_share", "median_wait_V", "median_wait_P", "median_wait_O")

UNCERTAINTY = gettext_lazy(
    "The future is not certain, so we calculate each policy many times with chance: the line is the average, and "
    "in 9 out of 10 calculations the outcome lay within the coloured band."
)


def figure_text(measure: Measure, value, decimals: int | None = None) -> str:
    """One figure of a measure as text: a share as a percentage, anything else as a number (Dutch decimals)."""
    places = measure.decimals if decimals is None else decimals
    if value is None:
        return "–"
    if measure.kind == "share":
        return format_number(float(value) * 100, places) + "%"
    return format_number(value, places)


def band_text(measure: Measure, cell: dict | None) -> str:
    """"2,4 (1,0 – 3,5)": the mean and the 90 % band."""
    if not cell or cell.get("mean") is None:
        return "–"
    low, high = figure_text(measure, cell["p5"]), figure_text(measure, cell["p95"])
    return f"{figure_text(measure, cell['mean'])} ({low} – {high})"


# --- the scenario's problems --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """A problem of the scenario in Dutch and where it belongs on the form.

    `section` is "general", "inflow", "arrivals", "queue", "complex", "policy" or "" (the form as a whole);
    `index` the complex's or policy's position, `label` the inflow label, `field` the form field.
    """

    text: str
    section: str = ""
    index: int | None = None
    label: str = ""
    field: str | None = None


FIELD_NAMES = {
    "id": gettext_lazy("code"),
    "dwellings": gettext_lazy("dwellings"),
    "V": gettext_lazy("vulnerable"),
    "P": gettext_lazy("lowest incomes"),
    "O": gettext_lazy("others"),
    "turnover": gettext_lazy("turnover"),
    "target_V_max_share": gettext_lazy("limit for vulnerable households"),
    "target_P_max_share": gettext_lazy("limit for the lowest incomes"),
    "name": gettext_lazy("name"),
    "kind": gettext_lazy("kind"),
    "reserved_share": gettext_lazy("reserved share"),
    "min_vulnerable_placements": gettext_lazy("minimum placements"),
    "start_year": gettext_lazy("first year"),
    "years": gettext_lazy("number of years"),
}

_PATH = re.compile(r"^(?P<path>[A-Za-z_]+(?:\[\d+\])?(?:\.[A-Za-z_]+(?:\[\d+\])?)*)(?::\s*(?P<message>.*))?$")


def _message(message: str) -> str:
    """The engine's message about one value, in Dutch."""
    patterns = (
        (r"^must be a share between 0 and 1", _("must be a percentage from 0 to 100")),
        (r"^must be a whole number of 0 or more", _("must be a whole number of 0 or more")),
        (r"^must be 1 or more", _("must be 1 or more")),
        (r"^must be at most ([\d,]+)", _("is too large")),
        (r"^must have at most \d+ decimals", _("has too many decimals")),
        (r"^must be a number", _("must be a number")),
        (r"^must be a finite number", _("must be a number")),
        (r"^must be a non-empty string", _("must be filled in")),
        (r"^must be a year between", _("must be a year from 1900 to 2200")),
        (r"^must be a whole number of years between", _("must be a number of years from 1 to 100")),
        (r"^must be a mean number of new seekers", _("must be 0 or more")),
        (r"^must be one of", _("is not a known kind of policy")),
        (r"^missing", _("must be filled in")),
        (r"^unknown key", _("does not belong here")),
        (r"^must be whole waiting years", _("must be whole years from 0 to 200")),
    )
    for pattern, text in patterns:
        if re.search(pattern, message):
            return text
    return _("is not right")


def dutch_problem(problem: str, document: dict) -> Problem:
    """One of `parse_scenario`'s problems as a Dutch sentence with its place on the form."""
    complexes = document.get("complexes") or []
    policies = document.get("policies") or []

    def complex_code(i: int) -> str:
        try:
            return str(complexes[i].get("id") or i + 1)
        except (IndexError, AttributeError):
            return str(i + 1)

    def policy_name(i: int) -> str:
        try:
            return str(policies[i].get("name") or i + 1)
        except (IndexError, AttributeError):
            return str(i + 1)

    # Problems about a whole complex or policy, recognised by their wording first.
    m = re.match(r"^complexes\[(\d+)\]: V \+ P \+ O = \d+ \+ \d+ \+ \d+ = (\d+), but dwellings is (\d+)", problem)
    if m:
        i = int(m.group(1))
        return Problem(_("Complex %(code)s: vulnerable + lowest incomes + others = %(sum)s, but the complex has "
                         "%(dwellings)s dwellings. Every dwelling has one household.")
                       % {"code": complex_code(i), "sum": m.group(2), "dwellings": m.group(3)},
                       "complex", i, field="dwellings")
    m = re.match(r'^complexes\[(\d+)\]\.id: ".*" also at complexes\[(\d+)\]', problem)
    if m:
        return Problem(_("Complex %(code)s is in the scenario twice.") % {"code": complex_code(int(m.group(1)))},
                       "complex", int(m.group(1)), field="id")
    m = re.match(r"^inflow\.([A-Z_]+): V \+ P \+ O must sum to 1, not (.+)$", problem)
    if m:
        label = m.group(1)
        return Problem(_("Who moves into a dwelling labelled “%(label)s”: the three percentages must add up to 100, "
                         "not %(total)s.") % {"label": LABEL_NAMES.get(label, label),
                                               "total": format_number(float(m.group(2)) * 100, -2)},
                       "inflow", label=label)
    m = re.match(r'^policies\[(\d+)\]\.name: ".*" also at policies\[(\d+)\]', problem)
    if m:
        return Problem(_("Two policies are called “%(name)s”; give each its own name.")
                       % {"name": policy_name(int(m.group(1)))}, "policy", int(m.group(1)), field="name")
    m = re.match(r"^policies\[(\d+)\]: a \w+ policy lets vacancies ([A-Z_]+), but inflow\.[A-Z_]+ is not given",
                 problem)
    if m:
        label = m.group(2)
        return Problem(_("Policy “%(name)s” gives the label “%(label)s”, but the scenario does not say who moves "
                         "into such a dwelling.") % {"name": policy_name(int(m.group(1))),
                                                      "label": LABEL_NAMES.get(label, label)},
                       "policy", int(m.group(1)))
    if problem.startswith("policies: no policies"):
        return Problem(_("Add at least one policy."), "policy")
    if problem.startswith("complexes: no complexes"):
        return Problem(_("The scenario has no complexes."), "complex")

    m = _PATH.match(problem)
    if not m:
        return Problem(_("The scenario is not right: %(problem)s") % {"problem": problem})
    path, message = m.group("path"), _message(m.group("message") or "")
    c = re.match(r"^complexes\[(\d+)\](?:\.(\w+))?$", path)
    if c:
        i, field = int(c.group(1)), c.group(2)
        name = FIELD_NAMES.get(field, field) if field else ""
        return Problem(_("Complex %(code)s, %(field)s: %(message)s.") % {"code": complex_code(i), "field": name,
                                                                         "message": message},
                       "complex", i, field=field)
    p = re.match(r"^policies\[(\d+)\](?:\.(\w+))?$", path)
    if p:
        i, field = int(p.group(1)), p.group(2)
        name = FIELD_NAMES.get(field, field) if field else ""
        return Problem(_("Policy %(name)s, %(field)s: %(message)s.") % {"name": policy_name(i), "field": name,
                                                                        "message": message},
                       "policy", i, field=field)
    f = re.match(r"^inflow\.([A-Z_]+)(?:\.([VPO]))?$", path)
    if f:
        label, t = f.group(1), f.group(2)
        return Problem(_("Who moves in, “%(label)s”, %(type)s: %(message)s.")
                       % {"label": LABEL_NAMES.get(label, label), "type": TYPE_NAMES.get(t, "") if t else "",
                          "message": message}, "inflow", label=label, field=t)
    a = re.match(r"^arrivals(?:\.([VPO]))?$", path)
    if a:
        t = a.group(1)
        return Problem(_("New home seekers per year, %(type)s: %(message)s.")
                       % {"type": TYPE_NAMES.get(t, "") if t else "", "message": message}, "arrivals", field=t)
    if path.startswith("initial_queue"):
        return Problem(_("The waiting list at the start: %(message)s.") % {"message": message}, "queue")
    if path in ("start_year", "years"):
        return Problem(_("%(field)s: %(message)s.") % {"field": FIELD_NAMES[path], "message": message},
                       "general", field=path)
    return Problem(_("The scenario is not right: %(problem)s") % {"problem": problem})
