"""`buurtbalans evaluate_intervention PANEL.json [--output OUT.json] [--seed S] [--bootstrap B] [--k K]`: the
evaluation's file contract (issue 16, docs/evaluation.md).

Exit codes, as `simulate_policy`: 0 evaluated; 2 refused (unreadable file, not the contract, a panel that cannot
be evaluated, bad options: every problem listed, nothing written). No database is used: it runs on a fresh install.
The same panel, seed and bootstrap give the same result byte for byte.
"""

from __future__ import annotations

from pathlib import Path

from django.utils.translation import gettext_lazy as _

from buurtbalans.core import safeinput
from buurtbalans.core.management.base import Command as BuurtbalansCommand
from buurtbalans.core.management.filecommand import refused, write_atomic
from buurtbalans.core.safeinput import InputError
from buurtbalans.engine.evaluation import (
    DEFAULT_BOOTSTRAP,
    DEFAULT_K,
    EvaluationError,
    dump,
    evaluate,
    option_problems,
    parse_panel,
    result_document,
)


class Command(BuurtbalansCommand):
    help = _(
        "Estimate the effect of an intervention: difference-in-differences against complexes matched on the years "
        "before it, with an interval (90%) and a pre-trend check. Result as JSON on stdout or in --output. Format: "
        "docs/evaluation.md."
    )
    # Reads a file and writes a file: no database, no need to wait for the system checks.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("panel", type=Path, help=_("panel file (format buurtbalans.evaluation/1)"))
        parser.add_argument("--seed", type=int, default=0, help=_("the random seed of the bootstrap (default 0)"))
        parser.add_argument("--bootstrap", type=int, default=DEFAULT_BOOTSTRAP,
                            help=_("bootstrap samples (default %(default)s)"))
        parser.add_argument("--k", type=int, default=DEFAULT_K,
                            help=_("comparison complexes per treated complex (default %(default)s)"))
        parser.add_argument("--output", type=Path, default=None, help=_("write the result here instead of stdout"))

    def handle(self, *args, **options):
        path: Path = options["panel"]
        seed, bootstrap, k = options["seed"], options["bootstrap"], options["k"]
        problems = [f"--{p}" for p in option_problems(k=k, bootstrap=bootstrap, seed=seed)]
        output: Path | None = options["output"]
        if output is not None and not output.resolve().parent.is_dir():
            problems.append(f"--output: the folder {output.resolve().parent} does not exist")
        panel = None
        try:
            data = safeinput.read_bytes(path, path.name)
            panel = parse_panel(safeinput.load_json(data, path.name))
        except InputError as exc:
            problems.insert(0, str(exc))
        except EvaluationError as exc:
            problems = [*exc.problems, *problems]
        if panel is not None and not problems:
            try:
                evaluation = evaluate(panel, k=k, bootstrap=bootstrap, seed=seed)
            except EvaluationError as exc:
                problems = list(exc.problems)
        if problems or panel is None:
            raise refused(path.name, problems, nothing="evaluated")
        text = dump(result_document(evaluation))
        if output is None:
            return text.rstrip("\n")
        write_atomic(text, output)
        distinct = len({c for ids in evaluation.matched_controls.values() for c in ids})
        return (
            f"evaluated {len(evaluation.treated)} treated against {distinct} matched controls "
            f"(k = {evaluation.k}): {evaluation.estimate:+.3g} "
            f"(90% {evaluation.ci_low:.3g} .. {evaluation.ci_high:.3g}) -> {output}"
        )
