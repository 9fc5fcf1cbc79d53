#!/usr/bin/env python3
"""Back up and restore Buurtbalans (PostgreSQL and the stored files), and the restore drill that proves both work.

    scripts/backup.py backup [--output DIR]
        one backup folder: database.dump, files.tar.gz, manifest.json
    scripts/backup.py restore BACKUP --database NAME --var-dir DIR
        into a NEW database and files folder, then verify against the manifest
    scripts/backup.py drill [--keep]
        backup, restore into a new database, compare; exit 1 on a difference

The database comes from DATABASE_URL (PostgreSQL only: the SQLite quick start is copied as a file), the files from
BUURTBALANS_VAR_DIR (default var/). See docs/operations.md, "Backups".

Why a snapshot: the manifest's row counts and the audit log's checksum are read in the same REPEATABLE READ
snapshot that pg_dump dumps (`pg_dump --snapshot`), so they describe exactly what the dump holds even while users
keep working. The restore then checks the restored database against the manifest: a backup that cannot be
restored, or restores to something else, fails loudly instead of on the day it is needed.

Only the standard library, psycopg and the PostgreSQL client programs (pg_dump, pg_restore, createdb, dropdb) are
used, so the script runs on a machine where the product is not installed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
FORMAT = "buurtbalans.backup/1"
# Folders under VAR_DIR that hold users' files. Not backed up: the SQLite file (its own copy), static files
# (rebuilt by `collectstatic`), the secret key (kept in the secret store, not beside the data), mail and backups.
FILE_FOLDERS = ("uploads", "cooperatives", "reports")
AUDIT_TABLE = "core_auditevent"


class DrillError(Exception):
    """A backup or restore step failed, or the restored copy differs; the message says which."""


def database_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise DrillError(
            "DATABASE_URL must point at PostgreSQL (postgres://user@host:5432/name); "
            "for the SQLite quick start, stop the server and copy var/ instead."
        )
    return url


def with_database(url: str, name: str) -> str:
    """The same server and user, another database."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


