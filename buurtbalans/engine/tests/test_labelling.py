"""The labelling plan engine on hand-worked cases: rents, labels, reasons, refusals and determinism.

Figures use the 2025 parameters: allowance_cap_low 682.96, allowance_cap_high 731.93, daeb_rent_limit 900.07.
"""

import random
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from buurtbalans.engine.labelling import (
    ComplexMix,
    Label,
    LabelPlanInfeasible,
    LabelPlanInput,
    LabelPlanInputError,
    LabelPlanParameterMissing,
    LabelPolicy,
    Vacancy,
    input_problems,
    max_above_cap,
    plan_labels,
    vacancy_rent,
)
from buurtbalans.engine.labelling.mip import ComplexRows, Infeasible, Inflow, solve_label_counts
from buurtbalans.engine.parameters import builtin_parameter_set

D = Decimal
PARAMS_2025 = builtin_parameter_set(date(2025, 3, 1))
POLICY = LabelPolicy(
    min_vulnerable_placements=0,
    min_affordable_share=D("0.5"),
    p_open=D("0.3"),
    p_above=D("0.05"),
    q_open=D("0.8"),
    q_reserved=D("0.9"),
    q_above=D("0.1"),
)


def mix(complex_id, households, vulnerable, primary, vulnerable_max="0.25", primary_max="0.7"):
    return ComplexMix(complex_id, households, vulnerable, primary, D(vulnerable_max), D(primary_max))


def vacancy(
    vacancy_id,
    complex_id,
    base_rent="650.00",
    max_base_rent="700.00",
    *,
    is_daeb=True,
    size=1,
    vulnerable=False,
    primary=False,
):
    return Vacancy(vacancy_id, complex_id, D(base_rent), D(max_base_rent), is_daeb, size, vulnerable, primary)


def plan_input(complexes, vacancies, reference_date=date(2025, 3, 1), **policy):
    return LabelPlanInput(reference_date, replace(POLICY, **policy), tuple(complexes), tuple(vacancies))


# --- rents ---------------------------------------------------------------------------------------------------


@pytest.mark.smoke
@pytest.mark.parametrize(
    ("base", "maximum", "is_daeb", "size", "cap", "affordable", "above"),
    [
        # below the low cap, ceiling below the cap: the rent stays, ABOVE_CAP is not allowed
        ("650.00", "680.00", True, 1, "682.96", "650.00", None),
        # above the low cap: lowered to it; ceiling 850 above it: ABOVE_CAP at 850
        ("700.00", "850.00", True, 2, "682.96", "682.96", "850.00"),
        # three persons: the high cap; 700 stays
        ("700.00", "850.00", True, 3, "731.93", "700.00", "850.00"),
        # DAEB: the ceiling is the DAEB rent limit 900.07, not the WWS maximum 1,000
        ("700.00", "1000.00", True, 1, "682.96", "682.96", "900.07"),
        # not DAEB: the WWS maximum, rounded down to the cent
        ("700.00", "1000.129", False, 1, "682.96", "682.96", "1000.12"),
        # a current rent above the legal maximum comes down to it, even below the cap
        ("670.00", "655.555", False, 1, "682.96", "655.55", None),
        # a ceiling equal to the cap does not exceed it
        ("600.00", "682.96", False, 1, "682.96", "600.00", None),
        # the ceiling rounds down to the cap: not above it
        ("600.00", "682.969", False, 1, "682.96", "600.00", None),
    ],
)
def test_vacancy_rents(base, maximum, is_daeb, size, cap, affordable, above):
    rent = vacancy_rent(vacancy("V", "C", base, maximum, is_daeb=is_daeb, size=size), PARAMS_2025)
    assert rent.cap == D(cap)
    assert rent.affordable_rent == D(affordable)
    assert rent.above_cap_rent == (None if above is None else D(above))
    assert rent.cap_name == ("allowance_cap_high" if size >= 3 else "allowance_cap_low")


# --- labels on a hand-worked case ----------------------------------------------------------------------------


