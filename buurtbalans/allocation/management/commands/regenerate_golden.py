"""`buurtbalans regenerate_golden [--dry-run] [SCENARIO ...]`: rewrite the allocation golden files.

Each folder in buurtbalans/engine/tests/data/allocation/ holds a small round (`input.json`) and the result we
expect (`expected.json`). After a deliberate change to the round or its explanations, run this command, read the
diff (`git diff buurtbalans/engine/tests/data/allocation`) line by line, and commit it with the change: every
changed line is a changed outcome or explanation for a candidate.
"""

import io
import json
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

import buurtbalans
from buurtbalans.allocation.roundfile import RoundFileError, read_round_file, write_result
from buurtbalans.core.management.base import Command as BuurtbalansCommand
from buurtbalans.engine.allocation import solve_round
from buurtbalans.engine.parameters import builtin_parameter_set

GOLDEN_DIR = Path(buurtbalans.__file__).resolve().parent / "engine" / "tests" / "data" / "allocation"
HELP = gettext_lazy("Rewrite expected.json of the allocation golden scenarios from their input.json.")


def golden_document(input_path: Path) -> str:
    """The expected.json text for a scenario: the round's result, pretty-printed.

    Golden files use the built-in parameter table only, so they do not depend on a database's values.
    """
    round_file = read_round_file(input_path)
    result = solve_round(
        round_file.facts,
        builtin_parameter_set(round_file.reference_date),
        reference_date=round_file.reference_date,
        lottery_seed=round_file.lottery_seed,
    )
    buffer = io.StringIO()
    write_result(result, buffer, indent=2)
    return buffer.getvalue()


class Command(BuurtbalansCommand):
    help = HELP
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("scenarios", nargs="*", help=_("scenario folder names (default: all)"))
        parser.add_argument("--dry-run", action="store_true", help=_("only say which files would change"))

    def handle(self, *args, **options):
        folders = sorted(p.parent for p in GOLDEN_DIR.glob("*/input.json"))
        if options["scenarios"]:
            wanted = set(options["scenarios"])
            unknown = wanted - {folder.name for folder in folders}
            if unknown:
                raise CommandError(_("unknown scenario(s): %(names)s") % {"names": ", ".join(sorted(unknown))})
            folders = [folder for folder in folders if folder.name in wanted]
        changed = 0
        for folder in folders:
            try:
                text = golden_document(folder / "input.json")
            except RoundFileError as exc:
                raise CommandError(f"{folder.name}: " + "; ".join(exc.problems)) from exc
            expected = folder / "expected.json"
            old = expected.read_text(encoding="utf-8") if expected.exists() else None
            if old is not None and json.loads(old) == json.loads(text) and old == text:
                self.stdout.write(_("%(name)s: unchanged") % {"name": folder.name})
                continue
            changed += 1
            if not options["dry_run"]:
                expected.write_text(text, encoding="utf-8")
            state = _("new") if old is None else _("changed")
            self.stdout.write(f"{folder.name}: {state}" + (_(" (dry run, not written)") if options["dry_run"] else ""))
        if changed and not options["dry_run"]:
            self.stdout.write(
                _("%(count)d file(s) rewritten: read `git diff %(path)s` before you commit.")
                % {"count": changed, "path": GOLDEN_DIR.relative_to(Path.cwd()) if GOLDEN_DIR.is_relative_to(Path.cwd())
                   else GOLDEN_DIR}
            )
