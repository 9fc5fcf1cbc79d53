"""The demo's policy study (issue 15): the analyst finds one built from the demo's own data and calculated.

Three policies side by side over ten years: open letting, the room check the built scenario proposes, and a quota
that reserves one vacancy in ten for a vulnerable household. A fixed starting number, so every demo shows the same
figures; 100 calculations per policy take a few seconds. The `plan` policy is left out: it solves three programs a
year per calculation and would make seeding slow.

Two values are edited as an analyst would, because the demo's synthetic data would otherwise show nothing to
compare (docs/simulation-screens.md, "The demo study"):
- the limit for vulnerable households is 20 % in every complex instead of the built-in 35 %, a stricter policy
  under study: with 35 % no demo complex comes near its limit;
- the new seekers per year: the demo has bids of two rounds only, so the bids of the last year count some 50 new
  seekers against about 900 lettings a year and every queue would be empty within two years. DEMO_ARRIVALS is the
  size of a real regional waiting list's yearly inflow for a stock of this size.
"""

from __future__ import annotations

import time
from datetime import UTC, date, datetime

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from buurtbalans.core.audit_labels import DEMO_ACTOR
from buurtbalans.core.formatting import format_share
from buurtbalans.core.jobs import job_run
from buurtbalans.core.models import Job
from buurtbalans.simulation.models import PolicyStudy
from buurtbalans.simulation.services import (
    policy_study_create,
    policy_study_run_request,
    policy_study_update,
)

DEMO_RUNS = 100
DEMO_STUDY_SEED = 2026
QUOTA_POLICY = {"name": "Quotum 10%", "kind": "quota", "reserved_share": "0.1"}
DEMO_V_LIMIT = "0.2"
DEMO_ARRIVALS = {"V": 80, "P": 650, "O": 250}


def simulation_demo_write(corporation, *, reference_date: date, analyst_username: str, say) -> PolicyStudy:
    """Build, calculate and store the demo study as the analyst; an earlier demo run's studies are removed."""
    started = time.perf_counter()
    PolicyStudy.objects.filter(corporation=corporation).delete()
    analyst = get_user_model().objects.get(username=analyst_username)
    study = policy_study_create(corporation=corporation, actor=analyst,
                                name=_("A limit of %(limit)s vulnerable: open letting, room check or quota")
                                % {"limit": format_share(DEMO_V_LIMIT)},
                                on=reference_date, years=10)
    document = {
        **study.scenario,
        "complexes": [{**row, "target_V_max_share": DEMO_V_LIMIT} for row in study.scenario["complexes"]],
        "arrivals": DEMO_ARRIVALS,
        "policies": [*study.scenario["policies"], QUOTA_POLICY],
    }
    study = policy_study_update(study=study, actor=analyst, name=study.name, runs=DEMO_RUNS, seed=DEMO_STUDY_SEED,
                                document=document)
    study = policy_study_run_request(study=study, actor=analyst)
    # The demo has no worker running: run the queued job here, as the worker would.
    Job.objects.filter(pk=study.job_id).update(status=Job.Status.RUNNING, started=datetime.now(UTC),
                                               worker=DEMO_ACTOR)
    job_run(Job.objects.get(pk=study.job_id))
    say(_("%(name)s: a policy study with %(policies)d policies over %(years)d years calculated (%(seconds).1f s)")
        % {"name": corporation.name, "policies": len(document["policies"]), "years": document["years"],
           "seconds": time.perf_counter() - started})
    return study
