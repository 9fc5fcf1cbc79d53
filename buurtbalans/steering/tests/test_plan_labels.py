"""`buurtbalans plan_labels INPUT.json [--output OUT.json]`: the file contract of issue 5.

Input `buurtbalans.label-plan/1`, result `buurtbalans.label-plan-result/1` (docs/labelling.md). Exit 0 with the
plan; exit 2 with every problem listed when the input is refused (also for an impossible plan or a legal
parameter missing for the date), and then nothing is written.
"""

import copy
import io
import json
import os
import subprocess
import sys
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from buurtbalans.engine.parameters import ParameterRow
from buurtbalans.rules.services import parameter_values_save
from buurtbalans.rules.testing import caps_unknown
from buurtbalans.steering.planfile import PlanFileError, parse_plan_document

# The command reads the legal parameters in force from the database.
pytestmark = pytest.mark.django_db

TOP_KEYS = {"format", "reference_date", "parameters", "objective", "plan", "labels", "complexes"}
LABEL_KEYS = {"vacancy", "label", "base_rent", "reason"}
COMPLEX_KEYS = {
    "id",
    "vulnerable_share",
    "projected_vulnerable_share",
    "target_vulnerable_max_share",
    "primary_share",
    "projected_primary_share",
    "target_primary_max_share",
}

# The hand-worked case of the engine tests (buurtbalans/engine/tests/test_labelling.py), as a file.
DOCUMENT = {
    "format": "buurtbalans.label-plan/1",
    "reference_date": "2025-03-01",
    "policy": {
        "min_vulnerable_placements": 1,
        "min_affordable_share": "0.5",
        "p_open": "0.3",
        "p_above": "0.05",
        "q_open": "0.8",
        "q_reserved": "0.9",
        "q_above": "0.1",
    },
    "complexes": [
        {
            "id": "C1",
            "households": 20,
            "vulnerable": 7,
            "primary": 15,
            "target_vulnerable_max_share": "0.25",
            "target_primary_max_share": "0.7",
        },
        {
            "id": "C2",
            "households": 10,
            "vulnerable": 1,
            "primary": 5,
            "target_vulnerable_max_share": "0.3",
            "target_primary_max_share": "0.8",
        },
    ],
    "vacancies": [
        {
            "id": "V1",
            "complex": "C1",
            "base_rent": "700.00",
            "max_base_rent": "850.00",
            "is_daeb": True,
            "household_size_min": 1,
            "leaving_household_vulnerable": False,
            "leaving_household_primary": True,
        },
        {
            "id": "V2",
            "complex": "C1",
            "base_rent": "640.00",
            "max_base_rent": "990.00",
            "is_daeb": False,
            "household_size_min": 3,
            "leaving_household_vulnerable": True,
            "leaving_household_primary": True,
        },
        {
            "id": "V3",
            "complex": "C2",
            "base_rent": "600.00",
            "max_base_rent": "650.00",
            "is_daeb": True,
            "household_size_min": 2,
            "leaving_household_vulnerable": False,
            "leaving_household_primary": False,
        },
    ],
}


def write(tmp_path, document, name="plan.json"):
    path = tmp_path / name
    path.write_text(document if isinstance(document, str) else json.dumps(document), encoding="utf-8")
    return path


def changed(**changes):
    """A copy of DOCUMENT; keys like "vacancies.0.complex" reach into it, a value of ... removes the key."""
    document = copy.deepcopy(DOCUMENT)
    for dotted, value in changes.items():
        *path, last = dotted.split(".")
        target = document
        for part in path:
            target = target[int(part)] if part.isdigit() else target[part]
        last = int(last) if last.isdigit() else last
        if value is ...:
            del target[last]
        else:
            target[last] = value
    return document


def run(*args):
    out = io.StringIO()
    call_command("plan_labels", *map(str, args), stdout=out)
    return out.getvalue()


def refused(*args) -> str:
    with pytest.raises(CommandError) as error:
        run(*args)
    assert error.value.returncode == 2
    return str(error.value)


