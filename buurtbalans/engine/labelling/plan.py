"""The labelling plan: one label per vacancy for a period, steering each complex towards its target mix (issue 5).

`plan_labels` steps:
  1. Check the input (`input_problems`) and that the legal parameters it needs are known for its date.
  2. Check the simple necessary conditions (more vulnerable placements demanded than vacancies).
  3. Work out each vacancy's rents (`rents.vacancy_rent`): cap, lawful ceiling, whether ABOVE_CAP is allowed.
  4. Solve the mixed-integer program lexicographically with HiGHS (`mip.solve_label_counts`): (1) least sum of
     excess shares, (2) fewest ABOVE_CAP, (3) most OPEN.
  5. Turn the label counts per complex into labels per vacancy (ties broken by rent, then input order), recompute
     every projection and objective exactly in Decimal, and explain each label in a sentence.
Model and interpretation: docs/labelling.md.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import ROUND_CEILING, Decimal

from buurtbalans.engine.labelling.facts import (
    AFFORDABLE_LABELS,
    ComplexMix,
    ComplexProjection,
    Label,
    LabelPlan,
    LabelPlanInfeasible,
    LabelPlanInput,
    LabelPlanInputError,
    LabelPlanSolverError,
    LabelPolicy,
    PlanObjective,
    Vacancy,
    VacancyLabel,
    VacancyRent,
)
from buurtbalans.engine.labelling.mip import ComplexRows, Infeasible, Inflow, SolverStopped, solve_label_counts
from buurtbalans.engine.labelling.rents import check_parameters, proposed_rent, vacancy_rent
from buurtbalans.engine.parameters import ParameterSet

MAX_HOUSEHOLD_SIZE = 30
COUNT_ORDER = (Label.OPEN, Label.NO_VULNERABLE, Label.RESERVED_VULNERABLE, Label.ABOVE_CAP)


def _is_share(value: Decimal) -> bool:
    return value.is_finite() and Decimal(0) <= value <= Decimal(1)


def input_problems(plan_input: LabelPlanInput) -> tuple[str, ...]:
    """Every inconsistency in the input, named by its place with the file contract's keys.

    For example `vacancies[3].complex: unknown complex "C9"` or `complexes[0].vulnerable: 1, but 2 vacancies of
    this complex have a vulnerable leaving household`. Empty when the input is consistent. The problems come in
    input order: the policy, each complex, each vacancy, then what the vacancies of a complex say about it.

    A field that is None was unreadable and has been reported by the caller (the file reader builds the input
    with None for such fields so that this one function checks everything else); checks that need it are skipped.
    """
    complex_index = _first_positions(mix.complex_id for mix in plan_input.complexes)
    vacancy_index = _first_positions(vacancy.vacancy_id for vacancy in plan_input.vacancies)
    # A complex whose id was unreadable may be the one a vacancy names: then "unknown complex" would be a guess.
    has_unreadable_complex = any(mix.complex_id is None for mix in plan_input.complexes)
    problems = _policy_problems(plan_input.policy)
    for i, mix in enumerate(plan_input.complexes):
        problems += _complex_problems(i, mix, complex_index)
    if not plan_input.vacancies:
        problems.append("vacancies: no vacancies to plan")
    for j, vacancy in enumerate(plan_input.vacancies):
        problems += _vacancy_problems(j, vacancy, vacancy_index, complex_index, has_unreadable_complex)
    problems += _leaving_household_problems(plan_input, complex_index)
    return tuple(problems)


def _first_positions(identifiers: Iterable[str | None]) -> dict[str, int]:
    """Each readable, non-empty id and the position where it first occurs (later ones are duplicates)."""
    first: dict[str, int] = {}
    for position, identifier in enumerate(identifiers):
        if identifier:
            first.setdefault(identifier, position)
    return first


def _id_problems(section: str, position: int, identifier: str | None, first: Mapping[str, int]) -> list[str]:
    """An empty id, or an id that an earlier entry of `section` already has."""
    where = f"{section}[{position}].id"
    if identifier == "":
        return [f"{where}: empty"]
    if identifier is not None and first[identifier] != position:
        return [f'{where}: "{identifier}" also at {section}[{first[identifier]}]']
    return []


def _share_problems(where: str, record: object, names: Iterable[str]) -> list[str]:
    """The named fields of `record` that are not a share between 0 and 1."""
    values = ((name, getattr(record, name)) for name in names)
    return [
        f"{where}.{name}: must lie between 0 and 1, not {value}"
        for name, value in values
        if value is not None and not _is_share(value)
    ]


def _policy_problems(policy: LabelPolicy) -> list[str]:
    problems = []
    if policy.min_vulnerable_placements is not None and policy.min_vulnerable_placements < 0:
        problems.append("policy.min_vulnerable_placements: cannot be negative")
    problems += _share_problems(
        "policy", policy,
        ("min_affordable_share", "p_open", "p_above", "q_open", "q_reserved", "q_above", "p_no_vulnerable"),
    )
    return problems


def _complex_problems(i: int, mix: ComplexMix, complex_index: Mapping[str, int]) -> list[str]:
    where = f"complexes[{i}]"
    problems = _id_problems("complexes", i, mix.complex_id, complex_index)
    if mix.households is not None and mix.households < 1:
        problems.append(f"{where}.households: must be at least 1, not {mix.households}")
    for name in ("vulnerable", "primary"):
        count = getattr(mix, name)
        if count is not None and count < 0:
            problems.append(f"{where}.{name}: cannot be negative")
        elif count is not None and mix.households is not None and count > mix.households:
            problems.append(f"{where}.{name}: {count} is more than households ({mix.households})")
    problems += _share_problems(where, mix, ("target_vulnerable_max_share", "target_primary_max_share"))
    return problems


def _vacancy_problems(
    j: int,
    vacancy: Vacancy,
    vacancy_index: Mapping[str, int],
    complex_index: Mapping[str, int],
    has_unreadable_complex: bool,
) -> list[str]:
    where = f"vacancies[{j}]"
    problems = _id_problems("vacancies", j, vacancy.vacancy_id, vacancy_index)
    if vacancy.complex_id is not None and vacancy.complex_id not in complex_index and not has_unreadable_complex:
        problems.append(f'{where}.complex: unknown complex "{vacancy.complex_id}"')
    for name in ("base_rent", "max_base_rent"):
        amount = getattr(vacancy, name)
        if amount is not None and (not amount.is_finite() or amount < 0):
            problems.append(f"{where}.{name}: must be an amount of 0 or more, not {amount}")
    size = vacancy.household_size_min
    if size is not None and not 1 <= size <= MAX_HOUSEHOLD_SIZE:
        problems.append(f"{where}.household_size_min: must lie between 1 and {MAX_HOUSEHOLD_SIZE}, not {size}")
    return problems


def _leaving_household_problems(plan_input: LabelPlanInput, complex_index: Mapping[str, int]) -> list[str]:
    """A complex with more vacancies, or more vulnerable or primary leaving households, than its counts allow.

    Complexes come in the order their first vacancy does.
    """
    per_complex: dict[str, list[Vacancy]] = {}
    for vacancy in plan_input.vacancies:
        if vacancy.complex_id is not None and vacancy.complex_id in complex_index:
            per_complex.setdefault(vacancy.complex_id, []).append(vacancy)
    problems = []
    for complex_id, vacancies in per_complex.items():
        i = complex_index[complex_id]
        mix = plan_input.complexes[i]
        if mix.households is not None and len(vacancies) > mix.households:
            problems.append(
                f"complexes[{i}].households: {mix.households}, but the complex has {len(vacancies)} vacancies "
                "(households counts the leaving households too)"
            )
        for name, flag, what in (
            ("vulnerable", "leaving_household_vulnerable", "a vulnerable leaving household"),
            ("primary", "leaving_household_primary", "a leaving household in the primary income band"),
        ):
            leaving = sum(bool(getattr(v, flag)) for v in vacancies)
            count = getattr(mix, name)
            if count is not None and 0 <= count < leaving:
                problems.append(f"complexes[{i}].{name}: {count}, but {leaving} vacancies of this complex have {what}")
    return problems


def max_above_cap(vacancies: int, min_affordable_share: Decimal) -> int:
    """The most ABOVE_CAP labels `min_affordable_share` allows: n - ceil(share x n), exact in Decimal."""
    return vacancies - int((min_affordable_share * vacancies).to_integral_value(rounding=ROUND_CEILING))


def plan_labels(
    plan_input: LabelPlanInput,
    params: ParameterSet,
    *,
    seed: int = 0,
    time_limit: float | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> LabelPlan:
    """Label every vacancy of the plan (steps in the module docstring).

    Args:
        plan_input: policy, complexes and vacancies.
        params: the legal parameters valid on `plan_input.reference_date` (the caller looks them up).
        seed: HiGHS's random seed; the same seed and input give the same plan.
        time_limit: seconds for the solver; None for no limit.
        on_progress: called with (stages done, 3) after each of the three solves.

    Returns:
        The plan: labels in vacancy input order, projections in complex input order, objective and totals.

    Raises:
        LabelPlanInputError: the input is inconsistent (every problem listed).
        LabelPlanParameterMissing: a cap or the DAEB rent limit is unknown for the date.
        LabelPlanInfeasible: no labelling meets the constraints; names the constraint.
        LabelPlanSolverError: HiGHS stopped without a proven optimum.
    """
    problems = input_problems(plan_input)
    if problems:
        raise LabelPlanInputError(problems)
    policy, vacancies = plan_input.policy, plan_input.vacancies
    check_parameters(vacancies, params)
    n = len(vacancies)
    if policy.min_vulnerable_placements > n:
        raise LabelPlanInfeasible(
            "min_vulnerable_placements",
            f"min_vulnerable_placements: {policy.min_vulnerable_placements} vulnerable placements are demanded, "
            f"but the plan has only {n} vacancies",
        )
    max_above = max_above_cap(n, policy.min_affordable_share)
    rents = tuple(vacancy_rent(v, params) for v in vacancies)

    members: dict[str, list[int]] = {}
    for j, vacancy in enumerate(vacancies):
        members.setdefault(vacancy.complex_id, []).append(j)
    by_id = {mix.complex_id: mix for mix in plan_input.complexes}
    planned = [by_id[cid] for cid in sorted(members, key=lambda cid: members[cid][0])]
    rows = [
        _complex_rows(mix, [vacancies[j] for j in members[mix.complex_id]], rents, members[mix.complex_id])
        for mix in planned
    ]
    inflow = Inflow(
        p_open=float(policy.p_open),
        p_above=float(policy.p_above),
        q_open=float(policy.q_open),
        q_reserved=float(policy.q_reserved),
        q_above=float(policy.q_above),
        p_no_vulnerable=float(policy.p_no_vulnerable),
    )
    try:
        solution = solve_label_counts(
            rows,
            inflow,
            min_reserved=policy.min_vulnerable_placements,
            max_above=max_above,
            seed=seed,
            time_limit=time_limit,
            on_progress=on_progress,
        )
    except Infeasible as exc:
        raise LabelPlanInfeasible(
            exc.constraints[0],
            f"no labelling meets {' together with '.join(exc.constraints)} "
            f"(at least {policy.min_vulnerable_placements} reserved for vulnerable households, at most "
            f"{max_above} of {n} above the cap)",
        ) from None
    except SolverStopped as exc:
        raise LabelPlanSolverError(str(exc)) from None

    labels: list[Label | None] = [None] * n
    for mix, counts in zip(planned, solution.counts, strict=True):
        _assign(members[mix.complex_id], dict(zip(COUNT_ORDER, (int(c) for c in counts), strict=True)), rents, labels)
    assigned: list[Label] = [label for label in labels if label is not None]
    if len(assigned) != n:
        raise LabelPlanSolverError("the solver's counts do not cover every vacancy")
    _check_constraints(assigned, policy.min_vulnerable_placements, max_above)

    projections = tuple(
        _project(mix, plan_input, members.get(mix.complex_id, []), assigned) for mix in plan_input.complexes
    )
    projection_by_id = {p.complex_id: p for p in projections}
    above = sum(label is Label.ABOVE_CAP for label in assigned)
    reserved = sum(label is Label.RESERVED_VULNERABLE for label in assigned)
    vacancy_labels = tuple(
        VacancyLabel(
            vacancy_id=vacancy.vacancy_id,
            complex_id=vacancy.complex_id,
            label=label,
            base_rent=proposed_rent(rent, label),
            reason=_reason(
                vacancy, label, rent, projection_by_id[vacancy.complex_id], policy.min_vulnerable_placements
            ),
        )
        for vacancy, label, rent in zip(vacancies, assigned, rents, strict=True)
    )
    return LabelPlan(
        reference_date=plan_input.reference_date,
        parameter_version=params.version,
        objective=PlanObjective(
            excess_share_sum=sum((p.excess_share for p in projections), Decimal(0)),
            above_cap=above,
            open=sum(label is Label.OPEN for label in assigned),
        ),
        labels=vacancy_labels,
        complexes=projections,
        affordable_share=Decimal(n - above) / n,
        lost_to_lowest_incomes=above,
        reserved_vulnerable=reserved,
        exception_budget_left=plan_input.exception_budget_left,
        solver_seconds=solution.seconds,
    )


def _complex_rows(mix: ComplexMix, vacancies: list[Vacancy], rents: tuple[VacancyRent, ...], positions: list[int]):
    leaving_vulnerable = sum(v.leaving_household_vulnerable for v in vacancies)
    leaving_primary = sum(v.leaving_household_primary for v in vacancies)
    return ComplexRows(
        vacancies=len(vacancies),
        above_allowed=sum(rents[j].is_above_cap_allowed for j in positions),
        households=mix.households,
        vulnerable_base=float(mix.vulnerable - leaving_vulnerable - mix.target_vulnerable_max_share * mix.households),
        primary_base=float(mix.primary - leaving_primary - mix.target_primary_max_share * mix.households),
    )


def _assign(positions: list[int], counts: dict[Label, int], rents: tuple[VacancyRent, ...], labels: list) -> None:
    """Give a complex's label counts to its vacancies.

    All choices here leave every objective unchanged: ABOVE_CAP goes to the allowed vacancies with the highest
    lawful rent (the dwellings least suited to the lowest incomes anyway), RESERVED_VULNERABLE to the lowest
    affordable rents (vulnerable households mostly have low incomes), then NO_VULNERABLE and OPEN in input order.
    """
    if any(c < 0 for c in counts.values()) or sum(counts.values()) != len(positions):
        raise LabelPlanSolverError("the solver's label counts do not add up to the complex's vacancies")
    allowed = sorted(
        (j for j in positions if rents[j].is_above_cap_allowed), key=lambda j: (-rents[j].above_cap_rent, j)
    )
    if counts[Label.ABOVE_CAP] > len(allowed):
        raise LabelPlanSolverError("the solver put ABOVE_CAP on a vacancy that does not allow it")
    for j in allowed[: counts[Label.ABOVE_CAP]]:
        labels[j] = Label.ABOVE_CAP
    rest = sorted((j for j in positions if labels[j] is None), key=lambda j: (rents[j].affordable_rent, j))
    for j in rest[: counts[Label.RESERVED_VULNERABLE]]:
        labels[j] = Label.RESERVED_VULNERABLE
    rest = [j for j in positions if labels[j] is None]
    for j in rest[: counts[Label.NO_VULNERABLE]]:
        labels[j] = Label.NO_VULNERABLE
    for j in rest[counts[Label.NO_VULNERABLE] :]:
        labels[j] = Label.OPEN


def _check_constraints(labels: list[Label], min_reserved: int, max_above: int) -> None:
    """The plan must meet every constraint exactly; a solver result that does not is refused, never returned."""
    if sum(label is Label.RESERVED_VULNERABLE for label in labels) < min_reserved:
        raise LabelPlanSolverError("the solver's plan has too few vulnerable placements")
    if sum(label is Label.ABOVE_CAP for label in labels) > max_above:
        raise LabelPlanSolverError("the solver's plan has too many vacancies above the cap")


def _project(mix: ComplexMix, plan_input: LabelPlanInput, positions: list[int], labels: list[Label]):
    policy = plan_input.policy
    vulnerable, primary = Decimal(mix.vulnerable), Decimal(mix.primary)
    for j in positions:
        vacancy, label = plan_input.vacancies[j], labels[j]
        vulnerable += policy.vulnerable_inflow(label) - int(vacancy.leaving_household_vulnerable)
        primary += policy.primary_inflow(label) - int(vacancy.leaving_household_primary)
    households = Decimal(mix.households)
    return ComplexProjection(
        complex_id=mix.complex_id,
        households=mix.households,
        vacancies=len(positions),
        vulnerable_share=mix.vulnerable / households,
        projected_vulnerable_share=vulnerable / households,
        target_vulnerable_max_share=mix.target_vulnerable_max_share,
        primary_share=mix.primary / households,
        projected_primary_share=primary / households,
        target_primary_max_share=mix.target_primary_max_share,
    )


# --- explanations --------------------------------------------------------------------------------------------


def _percent(share: Decimal) -> str:
    return f"{share * 100:.1f}%"


def _euro(amount: Decimal) -> str:
    return f"€{amount:,.2f}"


def _cap_text(rent: VacancyRent) -> str:
    if rent.cap_name == "allowance_cap_high":
        return f"the high cap {_euro(rent.cap)} (households of 3 or more)"
    return f"the low cap {_euro(rent.cap)}"


def _vulnerable_text(p: ComplexProjection) -> str:
    return (
        f"vulnerable households {_percent(p.vulnerable_share)} now, {_percent(p.projected_vulnerable_share)} after "
        f"the plan, maximum {_percent(p.target_vulnerable_max_share)}"
    )


def _primary_text(p: ComplexProjection) -> str:
    return (
        f"primary income band {_percent(p.primary_share)} now, {_percent(p.projected_primary_share)} after "
        f"the plan, maximum {_percent(p.target_primary_max_share)}"
    )


def _reason(vacancy: Vacancy, label: Label, rent: VacancyRent, p: ComplexProjection, min_reserved: int) -> str:
    """One plain sentence (or two) on why this vacancy gets this label and this rent."""
    c = f"complex {vacancy.complex_id}"
    within = (
        p.projected_vulnerable_share <= p.target_vulnerable_max_share
        and p.projected_primary_share <= p.target_primary_max_share
    )
    if label is Label.ABOVE_CAP:
        assert rent.above_cap_rent is not None
        ceiling = (
            "the DAEB rent limit"
            if vacancy.is_daeb and rent.ceiling < vacancy.max_base_rent
            else ("the legal maximum from the WWS points")
        )
        return (
            f"Let above {_cap_text(rent)} at {_euro(rent.above_cap_rent)}, {ceiling}, to a slightly higher income, "
            f"to lower the share of the primary income band in {c} ({_primary_text(p)}). "
            "One vacancy fewer for the lowest incomes."
        )
    if label is Label.RESERVED_VULNERABLE:
        if p.projected_vulnerable_share <= p.target_vulnerable_max_share:
            why = f"For a placement (a household placed with support): {c} has room ({_vulnerable_text(p)})."
        else:
            why = (
                f"For a placement (a household placed with support) to reach the minimum of {min_reserved} "
                f"placements, although {c} goes over its maximum: the plan places them where they add least to "
                f"the excess over the limits ({_vulnerable_text(p)})."
            )
    elif label is Label.NO_VULNERABLE:
        further = "further " if p.projected_vulnerable_share > p.target_vulnerable_max_share else ""
        why = (
            f"Not used for a placement or an urgency allocation (anyone may react; nobody is excluded for a "
            f"marker): with an open letting {c} would go {further}over its maximum ({_vulnerable_text(p)})."
        )
    elif within:
        why = f"Open to all eligible groups: {c} stays within its limits ({_vulnerable_text(p)}; {_primary_text(p)})."
    else:
        why = (
            f"Open to all eligible groups: within the plan's constraints no other label brings {c} closer to its "
            f"limits ({_vulnerable_text(p)}; {_primary_text(p)})."
        )
    assert label in AFFORDABLE_LABELS
    if rent.affordable_rent < vacancy.base_rent:
        if rent.affordable_rent < rent.cap:
            limit = (
                "the DAEB rent limit"
                if vacancy.is_daeb and rent.ceiling < vacancy.max_base_rent
                else ("the legal maximum")
            )
        else:
            limit = _cap_text(rent)
        return f"{why} Rent lowered from {_euro(vacancy.base_rent)} to {_euro(rent.affordable_rent)}, {limit}."
    return f"{why} Rent stays {_euro(rent.affordable_rent)}, at or below {_cap_text(rent)}."
