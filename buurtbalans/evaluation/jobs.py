"""Jobs of the evaluation app: every night, record the interventions the product saw happen.

Why a job and not a signal (docs/evaluation.md, "How interventions get in the register"): steering and allocation
sit below this app in the layers (tests/test_layers.py), so they cannot call it; a signal defined in core would let
them, but business logic in signals is skipped by every write that does not go through the signalling code path
(bulk imports, the demo generator), and STYLE.md keeps logic out of signals. The job reads the facts themselves
(decided labels, tenancies let on motivation or by intake, opened meeting places, complexes a housing cooperative
took on), so it also sees those written by imports, and it is idempotent: running it again adds nothing.
"""

from __future__ import annotations

from datetime import timedelta

from django.utils.translation import gettext_lazy

from buurtbalans.core.jobs import JobRunner
from buurtbalans.core.permissions import Action
from buurtbalans.evaluation.services import interventions_record_from_facts

RECORD_KIND = "interventions_record"


class InterventionsRecordJob(JobRunner):
    """Every night per corporation: add the interventions of decided labels, lettings, meeting places and
    cooperatives."""

    kind = RECORD_KIND
    label = gettext_lazy("Nightly recording of interventions")
    view_action = Action.VIEW_INTERVENTIONS
    every = timedelta(days=1)
    retry_safe = True  # one transaction, and a second run adds nothing

    def run(self) -> dict:
        recorded = interventions_record_from_facts(corporation=self.job.corporation)
        self.log(f"{sum(recorded.values())} interventions recorded")
        return {"recorded": recorded}
