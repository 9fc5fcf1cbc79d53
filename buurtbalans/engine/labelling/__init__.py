"""Labelling plan: one label per vacancy (OPEN / NO_VULNERABLE / RESERVED_VULNERABLE / ABOVE_CAP) for a period.

The labels are chosen by a mixed-integer program (HiGHS) that steers each complex towards its target mix (issue 5).

- `plan_labels` (plan.py): the plan; `input_problems` lists every inconsistency in an input.
- `vacancy_rent` (rents.py): cap, lawful ceiling and proposed rent of one vacancy.
- `solve_label_counts` (mip.py): the program and its lexicographic solve.
Model, interpretation and benchmark: docs/labelling.md.
"""

from buurtbalans.engine.labelling.facts import (
    AFFORDABLE_LABELS,
    ComplexMix,
    ComplexProjection,
    Label,
    LabelPlan,
    LabelPlanError,
    LabelPlanInfeasible,
    LabelPlanInput,
    LabelPlanInputError,
    LabelPlanParameterMissing,
    LabelPlanSolverError,
    LabelPolicy,
    PlanObjective,
    Vacancy,
    VacancyLabel,
    VacancyRent,
)
from buurtbalans.engine.labelling.plan import input_problems, max_above_cap, plan_labels
from buurtbalans.engine.labelling.rents import floor_cent, proposed_rent, required_parameters, vacancy_rent

__all__ = [
    "AFFORDABLE_LABELS",
    "ComplexMix",
    "ComplexProjection",
    "Label",
    "LabelPlan",
    "LabelPlanError",
    "LabelPlanInfeasible",
    "LabelPlanInput",
    "LabelPlanInputError",
    "LabelPlanParameterMissing",
    "LabelPlanSolverError",
    "LabelPolicy",
    "PlanObjective",
    "Vacancy",
    "VacancyLabel",
    "VacancyRent",
    "floor_cent",
    "input_problems",
    "max_above_cap",
    "plan_labels",
    "proposed_rent",
    "required_parameters",
    "vacancy_rent",
]
