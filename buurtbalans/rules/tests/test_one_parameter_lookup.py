"""One lookup of the legal parameters in the product: `rules.parameters.parameters_for`.

The engine takes a parameter set and never looks one up; its built-in table (`builtin_parameter_set`) is for the
file-based commands without a database and for tests. A screen, job or service that read the built-in table would
silently ignore what the platform administrator entered (and a corporation's own values).
"""

import ast
from datetime import date
from pathlib import Path

import pytest

import buurtbalans
from buurtbalans.engine import parameters as engine_parameters

PACKAGE = Path(buurtbalans.__file__).resolve().parent
BUILTIN_LOOKUPS = {"builtin_parameter_set", "builtin_parameter_sets"}
# Where the built-in table is used on purpose, each with the database's sets handed in by the product's caller.
ALLOWED = {
    "allocation/management/commands/regenerate_golden.py",  # golden files: the shipped table only
    "allocation/management/commands/run_allocation_round.py",  # when no database can be read (says so)
    "steering/planfile.py",  # plan_labels passes the database's sets
    "rules/cli.py",  # the rules and compliance commands pass the database's sets
    "demo/generator.py",  # seed_demo passes the database's sets
    # File commands on a fresh install (issue 14): the database's sets, or the built-in table when no database can
    # be read, saying so on stderr (core.management.base.Command.from_database_or_builtin).
    "rules/management/commands/rules.py",
    "rules/management/commands/compliance.py",
    "steering/management/commands/plan_labels.py",
}


def product_modules():
    return sorted(
        p
        for p in PACKAGE.rglob("*.py")
        if "tests" not in p.parts and "engine" not in p.relative_to(PACKAGE).parts[:1] and p.name != "testing.py"
    )


def test_the_engine_has_no_parameter_lookup_of_its_own():
    assert not hasattr(engine_parameters, "parameters_for")


def test_the_product_reads_parameters_only_through_the_rules_app():
    offenders = []
    for path in product_modules():
        name = str(path.relative_to(PACKAGE))
        if name in ALLOWED:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.module == "buurtbalans.engine.parameters":
                offenders += [f"{name}: {alias.name}" for alias in node.names if alias.name in BUILTIN_LOOKUPS]
            elif isinstance(node, ast.Attribute) and node.attr in BUILTIN_LOOKUPS:
                offenders.append(f"{name}: .{node.attr}")
    assert offenders == []


@pytest.mark.django_db
def test_the_apps_below_rules_get_the_same_lookup(corporation_a):
    """households and portfolio may not import rules: they ask core.legal_parameters, which rules fills in."""
    from buurtbalans.core.legal_parameters import parameters_in_force
    from buurtbalans.rules.parameters import parameters_for

    day = date(2026, 3, 1)
    assert parameters_in_force(day) == parameters_for(day)
    assert parameters_in_force(day, corporation_a) == parameters_for(day, corporation=corporation_a)
