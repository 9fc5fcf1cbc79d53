"""Background jobs of the steering app: the labelling plan for a quarter's vacancies."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from buurtbalans.core.jobs import JobError, JobRunner
from buurtbalans.core.models import Job
from buurtbalans.core.permissions import Action
from buurtbalans.steering.models import LabellingPlan
from buurtbalans.steering.planning import PlanRefused, label_plan_run
from buurtbalans.steering.reasons import plan_problem
from buurtbalans.steering.services import LABEL_PLAN_KIND


class LabelPlanJob(JobRunner):
    """Make a labelling plan (`steering.planning.label_plan_run`); progress: input, three solver stages, storing.

    Params: {"plan": LabellingPlan pk}. Result: {"plan", "vacancies", "file": the result document (JSON)}.
    A plan that cannot be made (a legal parameter missing, an impossible policy) fails the job with the reason;
    the plan page explains it and links to what to fix.
    """

    kind = LABEL_PLAN_KIND
    label = _("Labelling plan")
    # The plan holds aggregates per complex and labels per dwelling: for everyone who may see aggregates.
    view_action = Action.VIEW_AGGREGATES

    def run(self) -> dict:
        plan = LabellingPlan.objects.select_related("corporation").get(job=self.job)
        self.log(f"plan {plan.pk}: vacancies of {plan.period_start} to {plan.period_end}")
        try:
            label_plan_run(plan, actor=self.job.user, on_progress=self.progress)
        except PlanRefused as exc:
            # No plan was made, for a reason the analyst can act on: the words of the plan page.
            raise JobError(plan_problem(plan)) from exc
        Job.objects.filter(pk=self.job.pk).update(parameter_version=plan.parameter_version[:60])
        self.log(f"{plan.vacancy_count} vacancies planned, parameters {plan.parameter_version}")
        return {
            "plan": plan.pk,
            "vacancies": plan.vacancy_count,
            "url": reverse("steering_plan", args=[plan.pk]),
            "file": {"name": f"label-plan-{plan.pk}.json", "url": reverse("steering_plan_result", args=[plan.pk])},
        }
