"""`buurtbalans plan_labels INPUT.json [--output OUT.json]`: a labelling plan for the vacancies in a file (issue 5)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext_lazy as _

from buurtbalans.steering.planfile import DEFAULT_TIME_LIMIT, EXIT_OK, run_plan_labels


class Command(BaseCommand):
    help = _(
        "Label each vacancy in INPUT.json (OPEN, NO_VULNERABLE, RESERVED_VULNERABLE, ABOVE_CAP) with a proposed rent "
        "and a reason; the plan as JSON on stdout or in --output. Format: docs/labelling.md."
    )
    # Reads a file and writes a file: no database, so no system checks to wait for.
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
        run = run_plan_labels(
            options["input"], options["output"], seed=options["seed"], time_limit=options["time_limit"]
        )
        if run.code != EXIT_OK:
            raise CommandError(run.text.removeprefix("error: "), returncode=run.code)
        return run.text
