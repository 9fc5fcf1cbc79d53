"""A plan file's vacancy without a minimum household size (issue 14): VERA leaves `household_size_min` empty, and
`null` means no minimum. Such a vacancy may go to a one-person household, so it plans as `household_size_min` 1
(the low aftoppingsgrens applies). Other values are checked as before. No database: the file parser and the
built-in parameter table only.
"""

import copy
import json

import pytest

from buurtbalans.steering.planfile import EXIT_BAD_INPUT, EXIT_OK, PlanFileError, parse_plan_document, run_plan_labels

DOCUMENT = {
    "format": "buurtbalans.label-plan/1",
    "reference_date": "2025-03-01",
    "policy": {"min_vulnerable_placements": 1, "min_affordable_share": "0.5", "p_open": "0.3", "p_above": "0.05",
               "q_open": "0.8", "q_reserved": "0.9", "q_above": "0.1"},
    "complexes": [{"id": "C1", "households": 20, "vulnerable": 7, "primary": 15,
                   "target_vulnerable_max_share": "0.25", "target_primary_max_share": "0.7"}],
    "vacancies": [
        {"id": "V1", "complex": "C1", "base_rent": "700.00", "max_base_rent": "850.00", "is_daeb": True,
         "household_size_min": 1, "leaving_household_vulnerable": False, "leaving_household_primary": True},
        {"id": "V2", "complex": "C1", "base_rent": "760.00", "max_base_rent": "900.00", "is_daeb": True,
         "household_size_min": 3, "leaving_household_vulnerable": True, "leaving_household_primary": True},
    ],
}


def with_size(size, vacancy=0):
    document = copy.deepcopy(DOCUMENT)
    document["vacancies"][vacancy]["household_size_min"] = size
    return document


def test_it_reads_an_empty_minimum_household_size_as_no_minimum():
    plan_input = parse_plan_document(with_size(None))
    assert [v.household_size_min for v in plan_input.vacancies] == [1, 3]


@pytest.mark.parametrize("vacancy", [0, 1])
def test_a_vacancy_without_a_minimum_is_planned_as_one_for_a_single_person(vacancy, tmp_path):
    def plan(size):
        path = tmp_path / f"plan-{size}.json"
        path.write_text(json.dumps(with_size(size, vacancy)), encoding="utf-8")
        run = run_plan_labels(path, None, time_limit=30)
        assert run.code == EXIT_OK, run.text
        return json.loads(run.text)

    assert plan(None) == plan(1)


@pytest.mark.parametrize(
    "size, problem",
    [
        (0, "vacancies[0].household_size_min: must lie between 1 and 30, not 0"),
        ("2", 'vacancies[0].household_size_min: must be a whole number, not "2"'),
        (False, "vacancies[0].household_size_min: must be a whole number, not false"),
    ],
)
def test_other_values_are_still_checked(size, problem):
    with pytest.raises(PlanFileError) as refused:
        parse_plan_document(with_size(size))
    assert problem in refused.value.problems


def test_the_key_itself_is_still_required(tmp_path):
    document = copy.deepcopy(DOCUMENT)
    del document["vacancies"][0]["household_size_min"]
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(document), encoding="utf-8")
    run = run_plan_labels(path, None)
    assert run.code == EXIT_BAD_INPUT
    assert "vacancies[0].household_size_min: missing" in run.text
