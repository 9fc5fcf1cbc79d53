"""Imports point down the layers, like engine/tests/test_purity.py does for the engine (issue 12 item 6).

The order, bottom first: engine < core < neighbourhoods < households/portfolio < rules < allocation < steering <
placements < liveability < history < cooperatives < the rest (accounts, privacy, demo, screens, and the package's
top-level modules such as urls.py and testing.py). A module may import its own app, an app on the same level or one
below it; an import of a higher app is an import up the layers. Tests and migrations are not checked (the same rule
as the before-stop hook).

Imports up that remain today are listed in KNOWN_UPWARD_IMPORTS, each with the reason it is still there. The list
only shrinks: a new upward import fails, and so does a listed one that is gone (remove it from the list).
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "buurtbalans"
ORDER = [
    ["engine"],
    ["core"],
    ["neighbourhoods"],
    ["households", "portfolio"],
    ["rules"],
    ["allocation"],
    ["steering"],
    ["placements"],
    ["liveability"],
    # history (issue 16) reads the monitor's vitality and signals. The monitor's complex page shows its steering
    # power through a section history registers (liveability.sections), and the portfolio import writes history
    # through its audit event (history.apps): neither imports it.
    ["history"],
    ["cooperatives"],
]
LEVEL = {app: level for level, apps in enumerate(ORDER) for app in apps}
TOP = len(ORDER)  # every other app and the top-level modules
NOT_A_LAYER = {"settings"}  # buurtbalans.settings is configuration, read from anywhere

# (module, what it imports): why it is still there.
KNOWN_UPWARD_IMPORTS: dict[tuple[str, str], str] = {}  # none left (issue 12)


def checked_modules() -> list[Path]:
    return sorted(
        path
        for path in PACKAGE_DIR.rglob("*.py")
        if "tests" not in path.parts
        and "migrations" not in path.parts
        and not path.name.startswith("test")
    )


def app_of(path: Path) -> str | None:
    """The app a module belongs to; None for the package's top-level modules (settings.py, urls.py, testing.py)."""
    parts = path.relative_to(PACKAGE_DIR).parts
    return parts[0] if len(parts) > 1 else None


def imported_modules(path: Path) -> list[str]:
    """Every module the file imports, absolute (relative imports resolved), at any depth of the file."""
    package = ["buurtbalans", *path.relative_to(PACKAGE_DIR).parent.parts]
    names = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, node.module] if node.module else base)
            if module == "buurtbalans":  # `from buurtbalans import demo` names the apps themselves
                names += [f"buurtbalans.{alias.name}" for alias in node.names]
            else:
                names.append(module)
    return names


def upward_imports() -> set[tuple[str, str]]:
    found = set()
    for path in checked_modules():
        app = app_of(path)
        level = TOP if app is None else LEVEL.get(app, TOP)
        for name in imported_modules(path):
            bits = name.split(".")
            if len(bits) < 2 or bits[0] != "buurtbalans" or bits[1] in NOT_A_LAYER or bits[1] == app:
                continue
            if LEVEL.get(bits[1], TOP) > level:
                found.add((path.relative_to(PACKAGE_DIR.parent).as_posix(), name))
    return found


@pytest.mark.smoke
def test_no_module_imports_an_app_above_its_own():
    new = sorted(upward_imports() - KNOWN_UPWARD_IMPORTS.keys())
    assert not new, "imports up the layers (move the code down, or pass what is needed down):\n" + "\n".join(
        f"  {module}: imports {name}" for module, name in new
    )


@pytest.mark.smoke
def test_the_list_of_known_upward_imports_only_shrinks():
    gone = sorted(KNOWN_UPWARD_IMPORTS.keys() - upward_imports())
    assert not gone, "no longer imported up the layers, remove from KNOWN_UPWARD_IMPORTS:\n" + "\n".join(
        f"  {module}: {name}" for module, name in gone
    )


def test_the_check_sees_an_import_up_the_layers(tmp_path, monkeypatch):
    """The checker itself: a core module importing steering is caught, a steering module importing core is not."""
    package = tmp_path / "buurtbalans"
    for app, source in {
        "core": "def f():\n    from buurtbalans.steering.mix import x\n",
        "steering": "from buurtbalans.core import models\nfrom . import mix\n",
        "demo": "from buurtbalans import cooperatives\n",
    }.items():
        (package / app).mkdir(parents=True)
        (package / app / "thing.py").write_text(source)
    monkeypatch.setitem(globals(), "PACKAGE_DIR", package)
    assert upward_imports() == {("buurtbalans/core/thing.py", "buurtbalans.steering.mix")}
