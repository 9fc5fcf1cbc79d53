"""Commands on a fresh install (issue 14 item 9): right after `make test`, with no `make secret` and no `migrate`.

- A file command (it reads a file and writes a file or stdout) runs without a secret key and without a database,
  with the built-in legal parameters; every other command and the web server still refuse to start without a key.
- A command that needs the database says in one Dutch line that `buurtbalans migrate` comes first, and exits
  non-zero, instead of printing a traceback: on SQLite ("no such table") and on PostgreSQL ("relation ... does not
  exist"; run with DATABASE_URL=postgres://...).

Each case runs the `buurtbalans` console script (buurtbalans.cli:main) in a new process with an empty
BUURTBALANS_VAR_DIR. The database commands run one after another in one process, so the settings load once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from buurtbalans.cli import is_file_command, is_not_migrated

ROOT = Path(__file__).resolve().parent.parent
NOT_MIGRATED = "De database is nog niet klaar: voer eerst `buurtbalans migrate` uit."
NO_SECRET_KEY = (
    "Fout in de instellingen: Geef een SECRET_KEY (of SECRET_KEY_FILE) op als DEBUG uit staat, of voer "
    "`make secret` uit."
)

# The plan of docs/labelling.md, one vacancy whose minimum household size VERA left empty.
PLAN = {
    "format": "buurtbalans.label-plan/1",
    "reference_date": "2025-03-01",
    "policy": {"min_vulnerable_placements": 1, "min_affordable_share": "0.5", "p_open": "0.3", "p_above": "0.05",
               "q_open": "0.8", "q_reserved": "0.9", "q_above": "0.1"},
    "complexes": [{"id": "C1", "households": 20, "vulnerable": 7, "primary": 15,
                   "target_vulnerable_max_share": "0.25", "target_primary_max_share": "0.7"}],
    "vacancies": [{"id": "V1", "complex": "C1", "base_rent": "700.00", "max_base_rent": "850.00", "is_daeb": True,
                   "household_size_min": None, "leaving_household_vulnerable": False,
                   "leaving_household_primary": True}],
}
LETTINGS = (
    "letting_id,date,municipality,dwelling_id,base_rent,is_daeb_dwelling,household_size,assessed_income,"
    "is_pension_age_household,assets,exception_reason\n"
    "L1,2025-03-01,GM0193,D1,650.00,true,1,24000,false,,\n"
)

# Each database command with the least arguments that bring it to the database.
DATABASE_COMMANDS = [
    ["round_letters"],
    ["focus_neighbourhoods", "--municipality", "GM0193"],
    ["cooperative_report", "--year", "2025"],
    ["run_worker", "--once"],
    ["seed_demo", "--dwellings", "10", "--dry-run"],
    ["seed_social_demo", "--dry-run"],
    ["refresh_vitality"],
    ["import_open_data", "{var}", "--municipality", "GM0193", "--dry-run"],
    ["export_portfolio", "{var}/export", "--corporation", "demo"],
    ["import_portfolio", "{var}/none.csv", "--corporation", "demo", "--dry-run"],
    ["purge_expired", "--dry-run"],
    ["compliance", "--year", "2025", "--corporation", "demo"],
    ["platform_admin", "list"],
]

# Runs each command of argv-lists (JSON in argv[1]) through the console script's main(); prints one JSON line per
# command: its exit code and what it wrote. An exception main() lets through is a traceback, as the user sees it.
DRIVER = """
import contextlib, io, json, sys, traceback
from buurtbalans.cli import main
for argv in json.loads(sys.argv[1]):
    out, err, code = io.StringIO(), io.StringIO(), 0
    sys.argv = ["buurtbalans", *argv]
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main()
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
        except BaseException:
            code = 1
            err.write(traceback.format_exc())
    print(json.dumps({"argv": argv, "code": code, "output": out.getvalue() + err.getvalue()}), flush=True)
"""


def fresh_environment(var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a fresh install: no secret key, no DATABASE_URL, DEBUG off, nothing under var/."""
    env = {k: v for k, v in os.environ.items()
           if k not in {"SECRET_KEY", "SECRET_KEY_FILE", "DATABASE_URL", "DEBUG", "DJANGO_SETTINGS_MODULE"}}
    env.update(BUURTBALANS_VAR_DIR=str(var_dir), **extra)
    return env