@pytest.mark.smoke
def test_it_writes_the_plan_with_the_contract_keys(tmp_path):
    output = tmp_path / "result.json"
    line = run(write(tmp_path, DOCUMENT), "--output", output)
    assert line.startswith("planned 3 vacancies: 0 OPEN, 1 NO_VULNERABLE, 1 RESERVED_VULNERABLE, 1 ABOVE_CAP")
    result = json.loads(output.read_text(encoding="utf-8"))
    assert set(result) == TOP_KEYS
    assert result["format"] == "buurtbalans.label-plan-result/1"
    assert result["objective"] == {"excess_share_sum": "0.0525", "above_cap": 1, "open": 0}
    assert result["plan"] == {
        "vacancies": 3,
        "affordable_share": "0.666667",
        "lost_to_lowest_incomes": 1,
        "reserved_vulnerable": 1,
        "exception_budget_left": None,
    }
    assert [set(label) for label in result["labels"]] == [LABEL_KEYS] * 3
    assert [(x["vacancy"], x["label"], x["base_rent"]) for x in result["labels"]] == [
        ("V1", "NO_VULNERABLE", "682.96"),
        ("V2", "ABOVE_CAP", "990.00"),
        ("V3", "RESERVED_VULNERABLE", "600.00"),
    ]
    assert all(label["reason"] for label in result["labels"])
    assert [set(c) for c in result["complexes"]] == [COMPLEX_KEYS] * 2
    assert result["complexes"][0] == {
        "id": "C1",
        "vulnerable_share": "0.35",
        "projected_vulnerable_share": "0.3025",
        "target_vulnerable_max_share": "0.25",
        "primary_share": "0.75",
        "projected_primary_share": "0.695",
        "target_primary_max_share": "0.70",
    }
    assert result["parameters"]["allowance_cap_low"] == "682.96"
    assert result["parameters"]["version"].startswith("parameters:2025-01-01:")


def test_without_output_the_document_goes_to_stdout(tmp_path):
    result = json.loads(run(write(tmp_path, changed(exception_budget_left=4))))
    assert result["plan"]["exception_budget_left"] == 4
    assert result["labels"][1]["label"] == "ABOVE_CAP"


