"""What the file commands share (`plan_labels`, `simulate_policy`, `evaluate_intervention`): their exit codes, the
result written through a temporary file, and the refusal that lists every problem.

A file command reads a contract file and writes a result file (or stdout); it needs no database and runs on a fresh
install (tests/test_fresh_install_commands.py). Its exit codes: 0 done; 2 the input or an option refused (every
problem listed, nothing written); 1 the work could not finish (a solver stopped, a cluster failed).
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Sequence
from pathlib import Path

from django.core.management.base import CommandError

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT = 0, 1, 2


def write_atomic(text: str, path: Path) -> None:
    """Write `text` to `path` through a temporary file beside it, so a reader never sees half a result.

    Not tempfile.mkstemp: its file is private (0600); this one gets the usual permissions (umask applies). On any
    error the temporary file is removed and `path` is left as it was.
    """
    path = path.resolve()
    temporary = path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def refused_text(name: str, problems: Sequence[str], *, nothing: str) -> str:
    """'NAME refused, nothing NOTHING (N problems):' and every problem on its own indented line."""
    listing = "\n".join(f"  {p}" for p in problems)
    noun = "problem" if len(problems) == 1 else "problems"
    return f"{name} refused, nothing {nothing} ({len(problems)} {noun}):\n{listing}"


def refused(name: str, problems: Sequence[str], *, nothing: str) -> CommandError:
    """The error a file command raises when it refuses its input: `refused_text`, exit code 2."""
    return CommandError(refused_text(name, problems, nothing=nothing), returncode=EXIT_BAD_INPUT)