def buurtbalans(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    """The console script as installed (`pip install -e .`), else the same entry point as a module."""
    script = Path(sys.executable).parent / "buurtbalans"
    command = [str(script)] if script.is_file() else [sys.executable, "-m", "buurtbalans.cli"]
    return subprocess.run([*command, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture
def var_dir(tmp_path) -> Path:
    path = tmp_path / "var"
    path.mkdir()
    return path


# --- file commands ----------------------------------------------------------------------------------------------


def file_commands(tmp_path: Path) -> dict[str, list[str]]:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps(PLAN), encoding="utf-8")
    lettings = tmp_path / "lettings.csv"
    lettings.write_text(LETTINGS, encoding="utf-8")
    golden = ROOT / "buurtbalans/engine/tests/data/allocation/registration_basic/input.json"
    return {
        "rules show": ["rules", "show", "--date", "2025-06-15"],
        "rules check": ["rules", "check", "--date", "2025-06-15", "--household-size", "1", "--income", "24000",
                        "--base-rent", "650"],
        "run_allocation_round": ["run_allocation_round", str(golden)],
        "plan_labels": ["plan_labels", str(plan), "--output", str(tmp_path / "plan-result.json")],
        "simulate_policy": ["simulate_policy", str(ROOT / "docs/examples/simulation-scenario.json"), "--runs", "2"],
        "compliance with a lettings file": ["compliance", "--year", "2025", "--lettings", str(lettings)],
        "evaluate_intervention": ["evaluate_intervention", str(ROOT / "docs/examples/evaluation-panel.json"),
                                  "--bootstrap", "99"],
    }


FILE_COMMAND_NAMES = ["rules show", "rules check", "run_allocation_round", "plan_labels", "simulate_policy",
                      "compliance with a lettings file", "evaluate_intervention"]


@pytest.fixture(scope="module")
def file_command_runs(tmp_path_factory) -> dict[str, tuple[subprocess.CompletedProcess, Path, Path]]:
    """Each file command once, in its own process and its own empty var/: (result, var dir, input dir)."""
    runs = {}
    for name in FILE_COMMAND_NAMES:
        work = tmp_path_factory.mktemp("file-command")
        var = work / "var"
        var.mkdir()
        runs[name] = (buurtbalans(file_commands(work)[name], fresh_environment(var)), var, work)
    return runs


@pytest.mark.parametrize("name", FILE_COMMAND_NAMES)
def test_a_file_command_runs_without_a_secret_key_or_a_database(name, file_command_runs):
    result, var, _ = file_command_runs[name]
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert "SECRET_KEY" not in result.stderr
    # Nothing is left behind: no key, and no database file (run_allocation_round asks the database itself).
    assert list(var.iterdir()) == [] or name == "run_allocation_round"


def test_rules_show_says_it_uses_the_built_in_values_when_there_is_no_database(file_command_runs):
    result, _, _ = file_command_runs["rules show"]
    assert json.loads(result.stdout)["allowance_cap_low"] == "682.96"
    assert result.stderr.strip().splitlines() == [
        "let op: de database is niet te lezen; de ingebouwde tabel met wettelijke waarden wordt gebruikt"]


def test_plan_labels_plans_a_vacancy_without_a_minimum_household_size(file_command_runs):
    result, _, work = file_command_runs["plan_labels"]
    assert result.returncode == 0, result.stderr
    plan = json.loads((work / "plan-result.json").read_text(encoding="utf-8"))
    assert [label["vacancy"] for label in plan["labels"]] == ["V1"]


def test_the_list_of_commands_needs_no_secret_key(var_dir):
    result = buurtbalans(["help"], fresh_environment(var_dir))
    assert result.returncode == 0, result.stderr
    assert "plan_labels" in result.stdout and "seed_demo" in result.stdout


@pytest.mark.parametrize("args", [["round_letters"], ["shell", "-c", "print(1)"]])
def test_every_other_command_still_needs_a_secret_key(args, var_dir):
    result = buurtbalans(args, fresh_environment(var_dir))
    assert result.returncode == 2
    assert result.stderr.strip() == NO_SECRET_KEY
    assert result.stdout == ""


def test_the_web_server_still_needs_a_secret_key(var_dir):
    result = subprocess.run([sys.executable, "-c", "import buurtbalans.wsgi"], cwd=ROOT, capture_output=True,
                            text=True, env=fresh_environment(var_dir, DJANGO_SETTINGS_MODULE="buurtbalans.settings"))
    assert result.returncode != 0
    assert "Set SECRET_KEY (or SECRET_KEY_FILE) when DEBUG is off" in result.stderr


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["buurtbalans"], True),
        (["buurtbalans", "help"], True),
        (["buurtbalans", "--version"], True),
        (["buurtbalans", "plan_labels", "in.json"], True),
        (["buurtbalans", "rules", "show", "--date", "2025-06-15"], True),
        (["buurtbalans", "migrate", "--help"], True),
        (["buurtbalans", "compliance", "--year", "2025", "--lettings", "l.csv"], True),
        (["buurtbalans", "compliance", "--year", "2025", "--lettings=l.csv"], True),
        (["buurtbalans", "compliance", "--year", "2025", "--corporation", "demo"], False),
        (["buurtbalans", "compliance", "--year", "2025", "--lettings", "l.csv", "--corporation=demo"], False),
        (["buurtbalans", "runserver"], False),
        (["buurtbalans", "gunicorn"], False),
        (["buurtbalans", "round_letters"], False),
        (["buurtbalans", "focus_neighbourhoods", "--municipality", "GM0193"], False),
        # After "--" a word is an argument: this starts the server, it prints no help.
        (["buurtbalans", "runserver", "--", "-h"], False),
    ],
)
def test_which_commands_count_as_file_commands(argv, expected):
    assert is_file_command(argv) is expected