def database_name(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def var_dir() -> Path:
    path = Path(os.environ.get("BUURTBALANS_VAR_DIR") or ROOT / "var")
    return path if path.is_absolute() else ROOT / path


def run(*command: str) -> None:
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode != 0:
        raise DrillError(f"{command[0]} failed: {completed.stderr.strip() or completed.stdout.strip()}")


def state_of(cursor) -> dict:
    """Row counts of every table and a checksum of the whole audit log, read in the cursor's snapshot."""
    cursor.execute(
        "SELECT table_name FROM information_schema.tables "
        "WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
    )
    tables = [row[0] for row in cursor.fetchall()]
    counts = {}
    for table in tables:
        cursor.execute(psycopg.sql.SQL("SELECT count(*) FROM {}").format(psycopg.sql.Identifier(table)))
        counts[table] = cursor.fetchone()[0]
    audit = None
    if AUDIT_TABLE in counts:
        # Every column of every row, in id order: one changed, missing or added event changes the checksum.
        cursor.execute(
            f"SELECT md5(coalesce(string_agg(md5(t::text), '' ORDER BY t.id), '')) FROM {AUDIT_TABLE} t"
        )
        audit = cursor.fetchone()[0]
    return {"tables": counts, "audit_log_md5": audit}


def files_state(root: Path) -> dict[str, str]:
    """sha256 of every stored file, by path relative to the var folder."""
    digests = {}
    for folder in FILE_FOLDERS:
        base = root / folder
        if not base.is_dir():
            continue
        for path in sorted(p for p in base.rglob("*") if p.is_file()):
            digests[str(path.relative_to(root))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def backup(output: Path) -> Path:
    url = database_url()
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = output / f"buurtbalans-{stamp}"
    target.mkdir(parents=True, exist_ok=False)
    os.chmod(target, 0o700)  # a backup holds every household's data
    with psycopg.connect(url, autocommit=False) as connection:
        connection.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            manifest = {"format": FORMAT, "created": stamp, "database": database_name(url), **state_of(cursor)}
            cursor.execute("SHOW server_version")
            manifest["server_version"] = cursor.fetchone()[0]
            # The dump reads the same snapshot while this transaction stays open.
            run("pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}",
                f"--file={target / 'database.dump'}", f"--dbname={url}")
        connection.rollback()
    source = var_dir()
    with tarfile.open(target / "files.tar.gz", "w:gz") as archive:
        for folder in FILE_FOLDERS:
            if (source / folder).is_dir():
                archive.add(source / folder, arcname=folder)
    manifest["files"] = files_state(source)
    manifest["database_dump_sha256"] = hashlib.sha256((target / "database.dump").read_bytes()).hexdigest()
    for name in ("database.dump", "files.tar.gz"):
        os.chmod(target / name, 0o600)
    (target / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True))
    return target


def differences(expected: dict, found: dict) -> list[str]:
    problems = []
    for table in sorted(set(expected["tables"]) | set(found["tables"])):
        want, got = expected["tables"].get(table), found["tables"].get(table)
        if want != got:
            problems.append(f"table {table}: {want} rows in the backup, {got} restored")
    if expected["audit_log_md5"] != found["audit_log_md5"]:
        problems.append("the audit log's checksum differs")
    return problems


def restore(backup_dir: Path, new_database: str, target_var: Path) -> list[str]:
    """Restore into a database that must not exist yet, and a files folder; returns the differences found."""
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    if manifest.get("format") != FORMAT:
        raise DrillError(f"{backup_dir}: not a Buurtbalans backup ({FORMAT})")
    dump = backup_dir / "database.dump"
    if hashlib.sha256(dump.read_bytes()).hexdigest() != manifest["database_dump_sha256"]:
        raise DrillError(f"{dump}: the file is damaged (checksum differs from the manifest)")
    url = with_database(database_url(), new_database)
    maintenance = with_database(url, "postgres")
    run("createdb", f"--maintenance-db={maintenance}", new_database)
    run("pg_restore", "--no-owner", "--exit-on-error", f"--dbname={url}", str(dump))
    target_var.mkdir(parents=True, exist_ok=True)
    with tarfile.open(backup_dir / "files.tar.gz") as archive:
        archive.extractall(target_var, filter="data")
    with psycopg.connect(url) as connection, connection.cursor() as cursor:
        found = state_of(cursor)
    problems = differences(manifest, found)
    restored_files = files_state(target_var)
    for name in sorted(set(manifest["files"]) | set(restored_files)):
        if manifest["files"].get(name) != restored_files.get(name):
            problems.append(f"file {name}: missing or different after the restore")
    return problems


def drill(keep: bool) -> int:
    """Back up what DATABASE_URL holds now, restore it into a new database, and compare."""
    source = database_name(database_url())
    work = Path(tempfile.mkdtemp(prefix="buurtbalans-drill-"))
    restored_db = f"{source}_drill_{datetime.now(UTC):%Y%m%d%H%M%S}"
    try:
        backup_dir = backup(work / "backups")
        manifest = json.loads((backup_dir / "manifest.json").read_text())
        problems = restore(backup_dir, restored_db, work / "restored-var")
        rows = sum(manifest["tables"].values())
        print(f"drill: backed up {len(manifest['tables'])} tables ({rows} rows, "
              f"{manifest['tables'].get(AUDIT_TABLE, 0)} audit events) and {len(manifest['files'])} files "
              f"from {source}, restored into {restored_db}")
        for problem in problems:
            print(f"drill: DIFFERENCE {problem}", file=sys.stderr)
        if not problems:
            print(f"drill: passed - every table's row count and the audit log's checksum "
                  f"({manifest['audit_log_md5']}) are equal, every file is identical")
        return 1 if problems else 0
    finally:
        if keep:
            print(f"drill: kept {restored_db} and {work}")
        else:
            subprocess.run(["dropdb", f"--maintenance-db={with_database(database_url(), 'postgres')}",
                            "--if-exists", restored_db], capture_output=True)
            shutil.rmtree(work, ignore_errors=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    make = commands.add_parser("backup", help="write one backup folder")
    make.add_argument("--output", type=Path, default=var_dir() / "backups")
    back = commands.add_parser("restore", help="restore a backup folder into a new database and files folder")
    back.add_argument("backup", type=Path)
    back.add_argument("--database", required=True, help="name of the new database (must not exist)")
    back.add_argument("--var-dir", type=Path, required=True, help="folder for the restored files")
    check = commands.add_parser("drill", help="backup, restore into a new database, compare")
    check.add_argument("--keep", action="store_true", help="keep the restored database and files")
    options = parser.parse_args(argv)
    try:
        if options.command == "backup":
            print(backup(options.output))
            return 0
        if options.command == "restore":
            problems = restore(options.backup, options.database, options.var_dir)
            for problem in problems:
                print(f"restore: DIFFERENCE {problem}", file=sys.stderr)
            print("restore: " + ("the restored copy differs from the backup" if problems else "verified"))
            return 1 if problems else 0
        return drill(options.keep)
    except (DrillError, OSError, psycopg.Error) as exc:
        print(f"{options.command}: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
