"""The `buurtbalans` console script: Django's management utility with our settings.

Two promises for a fresh install (issue 14 item 9):
- A file command (`FILE_COMMANDS`: it reads a file and writes a file or stdout) needs no secret key. `main` marks
  the process before the settings load; with DEBUG off and no key configured, the settings then give the process a
  random key of its own. Nothing signed or hashed with that key outlives the process: file commands make no
  sessions, recovery codes or signed links. Every other command, and the web server, still refuses to start
  without a key.
- A command that needs the database says in one line that `buurtbalans migrate` comes first when the tables are
  not there (SQLite "no such table", PostgreSQL "relation ... does not exist"), or that the database cannot be
  reached, instead of a traceback.

The lines are Dutch, as all command output (English msgids, translated through the product's catalogue; before the
settings load, through the same catalogue read directly).
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Sequence

# Commands that only read and write files. Those that can read the legal parameters from the database use the
# built-in table when there is none and say so (`rules`, `plan_labels`, `run_allocation_round`).
FILE_COMMANDS = frozenset({"run_allocation_round", "plan_labels", "simulate_policy", "rules", "regenerate_golden",
                           "evaluate_intervention"})
# The list of commands, a command's --help and the version print text and touch nothing.
_HELP_FIRST_WORDS = frozenset({"help", "--help", "-h", "version", "--version"})
_HELP_OPTIONS = frozenset({"--help", "-h"})

# Read by buurtbalans/settings.py before it decides on SECRET_KEY; set by `main` only.
running_file_command = False

# SQLite and PostgreSQL on tables or columns that are not there: the migrations have not run (or not all of them).
_NOT_MIGRATED = re.compile(r"no such (table|column)|relation .* does not exist|column .* does not exist")
_UNDEFINED_TABLE_OR_COLUMN = {"42P01", "42703"}  # PostgreSQL SQLSTATE undefined_table, undefined_column



def gettext_noop(message: str) -> str:
    """Django's gettext_noop without its settings: these messages are marked before the settings load."""
    return message


# Marked for makemessages here, translated when printed. The settings cannot translate their own messages: the
# one they raise most (SECRET_KEY_MISSING, buurtbalans/settings.py) is kept in the catalogue from here.
CONFIGURATION_ERROR = gettext_noop("Configuration error: %(error)s")
NOT_MIGRATED = gettext_noop("The database is not ready yet: run `buurtbalans migrate` first.")
CANNOT_BE_REACHED = gettext_noop("The database cannot be reached or used: %(error)s")
SECRET_KEY_MISSING = gettext_noop("Set SECRET_KEY (or SECRET_KEY_FILE) when DEBUG is off, or run `make secret`.")


def is_file_command(argv: Sequence[str]) -> bool:
    """Whether `argv` (as sys.argv) runs a command that only reads and writes files, or only prints help."""
    words = list(argv[1:])
    if "--" in words:  # after "--" a word is an argument, not an option
        words = words[: words.index("--")]
    if not words or words[0] in _HELP_FIRST_WORDS or _HELP_OPTIONS & set(words[1:]):
        return True
    name = words[0]
    if name == "compliance":
        # With a lettings file and no corporation, nothing is read from the database but the parameters.
        given = {word.split("=", 1)[0] for word in words[1:]}
        return "--lettings" in given and "--corporation" not in given
    return name in FILE_COMMANDS


def _translate(message: str) -> str:
    """`message` in the active language; before the settings load (they failed), Dutch from the catalogue."""
    from django.core.exceptions import ImproperlyConfigured

    try:
        from django.utils.translation import gettext

        return gettext(message)
    except ImproperlyConfigured:
        import gettext as python_gettext
        from pathlib import Path

        catalogue = python_gettext.translation(
            "django", Path(__file__).resolve().parent / "locale", languages=["nl"], fallback=True
        )
        return catalogue.gettext(message)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else exc.__class__.__name__


def is_not_migrated(exc: BaseException) -> bool:
    """Whether a database error says that a table or column is missing: `migrate` has not run."""
    cause = exc.__cause__
    if getattr(cause, "sqlstate", None) in _UNDEFINED_TABLE_OR_COLUMN or getattr(cause, "pgcode", None) in (
        _UNDEFINED_TABLE_OR_COLUMN
    ):
        return True
    return bool(_NOT_MIGRATED.search(str(exc)))


def _fail(line: str) -> None:
    print(line, file=sys.stderr)
    sys.exit(2)


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "buurtbalans.settings")
    if is_file_command(sys.argv):
        # The module itself, also when run as `python -m buurtbalans.cli` (then this code runs in __main__).
        import buurtbalans.cli as this

        this.running_file_command = True
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db import DatabaseError, OperationalError

    try:
        # Load the settings first: Django runs some of its own commands (shell) without them when they fail.
        settings.INSTALLED_APPS  # noqa: B018 - reading it loads the settings
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        # A setting from the environment is missing or wrong: say which, not where in Django it was read.
        _fail(_translate(CONFIGURATION_ERROR) % {"error": _translate(str(exc))})
    except DatabaseError as exc:
        if is_not_migrated(exc):
            _fail(_translate(NOT_MIGRATED))
        if isinstance(exc, OperationalError):
            # Most often the database is not running or DATABASE_URL points at the wrong place.
            _fail(_translate(CANNOT_BE_REACHED) % {"error": _first_line(exc)})
        raise


if __name__ == "__main__":
    main()
