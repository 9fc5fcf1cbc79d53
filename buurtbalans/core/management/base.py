"""The base class of our management commands."""

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from django.core.management.base import BaseCommand
from django.db import DatabaseError, connection
from django.utils.translation import gettext, gettext_noop

T = TypeVar("T")

BUILTIN_PARAMETERS_NOTE = gettext_noop(
    "note: the database cannot be read; the built-in table of legal parameters is used"
)


class Command(BaseCommand):
    """A management command whose `help` may be a lazy translation.

    argparse formats the description with `re`, which needs a real string; the lazy string is resolved when the
    parser is made, so it follows the language active then.
    """

    def create_parser(self, prog_name, subcommand, **kwargs):
        self.help = str(self.help)
        return super().create_parser(prog_name, subcommand, **kwargs)

    def from_database_or_builtin(self, read: Callable[[], T], builtin: Callable[[], T]) -> T:
        """`read()` (values stored in the database), or `builtin()` when the database cannot be read.

        For a file command on a fresh install (issue 14): no database yet, or not migrated. The built-in values
        are used and one line on stderr says so, so the output never silently differs from a migrated install.
        """
        # Not even an empty SQLite file is left behind by a command that needs no database.
        if (connection.vendor == "sqlite" and not connection.is_in_memory_db()
                and not Path(connection.settings_dict["NAME"]).is_file()):
            return self._builtin(builtin)
        try:
            return read()
        except DatabaseError:
            return self._builtin(builtin)

    def _builtin(self, builtin: Callable[[], T]) -> T:
        self.stderr.write(gettext(BUILTIN_PARAMETERS_NOTE))
        return builtin()
