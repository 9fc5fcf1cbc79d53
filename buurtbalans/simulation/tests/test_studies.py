"""Policy studies end to end: built, run through the real job runner, stored with what made it, reproducible."""

from __future__ import annotations

import copy

import pytest

from buurtbalans.core.jobs import run_pending_jobs
from buurtbalans.core.models import Job
from buurtbalans.simulation.models import PolicyStudy
from buurtbalans.simulation.services import (
    StudyInputError,
    engine_version,
    policy_study_run_request,
    policy_study_update,
)
from buurtbalans.simulation.tests.testing import SCENARIO, make_study

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def run(study, actor) -> PolicyStudy:
    policy_study_run_request(study=study, actor=actor)
    assert run_pending_jobs() == 1
    study.refresh_from_db()
    return study


def test_the_job_stores_the_result_with_the_scenario_seed_runs_and_version_that_made_it(corporation_a, bob):
    study = run(make_study(corporation_a, bob), bob)
    job = Job.objects.get(pk=study.job_id)
    assert job.status == Job.Status.SUCCEEDED, job.result
    assert (job.progress_done, job.progress_total) == (40, 40)  # 20 runs x 2 policies
    assert job.result["study"] == study.pk
    assert study.status == "done"
    assert study.result["format"] == "buurtbalans.simulation-result/1"
    assert [p["name"] for p in study.result["policies"]] == ["Open", "Ruimte-toets"]
    assert (study.result_runs, study.result_seed, study.result_scenario) == (20, 7, study.scenario)
    assert study.engine_version == engine_version() and study.finished is not None


def test_calculating_again_gives_the_same_result_and_another_seed_another(corporation_a, bob):
    study = run(make_study(corporation_a, bob), bob)
    first = copy.deepcopy(study.result)
    study = run(study, bob)
    assert study.result == first
    assert study.previous_digest == study.result_digest  # the page says: the same as before
    other = run(make_study(corporation_a, bob, seed=8), bob)
    assert other.result != first


def test_a_changed_scenario_clears_the_result_and_a_new_name_does_not(corporation_a, bob):
    study = run(make_study(corporation_a, bob), bob)
    study = policy_study_update(study=study, actor=bob, name="Nieuwe naam", runs=20, seed=7,
                                document=study.scenario)
    assert study.name == "Nieuwe naam" and study.result is not None
    changed = copy.deepcopy(study.scenario)
    changed["arrivals"]["V"] = "9"
    study = policy_study_update(study=study, actor=bob, name=study.name, runs=20, seed=7, document=changed)
    assert study.result is None and study.status == "draft"


def test_the_engine_checks_the_scenario_and_the_problems_are_dutch_and_placed(corporation_a, bob):
    study = make_study(corporation_a, bob)
    bad = copy.deepcopy(SCENARIO)
    bad["complexes"][0]["V"] = 31
    bad["inflow"]["OPEN"]["O"] = "0.4"
    bad["policies"][1]["name"] = "Open"
    from django.utils import translation

    with translation.override("nl"), pytest.raises(StudyInputError) as refused:
        policy_study_update(study=study, actor=bob, name="x", runs=20, seed=7, document=bad)
    places = {(p.section, p.index, p.label, p.field) for p in refused.value.problems}
    assert ("complex", 0, "", "dwellings") in places
    assert ("inflow", None, "OPEN", None) in places
    assert ("policy", 1, "", "name") in places
    texts = " ".join(p.text for p in refused.value.problems)
    assert "A-C1" in texts and "110" in texts  # the inflow adds up to 110, said in percent
    assert "must" not in texts and "dwellings is" not in texts


def test_runs_above_the_screen_limit_are_refused(corporation_a, bob):
    study = make_study(corporation_a, bob)
    with pytest.raises(StudyInputError):
        policy_study_update(study=study, actor=bob, name="x", runs=50_000, seed=7, document=study.scenario)