# --- database commands before `migrate` ------------------------------------------------------------------------


def run_database_commands(var_dir: Path, env: dict[str, str]) -> list[dict]:
    commands = [[word.replace("{var}", str(var_dir)) for word in argv] for argv in DATABASE_COMMANDS]
    result = subprocess.run([sys.executable, "-c", DRIVER, json.dumps(commands)], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def assert_each_says_migrate_first(outcomes: list[dict]) -> None:
    assert [o["argv"][0] for o in outcomes] == [argv[0] for argv in DATABASE_COMMANDS]
    for outcome in outcomes:
        assert "Traceback" not in outcome["output"], outcome
        assert outcome["output"].strip() == NOT_MIGRATED, outcome
        assert outcome["code"] == 2, outcome


def test_each_database_command_says_migrate_first_on_sqlite(var_dir):
    outcomes = run_database_commands(var_dir, fresh_environment(var_dir, SECRET_KEY="a-key-from-make-secret"))
    assert_each_says_migrate_first(outcomes)


@pytest.fixture
def empty_postgres_database(settings):
    """A new, empty PostgreSQL database next to the test database (skipped on SQLite)."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] != "django.db.backends.postgresql":
        pytest.skip("PostgreSQL only: run with DATABASE_URL=postgres://...")
    import psycopg

    name = f"buurtbalans_fresh_{uuid.uuid4().hex[:12]}"
    params = {"host": database["HOST"] or None, "port": database["PORT"] or None, "user": database["USER"],
              "password": database["PASSWORD"] or None, "dbname": "postgres"}
    try:
        admin = psycopg.connect(autocommit=True, **params)
    except psycopg.Error as exc:
        pytest.skip(f"cannot connect to create a database: {exc}")
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            user = database["USER"] + (f":{database['PASSWORD']}" if database["PASSWORD"] else "")
            yield f"postgres://{user}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_each_database_command_says_migrate_first_on_postgresql(var_dir, empty_postgres_database):
    env = fresh_environment(var_dir, SECRET_KEY="a-key-from-make-secret", DATABASE_URL=empty_postgres_database)
    assert_each_says_migrate_first(run_database_commands(var_dir, env))


def test_an_unreachable_database_is_one_line_too(var_dir):
    env = fresh_environment(var_dir, SECRET_KEY="a-key-from-make-secret",
                            DATABASE_URL="postgres://nobody@127.0.0.1:9/nothing")
    result = buurtbalans(["round_letters"], env)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("De database is niet bereikbaar of niet te gebruiken: ")


class _UndefinedTable(Exception):
    sqlstate = "42P01"


def test_a_missing_table_is_recognised_by_its_sqlstate_in_any_language():
    from django.db import ProgrammingError

    error = ProgrammingError('relatie "rules_parametervalue" bestaat niet')
    error.__cause__ = _UndefinedTable()
    assert is_not_migrated(error)
    assert is_not_migrated(ProgrammingError('relation "rules_parametervalue" does not exist'))
    assert is_not_migrated(ProgrammingError("no such table: rules_parametervalue"))
    assert not is_not_migrated(ProgrammingError("syntax error at or near SELECT"))
