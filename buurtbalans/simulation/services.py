"""Writes of the simulation app: make, change, run and store policy studies.

Each changes one study in one transaction. Studies hold aggregates only (households per complex by type),
so no audit row is written (docs/simulation-screens.md, "Privacy").
"""

from __future__ import annotations

import copy
import hashlib
import json
import secrets
from dataclasses import asdict
from datetime import date
from decimal import Decimal
from functools import cache
from importlib import metadata
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from buurtbalans.core.audit import actor_label
from buurtbalans.core.formatting import format_number
from buurtbalans.core.jobs import job_enqueue
from buurtbalans.engine import simulation as engine
from buurtbalans.simulation.models import DEFAULT_RUNS, MAX_RUNS, PolicyStudy
from buurtbalans.simulation.texts import Problem, dutch_problem

SIMULATION_KIND = "policy_simulation"
# A seed the analyst can read and type again.
MAX_SEED = 2**31 - 1


class StudyInputError(ValueError):
    """The scenario, runs or seed are refused; `problems` says what and where, in the reader's language."""

    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(p.text for p in problems))
        self.problems = problems


@cache
def engine_version() -> str:
    """What identifies the code that computes a result.

    The package version and a short hash of the engine's simulation and labelling modules (the plan policy
    solves labelling plans).
    """
    try:
        package = metadata.version("buurtbalans")
    except metadata.PackageNotFoundError:
        package = "0"
    engine_dir = Path(engine.__file__).resolve().parent.parent
    digest = hashlib.sha256()
    for folder in ("simulation", "labelling"):
        for path in sorted((engine_dir / folder).glob("*.py")):
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return f"{package}+{digest.hexdigest()[:12]}"


def simulation_workers() -> int:
    """Worker processes for a study's run: the setting `BUURTBALANS_SIMULATION_WORKERS` (1: this process)."""
    return settings.BUURTBALANS_SIMULATION_WORKERS


def result_digest(document: dict) -> str:
    """A digest of the result document's text, to tell whether a new run gave the same result."""
    return hashlib.sha256(engine.dump(document).encode()).hexdigest()


def new_seed() -> int:
    """A random starting number the analyst can read and type again."""
    return secrets.randbelow(MAX_SEED) + 1