# C1 (20 households, 7 vulnerable = 35% > 25%, 15 primary = 75% > 70%): V1 leaves as primary, V2 as vulnerable and
#   primary. Vulnerable after the moves 6 (30%): any vulnerable inflow only adds excess, so no OPEN or RESERVED.
#   Primary after the moves 13, + 0.8 per OPEN/NO_VULNERABLE, + 0.1 per ABOVE_CAP. Both NO_VULNERABLE: 14.6 (73%,
#   excess 0.03). One ABOVE_CAP (only V2's ceiling, 990, is above its cap): 13.9 (69.5%, no excess).
# C2 (10 households, 1 vulnerable, 5 primary, limits 30% / 80%): V3 has room for a vulnerable household
#   (1 + 1 = 20%), primary 5 + 0.9 = 59%.
# min_vulnerable_placements 1 -> V3 RESERVED_VULNERABLE. min_affordable_share 0.5 of 3 -> at most 1 ABOVE_CAP.
# Sum of excess: C1 vulnerable (6 + 0.05) / 20 - 0.25 = 0.0525; primary 0; C2 none.
def hand_case(**policy):
    return plan_input(
        [mix("C1", 20, 7, 15), mix("C2", 10, 1, 5, "0.3", "0.8")],
        [
            vacancy("V1", "C1", "700.00", "850.00", primary=True),
            vacancy("V2", "C1", "640.00", "990.00", is_daeb=False, size=3, vulnerable=True, primary=True),
            vacancy("V3", "C2", "600.00", "650.00", size=2),
        ],
        **{"min_vulnerable_placements": 1, **policy},
    )


@pytest.mark.smoke
def test_a_hand_worked_plan():
    plan = plan_labels(hand_case(), PARAMS_2025)
    assert [(v.vacancy_id, v.label, v.base_rent) for v in plan.labels] == [
        ("V1", Label.NO_VULNERABLE, D("682.96")),
        ("V2", Label.ABOVE_CAP, D("990.00")),
        ("V3", Label.RESERVED_VULNERABLE, D("600.00")),
    ]
    assert plan.objective.excess_share_sum == D("0.0525")
    assert (plan.objective.above_cap, plan.objective.open) == (1, 0)
    c1, c2 = plan.complexes
    assert (c1.vulnerable_share, c1.projected_vulnerable_share) == (D("0.35"), D("0.3025"))
    assert (c1.primary_share, c1.projected_primary_share) == (D("0.75"), D("0.695"))
    assert (c2.projected_vulnerable_share, c2.projected_primary_share) == (D("0.2"), D("0.59"))
    assert plan.affordable_share == D(2) / 3
    assert plan.lost_to_lowest_incomes == 1
    assert plan.reserved_vulnerable == 1
    assert plan.exception_budget_left is None
    assert plan.parameter_version == PARAMS_2025.version


def test_each_label_explains_itself():
    v1, v2, v3 = plan_labels(hand_case(), PARAMS_2025).labels
    assert v1.reason == (
        "Not used for a placement or an urgency allocation (anyone may react; nobody is excluded for a marker): "
        "with an open letting complex C1 would go further over "
        "its maximum (vulnerable households 35.0% now, 30.2% after the plan, maximum 25.0%). "
        "Rent lowered from €700.00 to €682.96, the low cap €682.96."
    )
    assert v2.reason.startswith(
        "Let above the high cap €731.93 (households of 3 or more) at €990.00, the legal maximum from the WWS points"
    )
    assert "primary income band 75.0% now, 69.5% after the plan, maximum 70.0%" in v2.reason
    assert v2.reason.endswith("One vacancy fewer for the lowest incomes.")
    assert v3.reason == (
        "For a placement (a household placed with support): complex C2 has room (vulnerable households 10.0% "
        "now, 20.0% after the plan, maximum 30.0%). Rent stays €600.00, at or below the low cap €682.96."
    )


def test_no_above_cap_when_every_vacancy_must_stay_affordable():
    plan = plan_labels(hand_case(min_affordable_share=D(1)), PARAMS_2025)
    assert [v.label for v in plan.labels] == [Label.NO_VULNERABLE, Label.NO_VULNERABLE, Label.RESERVED_VULNERABLE]
    # C1: vulnerable 6 of 20 (30%, without the 0.05 an ABOVE_CAP letting brings), primary band 14.6 (73%).
    assert plan.objective.excess_share_sum == D("0.05") + D("0.03")
    assert plan.affordable_share == 1


