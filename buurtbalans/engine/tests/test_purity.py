"""Engines are pure Python: no Django, no settings, no database."""

import ast
from pathlib import Path

import pytest

ENGINE_DIR = Path(__file__).resolve().parent.parent
FORBIDDEN = ("django", "buurtbalans.core", "buurtbalans.portfolio", "buurtbalans.households")


def engine_modules():
    return sorted(p for p in ENGINE_DIR.rglob("*.py") if "tests" not in p.parts)


@pytest.mark.smoke
@pytest.mark.parametrize("path", engine_modules(), ids=lambda p: str(p.relative_to(ENGINE_DIR)))
def test_engine_module_imports_nothing_from_django(path):
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        for name in names:
            assert not name.startswith(FORBIDDEN), f"{path.name} imports {name}"
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            # date.today()/datetime.now() inside an engine makes results depend on when they run.
            assert (node.value.id, node.attr) not in {("date", "today"), ("datetime", "now")}, path.name
