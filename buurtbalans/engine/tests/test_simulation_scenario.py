"""The simulation scenario's checks: a malformed scenario is refused with every problem listed (issue 15)."""

import json
from decimal import Decimal
from pathlib import Path

import pytest

from buurtbalans.engine.simulation import ScenarioError, parse_scenario

EXAMPLE = Path(__file__).resolve().parents[3] / "docs" / "examples" / "simulation-scenario.json"


def example():
    return json.loads(EXAMPLE.read_text(), parse_float=Decimal)


def problems_of(document):
    with pytest.raises(ScenarioError) as refused:
        parse_scenario(document)
    return list(refused.value.problems)


def test_the_example_in_the_docs_is_a_valid_scenario():
    scenario = parse_scenario(example())
    assert [c.complex_id for c in scenario.complexes] == ["C-ZUID-01", "C-ZUID-02", "C-NOORD-01", "C-NOORD-02"]
    assert [p.kind for p in scenario.policies] == ["open", "quota", "room_check", "plan"]
    assert scenario.inflow["OPEN"] == (Decimal("0.20"), Decimal("0.50"), Decimal("0.30"))
    assert scenario.initial_queue[0] == (0, 1, 1, 2, 3, 5)


def test_shares_may_be_json_numbers_or_decimal_strings():
    document = example()
    document["complexes"][0]["turnover"] = 0.08  # a float, read through its shortest text
    document["inflow"]["OPEN"] = {"V": "0.2", "P": 0.5, "O": Decimal("0.3")}
    scenario = parse_scenario(document)
    assert scenario.complexes[0].turnover == Decimal("0.08")
    assert sum(scenario.inflow["OPEN"]) == 1


def test_every_problem_is_listed_at_once():
    document = example()
    document["complexes"][0]["turnover"] = "1.5"  # a share over 1
    document["complexes"][1]["V"] = -1  # a negative count
    document["complexes"][2]["P"] = 81  # V + P + O no longer the dwellings
    document["complexes"][3]["id"] = "C-ZUID-01"  # a duplicate id
    document["inflow"]["OPEN"]["V"] = "0.25"  # inflow no longer sums to 1
    document["inflow"]["SOMETHING"] = {"V": 1, "P": 0, "O": 0}
    document["arrivals"]["P"] = -3
    document["initial_queue"]["O"].append(-2)
    document["policies"][1]["reserved_share"] = "2"
    document["policies"].append({"name": "Open letting", "kind": "lottery"})
    problems = problems_of(document)
    assert problems == [
        'complexes[0].turnover: must be a share between 0 and 1, not "1.5"',
        "complexes[1].V: must be a whole number of 0 or more, not -1",
        "complexes[2]: V + P + O = 20 + 81 + 100 = 201, but dwellings is 200 (every dwelling holds one household "
        "of one type)",
        'complexes[3].id: "C-ZUID-01" also at complexes[0]',
        "inflow.OPEN: V + P + O must sum to 1, not 1.05",
        "inflow.SOMETHING: unknown label (one of OPEN, NO_VULNERABLE, RESERVED_VULNERABLE, ABOVE_CAP)",
        "arrivals.P: must be a mean number of new seekers per year of 0 or more, not -3",
        "initial_queue.O[6]: must be whole waiting years between 0 and 200, not -2",
        'policies[1].reserved_share: must be a share between 0 and 1, not "2"',
        'policies[4].name: "Open letting" also at policies[0]',
        'policies[4].kind: must be one of open, quota, room_check, plan, not "lottery"',
    ]


def test_missing_and_unknown_keys_and_missing_inflow_labels_are_named():
    document = example()
    del document["complexes"][0]["turnover"]
    document["complexes"][1]["rent"] = 500
    del document["inflow"]["NO_VULNERABLE"]
    document["policies"][2] = {"name": "Room check", "kind": "room_check", "share": "0.1"}
    document["format"] = "buurtbalans.simulation/2"
    del document["years"]
    problems = problems_of(document)
    assert 'format: must be "buurtbalans.simulation/1", not "buurtbalans.simulation/2"' in problems
    assert "years: missing" in problems
    assert "complexes[0].turnover: missing" in problems
    assert "complexes[1].rent: unknown key" in problems
    assert "policies[2].share: unknown key for a room_check policy" in problems
    assert "policies[2].min_vulnerable_placements: missing (a room_check policy needs it)" in problems
    assert (
        "policies[2]: a room_check policy lets vacancies NO_VULNERABLE, but inflow.NO_VULNERABLE is not given"
        in problems
    )
    assert "policies[3]: a plan policy lets vacancies NO_VULNERABLE, but inflow.NO_VULNERABLE is not given" in problems


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ([], "scenario: must be an object {...}"),
        ({**example(), "complexes": []}, "complexes: no complexes to simulate"),
        ({**example(), "policies": []}, "policies: no policies to simulate"),
        ({**example(), "years": 0}, "years: must be a whole number of years between 1 and 100, not 0"),
        ({**example(), "start_year": "2026"}, 'start_year: must be a year between 1900 and 2200, not "2026"'),
        ({**example(), "inflow": []}, "inflow: must be an object {label: {V, P, O}}"),
    ],
)
def test_a_wrong_shape_is_named(document, problem):
    assert problem in problems_of(document)


def test_a_target_with_more_than_nine_decimals_is_refused():
    document = example()
    document["complexes"][0]["target_V_max_share"] = "0.1234567891"
    assert problems_of(document) == [
        'complexes[0].target_V_max_share: must have at most 9 decimals, not "0.1234567891"'
    ]
