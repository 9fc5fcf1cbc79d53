"""Background jobs of the allocation app: working a round out (building its input, solving, storing outcomes)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from buurtbalans.allocation.models import AllocationRound
from buurtbalans.allocation.services import SOLVE_JOB_KIND, allocation_round_solve
from buurtbalans.core.jobs import JobRunner
from buurtbalans.core.permissions import Action


class AllocationRoundSolveJob(JobRunner):
    """Work out the round in params["round"] (see `services.allocation_round_solve`).

    The engine's part takes a fraction of a second even for a weekly regional round; building the input from the
    rows and storing an explained outcome for every bid is what takes time, and is what the progress counts
    (one step per bid). Result: {"round", "run", "allocations", "bids", "url"}; {"skipped": true} when the round
    was given to a newer job meanwhile.
    """

    kind = SOLVE_JOB_KIND
    label = _("Allocation round")
    # The job's log and result name the round only, but its page belongs with the round's personal data.
    view_action = Action.MANAGE_ALLOCATION

    def run(self) -> dict:
        allocation_round = AllocationRound.objects.get(pk=self.job.params["round"], corporation=self.job.corporation)
        url = reverse("allocation_round_detail", args=[allocation_round.pk])
        run = allocation_round_solve(
            allocation_round=allocation_round, actor=self.job.user, job=self.job, on_progress=self.progress
        )
        if run is None:
            self.log(f"round {allocation_round.pk}: nothing to do (worked out by a newer task)")
            return {"round": allocation_round.pk, "skipped": True, "url": url}
        summary = run.summary
        self.log(
            f"round {allocation_round.pk} run {run.number}: {summary.get('listings')} listings, "
            f"{summary.get('bids')} bids, {summary.get('allocations')} allocated "
            f"(parameters {run.parameter_version})"
        )
        return {
            "round": allocation_round.pk,
            "run": run.number,
            "allocations": summary.get("allocations"),
            "bids": summary.get("bids"),
            "url": url,
        }
