"""Services are the only writers (issue 12 item 4): no screen queues a job or writes an audit event itself.

A view calls a service (which checks, writes, audits and queues in one transaction) or a selector (which records the
reads of personal data). Checked on the source like tests/test_layers.py: a view module that imports `job_enqueue`
or `audit_record`, or creates an AuditEvent row, fails here.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE_DIR = Path(__file__).resolve().parent.parent / "buurtbalans"
WRITERS = {"job_enqueue", "audit_record"}


def view_modules() -> list[Path]:
    return sorted(
        path for path in PACKAGE_DIR.rglob("*.py")
        if "tests" not in path.parts and (path.name == "views.py" or path.name.endswith("_views.py")
                                          or "views" in path.parent.name.split("."))
    )


def writes_in(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom):
            found += [f"imports {alias.name}" for alias in node.names if alias.name in WRITERS]
        elif isinstance(node, ast.Attribute) and node.attr == "create" and isinstance(node.value, ast.Attribute):
            owner = node.value.value
            if node.value.attr == "objects" and isinstance(owner, ast.Name) and owner.id == "AuditEvent":
                found.append("AuditEvent.objects.create")
    return found


@pytest.mark.smoke
def test_no_view_queues_a_job_or_writes_an_audit_event():
    offenders = {path.relative_to(PACKAGE_DIR.parent).as_posix(): writes_in(path) for path in view_modules()}
    offenders = {module: found for module, found in offenders.items() if found}
    assert not offenders, "move these writes into the app's services:\n" + "\n".join(
        f"  {module}: {', '.join(found)}" for module, found in sorted(offenders.items())
    )


def test_the_check_sees_a_view_that_queues_a_job(tmp_path, monkeypatch):
    (tmp_path / "buurtbalans" / "things").mkdir(parents=True)
    (tmp_path / "buurtbalans" / "things" / "views.py").write_text(
        "from buurtbalans.core.jobs import job_enqueue\n")
    (tmp_path / "buurtbalans" / "things" / "services.py").write_text(
        "from buurtbalans.core.jobs import job_enqueue\n")
    monkeypatch.setitem(globals(), "PACKAGE_DIR", tmp_path / "buurtbalans")
    assert [p.name for p in view_modules()] == ["views.py"]
    assert writes_in(view_modules()[0]) == ["imports job_enqueue"]
