"""Policy studies (issue 15, "In the product"): a scenario built from the corporation's data, edited by the policy
analyst, run as a job, and its result kept with everything that made it (scenario, runs, seed, engine version).

A study holds aggregates only: households per complex counted by type (V, P, O), never a household. What the
analyst sees of those counts goes through the small-cell rule (core.figures; docs/simulation-screens.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from buurtbalans.core.models import HousingCorporation, Job
from buurtbalans.core.permissions import Action, scoped_queryset

# Who works with studies: the policy analyst, who prepares letting policy for the board, and the functional
# administrator, who also sets complex profiles (core.permissions).
SIMULATE = Action.SIMULATE_POLICIES

StudyQuerySet = scoped_queryset(SIMULATE)

DEFAULT_RUNS = 200
MAX_RUNS = 5_000  # from the screen; the command line (simulate_policy) takes more, on a Dask cluster


class PolicyStudy(models.Model):
    """One comparison of letting policies: the scenario as edited, and the result of its last run.

    `scenario` is a `buurtbalans.simulation/1` document. `estimates` and `problems` are what `build_scenario`
    said when the scenario was built from the data (kept, so the page can show what a value started from).
    `result` is the engine's `buurtbalans.simulation-result/1` document of the run that `result_runs`,
    `result_seed`, `result_scenario` and `engine_version` made; a changed scenario clears it.
    """

    corporation = models.ForeignKey(HousingCorporation, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=120)
    built_on = models.DateField(_("data of"))
    scenario = models.JSONField(_("scenario"), default=dict)
    estimates = models.JSONField(_("estimates"), default=list, blank=True)
    problems = models.JSONField(_("remarks on the data"), default=list, blank=True)
    runs = models.PositiveIntegerField(_("runs"), default=DEFAULT_RUNS)
    seed = models.BigIntegerField(_("starting number"))
    job = models.OneToOneField(Job, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # What made the stored result: the scenario, runs and seed at the start of the run, and the code's version.
    result = models.JSONField(_("result"), null=True, blank=True)
    result_scenario = models.JSONField(null=True, blank=True)
    result_runs = models.PositiveIntegerField(null=True, blank=True)
    result_seed = models.BigIntegerField(null=True, blank=True)
    engine_version = models.CharField(_("version"), max_length=80, blank=True)
    result_digest = models.CharField(max_length=64, blank=True)
    # The digest of the result before the last "calculate again", to say whether the new one is the same.
    previous_digest = models.CharField(max_length=64, blank=True)
    finished = models.DateTimeField(_("calculated"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by_name = models.CharField(_("made by"), max_length=150)
    created = models.DateTimeField(_("made"), auto_now_add=True)
    changed = models.DateTimeField(_("changed"), auto_now=True)

    objects = StudyQuerySet.as_manager()

    class Meta:
        verbose_name = _("policy study")
        verbose_name_plural = _("policy studies")
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return self.name

    @property
    def status(self) -> str:
        """"done" (a result), "running" (queued or running), "failed", or "draft" (never run since the last change)."""
        if self.result is not None:
            return "done"
        if self.job is not None:
            if self.job.status in (Job.Status.QUEUED, Job.Status.RUNNING):
                return "running"
            if self.job.status == Job.Status.FAILED:
                return "failed"
        return "draft"
