"""`buurtbalans run_allocation_round INPUT.json [--output OUT.json]`: solve a round file, no database needed.

The file is `buurtbalans.round/1` or `/2` (round/2: motivation scored from blind assessments). Exit 0 with the result
(`buurtbalans.round-result/1` or `/2`) on stdout or in OUT.json and a one-line summary; exit 2 when the file breaks
the contract (every problem listed, e.g. a round/2 motivation listing without criteria) or a legal parameter the
round needs is unknown for its reference date. Contract: docs/allocation.md.
"""

import time

from django.core.management.base import CommandError
from django.db import DatabaseError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from buurtbalans.allocation.roundfile import RoundFileError, read_round_file, write_result
from buurtbalans.core.management.base import Command as BuurtbalansCommand
from buurtbalans.engine.allocation import DEFAULT_RESERVE_SIZE, RoundParameterMissing, solve_round
from buurtbalans.engine.parameters import builtin_parameter_set
from buurtbalans.rules.parameters import parameters_for

EXIT_BAD_INPUT = 2


HELP = gettext_lazy(
    "Solve an allocation round file (buurtbalans.round/1 or /2): eligibility, priority and deferred acceptance, "
    "with an explanation for every bid."
)


class Command(BuurtbalansCommand):
    help = HELP
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("input", help=_("the round file (JSON, format buurtbalans.round/1 or /2)"))
        parser.add_argument(
            "--output", "-o", default="-",
            help=_("where to write the result (JSON); default: standard output"),
        )
        parser.add_argument(
            "--reserve-size", type=int, default=DEFAULT_RESERVE_SIZE,
            help=_("reserve candidates kept per listing (default %(default)s)"),
        )
        parser.add_argument(
            "--indent", type=int, default=None,
            help=_("pretty-print the result with this indent (small rounds)"),
        )

    def legal_parameters(self, reference_date):
        """The legal parameters in force on the date: the built-in table with the administrators' values.

        The round needs no database: when none can be read (not created or not migrated), the built-in table is
        used and the summary says so. Either way the result records the version of the set it used.
        """
        self.note = ""
        try:
            return parameters_for(reference_date)
        except DatabaseError:
            self.note = _("note: the database cannot be read; the built-in table of legal parameters is used")
            return builtin_parameter_set(reference_date)

    def handle(self, *args, **options):
        started = time.perf_counter()
        try:
            round_file = read_round_file(options["input"])
        except RoundFileError as exc:
            if exc.unreadable:  # one line naming the file
                raise CommandError(exc.problems[0], returncode=EXIT_BAD_INPUT) from None
            raise CommandError(
                _("%(path)s is not a valid round file (%(count)d problems):") % {
                    "path": options["input"], "count": len(exc.problems)
                } + "\n" + "\n".join(f"  {problem}" for problem in exc.problems),
                returncode=EXIT_BAD_INPUT,
            ) from exc
        try:
            params = self.legal_parameters(round_file.reference_date)
            result = solve_round(
                round_file.facts,
                params,
                reference_date=round_file.reference_date,
                lottery_seed=round_file.lottery_seed,
                reserve_size=max(0, options["reserve_size"]),
            )
        except RoundParameterMissing as exc:
            raise CommandError(str(exc), returncode=EXIT_BAD_INPUT) from exc
        except LookupError as exc:  # no parameter set for a date that early
            raise CommandError(str(exc), returncode=EXIT_BAD_INPUT) from exc

        if options["output"] == "-":
            # The result goes to stdout; the summary line to stderr.
            self.stdout.ending = ""
            write_result(result, self.stdout, indent=options["indent"])
            report = self.stderr
        else:
            try:
                with open(options["output"], "w", encoding="utf-8") as handle:
                    write_result(result, handle, indent=options["indent"])
            except OSError as exc:
                raise CommandError(_("cannot write %(path)s: %(error)s") % {
                    "path": options["output"], "error": exc
                }) from exc
            report = self.stdout
        if self.note:
            report.write(self.note)
        summary = result.summary()
        report.write(
            _(
                "%(listings)d listings, %(applicants)d applicants, %(bids)d bids: %(allocations)d allocated, "
                "%(ineligible)d bids ineligible, %(empty)d listings without eligible bids "
                "(parameters %(version)s, %(seconds).1f s)"
            ) % {
                "listings": summary["listings"],
                "applicants": summary["applicants"],
                "bids": summary["bids"],
                "allocations": summary["allocations"],
                "ineligible": summary["outcomes"]["ineligible"],
                "empty": summary["listings_without_eligible_bids"],
                "version": summary["parameters_version"],
                "seconds": time.perf_counter() - started,
            }
        )