def test_complexes_with_room_are_let_open_and_the_exception_budget_is_passed_on():
    case = replace(
        plan_input([mix("C1", 40, 2, 10)], [vacancy("V1", "C1"), vacancy("V2", "C1")]), exception_budget_left=-2
    )
    plan = plan_labels(case, PARAMS_2025)
    assert [v.label for v in plan.labels] == [Label.OPEN, Label.OPEN]
    assert plan.labels[0].reason.startswith("Open to all eligible groups: complex C1 stays within its limits")
    assert plan.objective == type(plan.objective)(D(0), 0, 2)
    assert plan.exception_budget_left == -2


def test_above_cap_goes_to_the_dwelling_with_the_highest_lawful_rent():
    # Primary band 36 of 40 (90%), limit 70%: every ABOVE_CAP helps; at most 1 of 4 (min_affordable_share 0.75).
    vacancies = [
        vacancy(f"V{i}", "C1", "650.00", maximum, is_daeb=False)
        for i, maximum in enumerate(["760.00", "940.50", "690.00", "940.50"])
    ]
    plan = plan_labels(plan_input([mix("C1", 40, 0, 36)], vacancies, min_affordable_share=D("0.75")), PARAMS_2025)
    assert [v.label for v in plan.labels] == [Label.OPEN, Label.ABOVE_CAP, Label.OPEN, Label.OPEN]
    assert plan.labels[1].base_rent == D("940.50")  # ties go to the first in the input


def test_vulnerable_placements_go_to_the_lowest_rents_of_the_complex_with_room():
    vacancies = [vacancy("V1", "C1", "690.00"), vacancy("V2", "C1", "610.00"), vacancy("V3", "C2", "500.00")]
    # C1 has room for 2 (20 households, 2 vulnerable, limit 25%); C2 has none (10 of 10 vulnerable).
    plan = plan_labels(
        plan_input([mix("C1", 20, 2, 5), mix("C2", 10, 10, 5)], vacancies, min_vulnerable_placements=1), PARAMS_2025
    )
    assert [v.label for v in plan.labels] == [Label.OPEN, Label.RESERVED_VULNERABLE, Label.NO_VULNERABLE]


# --- refusals ------------------------------------------------------------------------------------------------


@pytest.mark.smoke
def test_more_placements_than_vacancies_is_refused_naming_the_constraint():
    with pytest.raises(LabelPlanInfeasible) as refused:
        plan_labels(hand_case(min_vulnerable_placements=4), PARAMS_2025)
    assert refused.value.constraint == "min_vulnerable_placements"
    assert str(refused.value) == (
        "min_vulnerable_placements: 4 vulnerable placements are demanded, but the plan has only 3 vacancies"
    )


def test_the_solver_names_the_constraint_it_cannot_meet():
    # Below the engine's own check: HiGHS reports infeasible, and dropping rows finds the culprit.
    rows = [ComplexRows(vacancies=2, above_allowed=1, households=10, vulnerable_base=-1.0, primary_base=-2.0)]
    inflow = Inflow(0.3, 0.05, 0.8, 0.9, 0.1)
    with pytest.raises(Infeasible) as refused:
        solve_label_counts(rows, inflow, min_reserved=3, max_above=0)
    assert refused.value.constraints == ("min_vulnerable_placements",)


def test_a_missing_cap_is_reported_as_a_missing_parameter():
    case = replace(hand_case(), reference_date=date(2026, 3, 1))
    # 2026 as it was before its caps were published.
    params = replace(builtin_parameter_set(case.reference_date), allowance_cap_low=None, allowance_cap_high=None)
    with pytest.raises(LabelPlanParameterMissing) as missing:
        plan_labels(case, params)
    assert missing.value.names == ("allowance_cap_low", "allowance_cap_high")
    assert str(missing.value).startswith("parameter missing: allowance_cap_low, allowance_cap_high")


def test_every_inconsistency_is_listed():
    case = plan_input(
        [mix("C1", 2, 0, 3), mix("C1", 10, 1, 1, "1.5")],
        [
            vacancy("V1", "C1", vulnerable=True),
            vacancy("V1", "C1"),
            vacancy("V3", "C1", "-1"),
            vacancy("V4", "C9", size=0),
        ],
        p_open=D("1.2"),
    )
    assert input_problems(case) == (
        "policy.p_open: must lie between 0 and 1, not 1.2",
        "complexes[0].primary: 3 is more than households (2)",
        'complexes[1].id: "C1" also at complexes[0]',
        "complexes[1].target_vulnerable_max_share: must lie between 0 and 1, not 1.5",
        'vacancies[1].id: "V1" also at vacancies[0]',
        "vacancies[2].base_rent: must be an amount of 0 or more, not -1",
        'vacancies[3].complex: unknown complex "C9"',
        "vacancies[3].household_size_min: must lie between 1 and 30, not 0",
        "complexes[0].households: 2, but the complex has 3 vacancies (households counts the leaving households too)",
        "complexes[0].vulnerable: 0, but 1 vacancies of this complex have a vulnerable leaving household",
    )
    with pytest.raises(LabelPlanInputError) as refused:
        plan_labels(case, PARAMS_2025)
    assert len(refused.value.problems) == 10