def _json_number(value):
    """Decimals as strings (the scenario reads them exactly), other values as they are."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {k: _json_number(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_number(v) for v in value]
    return value


def default_policies(document: dict) -> list[dict]:
    """Two policies to start from when the built scenario has none: open letting and the room check."""
    return [
        {"name": "Open", "kind": "open"},
        {"name": "Ruimte-toets", "kind": "room_check", "min_vulnerable_placements": 0},
    ]


def _problems(document: dict, runs: int, seed: int) -> list[Problem]:
    from django.utils.translation import gettext as _

    problems = []
    try:
        engine.parse_scenario(document)
    except engine.ScenarioError as exc:
        problems = [dutch_problem(p, document) for p in exc.problems]
    if not 1 <= runs <= MAX_RUNS:
        problems.append(Problem(_("The number of calculations must be from 1 to %(max)s.")
                                % {"max": format_number(MAX_RUNS)}, "general", field="runs"))
    if not 0 <= seed <= 2**63 - 1:
        problems.append(Problem(_("The starting number must be 0 or more."), "general", field="seed"))
    return problems


@transaction.atomic
def policy_study_create(*, corporation, actor, name: str, on: date, years: int = 10) -> PolicyStudy:
    """A new study whose scenario is built from the corporation's data as on `on`.

    `building.build_scenario` gives the complexes and their composition, turnover and inflow estimated from the
    lettings, and arrivals from the bids.
    """
    from buurtbalans.simulation.building import build_scenario

    built = build_scenario(corporation, on=on, years=years)
    document = _json_number(copy.deepcopy(built.document))
    if len(document.get("policies") or []) < 2:
        document["policies"] = default_policies(document)
    estimates = [_json_number(asdict(e)) for e in built.estimates]
    return policy_study_create_from_document(corporation=corporation, actor=actor, name=name, on=built.on,
                                             document=document, estimates=estimates, problems=list(built.problems))


def policy_study_create_from_document(*, corporation, actor, name: str, on: date, document: dict,
                                      estimates: list | None = None, problems: list | None = None,
                                      runs: int = DEFAULT_RUNS, seed: int | None = None) -> PolicyStudy:
    """A new study from a scenario document as it is (the file contract's format); not checked until it runs."""
    return PolicyStudy.objects.create(
        corporation=corporation,
        name=name.strip() or "Simulatie",
        built_on=on,
        scenario=_json_number(document),
        estimates=estimates or [],
        problems=problems or [],
        runs=runs,
        seed=new_seed() if seed is None else seed,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
        created_by_name=actor_label(actor),
    )


@transaction.atomic
def policy_study_update(*, study: PolicyStudy, actor, name: str, runs: int, seed: int, document: dict) -> PolicyStudy:
    """Save the edited scenario, runs and seed.

    A change to any of them clears the result (it no longer belongs to them); only the name may change without it.

    Raises:
        StudyInputError: the engine's checks refuse the scenario, or runs or seed are out of range.
    """
    document = _json_number(document)
    problems = _problems(document, runs, seed)
    if problems:
        raise StudyInputError(problems)
    study = PolicyStudy.objects.select_for_update().get(pk=study.pk)
    study.name = name.strip() or study.name
    if (document, runs, seed) != (study.scenario, study.runs, study.seed):
        study.scenario, study.runs, study.seed = document, runs, seed
        _clear_result(study)
    study.save()
    return study


def _clear_result(study: PolicyStudy) -> None:
    study.result = study.result_scenario = study.result_runs = study.result_seed = None
    study.engine_version = study.result_digest = study.previous_digest = ""
    study.finished = None
    study.job = None


@transaction.atomic
def policy_study_run_request(*, study: PolicyStudy, actor) -> PolicyStudy:
    """Start the study's calculation as a background task (`jobs.PolicySimulationJob`).

    Also "calculate again" with the same scenario, runs and seed; the page then says whether the result came out
    the same.

    Raises:
        StudyInputError: the scenario is refused (nothing is started).
    """
    study = PolicyStudy.objects.select_for_update().get(pk=study.pk)
    problems = _problems(study.scenario, study.runs, study.seed)
    if problems:
        raise StudyInputError(problems)
    job = job_enqueue(kind=SIMULATION_KIND, corporation=study.corporation, user=actor, params={"study": study.pk},
                      seed=study.seed)
    study.job = job
    study.save(update_fields=["job", "changed"])
    return study


def policy_study_compute(study: PolicyStudy, *, on_progress=None) -> PolicyStudy:
    """Run the study's scenario through the engine and store the result with what made it (the worker's part).

    In one process by default; with `BUURTBALANS_SIMULATION_WORKERS` above 1 on a local Dask cluster of that many
    processes (the same result, byte for byte).

    Raises:
        StudyInputError: the scenario is refused.
        engine.SimulationError: a policy could not label a year's vacancies.
    """
    scenario_document = copy.deepcopy(study.scenario)
    runs, seed = study.runs, study.seed
    try:
        scenario = engine.parse_scenario(scenario_document)
    except engine.ScenarioError as exc:
        raise StudyInputError([dutch_problem(p, scenario_document) for p in exc.problems]) from exc
    workers = simulation_workers()
    if workers > 1:
        with engine.local_cluster(workers) as client:
            document = engine.simulate(scenario, runs=runs, seed=seed, client=client, on_progress=on_progress)
    else:
        document = engine.simulate(scenario, runs=runs, seed=seed, on_progress=on_progress)
    # Through JSON once, so the stored document is what a reader gets back (floats, no numpy types).
    document = json.loads(engine.dump(document))
    with transaction.atomic():
        locked = PolicyStudy.objects.select_for_update().get(pk=study.pk)
        if (locked.scenario, locked.runs, locked.seed) != (scenario_document, runs, seed):
            # Changed while it ran: this result belongs to nothing on the page any more.
            return locked
        previous = locked.result_digest
        locked.result = document
        locked.result_scenario, locked.result_runs, locked.result_seed = scenario_document, runs, seed
        locked.engine_version = engine_version()
        locked.previous_digest = previous
        locked.result_digest = result_digest(document)
        locked.finished = timezone.now()
        locked.save()
    return locked


@transaction.atomic
def policy_study_copy(*, study: PolicyStudy, actor, name: str) -> PolicyStudy:
    """A new study with the same scenario, runs and seed (to try a variant and compare the two)."""
    return policy_study_create_from_document(
        corporation=study.corporation, actor=actor, name=name, on=study.built_on, document=study.scenario,
        estimates=study.estimates, problems=study.problems, runs=study.runs, seed=study.seed)


@transaction.atomic
def policy_study_delete(*, study: PolicyStudy, actor) -> None:
    """Remove a study (its task stays in the task list)."""
    PolicyStudy.objects.filter(pk=study.pk).delete()
