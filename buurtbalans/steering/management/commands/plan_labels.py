"""`buurtbalans plan_labels INPUT.json [--output OUT.json]`: a labelling plan for the vacancies in a file (issue 5)."""

from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext_lazy as _

from buurtbalans.core.management.base import Command as BuurtbalansCommand
from buurtbalans.engine.parameters import builtin_parameter_sets
from buurtbalans.rules.parameters import parameter_sets
from buurtbalans.steering.planfile import DEFAULT_TIME_LIMIT, EXIT_OK, run_plan_labels


class Command(BuurtbalansCommand):
    help = _(
        "Label each vacancy in INPUT.json (OPEN, NO_VULNERABLE, RESERVED_VULNERABLE, ABOVE_CAP) with a proposed rent "
        "and a reason; the plan as JSON on stdout or in --output. Format: docs/labelling.md."
    )
    # Reads a file, the legal parameters in force and writes a file: no need to wait for the system checks.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("input", type=Path, help=_("input file (format buurtbalans.label-plan/1)"))
        parser.add_argument("--output", type=Path, default=None, help=_("write the result here instead of stdout"))
        parser.add_argument("--seed", type=int, default=0, help=_("the solver's random seed (default 0)"))
        parser.add_argument(
            "--time-limit",
            type=float,
            default=DEFAULT_TIME_LIMIT,
            help=_("seconds the solver may take (default %(default)s)"),
        )

    def handle(self, *args, **options):
        # The legal parameters in force: the built-in table with the administrators' corrections and additions
        # (e.g. the 2026 caps once known), read only when the input is accepted. Without a (migrated) database, the
        # built-in table, and a line on stderr says so (issue 14).
        run = run_plan_labels(
            options["input"],
            options["output"],
            seed=options["seed"],
            time_limit=options["time_limit"],
            parameter_sets=lambda: self.from_database_or_builtin(parameter_sets, builtin_parameter_sets),
        )
        if run.code != EXIT_OK:
            raise CommandError(run.text.removeprefix("error: "), returncode=run.code)
        return run.text
