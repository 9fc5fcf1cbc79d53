"""Golden scenarios: small readable rounds in data/allocation/<scenario>/ with the result we expect.

`buurtbalans regenerate_golden` rewrites expected.json after a deliberate change; its diff must be read in review.
The round file path (`run_allocation_round`) is checked against the same files in
buurtbalans/allocation/tests/test_run_allocation_round.py.
"""

import pytest

from buurtbalans.engine.allocation import solve_round
from buurtbalans.engine.parameters import builtin_parameter_set
from buurtbalans.engine.tests.allocation_support import golden_scenarios, load_json, round_input_from_document

SCENARIOS = golden_scenarios()


def test_there_are_golden_scenarios():
    assert {folder.name for folder in SCENARIOS} >= {
        "registration_basic", "urgency_and_lottery", "eligibility_reasons", "displacement_chain",
        "parameters_2026_exception", "round2_agreeing_assessors", "round2_diverging_assessors",
        "round2_duplicate_assessor", "round2_below_minimum", "round2_ties",
    }


@pytest.mark.smoke
@pytest.mark.parametrize("folder", SCENARIOS, ids=[folder.name for folder in SCENARIOS])
def test_golden_scenario(folder):
    round_input, reference_date, seed = round_input_from_document(load_json(folder / "input.json"))
    result = solve_round(round_input, builtin_parameter_set(reference_date), reference_date=reference_date,
                         lottery_seed=seed)
    assert result.to_document() == load_json(folder / "expected.json")


def test_the_displacement_chain_ends_in_the_only_stable_matching():
    # W's arrival at P pushes X to Q, who pushes Y back to P, who pushes W out: every listing then holds the
    # best candidate who still wants it.
    expected = load_json(next(f for f in SCENARIOS if f.name == "displacement_chain") / "expected.json")
    assert {(a["listing"], a["applicant"]) for a in expected["allocations"]} == {("P", "Y"), ("Q", "X"), ("R", "Z")}
    assert [r["applicant"] for r in expected["listings"]["P"]["reserve"]] == ["W"]
