"""Each file-reading command, run as an operator runs it (`.venv/bin/buurtbalans ...`), on a file that used to end
in a traceback: exit code 2, a message naming the file on stderr, no traceback (issue 11).

The in-process tests (test_malformed_inputs.py, test_fuzz_mutations.py) cover every variant; these prove the real
console script prints no traceback either. They run on a SQLite database of their own, migrated once.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from tests.fuzz import malformed
from tests.fuzz.targets import KERNCIJFERS, LETTINGS, PLAN, ROUND_INPUT

ROOT = Path(__file__).resolve().parents[2]
BUURTBALANS = ROOT / ".venv" / "bin" / "buurtbalans"
HOUSEHOLDS = ROOT / "buurtbalans" / "portfolio" / "tests" / "data" / "good" / "households.csv"


@pytest.fixture(scope="module")
def environment(tmp_path_factory):
    """A migrated SQLite database with corporation `fuzz`, and the environment to run commands against it."""
    folder = tmp_path_factory.mktemp("commands")
    base = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "SECRET_KEY", "SECRET_KEY_FILE"}}
    env = {**base, "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}", "SECRET_KEY": "test-only",
           "BUURTBALANS_VAR_DIR": str(folder / "var")}
    subprocess.run([BUURTBALANS, "migrate", "-v", "0"], env=env, check=True, capture_output=True, timeout=300)
    code = "from buurtbalans.core.models import HousingCorporation as H; H.objects.create(code='fuzz', name='Fuzz')"
    subprocess.run([BUURTBALANS, "shell", "-c", code], env=env, check=True, capture_output=True, timeout=120)
    return env, folder


def run(environment, *args) -> subprocess.CompletedProcess:
    env, _folder = environment
    return subprocess.run([BUURTBALANS, *map(str, args)], env=env, capture_output=True, text=True, timeout=300)


def place(environment, name: str, data: bytes) -> Path:
    _env, folder = environment
    path = folder / name.replace("/", "-") / name.split("/")[-1]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def refused_cleanly(done: subprocess.CompletedProcess, name: str, *, one_line: bool = False) -> None:
    assert done.returncode == 2, (done.returncode, done.stderr[-2000:])
    assert "Traceback" not in done.stderr, done.stderr[-2000:]
    assert name in done.stderr, done.stderr[-2000:]
    if one_line:
        assert len(done.stderr.strip().splitlines()) == 1, done.stderr


def test_import_portfolio_with_a_cell_over_the_csv_limit(environment):
    path = place(environment, "households.csv", malformed.huge_cell(HOUSEHOLDS.read_text(encoding="utf-8"), ";"))
    done = run(environment, "import_portfolio", path, "--corporation", "fuzz")
    refused_cleanly(done, "households.csv")
    assert " 2: " in done.stderr  # "row 2" in the site's language


def test_run_allocation_round_with_json_nested_100000_deep(environment):
    path = place(environment, "round.json", malformed.deep_nesting(ROUND_INPUT.read_text(encoding="utf-8")))
    refused_cleanly(run(environment, "run_allocation_round", path), "round.json", one_line=True)


def test_plan_labels_with_a_5000_digit_number(environment):
    path = place(environment, "plan.json", malformed.huge_integer(json.dumps(PLAN)))
    refused_cleanly(run(environment, "plan_labels", path), "plan.json", one_line=True)


def test_compliance_with_nul_bytes_in_the_lettings(environment):
    path = place(environment, "lettings.csv", malformed.nul_bytes(LETTINGS, ","))
    refused_cleanly(run(environment, "compliance", "--year", "2025", "--lettings", path), "lettings.csv",
                    one_line=True)


def test_import_open_data_with_json_nested_100000_deep(environment):
    path = place(environment, "open/buurten.geojson", malformed.deep_nesting(""))
    place(environment, "open/kerncijfers.csv", KERNCIJFERS.encode())
    done = run(environment, "import_open_data", path.parent, "--municipality", "GM0193")
    refused_cleanly(done, "buurten.geojson")
