"""Background jobs of the simulation app: a policy study's Monte Carlo run."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from buurtbalans.core.jobs import JobError, JobRunner
from buurtbalans.engine.simulation import SimulationError
from buurtbalans.simulation.models import SIMULATE, PolicyStudy
from buurtbalans.simulation.services import SIMULATION_KIND, StudyInputError, policy_study_compute


class PolicySimulationJob(JobRunner):
    """Simulate a study's policies (`services.policy_study_compute`); progress: runs done over all policies.

    Params: {"study": PolicyStudy pk}. Result: {"study", "url"}. The result document is stored on the study.
    Running it again after a dead worker does no harm: the study's result is replaced as a whole.
    """

    kind = SIMULATION_KIND
    label = _("Policy simulation")
    view_action = SIMULATE
    retry_safe = True
    result_template = "simulation/_job_result.html"

    def run(self) -> dict:
        study = PolicyStudy.objects.get(pk=self.job.params["study"])
        self.log(f"study {study.pk}: {study.runs} runs, seed {study.seed}")
        try:
            study = policy_study_compute(study, on_progress=self.progress)
        except StudyInputError as exc:
            raise JobError(" ".join(p.text for p in exc.problems)) from exc
        except SimulationError as exc:
            raise JobError(_("A policy could not label the vacancies of a year; check the minimum placements.")) \
                from exc
        self.log(f"done, version {study.engine_version}")
        return {"study": study.pk, "url": reverse("simulation_study_results", args=[study.pk])}

    @classmethod
    def result_context(cls, request, job) -> dict:
        return {"study_pk": (job.params or {}).get("study")}
