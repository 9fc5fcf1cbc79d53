"""`buurtbalans simulate_policy SCENARIO.json [--runs N] [--seed S] [--workers K | --scheduler ADDRESS]
[--output OUT.json]`: the policy simulation's file contract (issue 15, docs/simulation.md).

Exit codes, as `plan_labels`: 0 simulated; 2 refused (unreadable file, not the contract, bad options: every problem
listed, nothing written); 1 the simulation could not finish (a plan's solver stopped, the Dask cluster failed).
The result is the same byte for byte in one process, with --workers K (a LocalCluster of K processes started and
stopped here) and with --scheduler ADDRESS (an existing Dask cluster).
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from django.core.management.base import CommandError
from django.utils.translation import gettext_lazy as _

from buurtbalans.core import safeinput
from buurtbalans.core.management.base import Command as BuurtbalansCommand
from buurtbalans.core.management.filecommand import EXIT_FAILED, refused, write_atomic
from buurtbalans.core.safeinput import InputError
from buurtbalans.engine.simulation import (
    ScenarioError,
    SimulationError,
    connect,
    dump,
    local_cluster,
    parse_scenario,
    simulate,
)

DEFAULT_RUNS = 1000
MAX_RUNS = 1_000_000
MAX_WORKERS = 256
MAX_SEED = 2**63 - 1


def _json_decimal(text: str) -> Decimal:
    """A number with a fraction or exponent, read exactly; 1e999 and 1e-50 are refused."""
    value = Decimal(text)
    if not value.is_finite() or (value and abs(value.adjusted()) > 12):
        raise ValueError(f"the number {text[:20]} is out of range")
    return value


def _option_problems(options: dict) -> list[str]:
    problems = []
    if not 1 <= options["runs"] <= MAX_RUNS:
        problems.append(f"--runs: must lie between 1 and {MAX_RUNS:,}, not {options['runs']}")
    if not 0 <= options["seed"] <= MAX_SEED:
        problems.append(f"--seed: must be a whole number of 0 or more, not {options['seed']}")
    workers = options["workers"]
    if workers is not None and not 1 <= workers <= MAX_WORKERS:
        problems.append(f"--workers: must lie between 1 and {MAX_WORKERS}, not {workers}")
    if workers is not None and options["scheduler"]:
        problems.append("--workers and --scheduler: give one of them (a new local cluster, or an existing one)")
    return problems


class Command(BuurtbalansCommand):
    help = _(
        "Simulate letting policies over years, many runs: composition per complex and waiting time per group, with "
        "mean and 90% band. Result as JSON on stdout or in --output. Format: docs/simulation.md."
    )
    # Reads a file and writes a file: no database, no need to wait for the system checks.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("scenario", type=Path, help=_("scenario file (format buurtbalans.simulation/1)"))
        parser.add_argument("--runs", type=int, default=DEFAULT_RUNS,
                            help=_("runs per policy (default %(default)s)"))
        parser.add_argument("--seed", type=int, default=0, help=_("the root random seed (default 0)"))
        parser.add_argument("--workers", type=int, default=None,
                            help=_("compute on a new local Dask cluster of this many worker processes"))
        parser.add_argument("--scheduler", default=None,
                            help=_("compute on the existing Dask cluster at this address (tcp://host:8786)"))
        parser.add_argument("--output", type=Path, default=None, help=_("write the result here instead of stdout"))

    def handle(self, *args, **options):
        path: Path = options["scenario"]
        problems = _option_problems(options)
        scenario = None
        try:
            data = safeinput.read_bytes(path, path.name)
            document = safeinput.load_json(data, path.name, parse_float=_json_decimal)
            scenario = parse_scenario(document)
        except InputError as exc:
            problems.insert(0, str(exc))
        except ScenarioError as exc:
            problems = [*exc.problems, *problems]
        if problems or scenario is None:
            raise refused(path.name, problems, nothing="simulated")
        runs, seed = options["runs"], options["seed"]
        try:
            if options["workers"]:
                with local_cluster(options["workers"]) as client:
                    result = simulate(scenario, runs=runs, seed=seed, client=client)
            elif options["scheduler"]:
                with connect(options["scheduler"]) as client:
                    result = simulate(scenario, runs=runs, seed=seed, client=client)
            else:
                result = simulate(scenario, runs=runs, seed=seed)
        except SimulationError as exc:
            raise CommandError(f"nothing simulated: {exc}", returncode=EXIT_FAILED) from None
        except OSError as exc:  # the scheduler cannot be reached (distributed raises OSError on a timeout too)
            raise CommandError(f"nothing simulated: the Dask cluster failed: {exc}", returncode=EXIT_FAILED) from None
        text = dump(result)
        if options["output"] is None:
            return text.rstrip("\n")
        write_atomic(text, options["output"])
        return (
            f"simulated {len(scenario.policies)} policies x {runs} runs x {scenario.years} years over "
            f"{len(scenario.complexes)} complexes (seed {seed}) -> {options['output']}"
        )
