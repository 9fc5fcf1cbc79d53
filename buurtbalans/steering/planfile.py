"""The labelling plan's file contract (issue 5): `buurtbalans.label-plan/1` in, `buurtbalans.label-plan-result/1` out.

Plain Python (no Django set-up needed; the file is read through `core.safeinput`), so the command, a future job
and the benchmark share it:
- `parse_plan_document(document)` / `read_plan_input(path)`: check the input and build the engine's
  `LabelPlanInput`; `PlanFileError.problems` lists every problem as "path: message"
  (`vacancies[3].complex: unknown complex "C9"`).
- `result_document(plan, params)` / `write_plan_result(plan, params, path)`: the result document.
- `run_plan_labels(input_path, output_path)`: the whole command, returning (exit code, text).

Conventions: amounts are strings with two decimals ("682.96"); shares are decimal strings rounded to 6 decimals
("0.183333"); in the input an amount or share may be a string or a JSON number (read exactly, never as a float).
Exit codes: 0 planned; 2 input refused (unreadable, not the contract, inconsistent, a legal parameter missing for
the date, or no plan meets the constraints); 1 the solver stopped without a proven optimum (time limit).
The format is described in docs/labelling.md.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal
from pathlib import Path
from typing import Any

from buurtbalans.core import safeinput
from buurtbalans.core.management.filecommand import EXIT_BAD_INPUT, EXIT_FAILED, EXIT_OK, refused_text, write_atomic
from buurtbalans.core.safeinput import InputError
from buurtbalans.engine.jsonfields import Fields
from buurtbalans.engine.labelling import (
    ComplexMix,
    Label,
    LabelPlan,
    LabelPlanInfeasible,
    LabelPlanInput,
    LabelPlanInputError,
    LabelPlanParameterMissing,
    LabelPlanSolverError,
    LabelPolicy,
    Vacancy,
    input_problems,
    plan_labels,
)
from buurtbalans.engine.parameters import ParameterSet, builtin_parameter_set, set_in_force

INPUT_FORMAT = "buurtbalans.label-plan/1"
RESULT_FORMAT = "buurtbalans.label-plan-result/1"
EXIT_SOLVER_STOPPED = EXIT_FAILED  # the exit codes of every file command (core.management.filecommand)
DEFAULT_TIME_LIMIT = 60.0

TOP_KEYS = {"format", "reference_date", "policy", "complexes", "vacancies"}
OPTIONAL_TOP_KEYS = {"exception_budget_left"}
POLICY_KEYS = (
    "min_vulnerable_placements",
    "min_affordable_share",
    "p_open",
    "p_above",
    "q_open",
    "q_reserved",
    "q_above",
)
# Optional (issue 13): the share of vulnerable households moving into a NO_VULNERABLE vacancy through the regular
# route. A file without it reads as 0, so every plan file written before plans exactly as it did.
OPTIONAL_POLICY_KEYS = ("p_no_vulnerable",)
COMPLEX_KEYS = ("id", "households", "vulnerable", "primary", "target_vulnerable_max_share", "target_primary_max_share")
VACANCY_KEYS = (
    "id",
    "complex",
    "base_rent",
    "max_base_rent",
    "is_daeb",
    "household_size_min",
    "leaving_household_vulnerable",
    "leaving_household_primary",
)
DECIMAL_TEXT = re.compile(r"^-?\d+(\.\d+)?$")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class PlanFileError(ValueError):
    """The input file is refused; `problems` lists every problem as "path: message".

    `unreadable`: the file could not be read as JSON at all (one problem, naming the file).
    """

    def __init__(self, problems: list[str] | tuple[str, ...], *, unreadable: bool = False):
        super().__init__("; ".join(problems))
        self.problems = tuple(problems)
        self.unreadable = unreadable


# --- reading -------------------------------------------------------------------------------------------------


def _text(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"must be a non-empty string, not {json.dumps(value, default=str)}")
    return value


def _integer(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValueError(f"must be a whole number, not {json.dumps(value, default=str)}")
    return value


def _optional_integer(value: Any) -> int | None:
    return None if value is None else _integer(value)


def _household_size_min(value: Any) -> int:
    """The smallest household a vacancy is let to; null (VERA leaves it empty) is no minimum: one person."""
    return 1 if value is None else _integer(value)


def _decimal(value: Any) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(f'must be a number such as "0.25", not {json.dumps(value)}')
    if isinstance(value, int | Decimal):
        return Decimal(value)
    if isinstance(value, str) and DECIMAL_TEXT.match(value.strip()):
        return Decimal(value.strip())
    raise ValueError(f'must be a number such as "0.25" (with a decimal point), not {json.dumps(value, default=str)}')


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, not {json.dumps(value, default=str)}")
    return value


def _reference_date(value: Any) -> date:
    if not isinstance(value, str) or not ISO_DATE.match(value):
        raise ValueError(f'must be a date such as "2025-07-01", not {json.dumps(value, default=str)}')
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"not a valid date: {value!r}") from None


def _format(value: Any) -> str:
    if value != INPUT_FORMAT:
        raise ValueError(f'must be "{INPUT_FORMAT}", not {json.dumps(value, default=str)}')
    return value


def _list(problems: list[str], path: str, value: Any) -> list:
    if value is None:
        return []
    if not isinstance(value, list):
        problems.append(f"{path}: must be a list [...]")
        return []
    return value


def parse_plan_document(document: Any) -> LabelPlanInput:
    """Check a parsed `buurtbalans.label-plan/1` document and build the engine input.

    Every problem is collected: types and missing or unknown keys here, ranges, references and counts by the
    engine's `input_problems` (unreadable fields are passed to it as None, so it checks everything else).

    Raises:
        PlanFileError: with every problem, when there is any.
    """
    problems: list[str] = []
    top = Fields("", document, TOP_KEYS, problems, optional=OPTIONAL_TOP_KEYS, document="plan file")
    if not top.readable:
        raise PlanFileError(problems)
    top.get("format", _format)
    reference_date = top.get("reference_date", _reference_date)
    exception_budget_left = top.get("exception_budget_left", _optional_integer)

    policy_fields = Fields("policy", document.get("policy", {}), POLICY_KEYS, problems,
                            optional=OPTIONAL_POLICY_KEYS)
    optional = {key: policy_fields.get(key, _decimal) for key in OPTIONAL_POLICY_KEYS if key in policy_fields.value}
    policy = LabelPolicy(
        min_vulnerable_placements=policy_fields.get("min_vulnerable_placements", _integer),
        **{key: policy_fields.get(key, _decimal) for key in POLICY_KEYS[1:]},
        **{key: value for key, value in optional.items() if value is not None},
    )
    complexes = []
    for i, raw in enumerate(_list(problems, "complexes", document.get("complexes"))):
        fields = Fields(f"complexes[{i}]", raw, COMPLEX_KEYS, problems)
        complexes.append(
            ComplexMix(
                complex_id=fields.get("id", _text),
                households=fields.get("households", _integer),
                vulnerable=fields.get("vulnerable", _integer),
                primary=fields.get("primary", _integer),
                target_vulnerable_max_share=fields.get("target_vulnerable_max_share", _decimal),
                target_primary_max_share=fields.get("target_primary_max_share", _decimal),
            )
        )
    vacancies = []
    for j, raw in enumerate(_list(problems, "vacancies", document.get("vacancies"))):
        fields = Fields(f"vacancies[{j}]", raw, VACANCY_KEYS, problems)
        vacancies.append(
            Vacancy(
                vacancy_id=fields.get("id", _text),
                complex_id=fields.get("complex", _text),
                base_rent=fields.get("base_rent", _decimal),
                max_base_rent=fields.get("max_base_rent", _decimal),
                is_daeb=fields.get("is_daeb", _boolean),
                household_size_min=fields.get("household_size_min", _household_size_min),
                leaving_household_vulnerable=fields.get("leaving_household_vulnerable", _boolean),
                leaving_household_primary=fields.get("leaving_household_primary", _boolean),
            )
        )
    plan_input = LabelPlanInput(
        reference_date=reference_date,
        policy=policy,
        complexes=tuple(complexes),
        vacancies=tuple(vacancies),
        exception_budget_left=exception_budget_left,
    )
    problems.extend(input_problems(plan_input))
    if problems:
        raise PlanFileError(problems)
    return plan_input


# JSON numbers in a plan file: counts, amounts and shares. Beyond these limits a number is a mistake (or an attack on
# the solver), not a plan.
MAX_INTEGER_DIGITS = 15
MAX_DECIMAL_EXPONENT = 12


def _json_integer(text: str) -> int:
    if len(text.lstrip("-")) > MAX_INTEGER_DIGITS:
        raise ValueError(f"a whole number has more than {MAX_INTEGER_DIGITS} digits")
    return int(text)


def _json_decimal(text: str) -> Decimal:
    """A number with a fraction or exponent, read exactly; 1e999 and 1e-50 are refused."""
    value = Decimal(text)
    if not value.is_finite() or (value and abs(value.adjusted()) > MAX_DECIMAL_EXPONENT):
        raise ValueError(f"the number {text[:20]} is out of range")
    return value


def read_plan_input(path: Path) -> LabelPlanInput:
    """Read and check an input file (UTF-8 JSON, or UTF-16/32 with a byte order mark).

    Raises:
        PlanFileError: the file cannot be read, is not JSON, or breaks the contract (every problem listed);
            `unreadable` says it was the first (one problem, naming the file).
    """
    try:
        data = safeinput.read_bytes(path, path.name)
        document = safeinput.load_json(data, path.name, parse_float=_json_decimal, parse_int=_json_integer)
    except InputError as exc:
        raise PlanFileError([str(exc)], unreadable=True) from None
    return parse_plan_document(document)


# --- writing -------------------------------------------------------------------------------------------------


def money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value.quantize(Decimal('0.01'))}"


def share(value: Decimal) -> str:
    """A share as a decimal string rounded to 6 decimals, at least 2 shown: "0.25", "0.183333", "1.00"."""
    rounded = value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_EVEN).normalize()
    if rounded.as_tuple().exponent > -2:
        rounded = rounded.quantize(Decimal("0.01"))
    return f"{rounded:f}"


def result_document(plan: LabelPlan, params: ParameterSet) -> dict[str, Any]:
    """The `buurtbalans.label-plan-result/1` document: the issue's keys, plus the targets per complex, the plan's
    totals and the legal parameters it used."""
    return {
        "format": RESULT_FORMAT,
        "reference_date": plan.reference_date.isoformat(),
        "parameters": {
            "version": plan.parameter_version,
            "allowance_cap_low": money(params.allowance_cap_low),
            "allowance_cap_high": money(params.allowance_cap_high),
            "daeb_rent_limit": money(params.daeb_rent_limit),
        },
        "objective": {
            "excess_share_sum": share(plan.objective.excess_share_sum),
            "above_cap": plan.objective.above_cap,
            "open": plan.objective.open,
        },
        "plan": {
            "vacancies": len(plan.labels),
            "affordable_share": share(plan.affordable_share),
            "lost_to_lowest_incomes": plan.lost_to_lowest_incomes,
            "reserved_vulnerable": plan.reserved_vulnerable,
            "exception_budget_left": plan.exception_budget_left,
        },
        "labels": [
            {"vacancy": v.vacancy_id, "label": v.label.value, "base_rent": money(v.base_rent), "reason": v.reason}
            for v in plan.labels
        ],
        "complexes": [
            {
                "id": c.complex_id,
                "vulnerable_share": share(c.vulnerable_share),
                "projected_vulnerable_share": share(c.projected_vulnerable_share),
                "target_vulnerable_max_share": share(c.target_vulnerable_max_share),
                "primary_share": share(c.primary_share),
                "projected_primary_share": share(c.projected_primary_share),
                "target_primary_max_share": share(c.target_primary_max_share),
            }
            for c in plan.complexes
        ],
    }


def dump(document: dict[str, Any]) -> str:
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


def write_plan_result(plan: LabelPlan, params: ParameterSet, path: Path) -> None:
    """Write the result document; through a temporary file, so a reader never sees half a plan."""
    write_atomic(dump(result_document(plan, params)), path)


def summary(plan: LabelPlan) -> str:
    """One line for the terminal."""
    counts = Counter(v.label for v in plan.labels)
    per_label = ", ".join(f"{counts[label]} {label.value}" for label in Label)
    return (
        f"planned {len(plan.labels)} vacancies: {per_label}; affordable share {share(plan.affordable_share)}; "
        f"sum of excess shares {share(plan.objective.excess_share_sum)}"
    )


# --- the command ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlanRun:
    """What the command did: exit code, text for stdout (or the error for stderr), the plan when made."""

    code: int
    text: str
    plan: LabelPlan | None = None


def _refused(name: str, problems: tuple[str, ...] | list[str]) -> PlanRun:
    return PlanRun(EXIT_BAD_INPUT, f"error: {refused_text(name, problems, nothing='planned')}")


def run_plan_labels(
    input_path: Path,
    output_path: Path | None = None,
    *,
    seed: int = 0,
    time_limit: float | None = DEFAULT_TIME_LIMIT,
    parameter_sets: Callable[[], tuple[ParameterSet, ...]] | None = None,
) -> PlanRun:
    """`buurtbalans plan_labels INPUT.json [--output OUT.json]`: the result document on stdout, or written to
    `output_path` with a one-line summary on stdout. Nothing is written when the input is refused.

    Args:
        input_path / output_path: the files.
        seed: HiGHS's random seed.
        time_limit: seconds the solver may take.
        parameter_sets: returns the legal parameter sets in force (the command passes the rules app's, with the
            administrators' values); called only once the input is accepted. Default: the built-in table.
    """
    try:
        plan_input = read_plan_input(input_path)
    except PlanFileError as exc:
        if exc.unreadable:
            return PlanRun(EXIT_BAD_INPUT, f"error: {exc.problems[0]}")
        return _refused(input_path.name, exc.problems)
    try:
        day = plan_input.reference_date
        params = set_in_force(parameter_sets(), day) if parameter_sets else builtin_parameter_set(day)
    except LookupError as exc:
        return _refused(input_path.name, [f"reference_date: {exc}"])
    try:
        plan = plan_labels(plan_input, params, seed=seed, time_limit=time_limit)
    except LabelPlanInputError as exc:  # parse_plan_document already ran these checks; kept for safety
        return _refused(input_path.name, exc.problems)
    except LabelPlanParameterMissing as exc:
        return PlanRun(EXIT_BAD_INPUT, f"error: {input_path.name}: reference_date {plan_input.reference_date}: {exc}")
    except LabelPlanInfeasible as exc:
        return PlanRun(EXIT_BAD_INPUT, f"error: {input_path.name}: no plan possible: {exc}")
    except LabelPlanSolverError as exc:
        return PlanRun(EXIT_SOLVER_STOPPED, f"error: no plan made: {exc}")
    if output_path is None:
        return PlanRun(EXIT_OK, dump(result_document(plan, params)).rstrip("\n"), plan)
    write_plan_result(plan, params, output_path)
    return PlanRun(EXIT_OK, f"{summary(plan)} -> {output_path}", plan)
