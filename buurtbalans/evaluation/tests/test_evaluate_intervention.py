"""`buurtbalans evaluate_intervention PANEL.json [--output OUT.json] [--seed S] [--bootstrap B] [--k K]`: the file
contract of issue 16 (docs/evaluation.md).

Exit 0 with `buurtbalans.evaluation-result/1`; exit 2 with every problem listed when the panel or the options are
refused, and then nothing is written. No database is used.
"""

import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"
PANEL = EXAMPLES / "evaluation-panel.json"
GOLDEN = EXAMPLES / "evaluation-result.json"


def run(*args):
    out = io.StringIO()
    call_command("evaluate_intervention", *map(str, args), stdout=out)
    return out.getvalue()


def refused(*args) -> list[str]:
    with pytest.raises(CommandError) as error:
        run(*args)
    assert error.value.returncode == 2
    head, *problems = str(error.value).splitlines()
    assert "refused, nothing evaluated" in head
    return [p.strip() for p in problems]


def example() -> dict:
    return json.loads(PANEL.read_text())


def write(tmp_path, document, name="panel.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(document))
    return path


def test_the_documented_example_gives_the_documented_result(tmp_path):
    """The golden pair in docs/examples: regenerate with the command in docs/evaluation.md and read the diff."""
    out = tmp_path / "result.json"
    summary = run(PANEL, "--output", out)
    assert summary.startswith("evaluated 6 treated against ")
    assert out.read_text() == GOLDEN.read_text()


def test_the_example_finds_its_planted_effect_and_says_which_control_had_a_gap():
    result = json.loads(GOLDEN.read_text())
    assert result["ci_low"] < 4 < result["ci_high"] and result["ci_low"] > 0
    assert result["excluded_controls"] == ["CPX-021"]
    assert not result["pre_trend_warning"]


def test_without_output_the_result_goes_to_stdout_and_the_seed_is_kept():
    result = json.loads(run(PANEL, "--seed", 5, "--bootstrap", 199, "--k", 2))
    assert result["format"] == "buurtbalans.evaluation-result/1"
    assert (result["seed"], result["bootstrap"], result["k"]) == (5, 199, 2)
    assert all(len(ids) == 2 for ids in result["matched_controls"].values())


def test_the_same_seed_gives_the_same_bytes_and_another_seed_another_interval():
    first = run(PANEL, "--seed", 1)
    assert run(PANEL, "--seed", 1) == first
    other = json.loads(run(PANEL, "--seed", 2))
    assert other["estimate"] == json.loads(first)["estimate"]
    assert other["ci_low"] != json.loads(first)["ci_low"]


def test_every_problem_is_listed_and_nothing_is_written(tmp_path):
    document = example()
    document["start_year"] = "2023"
    document["units"][0]["values"]["2020"] = "n/a"
    document["units"][3]["colour"] = "red"
    out = tmp_path / "result.json"
    problems = refused(write(tmp_path, document), "--output", out, "--seed", -1, "--bootstrap", 0)
    assert problems == [
        'start_year: must be a year between 1900 and 2200, not "2023"',
        'units[0].values.2020: must be a number, not "n/a"',
        "units[3].colour: unknown key",
        "--bootstrap: must be a whole number between 1 and 100,000, not 0",
        "--seed: must be a whole number of 0 or more, not -1",
    ]
    assert not out.exists()
    assert list(tmp_path.iterdir()) == [tmp_path / "panel.json"]


def test_a_file_that_is_not_json_is_refused_with_its_name(tmp_path):
    path = tmp_path / "panel.json"
    path.write_text("{not json")
    [problem] = refused(path)
    assert problem.startswith("panel.json: ")


def test_a_missing_file_is_refused(tmp_path):
    [problem] = refused(tmp_path / "nothing.json")
    assert problem.startswith("nothing.json: ")


def test_a_panel_whose_controls_all_have_gaps_is_refused_and_nothing_written(tmp_path):
    document = example()
    for unit in document["units"]:
        if not unit["treated"]:
            unit["values"]["2024"] = None
    out = tmp_path / "result.json"
    assert refused(write(tmp_path, document), "--output", out) == [
        "units: no control unit has a value in every year used (2020, 2021, 2022, 2023, 2024, 2025)"
    ]
    assert not out.exists()


def test_an_output_folder_that_does_not_exist_is_refused(tmp_path):
    [problem] = refused(PANEL, "--output", tmp_path / "no" / "result.json")
    assert problem.startswith("--output: the folder ")


def test_an_existing_output_is_replaced_whole(tmp_path):
    out = tmp_path / "result.json"
    out.write_text("old")
    run(PANEL, "--output", out)
    assert json.loads(out.read_text())["format"] == "buurtbalans.evaluation-result/1"
    assert [p.name for p in tmp_path.iterdir()] == ["result.json"]
