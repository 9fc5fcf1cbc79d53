"""`buurtbalans simulate_policy SCENARIO.json [--runs N] [--seed S] [--workers K | --scheduler ADDRESS]
[--output OUT.json]`: the file contract of issue 15 (docs/simulation.md).

Exit 0 with `buurtbalans.simulation-result/1`; exit 2 with every problem listed when the scenario or the options
are refused, and then nothing is written. The result is the same byte for byte in one process, on a new local
Dask cluster (--workers) and on an existing one (--scheduler). No database is used.
"""

import io
import json
import multiprocessing
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

EXAMPLES = Path(__file__).resolve().parents[3] / "docs" / "examples"
SCENARIO = EXAMPLES / "simulation-scenario.json"
GOLDEN = EXAMPLES / "simulation-result.json"


def run(*args):
    out = io.StringIO()
    call_command("simulate_policy", *map(str, args), stdout=out)
    return out.getvalue()


def refused(*args):
    with pytest.raises(CommandError) as error:
        run(*args)
    assert error.value.returncode == 2
    return str(error.value)


def example():
    return json.loads(SCENARIO.read_text(), parse_float=Decimal)


def write(tmp_path, document, name="scenario.json"):
    path = tmp_path / name
    path.write_text(json.dumps(document, default=str))
    return path


def test_the_documented_example_gives_the_documented_result(tmp_path):
    """The golden pair in docs/examples: regenerate with the command in docs/simulation.md and read the diff."""
    out = tmp_path / "result.json"
    summary = run(SCENARIO, "--runs", 20, "--seed", 7, "--output", out)
    assert summary.strip() == f"simulated 4 policies x 20 runs x 5 years over 4 complexes (seed 7) -> {out}"
    assert out.read_text() == GOLDEN.read_text()


def test_without_output_the_result_goes_to_stdout():
    document = json.loads(run(SCENARIO, "--runs", 5, "--seed", 3))
    assert document["format"] == "buurtbalans.simulation-result/1"
    assert (document["runs"], document["seed"]) == (5, 3)
    assert [p["name"] for p in document["policies"]] == ["Open letting", "Quota 10%", "Room check", "Labelling plan"]
    first = document["policies"][0]
    assert [y["year"] for y in first["years"]] == [2026, 2027, 2028, 2029, 2030]
    assert first["years"][0]["median_wait_P"].keys() == {"mean", "p5", "p95"}
    for row, start in zip(first["run0_final"], example()["complexes"], strict=True):
        assert row["complex"] == start["id"]
        assert row["V"] + row["P"] + row["O"] == start["dwellings"]


def test_the_same_seed_gives_the_same_bytes_and_another_seed_others():
    first = run(SCENARIO, "--runs", 10, "--seed", 1)
    assert run(SCENARIO, "--runs", 10, "--seed", 1) == first
    assert run(SCENARIO, "--runs", 10, "--seed", 2) != first


def test_with_turnover_zero_the_result_is_the_start(tmp_path):
    document = example()
    for row in document["complexes"]:
        row["turnover"] = "0"
    result = json.loads(run(write(tmp_path, document), "--runs", 4))
    for policy in result["policies"]:
        assert [[r["V"], r["P"], r["O"]] for r in policy["run0_final"]] == [
            [c["V"], c["P"], c["O"]] for c in document["complexes"]
        ]
        for year in policy["years"]:
            assert year["lettings_V"] == {"mean": 0.0, "p5": 0.0, "p95": 0.0}
            assert year["median_wait_V"] == {"mean": None, "p5": None, "p95": None}  # nobody was let to


@pytest.mark.smoke
def test_two_dask_workers_give_the_same_bytes_as_one_process(tmp_path):
    alone = run(SCENARIO, "--runs", 12, "--seed", 4)
    out = tmp_path / "dask.json"
    run(SCENARIO, "--runs", 12, "--seed", 4, "--workers", 2, "--output", out)
    assert out.read_text() == alone
    # The command's LocalCluster is gone: no worker process is left behind.
    assert multiprocessing.active_children() == []


@pytest.mark.smoke
def test_an_existing_dask_cluster_gives_the_same_bytes_as_one_process():
    from distributed import LocalCluster

    alone = run(SCENARIO, "--runs", 6, "--seed", 5)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        on_cluster = run(SCENARIO, "--runs", 6, "--seed", 5, "--scheduler", cluster.scheduler_address)
    assert on_cluster == alone
    assert multiprocessing.active_children() == []


def test_a_malformed_scenario_is_refused_with_every_problem_listed(tmp_path):
    document = example()
    document["complexes"][0]["target_V_max_share"] = "1.2"  # a share over 1
    document["complexes"][1]["O"] = -26  # a negative count
    document["inflow"]["OPEN"] = {"V": "0.3", "P": "0.5", "O": "0.3"}  # sums to 1.1
    out = tmp_path / "result.json"
    message = refused(write(tmp_path, document), "--runs", 0, "--output", out)
    assert message == (
        "scenario.json refused, nothing simulated (4 problems):\n"
        '  complexes[0].target_V_max_share: must be a share between 0 and 1, not "1.2"\n'
        "  complexes[1].O: must be a whole number of 0 or more, not -26\n"
        "  inflow.OPEN: V + P + O must sum to 1, not 1.1\n"
        "  --runs: must lie between 1 and 1,000,000, not 0"
    )
    assert not out.exists()


def test_an_unreadable_file_and_conflicting_options_are_refused(tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": ')
    message = refused(broken, "--workers", 2, "--scheduler", "tcp://127.0.0.1:1")
    # The file's problem comes in the active language (Dutch by default), naming the file, line and column.
    assert message.splitlines()[1].startswith("  broken.json: ")
    assert "--workers and --scheduler: give one of them" in message


def test_the_console_script_exits_2_and_writes_the_problems_to_stderr(tmp_path):
    document = example()
    document["complexes"][0]["V"] = -1
    document["complexes"][0]["turnover"] = "2"
    done = subprocess.run(
        [sys.executable, "-m", "buurtbalans.cli", "simulate_policy", str(write(tmp_path, document))],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    assert "complexes[0].V: must be a whole number of 0 or more, not -1" in done.stderr
    assert 'complexes[0].turnover: must be a share between 0 and 1, not "2"' in done.stderr
