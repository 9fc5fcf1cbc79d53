"""The backup procedure of docs/operations.md: a backup restores into an identical copy, and damage is caught.

These run the real script against a real PostgreSQL database they create (pg_dump cannot see a test's open
transaction), so they are PostgreSQL-only; CI also runs the drill on the seeded demo (.ci/run).
"""

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.postgres_only

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "backup.py"
BUURTBALANS = ROOT / ".venv" / "bin" / "buurtbalans"


def _server_url() -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    user = db.get("USER") or "postgres"
    return f"postgres://{user}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}"


@pytest.fixture(scope="module")
def source(tmp_path_factory):
    """A fresh database with the schema, one small demo corporation and one stored upload (made once: ~10 s)."""
    tmp_path = tmp_path_factory.mktemp("source")
    name = f"bb_backup_test_{uuid.uuid4().hex[:8]}"
    url = f"{_server_url()}/{name}"
    env = {**os.environ, "DATABASE_URL": url, "BUURTBALANS_VAR_DIR": str(tmp_path / "var"), "SECRET_KEY": "test"}
    subprocess.run(["createdb", f"--maintenance-db={_server_url()}/postgres", name], check=True)
    try:
        subprocess.run([BUURTBALANS, "migrate", "-v", "0"], env=env, check=True)
        subprocess.run([BUURTBALANS, "seed_demo", "--dwellings", "300"], env=env, check=True, capture_output=True)
        uploads = tmp_path / "var" / "uploads"
        uploads.mkdir(parents=True)
        (uploads / "portfolio-test.csv").write_text("complex_id;name\nC1;Test\n")
        yield env
    finally:
        subprocess.run(["dropdb", f"--maintenance-db={_server_url()}/postgres", "--if-exists", name])


def _script(env, *args):
    return subprocess.run([sys.executable, SCRIPT, *args], env=env, capture_output=True, text=True)


def test_the_drill_restores_every_row_the_audit_log_and_the_files(source):
    drill = _script(source, "drill")
    assert drill.returncode == 0, drill.stderr
    assert "passed" in drill.stdout
    assert "audit events" in drill.stdout and "1 files" in drill.stdout


def test_a_restore_that_differs_from_its_manifest_is_reported(source, tmp_path):
    made = _script(source, "backup", "--output", str(tmp_path / "backups"))
    assert made.returncode == 0, made.stderr
    backup_dir = Path(made.stdout.strip())
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    manifest["tables"]["households_household"] += 1  # the backup claims one household more than it holds
    (backup_dir / "manifest.json").write_text(json.dumps(manifest))
    restored = f"bb_backup_restored_{uuid.uuid4().hex[:8]}"
    try:
        result = _script(source, "restore", str(backup_dir), "--database", restored, "--var-dir", str(tmp_path / "r"))
    finally:
        subprocess.run(["dropdb", f"--maintenance-db={_server_url()}/postgres", "--if-exists", restored])
    assert result.returncode == 1
    assert "households_household" in result.stderr


def test_a_damaged_dump_is_refused_before_anything_is_restored(source, tmp_path):
    made = _script(source, "backup", "--output", str(tmp_path / "backups"))
    backup_dir = Path(made.stdout.strip())
    dump = backup_dir / "database.dump"
    data = bytearray(dump.read_bytes())
    data[len(data) // 2] ^= 0xFF
    dump.write_bytes(bytes(data))
    result = _script(
        source, "restore", str(backup_dir), "--database", "bb_never_made", "--var-dir", str(tmp_path / "r")
    )
    assert result.returncode == 2
    assert "database.dump" in result.stderr and "damaged" in result.stderr
    assert "Traceback" not in result.stderr
    query = "SELECT 1 FROM pg_database WHERE datname = 'bb_never_made'"
    listed = subprocess.run(["psql", f"{_server_url()}/postgres", "-Atc", query], capture_output=True, text=True)
    assert listed.stdout.strip() == ""


def test_backup_files_are_readable_by_the_owner_only(source, tmp_path):
    made = _script(source, "backup", "--output", str(tmp_path / "backups"))
    backup_dir = Path(made.stdout.strip())
    assert backup_dir.stat().st_mode & 0o777 == 0o700
    for name in ("database.dump", "files.tar.gz"):
        assert (backup_dir / name).stat().st_mode & 0o777 == 0o600