@pytest.mark.parametrize(
    ("share", "vacancies", "most"),
    [("0.9", 10, 1), ("0.9", 7, 0), ("0", 5, 5), ("1", 5, 0), ("0.925", 40, 3), ("0.5", 3, 1)],
)
def test_the_affordable_share_allows_this_many_above_the_cap(share, vacancies, most):
    assert max_above_cap(vacancies, D(share)) == most


# --- determinism ---------------------------------------------------------------------------------------------


def generated_case(seed: int, complexes: int = 60, vacancies: int = 300) -> LabelPlanInput:
    rng = random.Random(seed)
    mixes = []
    for c in range(complexes):
        households = rng.randint(20, 200)
        mixes.append(
            mix(
                f"C{c}",
                households,
                rng.randint(0, households // 3),
                rng.randint(households // 3, households),
                rng.choice(["0.15", "0.2", "0.25"]),
                rng.choice(["0.6", "0.7", "0.8"]),
            )
        )
    rows = []
    for v in range(vacancies):
        base = rng.randint(55_000, 80_000)
        rows.append(
            vacancy(
                f"V{v}",
                f"C{rng.randrange(complexes)}",
                f"{base / 100:.2f}",
                f"{(base + rng.randint(-3_000, 30_000)) / 100:.2f}",
                is_daeb=rng.random() < 0.8,
                size=rng.randint(1, 5),
            )
        )
    return plan_input(
        mixes, rows, min_vulnerable_placements=vacancies // 8, min_affordable_share=D("0.9"), p_open=D("0.25")
    )


def test_the_same_seed_gives_the_same_plan():
    case = generated_case(7)
    first, second = plan_labels(case, PARAMS_2025, seed=11), plan_labels(case, PARAMS_2025, seed=11)
    assert first.labels == second.labels
    assert first.complexes == second.complexes
    assert first.objective == second.objective
    # Another seed may pick another plan among equals, never a worse one.
    other = plan_labels(case, PARAMS_2025, seed=12)
    assert abs(other.objective.excess_share_sum - first.objective.excess_share_sum) < D("1e-7")
    assert (other.objective.above_cap, other.objective.open) == (first.objective.above_cap, first.objective.open)


def test_progress_is_reported_per_stage():
    seen = []
    plan_labels(hand_case(), PARAMS_2025, on_progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 3), (2, 3), (3, 3)]


def test_reasons_at_the_limit_and_for_a_placement_the_minimum_forces():
    # C1 is exactly at its vulnerable limit (5 of 20 = 25%): an open letting would take it over (+0.3).
    # C2 is full (10 of 10 vulnerable) but the minimum of one placement forces a RESERVED label somewhere:
    # in C1 it adds 1/20 = 0.05 excess, in C2 1/10 = 0.1, so C1.
    case = plan_input(
        [mix("C1", 20, 5, 5), mix("C2", 10, 10, 5)],
        [vacancy("V1", "C1"), vacancy("V2", "C1"), vacancy("V3", "C2")],
        min_vulnerable_placements=1,
    )
    v1, v2, v3 = plan_labels(case, PARAMS_2025).labels
    assert (v1.label, v2.label, v3.label) == (
        Label.RESERVED_VULNERABLE,
        Label.NO_VULNERABLE,
        Label.NO_VULNERABLE,
    )
    assert v1.reason.startswith(
        "For a placement (a household placed with support) to reach the minimum of 1 placements, although "
        "complex C1 goes over its maximum"
    )
    assert "with an open letting complex C1 would go further over its maximum" in v2.reason
    assert "with an open letting complex C2 would go further over its maximum" in v3.reason
    at_limit = plan_labels(replace(case, policy=replace(case.policy, min_vulnerable_placements=0)), PARAMS_2025)
    assert "with an open letting complex C1 would go over its maximum" in at_limit.labels[0].reason