def test_nothing_but_the_document_reaches_stdout(tmp_path):
    # In a fresh process, as the command runs: HiGHS prints a licence banner on file descriptor 1 the first time
    # it starts, which would corrupt the JSON. (The command itself needs the database for the parameters in
    # force; the planning path is the same without it.)
    code = (
        "import sys; from pathlib import Path; from buurtbalans.steering.planfile import run_plan_labels; "
        "run = run_plan_labels(Path(sys.argv[1])); print(run.text); sys.exit(run.code)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(write(tmp_path, DOCUMENT))], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["objective"]["above_cap"] == 1


def test_the_parameters_in_force_are_used(tmp_path):
    # The 2026 caps are unknown in the built-in table; an administrator enters them.
    rows = [
        ParameterRow(date(2026, 1, 1), "allowance_cap_low", "713.00", source="test"),
        ParameterRow(date(2026, 1, 1), "allowance_cap_high", "764.00", source="test"),
    ]
    parameter_values_save(rows=rows, actor=None)
    result = json.loads(run(write(tmp_path, changed(reference_date="2026-02-01"))))
    assert result["parameters"]["allowance_cap_low"] == "713.00"
    assert result["labels"][0]["base_rent"] == "700.00"  # within the 2026 low cap now


def test_bad_input_exits_2_listing_every_problem_and_writes_nothing(tmp_path):
    document = changed(
        **{
            "format": "buurtbalans.label-plan/2",
            "policy.p_open": 1.5,
            "policy.q_above": ...,
            "policy.q_abov": "0.1",
            "complexes.1.households": "ten",
            "vacancies.0.is_daeb": "yes",
            "vacancies.1.base_rent": "640,00",
            "vacancies.2.complex": "C9",
        }
    )
    document["vacancies"].append({**DOCUMENT["vacancies"][2], "id": "V4", "complex": "C9", "household_size_min": 0})
    output = tmp_path / "result.json"
    source = write(tmp_path, document)
    done = subprocess.run(
        [sys.executable, "-m", "buurtbalans.cli", "plan_labels", str(source), "--output", str(output)],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert not output.exists()
    problems = [line.strip() for line in done.stderr.splitlines()[1:] if line.strip()]
    assert done.stderr.startswith("CommandError: plan.json refused, nothing planned (10 problems):")
    assert problems == [
        'format: must be "buurtbalans.label-plan/1", not "buurtbalans.label-plan/2"',
        "policy.q_abov: unknown key",
        "policy.q_above: missing",
        'complexes[1].households: must be a whole number, not "ten"',
        'vacancies[0].is_daeb: must be true or false, not "yes"',
        'vacancies[1].base_rent: must be a number such as "0.25" (with a decimal point), not "640,00"',
        "policy.p_open: must lie between 0 and 1, not 1.5",
        'vacancies[2].complex: unknown complex "C9"',
        'vacancies[3].complex: unknown complex "C9"',
        "vacancies[3].household_size_min: must lie between 1 and 30, not 0",
    ]


@pytest.mark.smoke
def test_more_placements_than_vacancies_exits_2_naming_the_constraint(tmp_path):
    output = tmp_path / "result.json"
    message = refused(write(tmp_path, changed(**{"policy.min_vulnerable_placements": 5})), "--output", output)
    assert message == (
        "plan.json: no plan possible: min_vulnerable_placements: 5 vulnerable placements are demanded, "
        "but the plan has only 3 vacancies"
    )
    assert not output.exists()


def test_a_date_without_caps_exits_2_with_parameter_missing(tmp_path):
    caps_unknown(2026)
    message = refused(write(tmp_path, changed(reference_date="2026-02-01")))
    assert message.startswith(
        "plan.json: reference_date 2026-02-01: parameter missing: allowance_cap_low, allowance_cap_high"
    )


def test_a_date_before_every_parameter_set_is_refused(tmp_path):
    message = refused(write(tmp_path, changed(reference_date="1990-01-01")))
    assert "reference_date: no legal parameters known for 1990-01-01" in message


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("{", "plan.json: is not valid JSON (line 1, column 2): Expecting property name enclosed in double quotes"),
        ('{"p_open": NaN}', "plan.json: is not valid JSON: NaN is not a number JSON allows"),
        ("[]", ": must be an object {...}"),
    ],
)
def test_a_file_that_is_not_a_plan_is_refused(tmp_path, text, problem):
    with translation.override("en"):  # the reading messages are in the site's language
        assert problem in refused(write(tmp_path, text))


def test_a_missing_file_is_refused(tmp_path):
    with translation.override("en"):
        assert "missing.json: does not exist" in refused(tmp_path / "missing.json")


def test_shares_and_amounts_may_be_json_numbers_and_are_read_exactly():
    plan_input = parse_plan_document(
        json.loads(
            json.dumps(changed(**{"policy.p_open": "0.1", "vacancies.0.base_rent": "700.10"}))
            .replace('"0.1"', "0.1")
            .replace('"700.10"', "700.10"),
            parse_float=Decimal,
        )
    )
    assert str(plan_input.policy.p_open) == "0.1"
    assert str(plan_input.vacancies[0].base_rent) == "700.10"
    with pytest.raises(PlanFileError) as error:
        parse_plan_document(changed(**{"complexes.0.households": 20.0, "vacancies.0.is_daeb": 1}))
    assert error.value.problems == (
        "complexes[0].households: must be a whole number, not 20.0",
        "vacancies[0].is_daeb: must be true or false, not 1",
    )


def test_the_same_input_gives_the_same_file(tmp_path):
    source = write(tmp_path, DOCUMENT)
    run(source, "--output", tmp_path / "first.json")
    run(source, "--output", tmp_path / "second.json", "--seed", "0")
    assert (tmp_path / "first.json").read_bytes() == (tmp_path / "second.json").read_bytes()
