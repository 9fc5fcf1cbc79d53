"""The letting policies of the simulation: a label for every vacancy of a year (issue 15).

- open: every vacancy OPEN.
- quota: round(reserved_share x the year's vacancies) of them (half up), drawn at random over all vacancies
  (multivariate hypergeometric), RESERVED_VULNERABLE; the rest OPEN.
- room_check: a vacancy in a complex whose V share at the start of the year is at or over its target gets
  NO_VULNERABLE, else OPEN. Then OPEN vacancies become RESERVED_VULNERABLE in order of their complex's room
  (target_V_max_share x dwellings - V at the start of the year, largest first; ties by complex id, then vacancy
  order) until min_vulnerable_placements is met, or no OPEN vacancy is left.
- plan: the labelling plan of `engine.labelling.plan_labels`, solved on the year's vacancies (docs/simulation.md,
  "plan"): households = dwellings and V, P at the start of the year (the leaving households included, as steering
  builds its input), one vacancy per move-out with its leaving household's type, the expected inflow per label
  from the scenario's inflow table. The simulation has no rents: every vacancy is planned at or below the cap,
  so ABOVE_CAP is never chosen. A minimum above the year's vacancies is capped at them (room_check cannot place
  more either).

Each returns counts per complex and label, shape (complexes, 4) in `LABELS` order; within a complex the vacancies
are alike, so counts are all the inflow step needs.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING

import numpy as np

from buurtbalans.engine.labelling import (
    ComplexMix,
    LabelPlan,
    LabelPlanError,
    LabelPlanInput,
    LabelPolicy,
    Vacancy,
    plan_labels,
)
from buurtbalans.engine.parameters import ParameterSet
from buurtbalans.engine.simulation.scenario import LABELS, Policy, reserved_count

if TYPE_CHECKING:
    from buurtbalans.engine.simulation.model import Prepared

OPEN, NO_VULNERABLE, RESERVED, ABOVE_CAP = range(4)
# The simulation's vacancies have no rents: planned at rent 0 under a nominal cap, so ABOVE_CAP is never allowed
# and no DAEB rent limit is needed. These figures reach no result.
_NO_RENT = Decimal(0)
_NOMINAL_CAP = Decimal(1)
PLAN_SEED = 0


class SimulationError(Exception):
    """A run could not go on (the plan's solver stopped); the message says which policy and year."""


def label_counts(
    prepared: Prepared,
    policy: Policy,
    year: int,
    start: np.ndarray,
    moved: np.ndarray,
    vacancies: np.ndarray,
    rng: np.random.Generator,
) -> np.ndarray:
    """The year's label counts per complex (module docstring).

    Args:
        prepared: the scenario's arrays.
        policy: the policy.
        year: the calendar year (the plan's reference date is its 1 January).
        start: households per type (3, C) at the start of the year.
        moved: the move-outs per type (3, C).
        vacancies: the vacancies per complex (C,).
        rng: the run's generator (quota draws from it).
    """
    counts = np.zeros((len(vacancies), len(LABELS)), dtype=np.int64)
    if policy.kind == "open":
        counts[:, OPEN] = vacancies
    elif policy.kind == "quota":
        assert policy.reserved_share is not None
        total = int(vacancies.sum())
        reserved = reserved_count(policy.reserved_share, total)
        if reserved:
            counts[:, RESERVED] = rng.multivariate_hypergeometric(vacancies, reserved)
        counts[:, OPEN] = vacancies - counts[:, RESERVED]
    elif policy.kind == "room_check":
        counts = _room_check(prepared, policy, start[0], vacancies)
    elif policy.kind == "plan":
        counts = plan_counts(prepared, policy, year, start, moved, vacancies)
    else:  # parse_scenario refuses other kinds
        raise ValueError(f"unknown policy kind {policy.kind!r}")
    return counts


def _room_check(prepared: Prepared, policy: Policy, v: np.ndarray, vacancies: np.ndarray) -> np.ndarray:
    counts = np.zeros((len(vacancies), len(LABELS)), dtype=np.int64)
    room = prepared.v_limit - v * prepared.scale  # exact, in 1/scale households
    is_full = room <= 0  # V share at or over the target
    counts[:, NO_VULNERABLE] = np.where(is_full, vacancies, 0)
    counts[:, OPEN] = np.where(is_full, 0, vacancies)
    minimum = policy.min_vulnerable_placements or 0
    if minimum:
        # By room, largest first; a stable sort of the complexes in id order breaks ties by id.
        by_id = prepared.id_order
        order = by_id[np.argsort(-room[by_id], kind="stable")]
        open_ordered = counts[order, OPEN]
        before = np.cumsum(open_ordered) - open_ordered
        reserved = np.clip(minimum - before, 0, open_ordered)
        counts[order, RESERVED] = reserved
        counts[order, OPEN] = open_ordered - reserved
    return counts


def plan_counts(
    prepared: Prepared, policy: Policy, year: int, start: np.ndarray, moved: np.ndarray, vacancies: np.ndarray
) -> np.ndarray:
    """The plan policy's label counts: `plan_labels` on this year's vacancies (`plan_input`), counted per complex.

    Raises:
        SimulationError: no plan (the solver stopped; an input the scenario's checks let through).
    """
    if not vacancies.any():
        return np.zeros((len(vacancies), len(LABELS)), dtype=np.int64)
    the_input, params = plan_input(prepared, policy, year, start, moved, vacancies)
    try:
        plan = plan_labels(the_input, params, seed=PLAN_SEED)
    except LabelPlanError as exc:
        raise SimulationError(f"policy {policy.name!r}, year {year}: no labelling plan: {exc}") from None
    return counts_of_plan(plan, prepared)


def plan_input(
    prepared: Prepared, policy: Policy, year: int, start: np.ndarray, moved: np.ndarray, vacancies: np.ndarray
) -> tuple[LabelPlanInput, ParameterSet]:
    """The `plan_labels` input and parameters for this year: what `plan_counts` solves, as the plan engine's input.

    Households = dwellings and V, P at the start of the year (the leaving households included, as steering builds
    its input); one vacancy per move-out, the first ones with a vulnerable leaving household, then primary;
    rent 0 under a nominal cap (no ABOVE_CAP); min_affordable_share 1.
    """
    scenario = prepared.scenario
    inflow = scenario.inflow
    total = int(vacancies.sum())
    label_policy = LabelPolicy(
        min_vulnerable_placements=min(policy.min_vulnerable_placements or 0, total),
        min_affordable_share=Decimal(1),
        p_open=inflow["OPEN"][0],
        p_above=Decimal(0),
        q_open=inflow["OPEN"][1],
        q_reserved=inflow["RESERVED_VULNERABLE"][1],
        q_above=Decimal(0),
        p_no_vulnerable=inflow["NO_VULNERABLE"][0],
    )
    mixes, plan_vacancies = [], []
    for c in np.flatnonzero(vacancies).tolist():
        state = scenario.complexes[c]
        cid = state.complex_id
        mv, mp = int(moved[0, c]), int(moved[1, c])
        mixes.append(
            ComplexMix(
                complex_id=cid,
                households=state.dwellings,
                vulnerable=int(start[0, c]),
                primary=int(start[1, c]),
                target_vulnerable_max_share=state.target_V_max_share,
                target_primary_max_share=state.target_P_max_share,
            )
        )
        for j in range(int(vacancies[c])):
            plan_vacancies.append(
                Vacancy(
                    vacancy_id=f"{cid}/{j}",
                    complex_id=cid,
                    base_rent=_NO_RENT,
                    max_base_rent=_NO_RENT,
                    is_daeb=False,
                    household_size_min=1,
                    leaving_household_vulnerable=j < mv,
                    leaving_household_primary=mv <= j < mv + mp,
                )
            )
    reference_date = date(year, 1, 1)
    params = ParameterSet(
        valid_from=reference_date,
        version="simulation (no rents)",
        allowance_cap_low=_NOMINAL_CAP,
        allowance_cap_high=_NOMINAL_CAP,
    )
    return (
        LabelPlanInput(reference_date=reference_date, policy=label_policy, complexes=tuple(mixes),
                       vacancies=tuple(plan_vacancies)),
        params,
    )


def counts_of_plan(plan: LabelPlan, prepared: Prepared) -> np.ndarray:
    """A `plan_labels` plan's labels counted per complex and label (LABELS order)."""
    index = {c.complex_id: i for i, c in enumerate(prepared.scenario.complexes)}
    column = {label: k for k, label in enumerate(LABELS)}
    counts = np.zeros((len(index), len(LABELS)), dtype=np.int64)
    for vacancy_label in plan.labels:
        counts[index[vacancy_label.complex_id], column[vacancy_label.label.value]] += 1
    return counts
