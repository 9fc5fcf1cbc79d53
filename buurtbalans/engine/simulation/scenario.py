"""The simulation scenario (`buurtbalans.simulation/1`): parsing and checking, every problem listed (issue 15).

`parse_scenario(document)` takes a parsed JSON document (numbers as int, Decimal or float; shares may also be
decimal strings such as "0.25") and returns a frozen `Scenario`, or raises `ScenarioError` whose `problems` name
every problem by its place with the file's keys: `complexes[3].V: must be a whole number of 0 or more, not -1`.
The format is described in docs/simulation.md.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal
from typing import Any

from buurtbalans.engine.jsonfields import Fields

SCENARIO_FORMAT = "buurtbalans.simulation/1"
TYPES = ("V", "P", "O")
LABELS = ("OPEN", "NO_VULNERABLE", "RESERVED_VULNERABLE", "ABOVE_CAP")
KINDS = ("open", "quota", "room_check", "plan")
# The parameters of each policy kind and the labels it can give (each needs an inflow distribution).
KIND_PARAMETERS: dict[str, tuple[str, ...]] = {
    "open": (),
    "quota": ("reserved_share",),
    "room_check": ("min_vulnerable_placements",),
    "plan": ("min_vulnerable_placements",),
}
KIND_LABELS: dict[str, tuple[str, ...]] = {
    "open": ("OPEN",),
    "quota": ("OPEN", "RESERVED_VULNERABLE"),
    "room_check": ("OPEN", "NO_VULNERABLE", "RESERVED_VULNERABLE"),
    "plan": ("OPEN", "NO_VULNERABLE", "RESERVED_VULNERABLE"),
}
TOP_KEYS = ("format", "start_year", "years", "complexes", "inflow", "arrivals", "initial_queue", "policies")
COMPLEX_KEYS = ("id", "dwellings", "V", "P", "O", "turnover", "target_V_max_share", "target_P_max_share")
# Limits beyond which a number is a mistake, not a scenario. A target has at most TARGET_DECIMALS decimals, so
# target x dwellings is an exact whole number in units of 10^-TARGET_DECIMALS (the room check compares exactly).
MAX_YEARS = 100
MAX_DWELLINGS = 1_000_000
MAX_QUEUE = 10_000_000
MAX_WAIT_YEARS = 200
MAX_ARRIVALS = Decimal(10_000_000)
TARGET_DECIMALS = 9
MIN_YEAR, MAX_YEAR = 1900, 2200
DECIMAL_TEXT = re.compile(r"^-?\d+(\.\d+)?$")


class ScenarioError(ValueError):
    """The scenario is refused; `problems` lists every problem as "path: message"."""

    def __init__(self, problems: list[str] | tuple[str, ...]):
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)


@dataclass(frozen=True)
class ComplexState:
    """A complex at the start of the simulation.

    Its dwellings, the households of each type (V + P + O = dwellings), the yearly move-out probability
    `turnover` and the maximum shares of V and P.
    """

    complex_id: str
    dwellings: int
    V: int
    P: int
    O: int  # noqa: E741 - the issue's name for the type "others"
    turnover: Decimal
    target_V_max_share: Decimal
    target_P_max_share: Decimal


@dataclass(frozen=True)
class Policy:
    """A letting policy: its name, kind (open, quota, room_check, plan) and parameters.

    `reserved_share` (quota) and `min_vulnerable_placements` (room_check, plan) are None for the other kinds.
    """

    name: str
    kind: str
    reserved_share: Decimal | None = None
    min_vulnerable_placements: int | None = None


@dataclass(frozen=True)
class Scenario:
    """Everything a simulation needs besides the number of runs and the seed.

    Attributes:
        start_year: the first simulated year; results are given at the end of start_year .. start_year + years - 1.
        inflow: per label the probabilities (V, P, O) of the type of the incoming household (each sums to 1).
        arrivals: the mean number of new seekers per year per type (Poisson), in TYPES order.
        initial_queue: per type (TYPES order) the waiting years of each seeker queued at the start.
    """

    start_year: int
    years: int
    complexes: tuple[ComplexState, ...]
    inflow: Mapping[str, tuple[Decimal, Decimal, Decimal]]
    arrivals: tuple[Decimal, Decimal, Decimal]
    initial_queue: tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]
    policies: tuple[Policy, ...]


# --- readers: each returns the value or raises ValueError with the message ---------------------------------------


def _shown(value: Any) -> str:
    return json.dumps(value, default=str)[:40]


def _number(value: Any) -> Decimal:
    """A number read exactly: an int, a Decimal, a float (through its shortest text) or a decimal string."""
    if isinstance(value, bool):
        raise ValueError(f'must be a number such as 0.25, not {_shown(value)}')
    if isinstance(value, int | Decimal):
        number = Decimal(value)
    elif isinstance(value, float):
        number = Decimal(repr(value))
    elif isinstance(value, str) and DECIMAL_TEXT.match(value.strip()):
        number = Decimal(value.strip())
    else:
        raise ValueError(f"must be a number such as 0.25, not {_shown(value)}")
    if not number.is_finite():
        raise ValueError(f"must be a finite number, not {_shown(value)}")
    return number


def _share(value: Any) -> Decimal:
    number = _number(value)
    if not Decimal(0) <= number <= Decimal(1):
        raise ValueError(f"must be a share between 0 and 1, not {_shown(value)}")
    return number


def _count(value: Any, maximum: int = MAX_DWELLINGS) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValueError(f"must be a whole number of 0 or more, not {_shown(value)}")
    if value > maximum:
        raise ValueError(f"must be at most {maximum:,}, not {value}")
    return value


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"must be a non-empty string, not {_shown(value)}")
    return value


def _list(problems: list[str], path: str, value: Any) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(f"{path}: must be a list [...]")
        return []
    return value


def _decimals(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


# --- the document ------------------------------------------------------------------------------------------------


def parse_scenario(document: Any) -> Scenario:
    """Check a parsed `buurtbalans.simulation/1` document and build the `Scenario`.

    Checks (all of them, every problem listed): the format; start_year and years; each complex's id (non-empty,
    unique), dwellings (1 or more), V, P, O (0 or more, summing to dwellings), turnover and both targets (shares
    between 0 and 1; a target with at most 9 decimals); each inflow label known, each distribution of V, P, O
    shares summing to exactly 1; arrivals (means of 0 or more); the initial queue (whole years of 0 or more per
    seeker); each policy's name (unique), kind, parameters, and an inflow distribution for every label it gives.

    Raises:
        ScenarioError: with every problem, when there is any.
    """
    problems: list[str] = []
    top = Fields("", document, TOP_KEYS, problems, document="scenario")
    if not top.readable:
        raise ScenarioError(problems)
    fmt = top.value.get("format")
    if "format" in top.value and fmt != SCENARIO_FORMAT:
        problems.append(f'format: must be "{SCENARIO_FORMAT}", not {_shown(fmt)}')
    start_year = top.get("start_year", _year)
    years = top.get("years", _years)
    complexes = _complexes(problems, top.value.get("complexes"))
    inflow = _inflow(problems, top.value.get("inflow"))
    arrivals = _arrivals(problems, top.value.get("arrivals"))
    initial_queue = _initial_queue(problems, top.value.get("initial_queue"))
    raw_inflow = top.value.get("inflow")
    given = set(raw_inflow) & set(LABELS) if isinstance(raw_inflow, dict) else set()
    policies = _policies(problems, top.value.get("policies"), given)
    if problems:
        raise ScenarioError(problems)
    return Scenario(
        start_year=start_year,
        years=years,
        complexes=tuple(complexes),
        inflow=inflow,
        arrivals=arrivals,
        initial_queue=initial_queue,
        policies=tuple(policies),
    )


def _year(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not MIN_YEAR <= value <= MAX_YEAR:
        raise ValueError(f"must be a year between {MIN_YEAR} and {MAX_YEAR}, not {_shown(value)}")
    return value


def _years(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_YEARS:
        raise ValueError(f"must be a whole number of years between 1 and {MAX_YEARS}, not {_shown(value)}")
    return value


def _target(value: Any) -> Decimal:
    share = _share(value)
    if _decimals(share) > TARGET_DECIMALS:
        raise ValueError(f"must have at most {TARGET_DECIMALS} decimals, not {_shown(value)}")
    return share


def _complexes(problems: list[str], value: Any) -> list[ComplexState]:
    if value is not None and isinstance(value, list) and not value:
        problems.append("complexes: no complexes to simulate")
    complexes, seen = [], {}
    for i, raw in enumerate(_list(problems, "complexes", value)):
        where = f"complexes[{i}]"
        fields = Fields(where, raw, COMPLEX_KEYS, problems)
        if not fields.readable:
            continue
        complex_id = fields.get("id", _text)
        if complex_id is not None:
            if complex_id in seen:
                problems.append(f'{where}.id: "{complex_id}" also at complexes[{seen[complex_id]}]')
            seen.setdefault(complex_id, i)
        dwellings = fields.get("dwellings", _count)
        if dwellings == 0:
            problems.append(f"{where}.dwellings: must be 1 or more, not 0")
        counts = [fields.get(t, _count) for t in TYPES]
        if dwellings and None not in counts and sum(counts) != dwellings:
            problems.append(
                f"{where}: V + P + O = {counts[0]} + {counts[1]} + {counts[2]} = {sum(counts)}, "
                f"but dwellings is {dwellings} (every dwelling holds one household of one type)"
            )
        turnover = fields.get("turnover", _share)
        target_v = fields.get("target_V_max_share", _target)
        target_p = fields.get("target_P_max_share", _target)
        complexes.append(ComplexState(complex_id, dwellings, *counts, turnover, target_v, target_p))
    return complexes


def _distribution(problems: list[str], where: str, value: Any) -> tuple[Decimal, Decimal, Decimal] | None:
    fields = Fields(where, value, TYPES, problems)
    if not fields.readable:
        return None
    shares = [fields.get(t, _share) for t in TYPES]
    if None in shares:
        return None
    total = sum(shares, Decimal(0))
    if total != 1:
        problems.append(f"{where}: V + P + O must sum to 1, not {total}")
        return None
    return (shares[0], shares[1], shares[2])


def _inflow(problems: list[str], value: Any) -> dict[str, tuple[Decimal, Decimal, Decimal]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.append("inflow: must be an object {label: {V, P, O}}")
        return {}
    inflow = {}
    for label, raw in value.items():
        if label not in LABELS:
            problems.append(f"inflow.{label}: unknown label (one of {', '.join(LABELS)})")
            continue
        distribution = _distribution(problems, f"inflow.{label}", raw)
        if distribution is not None:
            inflow[label] = distribution
    return inflow


def _arrivals(problems: list[str], value: Any) -> tuple[Decimal, Decimal, Decimal]:
    if value is None:
        return (Decimal(0), Decimal(0), Decimal(0))
    fields = Fields("arrivals", value, TYPES, problems)
    means = []
    for t in TYPES:
        mean = fields.get(t, _number)
        if mean is not None and not Decimal(0) <= mean <= MAX_ARRIVALS:
            problems.append(f"arrivals.{t}: must be a mean number of new seekers per year of 0 or more, not {mean}")
            mean = None
        means.append(mean if mean is not None else Decimal(0))
    return (means[0], means[1], means[2])


def _initial_queue(problems: list[str], value: Any) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    if value is None:
        return ((), (), ())
    if not isinstance(value, dict):
        problems.append("initial_queue: must be an object {type: [waiting years per seeker]}")
        return ((), (), ())
    for key in value:
        if key not in TYPES:
            problems.append(f"initial_queue.{key}: unknown type (one of V, P, O)")
    queues = []
    for t in TYPES:
        waits = _list(problems, f"initial_queue.{t}", value.get(t))
        if len(waits) > MAX_QUEUE:
            problems.append(f"initial_queue.{t}: at most {MAX_QUEUE:,} seekers, not {len(waits):,}")
            waits = []
        good = []
        for k, wait in enumerate(waits):
            if isinstance(wait, bool) or not isinstance(wait, int) or not 0 <= wait <= MAX_WAIT_YEARS:
                problems.append(
                    f"initial_queue.{t}[{k}]: must be whole waiting years between 0 and {MAX_WAIT_YEARS}, "
                    f"not {_shown(wait)}"
                )
            else:
                good.append(wait)
        queues.append(tuple(good))
    return (queues[0], queues[1], queues[2])


def _policies(problems: list[str], value: Any, inflow: set[str]) -> list[Policy]:
    """The policies; `inflow` holds the labels the inflow table gives (readable or not)."""
    if value is not None and isinstance(value, list) and not value:
        problems.append("policies: no policies to simulate")
    policies, seen = [], {}
    for i, raw in enumerate(_list(problems, "policies", value)):
        where = f"policies[{i}]"
        fields = Fields(where, raw, ("name", "kind"), problems, extra=True)
        if not fields.readable:
            continue
        name = fields.get("name", _text)
        if name is not None:
            if name in seen:
                problems.append(f'{where}.name: "{name}" also at policies[{seen[name]}]')
            seen.setdefault(name, i)
        kind = fields.get("kind", _text)
        if kind is not None and kind not in KINDS:
            problems.append(f"{where}.kind: must be one of {', '.join(KINDS)}, not {_shown(kind)}")
            kind = None
        if kind is not None:
            policies.append(_policy(problems, where, fields, name, kind, inflow))
    return policies


def _policy(problems: list[str], where: str, fields: Fields, name: str, kind: str, inflow: set[str]) -> Policy:
    parameters = KIND_PARAMETERS[kind]
    for key in fields.value:
        if key not in ("name", "kind", *parameters):
            problems.append(f"{fields.at(key)}: unknown key for a {kind} policy")
    for key in parameters:
        if key not in fields.value:
            problems.append(f"{fields.at(key)}: missing (a {kind} policy needs it)")
    reserved_share = fields.get("reserved_share", _share) if kind == "quota" else None
    minimum = None
    if kind in ("room_check", "plan"):
        minimum = fields.get("min_vulnerable_placements", lambda v: _count(v, MAX_QUEUE))
    for label in KIND_LABELS[kind]:
        if label not in inflow:
            problems.append(f"{where}: a {kind} policy lets vacancies {label}, but inflow.{label} is not given")
    return Policy(name, kind, reserved_share, minimum)


def reserved_count(share: Decimal, vacancies: int) -> int:
    """The quota policy's reserved vacancies: share x vacancies rounded half up, exactly."""
    return int((share * vacancies + Decimal("0.5")).to_integral_value(rounding=ROUND_FLOOR))
